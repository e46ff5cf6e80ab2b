package classify

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// flag is a label a lexicon term carries; one term may carry several.
type flag uint64

const (
	fSafety flag = 1 << iota
	fSpam
	fSpamWeak
	fBug
	fBugWeak
	fChurn
	fComplaint
	fProblem
	fService
	fQuestion    // an opener: counts at the start of a sentence
	fQuestionAny // counts anywhere
	fLead
	fPraise
	fUrgent
	fNegator
	fIntensifier
	fContrast
	fNegOnly // weight applies only when negated
	fSarcasm
	fEdge // a problem phrase neither starts nor ends with it
	fStop // a problem phrase ends before it
	// fOpener: the term counts only as the first word of a sentence:
	// "Cancelled my plan." is churn, "they cancelled my flight" is not.
	fOpener
	fNegBug     // when negated, a defect: "won't load", "hasn't synced"
	fNegService // when negated, a service failure: "never replied"
	fNews       // reporting words: "fined", "announces", "to open"
	fCalm       // a calm report: "fyi", "heads up", "just sharing"
	fResolver   // a fix: problems right after it are solved ones
	// fSafetyWeak: a hazard only where the post does not read positive:
	// "recall", "my doctor" ("sorted my recall work, thank you" is praise).
	fSafetyWeak
	// fLegal: legal action, a safety case unless it is only asked about:
	// "we are speaking to lawyers" is, "do I need a lawyer?" is not.
	fLegal
	fNegChurn // when negated, churn: "not using them ever again"
	// fChurnOpen: a churn opener, churn unless the post reads positive:
	// "Sold my car." is churn, "sold my spare ticket in 20 mins, wow" is
	// not. It weighs nothing itself: a post that is churn is settled
	// negative anyway.
	fChurnOpen
	// fChurnWeak: churn only in a post that reads negative or names a
	// problem: "we're moving everything to Boxhop".
	fChurnWeak
	// fIrony: a sign that the praise around it is meant the other way:
	// "great job guys 🙃".
	fIrony
	// fQuiet: a [neutral] phrase; its words take no part in near terms:
	// "fell in love" is no fall.
	fQuiet
)

// problemFlags mark terms that say something went wrong: they name the
// Problem, dampen praise in the same post, and weigh negative by default.
const problemFlags = fSafety | fBug | fProblem | fComplaint | fChurn | fLegal

// defaultProblemWeight is the sentiment of a problem term given no weight.
const defaultProblemWeight = -1.5

// sectionFlags maps a lexicon section to the labels its terms carry and
// whether its lines must have a weight.
func sectionFlags(name string) (f flag, needWeight, ok bool) {
	switch name {
	case "sentiment":
		return 0, true, true
	case "negate-only":
		return fNegOnly, true, true
	case "negator":
		return fNegator, false, true
	case "intensifier":
		return fIntensifier, false, true
	case "contrast":
		return fContrast, false, true
	case "neutral":
		return fQuiet, false, true
	case "safety":
		return fSafety, false, true
	case "spam":
		return fSpam, false, true
	case "spam-weak":
		return fSpamWeak, false, true
	case "bug":
		return fBug, false, true
	case "bug-weak":
		return fBugWeak, false, true
	case "churn":
		return fChurn, false, true
	case "complaint":
		return fComplaint, false, true
	case "problem":
		return fProblem | fComplaint, false, true
	case "service":
		return fService, false, true
	case "question":
		return fQuestion, false, true
	case "churn-opener":
		return fChurnOpen | fOpener, false, true
	case "negate-bug":
		return fNegOnly | fNegBug, true, true
	case "negate-service":
		return fNegOnly | fNegService, true, true
	case "news":
		return fNews, false, true
	case "calm":
		return fCalm, false, true
	case "resolver":
		return fResolver, false, true
	case "safety-weak":
		return fSafetyWeak, false, true
	case "legal":
		return fLegal, false, true
	case "negate-churn":
		return fNegOnly | fNegChurn, true, true
	case "churn-weak":
		return fChurnWeak, false, true
	case "irony":
		return fIrony, false, true
	case "question-anywhere":
		return fQuestionAny, false, true
	case "lead":
		return fLead, false, true
	case "praise":
		return fPraise, false, true
	case "urgent":
		return fUrgent, false, true
	case "sarcasm":
		return fSarcasm, false, true
	case "phrase-edge":
		return fEdge, false, true
	case "phrase-stop":
		return fStop, false, true
	}
	return 0, false, false
}

