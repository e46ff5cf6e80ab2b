package routing

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/earshothq/earshot/internal/textfold"
)

// text is a mention's text prepared once for every term lookup: composed
// (NFC), case-folded rune by rune, and with each run of whitespace turned into
// one space, so terms compare as people read them rather than byte for byte.
type text string

func prepare(s string) text {
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(textfold.Rune(r))
	}
	return text(b.String())
}

// isWord reports whether r is part of a word: "lumio" must not match inside
// "lumiolamp", but "#", "@", "'" and "." end a word. Scripts written without
// spaces between words (Chinese, Japanese, Thai, ...) have no boundaries to
// find, so their characters count as separators: "Lumioのランプ" names Lumio.
func isWord(r rune) bool {
	if r < 0x0E00 {
		return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
	}
	if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar) {
		return false
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// term is one prepared search term. A word boundary is required only at an
// end of the term that is itself a word character, so "#lumio" matches in
// "love#lumio" while "lumio" does not match in "xlumio".
type term struct {
	raw       string // as written in the rules file, for Decision.Excluded
	s         string // prepared
	wordStart bool
	wordEnd   bool
	// domain tightens the boundaries to whole host names: "spam.example"
	// matches "www.spam.example" but not "x-spam.example" or "spam.example.org".
	domain bool
}

func newTerm(raw string) (term, bool) {
	s := strings.TrimSpace(string(prepare(raw)))
	if s == "" {
		return term{}, false
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	return term{raw: raw, s: s, wordStart: isWord(first), wordEnd: isWord(last)}, true
}

func (t term) in(x text) bool {
	s := string(x)
	for i := 0; i <= len(s); {
		j := strings.Index(s[i:], t.s)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(t.s)
		if t.boundedAt(s, j, end) {
			return true
		}
		_, size := utf8.DecodeRuneInString(s[j:])
		i = j + size
	}
	return false
}

func (t term) boundedAt(s string, start, end int) bool {
	if t.wordStart && start > 0 {
		if r, _ := utf8.DecodeLastRuneInString(s[:start]); isWord(r) || t.domain && r == '-' {
			return false
		}
	}
	if t.wordEnd && end < len(s) {
		r, size := utf8.DecodeRuneInString(s[end:])
		if isWord(r) {
			return false
		}
		if t.domain && (r == '-' || r == '.') {
			// A dot ending a sentence is fine; one starting another label is not.
			next, _ := utf8.DecodeRuneInString(s[end+size:])
			if r == '-' || isWord(next) {
				return false
			}
		}
	}
	return true
}

// termSet answers "which of these terms occurs in this text". It is the one
// place term search happens, so a compiled multi-pattern matcher can replace
// the linear scan without touching routes or exclusions.
type termSet struct {
	terms []term
}

// newTermSet prepares raw terms; ones that are empty once prepared are
// dropped (validation reports them before a set is built).
func newTermSet(raw []string) *termSet {
	ts := &termSet{terms: make([]term, 0, len(raw))}
	for _, r := range raw {
		if t, ok := newTerm(r); ok {
			ts.terms = append(ts.terms, t)
		}
	}
	return ts
}

// newDomainSet is a termSet whose terms match whole host names.
func newDomainSet(domains []string) *termSet {
	ts := newTermSet(domains)
	for i := range ts.terms {
		ts.terms[i].domain = true
	}
	return ts
}

// first returns the first term, in rules-file order, that occurs in x.
func (ts *termSet) first(x text) (string, bool) {
	if ts == nil {
		return "", false
	}
	for _, t := range ts.terms {
		if t.in(x) {
			return t.raw, true
		}
	}
	return "", false
}

func (ts *termSet) empty() bool { return ts == nil || len(ts.terms) == 0 }
