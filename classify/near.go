package classify

// Near terms: two words that mean something only together, a few words
// apart in one sentence. "The brake stopped biting" and "the battery has a
// visible bulge" name no hazard in any single word, and a phrase list would
// need every way of putting it; a hazard object and a failure within a few
// words catch them all, and the same two words apart ("brake cable", "bulge
// in the box") stay quiet.
//
// In lexicon.txt a [<section>-near] line reads "{a,b} ~N {x,y}": a word of
// the first set and a word of the second, in either order, at most N words
// apart and in the same sentence, carry the labels of <section>. With ">N"
// the first set's word must come first. A word inside a longer lexicon
// term takes no part: the term already says what it means ("fell in love",
// "after the update").

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// maxNear is how many near rules a lexicon may hold: each side of a rule is
// one bit of a word's mask.
const maxNear = 64

// nearRule is one compiled "{a} ~N {b}" line.
type nearRule struct {
	window int
	flags  flag
	weight float64
	// question: the pair counts only in a sentence that asks: "is it
	// worth it?" is a buying question, "this is worth every penny" is not.
	question bool
}

// nearEvent is a word on a side of some near rules: its word and token
// index, and its masks.
type nearEvent struct {
	word, tok int32
	a, b      uint64
}

// nearRecent is how many near words a scan remembers: a rule spans at most
// maxNearWindow words, which seldom hold more than a few of them.
const (
	nearRecent    = 8
	maxNearWindow = 12
)

// parseNear compiles the text of one near line, "{a,b} ~N {x,y}", into the
// rule's index k: each word of a side gets the side's bit.
func (l *lexicon) parseNear(line string, f flag, weight float64, hasWeight bool) error {
	line, question := strings.CutSuffix(line, " ?")
	sep := strings.IndexAny(line, "~>")
	if sep < 0 {
		return fmt.Errorf("near term %q has no ~N or >N between its two sets", line)
	}
	left, right, ordered := line[:sep], strings.TrimSpace(line[sep+1:]), line[sep] == '>'
	num, right, _ := strings.Cut(right, " ")
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || n > maxNearWindow {
		return fmt.Errorf("near term %q: distance %q is not a number from 1 to %d", line, num, maxNearWindow)
	}
	if len(l.near) == maxNear {
		return fmt.Errorf("near term %q: more than %d near terms", line, maxNear)
	}
	k := len(l.near)
	for side, set := range []string{left, right} {
		words, err := expand(strings.TrimSpace(set))
		if err != nil {
			return err
		}
		for _, w := range words {
			toks := tokenize(w, nil)
			if len(toks) != 1 || toks[0].kind != tkWord {
				return fmt.Errorf("near term %q: %q is not one word", line, w)
			}
			b := l.bucket(toks[0].s)
			if side == 0 {
				b.nearA |= 1 << k
			} else {
				b.nearB |= 1 << k
			}
		}
	}
	if !hasWeight && f&problemFlags != 0 {
		weight = defaultProblemWeight
	}
	// A denied word does not count ("not cancelling my membership"), save
	// for safety and spam, as with single terms.
	if f&(fSafety|fSpam) == 0 {
		l.nearNegatable |= 1 << k
	}
	// An ordered rule, "pills look different" but not "different prices
	// for my pills", matches only when its first set's word comes first.
	if ordered {
		l.nearOrdered |= 1 << k
	}
	l.near = append(l.near, nearRule{window: n, flags: f, weight: weight, question: question})
	return nil
}

// near records a word at toks[i] that is on a side of some near rules, and
// applies each rule whose other side was seen close enough before it in the
// same sentence.
//
// A word inside a longer term (cover: the term's labels) takes no part in
// the rules that term already answers, and none at all inside a [neutral]
// phrase: "after the update" is already a defect, "fell in love" no fall.
func (s *scan) near(b *bucket, i int, negated bool, cover flag) {
	if cover&fQuiet != 0 {
		return
	}
	a, bm := b.nearA, b.nearB
	if negated {
		a &^= s.lex.nearNegatable
		bm &^= s.lex.nearNegatable
	}
	if cover != 0 {
		for m := a | bm; m != 0; m &= m - 1 {
			k := bits.TrailingZeros64(m)
			if s.lex.near[k].flags&cover != 0 {
				a &^= 1 << k
				bm &^= 1 << k
			}
		}
	}
	if a|bm == 0 {
		return
	}
	p := int32(s.words)
	for j := 1; j <= nearRecent && j <= s.nearN; j++ {
		e := &s.nearLog[(s.nearN-j)%nearRecent]
		if e.word < int32(s.sentWord) || p-e.word > maxNearWindow {
			break
		}
		hits := (bm&e.a | a&e.b&^s.lex.nearOrdered) &^ s.nearDone
		for hits != 0 {
			k := bits.TrailingZeros64(hits)
			hits &= hits - 1
			if r := &s.lex.near[k]; p-e.word <= int32(r.window) && (!r.question || inQuestion(s.toks, i)) {
				s.fireNear(r, k, int(e.tok), i)
			}
		}
	}
	s.nearLog[s.nearN%nearRecent] = nearEvent{word: p, tok: int32(i), a: a, b: bm}
	s.nearN++
}

// fireNear applies rule k, found at toks[from] and toks[to].
func (s *scan) fireNear(r *nearRule, k, from, to int) {
	s.nearDone |= 1 << k
	f, w := r.flags, r.weight
	if f&fLegal != 0 && inQuestion(s.toks, to) {
		f &^= fLegal
	}
	if s.words < s.resolveUntil { // "replaced my cracked rack": solved
		f &^= fBug | fBugWeak | fProblem | fComplaint
		w = max(w, 0)
	}
	if w < 0 {
		s.neg += w
	} else {
		s.pos += w
	}
	if s.problemAt < 0 && f&(fSafety|fLegal|fBug|fProblem) != 0 {
		s.problemAt, s.problemEnd = from, to+1
	}
	s.flags |= f
}