// entry is one compiled term: a token sequence and what it means.
type entry struct {
	toks      []string
	glue      []bool // glue[j]: no space between toks[j-1] and toks[j]
	flags     flag
	weight    float64
	hasWeight bool
	// selfNeg: the term begins with a negator ("doesn't work"), so an earlier
	// negator does not flip it back.
	selfNeg bool
	// general: from the general (English) lexicon, so it weighs nothing in a
	// post tagged with another language, where "die" and "start" are not
	// what they are in English.
	general bool
	product string // for product terms: the name reported, as the caller wrote it
}

// matchAt reports whether the entry's tokens continue at toks[i:].
func (e *entry) matchAt(toks []token, i int) bool {
	if i+len(e.toks) > len(toks) {
		return false
	}
	for j := 1; j < len(e.toks); j++ {
		t := &toks[i+j]
		if t.s != e.toks[j] || t.glued != e.glue[j] {
			return false
		}
	}
	return true
}

// bucket holds the terms that begin with one token, longest first, so the
// first that matches is the longest.
type bucket struct {
	lex  []*entry
	prod []*entry
	// nearA, nearB: the near rules (near.go) whose first or second set
	// holds this word, one bit per rule.
	nearA, nearB uint64
}

// lexicon is the compiled form: every term indexed by its first token, so a
// post costs one map lookup per token whatever the lexicon's size.
type lexicon struct {
	index map[string]*bucket
	near  []nearRule
	// nearNegatable: the near rules a negator turns off; nearOrdered: the
	// rules whose first set must come first.
	nearNegatable, nearOrdered uint64
}

// stretched finds the bucket of a word written with a letter held down,
// "soooo", "byeee", "loooove": runs of three or more of a letter are cut
// to two ("good"), then to one ("so"). No English word has a letter three
// times in a row, so only stretched words pay for the second look.
func (l *lexicon) stretched(w string) *bucket {
	run, prev := 1, byte(0)
	found := false
	for i := 0; i < len(w); i++ {
		if w[i] == prev && w[i] < utf8.RuneSelf {
			run++
			if run == 3 {
				found = true
				break
			}
		} else {
			run, prev = 1, w[i]
		}
	}
	if !found {
		return nil
	}
	for _, keep := range []int{2, 1} {
		if b := l.index[squeeze(w, keep)]; b != nil {
			return b
		}
	}
	return nil
}

// squeeze cuts runs of a repeated ASCII letter in w down to keep.
func squeeze(w string, keep int) string {
	out := make([]byte, 0, len(w))
	run := 0
	for i := 0; i < len(w); i++ {
		if i > 0 && w[i] == w[i-1] && w[i] < utf8.RuneSelf {
			run++
		} else {
			run = 1
		}
		if run <= keep {
			out = append(out, w[i])
		}
	}
	return string(out)
}

func (l *lexicon) bucket(first string) *bucket {
	b := l.index[first]
	if b == nil {
		b = &bucket{}
		l.index[first] = b
	}
	return b
}

// compile parses hand-written lexicon source (named for messages) and adds
// product terms.
func compile(name, src string, products []string) (*lexicon, error) {
	return compileWith(name, src, source{}, products)
}

// source is a lexicon file and the name its errors carry.
type source struct{ name, text string }

// generalScale brings the general lexicon's valences (VADER's -4..+4 scale)
// to the hand lexicon's: fitted on the words both know ("great" 3.1 → 2,
// "terrible" -2.1 → -2.5, a least-squares slope of 0.86), then lowered a
// little because the general words were rated out of our domain.
const generalScale = 0.75

