package routing

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/earshothq/earshot/internal/ahocorasick"
)

// engine is the compiled form of a rules file. Every literal of every route
// and exclusion goes into one Aho-Corasick automaton, so a post is read once
// however many rules there are; a route is then evaluated only when one of
// the literals it needs was seen, or when it needs none (a route on labels
// alone, or one that is all NOT).
type engine struct {
	ac   *ahocorasick.Automaton
	lits []literal
	// patLits maps an automaton pattern to the literals spelt that way
	// (lumio as a word and lumio* as a prefix share a pattern).
	patLits [][]int32
	// near marks literals whose positions proximity needs.
	near    []bool
	domains bool // some literal is a domain: the post's URL is scanned too

	routes []*Route // preorder; routes[0] is the root
	// gates maps a literal to the routes that cannot match without it.
	gates [][]int32

	exclTerms, exclDomains []int32
	exclAuthors            map[string]string // folded handle -> as written

	pool sync.Pool
}

// compiler interns literals while the rules are compiled.
type compiler struct {
	e   *engine
	ids map[string]int32
}

func (c *compiler) intern(l literal) int32 {
	k := l.key()
	if id, ok := c.ids[k]; ok {
		return id
	}
	id := int32(len(c.e.lits))
	c.ids[k] = id
	c.e.lits = append(c.e.lits, l)
	c.e.near = append(c.e.near, false)
	c.e.gates = append(c.e.gates, nil)
	if l.domain {
		c.e.domains = true
	}
	return id
}

// compile builds the engine. Terms were validated by Parse; rules put
// together in code get the same treatment, and a term that does not prepare
// is an error rather than a route that silently matches nothing.
func compile(r *Rules) (*engine, error) {
	e := &engine{exclAuthors: map[string]string{}}
	c := &compiler{e: e, ids: map[string]int32{}}
	for _, t := range r.Exclude.Terms {
		l, err := termLiteral(t)
		if err != nil {
			return nil, fmt.Errorf("exclude terms: %w", err)
		}
		e.exclTerms = append(e.exclTerms, c.intern(l))
	}
	for _, d := range r.Exclude.Domains {
		l, err := newLiteral(d, false)
		if err != nil {
			return nil, fmt.Errorf("exclude domains: %w", err)
		}
		l.domain = true
		e.exclDomains = append(e.exclDomains, c.intern(l))
	}
	e.domains = e.domains || len(e.exclDomains) > 0
	for _, a := range r.Exclude.Authors {
		e.exclAuthors[foldHandle(a)] = a
	}
	if r.Root != nil {
		if err := c.route(r.Root, -1); err != nil {
			return nil, err
		}
	}
	// FAQ queries share the automaton: one scan of a post serves both.
	for _, f := range r.FAQs {
		if f.Query != nil {
			c.bind(f.Query.root)
		}
	}
	patterns := make([]string, 0, len(e.lits))
	byText := map[string]int{}
	for id, l := range e.lits {
		p, ok := byText[l.s]
		if !ok {
			p = len(patterns)
			byText[l.s] = p
			patterns = append(patterns, l.s)
			e.patLits = append(e.patLits, nil)
		}
		e.patLits[p] = append(e.patLits[p], int32(id))
	}
	if len(patterns) > 0 {
		ac, err := ahocorasick.Build(patterns)
		if err != nil {
			return nil, fmt.Errorf("compile terms: %w", err)
		}
		e.ac = ac
	}
	e.pool.New = func() any { return e.newState() }
	return e, nil
}

// termLiteral reads a term of a list (any:, exclude terms): a word or a
// phrase, with an optional trailing * for a prefix.
func termLiteral(t string) (literal, error) {
	s, prefix := strings.CutSuffix(strings.TrimSpace(t), "*")
	if strings.Contains(s, "*") {
		return literal{}, fmt.Errorf("%q: only a trailing * (a prefix such as refund*) is supported", t)
	}
	return newLiteral(s, prefix)
}

