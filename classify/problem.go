package classify

import (
	"strings"
	"unicode/utf8"
)

const (
	problemReachBack    = 3 // words looked back for the product a problem is about
	problemReachForward = 4 // words the phrase may run on: "on startup", "for my order"
)

// problemPhrase cuts a short phrase around the problem term at toks[at:end]:
// the product it is about when one stands just before ("app keeps
// crashing"), then the words that follow up to the end of the clause. It is
// taken from the original text, so it reads as the customer wrote it, except
// that shouted words are lowered: a reply should not shout back.
func (l *lexicon) problemPhrase(text string, toks []token, at, end int) string {
	start := at
	words := 0
	for k := at - 1; k >= 0 && words < problemReachBack; k-- {
		t := &toks[k]
		if t.kind == tkPunct && !isBreak(t.s) {
			continue // the "+" of "Lumio+"
		}
		if t.kind != tkWord {
			break
		}
		words++
		if l.productAt(toks, k, at) {
			start = k
			break
		}
	}
	if start == at && at > 0 {
		// "order never arrived": a content word just before says what.
		if t := &toks[at-1]; t.kind == tkWord && l.wordFlags(t.s)&(fEdge|fNegator|fIntensifier) == 0 {
			start = at - 1
		}
	}
	last := end
	words = 0
	for k := end; k < len(toks) && words < problemReachForward; k++ {
		t := &toks[k]
		if t.kind == tkPunct && t.glued && !isBreak(t.s) {
			continue // the "-" of "wi-fi"
		}
		if t.kind != tkWord || l.wordFlags(t.s)&fStop != 0 {
			break
		}
		words++
		last = k + 1
	}
	for last > end && (toks[last-1].kind != tkWord || l.wordFlags(toks[last-1].s)&fEdge != 0) {
		last--
	}
	for {
		p := joinTokens(text, toks[start:last])
		if utf8.RuneCountInString(p) <= MaxProblem {
			return p
		}
		if last > end {
			last--
			continue
		}
		if start < at {
			start = at
			continue
		}
		return truncateRunes(p, MaxProblem)
	}
}

// productAt reports whether a product term starts at toks[k] and ends by limit.
func (l *lexicon) productAt(toks []token, k, limit int) bool {
	b := l.index[toks[k].s]
	if b == nil {
		return false
	}
	for _, e := range b.prod {
		if k+len(e.toks) <= limit && e.matchAt(toks, k) {
			return true
		}
	}
	return false
}

// wordFlags returns the labels of the one-word term s, if the lexicon has it.
func (l *lexicon) wordFlags(s string) flag {
	b := l.index[s]
	if b == nil || len(b.lex) == 0 {
		return 0
	}
	if e := b.lex[len(b.lex)-1]; len(e.toks) == 1 {
		return e.flags
	}
	return 0
}

func joinTokens(text string, toks []token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 && !t.glued {
			b.WriteByte(' ')
		}
		piece := text[t.start:t.end]
		if t.caps {
			piece = strings.ToLower(piece)
		}
		b.WriteString(piece)
	}
	return strings.ToValidUTF8(b.String(), "")
}

func truncateRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return strings.TrimSpace(s[:i])
		}
		n--
	}
	return s
}