// compileWith is compile plus a general lexicon of "term<TAB>valence" lines
// for the words the hand lexicon does not know. The hand lexicon wins
// wherever both have a term, and a word of a product's name carries no
// sentiment: "Harmony hub" is not praise.
func compileWith(name, src string, general source, products []string) (*lexicon, error) {
	l := &lexicon{index: map[string]*bucket{}}
	byKey := map[string]*entry{}
	section, need, near := "", false, false
	var sf flag
	for n, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if line[0] == '[' {
			if !strings.HasSuffix(line, "]") {
				return nil, fmt.Errorf("%s:%d: unclosed section header %q", name, n+1, line)
			}
			s := line[1 : len(line)-1]
			base, isNear := strings.CutSuffix(s, "-near")
			f, nw, ok := sectionFlags(base)
			if !ok || isNear && f&(fNegator|fIntensifier|fContrast|fOpener|fNegOnly) != 0 {
				return nil, fmt.Errorf("%s:%d: unknown section [%s]", name, n+1, s)
			}
			section, sf, need, near = s, f, nw, isNear
			continue
		}
		if section == "" {
			return nil, fmt.Errorf("%s:%d: term %q before any [section]", name, n+1, line)
		}
		weight, hasWeight, rest, err := splitWeight(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n+1, err)
		}
		if need && !hasWeight {
			return nil, fmt.Errorf("%s:%d: [%s] term %q needs a weight such as -1.5", name, n+1, section, rest)
		}
		if near {
			if err := l.parseNear(rest, sf, weight, hasWeight); err != nil {
				return nil, fmt.Errorf("%s:%d: %w", name, n+1, err)
			}
			continue
		}
		terms, err := expand(rest)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n+1, err)
		}
		for _, term := range terms {
			e, err := l.entryFor(byKey, term)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", name, n+1, err)
			}
			// An opener counts only at the start of a sentence, which would
			// silently hold for the term's other sections too.
			if sf&fOpener != 0 && (e.flags != 0 || e.hasWeight) || sf&fOpener == 0 && e.flags&fOpener != 0 {
				return nil, fmt.Errorf("%s:%d: %q is in [%s] and in another section; an opener must be in no other", name, n+1, term, section)
			}
			e.flags |= sf
			if hasWeight {
				if e.hasWeight && e.weight != weight {
					return nil, fmt.Errorf("%s:%d: %q weighs %g here and %g elsewhere", name, n+1, term, weight, e.weight)
				}
				e.weight, e.hasWeight = weight, true
			}
		}
	}
	for _, e := range byKey {
		if !e.hasWeight && e.flags&problemFlags != 0 {
			e.weight = defaultProblemWeight
		}
	}
	if err := l.addGeneral(general, byKey, products); err != nil {
		return nil, err
	}
	for _, e := range byKey {
		if len(e.toks) > 1 {
			if first := byKey[e.toks[0]]; first != nil && first.flags&fNegator != 0 {
				e.selfNeg = true
			}
		}
	}
	for _, p := range products {
		l.addProduct(p)
	}
	for _, b := range l.index {
		longestFirst(b.lex)
		longestFirst(b.prod)
	}
	return l, nil
}

// addGeneral adds the general lexicon's terms that byKey lacks.
func (l *lexicon) addGeneral(src source, byKey map[string]*entry, products []string) error {
	if src.text == "" {
		return nil
	}
	named := map[string]bool{}
	for _, p := range products {
		for _, t := range tokenize(p, nil) {
			named[t.s] = true
		}
	}
	for n, line := range strings.Split(src.text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		term, val, ok := strings.Cut(line, "\t")
		if !ok {
			return fmt.Errorf("%s:%d: %q is not term<TAB>valence", src.name, n+1, line)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%s:%d: valence %q is not a number", src.name, n+1, val)
		}
		var toks []string
		var glue []bool
		var key string
		if plainWord(term) {
			// Nearly every line: skip the tokenizer, which would return
			// the word itself.
			toks, glue, key = []string{term}, []bool{false}, term
		} else {
			toks, glue, key = termTokens(term)
		}
		if len(toks) == 0 {
			return fmt.Errorf("%s:%d: term %q has nothing to match", src.name, n+1, term)
		}
		if byKey[key] != nil || len(toks) == 1 && named[key] {
			continue
		}
		e := &entry{toks: toks, glue: glue, weight: v * generalScale, hasWeight: true, general: true}
		byKey[key] = e
		b := l.bucket(toks[0])
		b.lex = append(b.lex, e)
	}
	return nil
}