func (c *compiler) route(rt *Route, parent int32) error {
	e := c.e
	rt.id, rt.parent = int32(len(e.routes)), parent
	e.routes = append(e.routes, rt)
	rt.anyIDs = rt.anyIDs[:0]
	for _, t := range rt.Any {
		l, err := termLiteral(t)
		if err != nil {
			return fmt.Errorf("route %q: any: %w", rt.Name, err)
		}
		rt.anyIDs = append(rt.anyIDs, c.intern(l))
	}
	var qgate []int32
	qgated := false
	if rt.Query != nil {
		c.bind(rt.Query.root)
		qgate, qgated = gate(rt.Query.root)
	}
	// A route needs all its matchers, so one gated matcher gates the route;
	// the smaller set wakes it less often.
	switch {
	case len(rt.anyIDs) > 0 && (!qgated || len(rt.anyIDs) <= len(qgate)):
		rt.gate = rt.anyIDs
	case qgated:
		rt.gate = qgate
	default:
		rt.gate = nil
	}
	rt.gated = rt.gate != nil
	if rt.gated && parent >= 0 {
		for _, id := range rt.gate {
			if !slices.Contains(e.gates[id], rt.id) {
				e.gates[id] = append(e.gates[id], rt.id)
			}
		}
	}
	rt.ungatedKids = rt.ungatedKids[:0]
	for _, k := range rt.Routes {
		if err := c.route(k, rt.id); err != nil {
			return err
		}
		if !k.gated {
			rt.ungatedKids = append(rt.ungatedKids, k)
		}
	}
	return nil
}

// bind interns a query's literals and records their ids in its nodes.
func (c *compiler) bind(n qnode) {
	switch n := n.(type) {
	case *andNode:
		for _, k := range n.kids {
			c.bind(k)
		}
	case *orNode:
		for _, k := range n.kids {
			c.bind(k)
		}
	case *notNode:
		c.bind(n.kid)
	case *litNode:
		n.id = c.intern(n.lit)
	case *nearNode:
		n.ids = n.ids[:0]
		for _, w := range n.words {
			id := c.intern(w)
			c.e.near[id] = true
			n.ids = append(n.ids, id)
		}
	}
}

// gate returns literals at least one of which must occur for n to match,
// or false when n can match without any (NOT, a field filter).
func gate(n qnode) ([]int32, bool) {
	switch n := n.(type) {
	case *litNode:
		return []int32{n.id}, true
	case *nearNode:
		return []int32{n.ids[0]}, true
	case *andNode:
		var best []int32
		found := false
		for _, k := range n.kids {
			if g, ok := gate(k); ok && (!found || len(g) < len(best)) {
				best, found = g, true
			}
		}
		return best, found
	case *orNode:
		var all []int32
		for _, k := range n.kids {
			g, ok := gate(k)
			if !ok {
				return nil, false
			}
			all = append(all, g...)
		}
		slices.Sort(all)
		return slices.Compact(all), true
	}
	return nil, false
}

// state is one post on its way through the engine; states are pooled so a
// match allocates little.
type state struct {
	in      *Input
	text    []byte
	url     []byte
	seen    []uint64
	seenIDs []int32
	occ     []occurrence // of proximity literals
	stamp   []uint32
	epoch   uint32
	cands   []int32
}

type occurrence struct {
	lit   int32
	start int32
}

func (e *engine) newState() *state {
	return &state{
		seen:  make([]uint64, (len(e.lits)+63)/64),
		stamp: make([]uint32, len(e.routes)),
	}
}

func (s *state) has(id int32) bool { return s.seen[id>>6]&(1<<(uint(id)&63)) != 0 }

func (s *state) mark(id int32) {
	if !s.has(id) {
		s.seen[id>>6] |= 1 << (uint(id) & 63)
		s.seenIDs = append(s.seenIDs, id)
	}
}

func (e *engine) get(in *Input) *state {
	s := e.pool.Get().(*state)
	s.in = in
	s.text = prepareInto(s.text[:0], in.Text)
	s.epoch++
	if s.epoch == 0 { // wrapped: old stamps could collide
		clear(s.stamp)
		s.epoch = 1
	}
	if e.ac != nil {
		e.scan(s, s.text, false)
		if e.domains && in.URL != "" {
			s.url = prepareInto(s.url[:0], in.URL)
			e.scan(s, s.url, true)
		}
	}
	return s
}

func (e *engine) put(s *state) {
	for _, id := range s.seenIDs {
		s.seen[id>>6] = 0
	}
	s.seenIDs, s.occ, s.cands, s.in = s.seenIDs[:0], s.occ[:0], s.cands[:0], nil
	e.pool.Put(s)
}

// scan marks the literals found in text. In the post's address only domains
// count: a route on "lumio" must not match every post on r/lumio.
func (e *engine) scan(s *state, text []byte, urlOnly bool) {
	str := unsafeString(text)
	e.ac.Scan(str, func(p, end int) bool {
		start := end - len(e.lits[e.patLits[p][0]].s)
		for _, id := range e.patLits[p] {
			l := &e.lits[id]
			if urlOnly && !l.domain {
				continue
			}
			if (s.has(id) && !e.near[id]) || !l.boundedAt(str, start, end) {
				continue
			}
			s.mark(id)
			if e.near[id] && !urlOnly {
				s.occ = append(s.occ, occurrence{lit: id, start: int32(start)})
			}
		}
		return true
	})
}

