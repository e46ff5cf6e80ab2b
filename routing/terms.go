package routing

import "fmt"

// TermSet matches a list of terms the way exclusion terms match (whole
// words, phrases, prefix*, case-folded, Unicode-aware), with the same
// compiled automaton. Mutes use it: a muted term must catch exactly what the
// same term under exclude: would. It is safe for concurrent use.
type TermSet struct {
	eng *engine
	// ids[i] is the literal of the i-th term (equal terms share one).
	ids []int32
}

// ValidTerm reports why t cannot be a term, or nil.
func ValidTerm(t string) error {
	_, err := termLiteral(t)
	return err
}

// CompileTerms builds the matcher for terms; a term that cannot be matched
// (empty, a * inside a word, too short a prefix) is an error naming it.
func CompileTerms(terms []string) (*TermSet, error) {
	for _, t := range terms {
		if err := ValidTerm(t); err != nil {
			return nil, fmt.Errorf("term %w", err)
		}
	}
	eng, err := compile(&Rules{Exclude: Exclude{Terms: terms}})
	if err != nil {
		return nil, err
	}
	return &TermSet{eng: eng, ids: eng.exclTerms}, nil
}

// Match returns the indexes (into the list given to CompileTerms) of the
// terms that occur in text, in list order.
func (ts *TermSet) Match(text string) []int {
	if ts == nil || len(ts.ids) == 0 {
		return nil
	}
	s := ts.eng.get(&Input{Text: text})
	defer ts.eng.put(s)
	var out []int
	for i, id := range ts.ids {
		if s.has(id) {
			out = append(out, i)
		}
	}
	return out
}