// plainWord reports a lowercase ASCII word that tokenizes to itself.
func plainWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return s != ""
}

func longestFirst(es []*entry) {
	slices.SortStableFunc(es, func(a, b *entry) int { return len(b.toks) - len(a.toks) })
}

// entryFor returns the entry for term, creating it on first sight.
func (l *lexicon) entryFor(byKey map[string]*entry, term string) (*entry, error) {
	toks, glue, key := termTokens(term)
	if len(toks) == 0 {
		return nil, fmt.Errorf("term %q has nothing to match", term)
	}
	if e := byKey[key]; e != nil {
		return e, nil
	}
	e := &entry{toks: toks, glue: glue}
	byKey[key] = e
	b := l.bucket(toks[0])
	b.lex = append(b.lex, e)
	return e, nil
}

// addProduct indexes a product term and, for a term ending in a letter, its
// plural; both report the term as written. Terms with nothing to match are
// ignored: the caller's list is configuration, not code.
func (l *lexicon) addProduct(term string) {
	term = strings.TrimSpace(term)
	toks, glue, _ := termTokens(term)
	if len(toks) == 0 {
		return
	}
	variants := [][]string{toks}
	last := toks[len(toks)-1]
	if r, _ := utf8.DecodeLastRuneInString(last); unicode.IsLetter(r) && !strings.HasSuffix(last, "s") {
		plural := slices.Clone(toks)
		plural[len(plural)-1] += "s"
		variants = append(variants, plural)
	}
	for _, v := range variants {
		b := l.bucket(v[0])
		b.prod = append(b.prod, &entry{toks: v, glue: glue, product: term})
	}
}

// termTokens tokenises a term exactly as posts are tokenised.
func termTokens(term string) (toks []string, glue []bool, key string) {
	ts := tokenize(term, nil)
	var k strings.Builder
	for i, t := range ts {
		if t.s == "" { // a URL or handle in a term never matches anything
			return nil, nil, ""
		}
		toks = append(toks, t.s)
		glue = append(glue, i > 0 && t.glued)
		if i > 0 {
			if t.glued {
				k.WriteByte(0)
			} else {
				k.WriteByte(' ')
			}
		}
		k.WriteString(t.s)
	}
	return toks, glue, k.String()
}

// splitWeight takes a leading signed weight off a line: "-1.5 broken".
func splitWeight(line string) (w float64, ok bool, rest string, err error) {
	if line[0] != '+' && line[0] != '-' {
		return 0, false, line, nil
	}
	field, rest, _ := strings.Cut(line, " ")
	if w, err = strconv.ParseFloat(field, 64); err != nil || math.IsNaN(w) || math.IsInf(w, 0) {
		return 0, false, "", fmt.Errorf("weight %q is not a number", field)
	}
	rest = strings.TrimSpace(rest)
	if rest == "" {
		return 0, false, "", fmt.Errorf("weight %q has no term", field)
	}
	return w, true, rest, nil
}

// expand turns "crash{,es,ed}" into crash, crashes, crashed; several groups
// multiply. Groups do not nest.
func expand(s string) ([]string, error) {
	open := strings.IndexByte(s, '{')
	if open < 0 {
		if strings.IndexByte(s, '}') >= 0 {
			return nil, fmt.Errorf("unmatched } in %q", s)
		}
		return []string{s}, nil
	}
	end := strings.IndexByte(s[open:], '}')
	if end < 0 {
		return nil, fmt.Errorf("unclosed { in %q", s)
	}
	end += open
	inner := s[open+1 : end]
	if strings.IndexByte(inner, '{') >= 0 {
		return nil, fmt.Errorf("nested { in %q", s)
	}
	if strings.IndexByte(s[:open], '}') >= 0 {
		return nil, fmt.Errorf("unmatched } in %q", s)
	}
	tails, err := expand(s[end+1:])
	if err != nil {
		return nil, err
	}
	var out []string
	for _, alt := range strings.Split(inner, ",") {
		for _, t := range tails {
			out = append(out, s[:open]+alt+t)
		}
	}
	return out, nil
}