// match decides for one input.
func (e *engine) match(r *Rules, in *Input, why *[]RouteMatch) Decision {
	root := r.Root
	s := e.get(in)
	defer e.put(s)
	if !root.eval(s) {
		return Decision{}
	}
	if reason := e.excluded(s); reason != "" {
		return Decision{Excluded: reason}
	}
	for _, id := range s.seenIDs {
		for _, rid := range e.gates[id] {
			if s.stamp[rid] != s.epoch {
				s.stamp[rid] = s.epoch
				s.cands = append(s.cands, rid)
			}
		}
	}
	slices.Sort(s.cands)
	var d Decision
	e.walk(s, root, "", &d, why)
	return d
}

func (e *engine) excluded(s *state) string {
	for _, id := range e.exclTerms {
		if s.has(id) {
			return "term " + quote(e.lits[id].raw)
		}
	}
	if a := foldHandle(s.in.Author); a != "" {
		if x, ok := e.exclAuthors[a]; ok {
			return "author " + quote(x)
		}
	}
	for _, id := range e.exclDomains {
		if s.has(id) {
			return "domain " + quote(e.lits[id].raw)
		}
	}
	return ""
}

// walk adds route's destinations to d and assumes route already matched.
// Its children are tried in order, but only those that could match: the
// ones that need no literal, and the candidates woken by the literals seen.
func (e *engine) walk(s *state, rt *Route, inherited string, d *Decision, why *[]RouteMatch) {
	team := inherited
	if rt.Team != "" {
		team = rt.Team
	}
	d.Routes = append(d.Routes, rt.Name)
	if why != nil {
		*why = append(*why, RouteMatch{Route: rt.Name, Team: team, Line: rt.Line, Because: rt.because(e, s)})
	}
	matched := false
	u, c := 0, 0
	for {
		var next *Route
		for c < len(s.cands) && e.routes[s.cands[c]].parent != rt.id {
			c++
		}
		switch {
		case u < len(rt.ungatedKids) && (c >= len(s.cands) || rt.ungatedKids[u].id < s.cands[c]):
			next = rt.ungatedKids[u]
			u++
		case c < len(s.cands):
			next = e.routes[s.cands[c]]
			c++
		}
		if next == nil {
			break
		}
		if !next.eval(s) {
			continue
		}
		matched = true
		e.walk(s, next, team, d, why)
		if !next.Continue {
			break
		}
	}
	if !matched && team != "" && !slices.Contains(d.Teams, team) {
		d.Teams = append(d.Teams, team)
	}
}

// eval reports whether a route's own matchers all match.
func (rt *Route) eval(s *state) bool {
	if !rt.labelsMatch(s.in) {
		return false
	}
	if len(rt.anyIDs) > 0 && !slices.ContainsFunc(rt.anyIDs, s.has) {
		return false
	}
	return rt.Query == nil || evalNode(rt.Query.root, s)
}

// labelsMatch checks the matchers that look at the mention, not its text.
func (rt *Route) labelsMatch(in *Input) bool {
	switch {
	case len(rt.Intent) > 0 && !containsFold(rt.Intent, in.Intent),
		len(rt.Sentiment) > 0 && !containsFold(rt.Sentiment, in.Sentiment),
		len(rt.Urgency) > 0 && !containsFold(rt.Urgency, in.Urgency),
		len(rt.Platform) > 0 && !containsFold(rt.Platform, in.Platform),
		len(rt.Lang) > 0 && !slices.ContainsFunc(rt.Lang, func(l string) bool { return langMatches(l, in.Lang) }),
		in.Followers < rt.MinFollowers,
		rt.IsReply != nil && *rt.IsReply != in.IsReply,
		rt.HasLink != nil && *rt.HasLink != in.HasLink:
		return false
	}
	return true
}

func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

func evalNode(n qnode, s *state) bool {
	switch n := n.(type) {
	case *litNode:
		return s.has(n.id)
	case *andNode:
		for _, k := range n.kids {
			if !evalNode(k, s) {
				return false
			}
		}
		return true
	case *orNode:
		for _, k := range n.kids {
			if evalNode(k, s) {
				return true
			}
		}
		return false
	case *notNode:
		return !evalNode(n.kid, s)
	case *nearNode:
		return n.within(s)
	case *fieldNode:
		return n.matches(s.in)
	}
	return false
}

