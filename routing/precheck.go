package routing

import "slices"

// MayMatch reports whether in could match the rules at all, judging by its
// words alone: it runs only the term scan (the Aho-Corasick automaton every
// Match starts with) and checks the terms the root route cannot match
// without (its any: list, or the terms its query needs). False means Match
// would decide nothing whatever the labels; true means classify and Match
// to know. A firehose source calls it on every post of the network, most
// of which never name the brand, so they skip classification.
func (r *Rules) MayMatch(in Input) bool {
	if r == nil || r.Root == nil || r.Compile() != nil {
		return false
	}
	root := r.Root
	if !root.gated {
		return true // the root matches on labels alone, or on a NOT
	}
	return r.eng.seesAny(in.Text, in.URL, root.gate)
}

// seesAny scans a post (and its address, for domains) as Match does, and
// reports whether any of lits occurs. It keeps no pointer to the input, so
// a pre-check allocates nothing.
func (e *engine) seesAny(text, url string, lits []int32) bool {
	if e.ac == nil {
		return false
	}
	s := e.pool.Get().(*state)
	defer e.put(s)
	s.text = prepareInto(s.text[:0], text)
	e.scan(s, s.text, false)
	if e.domains && url != "" {
		s.url = prepareInto(s.url[:0], url)
		e.scan(s, s.url, true)
	}
	return slices.ContainsFunc(lits, s.has)
}