func (n *fieldNode) matches(in *Input) bool {
	switch n.field {
	case "platform":
		return strings.EqualFold(n.value, in.Platform)
	case "lang":
		return langMatches(n.value, in.Lang)
	case "author":
		return foldHandle(in.Author) == foldHandle(n.value)
	case "sentiment":
		return strings.EqualFold(n.value, in.Sentiment)
	case "intent":
		return strings.EqualFold(n.value, in.Intent)
	case "urgency":
		return strings.EqualFold(n.value, in.Urgency)
	case "is":
		return in.IsReply
	case "has":
		return in.HasLink
	case "followers":
		f := in.Followers
		switch n.op {
		case ">":
			return f > n.n
		case ">=":
			return f >= n.n
		case "<":
			return f < n.n
		case "<=":
			return f <= n.n
		}
		return f == n.n
	}
	return false
}

// within reports whether every word occurs, and some occurrence of each lies
// in one window of len(words)+slop words, in any order.
func (n *nearNode) within(s *state) bool {
	for _, id := range n.ids {
		if !s.has(id) {
			return false
		}
	}
	// Word positions of the occurrences of this node's words, by word.
	pos := make([][]int, len(n.ids))
	for _, o := range s.occ {
		for i, id := range n.ids {
			if o.lit == id {
				pos[i] = append(pos[i], wordIndex(s.text, int(o.start)))
			}
		}
	}
	window := len(n.ids) + n.slop
	// Anchor the window at each occurrence of the first word: every other
	// word needs an occurrence within window-1 words of it.
	for _, p := range pos[0] {
		lo, hi := p, p
		ok := true
		for _, ps := range pos[1:] {
			best := -1
			for _, q := range ps {
				if q == p {
					continue
				}
				nlo, nhi := min(lo, q), max(hi, q)
				if nhi-nlo < window && (best < 0 || abs(q-p) < abs(best-p)) {
					best = q
				}
			}
			if best < 0 {
				ok = false
				break
			}
			lo, hi = min(lo, best), max(hi, best)
		}
		if ok {
			return true
		}
	}
	return false
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// wordIndex counts the words that start before byte offset at.
func wordIndex(text []byte, at int) int {
	n := 0
	in := false
	for _, r := range string(text[:at]) {
		w := isWord(r)
		if w && !in {
			n++
		}
		in = w
	}
	return n
}

// because lists what made a route match, for `earshot rules test`.
func (rt *Route) because(e *engine, s *state) []string {
	var out []string
	seen := func(id int32) {
		if s.has(id) {
			q := quote(e.lits[id].String())
			if !slices.Contains(out, q) {
				out = append(out, q)
			}
		}
	}
	for _, id := range rt.anyIDs {
		seen(id)
	}
	if rt.Query != nil {
		var visit func(n qnode, neg bool)
		visit = func(n qnode, neg bool) {
			switch n := n.(type) {
			case *andNode:
				for _, k := range n.kids {
					visit(k, neg)
				}
			case *orNode:
				for _, k := range n.kids {
					visit(k, neg)
				}
			case *notNode:
				visit(n.kid, !neg)
			case *litNode:
				if !neg {
					seen(n.id)
				}
			case *nearNode:
				if !neg && n.within(s) {
					out = append(out, n.String())
				}
			case *fieldNode:
				if !neg && n.matches(s.in) {
					out = append(out, n.String())
				}
			}
		}
		visit(rt.Query.root, false)
	}
	labels := []struct {
		name string
		set  []string
		v    string
	}{{"intent", rt.Intent, s.in.Intent}, {"sentiment", rt.Sentiment, s.in.Sentiment}, {"urgency", rt.Urgency, s.in.Urgency}, {"platform", rt.Platform, s.in.Platform}, {"lang", rt.Lang, s.in.Lang}}
	for _, l := range labels {
		if len(l.set) > 0 {
			out = append(out, l.name+":"+strings.ToLower(l.v))
		}
	}
	if rt.MinFollowers > 0 {
		out = append(out, fmt.Sprintf("followers:%d>=%d", s.in.Followers, rt.MinFollowers))
	}
	if rt.IsReply != nil {
		out = append(out, fmt.Sprintf("is_reply:%v", s.in.IsReply))
	}
	if rt.HasLink != nil {
		out = append(out, fmt.Sprintf("has_link:%v", s.in.HasLink))
	}
	return out
}

func foldHandle(h string) string { return strings.ToLower(bareHandle(h)) }
