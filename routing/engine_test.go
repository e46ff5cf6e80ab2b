package routing

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// naiveMatch is Match without the automaton and without gating: every
// literal searched on its own, every child route tried. The engine must
// always agree with it.
func naiveMatch(r *Rules, in Input) Decision {
	t := prepare(in.Text)
	u := prepare(in.URL)
	has := func(l literal) bool { return l.in(t) || l.domain && l.in(u) }
	var evalN func(n qnode) bool
	evalN = func(n qnode) bool {
		switch n := n.(type) {
		case *litNode:
			return has(n.lit)
		case *andNode:
			for _, k := range n.kids {
				if !evalN(k) {
					return false
				}
			}
			return true
		case *orNode:
			for _, k := range n.kids {
				if evalN(k) {
					return true
				}
			}
			return false
		case *notNode:
			return !evalN(n.kid)
		case *fieldNode:
			return n.matches(&in)
		case *nearNode:
			return naiveNear(n, t)
		}
		panic(fmt.Sprintf("node %T", n))
	}
	matches := func(rt *Route) bool {
		if !rt.labelsMatch(&in) {
			return false
		}
		q := rt.Query
		if len(rt.Any) > 0 {
			found := false
			for _, a := range rt.Any {
				l, _ := termLiteral(a)
				found = found || has(l)
			}
			if !found {
				return false
			}
		}
		return q == nil || evalN(q.root)
	}
	if !matches(r.Root) {
		return Decision{}
	}
	for _, a := range r.Exclude.Terms {
		if l, _ := termLiteral(a); has(l) {
			return Decision{Excluded: "term " + quote(a)}
		}
	}
	for _, a := range r.Exclude.Authors {
		if foldHandle(a) == foldHandle(in.Author) && foldHandle(a) != "" {
			return Decision{Excluded: "author " + quote(a)}
		}
	}
	for _, dm := range r.Exclude.Domains {
		l, _ := newLiteral(dm, false)
		l.domain = true
		if has(l) {
			return Decision{Excluded: "domain " + quote(dm)}
		}
	}
	var d Decision
	var walk func(rt *Route, inherited string)
	walk = func(rt *Route, inherited string) {
		team := inherited
		if rt.Team != "" {
			team = rt.Team
		}
		d.Routes = append(d.Routes, rt.Name)
		matched := false
		for _, c := range rt.Routes {
			if !matches(c) {
				continue
			}
			matched = true
			walk(c, team)
			if !c.Continue {
				break
			}
		}
		if !matched && team != "" && !slices.Contains(d.Teams, team) {
			d.Teams = append(d.Teams, team)
		}
	}
	walk(r.Root, "")
	return d
}

func naiveNear(n *nearNode, t text) bool {
	s := string(t)
	pos := make([][]int, len(n.words))
	for i, w := range n.words {
		for j := 0; j+len(w.s) <= len(s); j++ {
			if strings.HasPrefix(s[j:], w.s) && w.boundedAt(s, j, j+len(w.s)) {
				pos[i] = append(pos[i], wordIndex([]byte(s), j))
			}
		}
		if len(pos[i]) == 0 {
			return false
		}
	}
	// Try every combination (small in tests).
	var try func(i, lo, hi int, used []int) bool
	try = func(i, lo, hi int, used []int) bool {
		if i == len(pos) {
			return hi-lo < len(n.words)+n.slop
		}
		for _, p := range pos[i] {
			if slices.Contains(used, p) {
				continue
			}
			if try(i+1, min(lo, p), max(hi, p), append(used, p)) {
				return true
			}
		}
		return false
	}
	return try(0, 1<<30, -1, nil)
}

var vocab = []string{"lumio", "lamp", "app", "crash", "refund", "charged", "twice", "cancel", "fire", "great", "#lumio", "@lumio", "lumio.example", "lumio+", "ümlaut", "ランプ"}

func randomQuery(r *rand.Rand, depth int) string {
	if depth > 2 || r.IntN(3) == 0 {
		switch r.IntN(8) {
		case 0:
			return `"` + vocab[r.IntN(len(vocab))] + " " + vocab[r.IntN(len(vocab))] + `"`
		case 1:
			return `"` + vocab[r.IntN(4)] + " " + vocab[r.IntN(4)] + `"~` + fmt.Sprint(1+r.IntN(3))
		case 2:
			return []string{"refun*", "canc*", "lum*", "crash*"}[r.IntN(4)]
		case 3:
			return []string{"platform:bluesky", "followers:>100", "intent:bug", "is:reply", "has:link", "lang:en", "author:jen"}[r.IntN(7)]
		default:
			return vocab[r.IntN(len(vocab))]
		}
	}
	a, b := randomQuery(r, depth+1), randomQuery(r, depth+1)
	switch r.IntN(4) {
	case 0:
		return "(" + a + " OR " + b + ")"
	case 1:
		return a + " -" + b
	default:
		return a + " " + b
	}
}

func randomRules(r *rand.Rand) *Rules {
	rules := &Rules{Teams: map[string]*Team{}}
	for _, n := range []string{"a", "b", "c", "d"} {
		rules.Teams[n] = &Team{Name: n}
	}
	names := 0
	var mk func(depth int) *Route
	mk = func(depth int) *Route {
		names++
		rt := &Route{Name: fmt.Sprint("r", names)}
		switch r.IntN(4) {
		case 0:
			rt.Any = []string{vocab[r.IntN(len(vocab))], vocab[r.IntN(len(vocab))]}
		case 1:
			rt.Intent = []string{"bug"}
		default:
			q, err := ParseQuery(randomQuery(r, 0))
			if err != nil {
				panic(err)
			}
			rt.Query = q
		}
		if r.IntN(2) == 0 {
			rt.Team = []string{"a", "b", "c", "d"}[r.IntN(4)]
		}
		rt.Continue = r.IntN(3) == 0
		if depth < 2 {
			for range r.IntN(4) {
				rt.Routes = append(rt.Routes, mk(depth+1))
			}
		}
		return rt
	}
	rules.Root = &Route{Name: "root", Team: "a"}
	if r.IntN(2) == 0 {
		rules.Root.Any = []string{"lumio", "lamp", "app"}
	}
	for range 1 + r.IntN(5) {
		rules.Root.Routes = append(rules.Root.Routes, mk(1))
	}
	if r.IntN(2) == 0 {
		rules.Exclude.Terms = []string{"we're hiring", vocab[r.IntN(len(vocab))]}
		rules.Exclude.Domains = []string{"spam.example"}
		rules.Exclude.Authors = []string{"DealsBot"}
	}
	return rules
}

func randomInput(r *rand.Rand) Input {
	var words []string
	for range r.IntN(12) {
		w := vocab[r.IntN(len(vocab))]
		switch r.IntN(6) {
		case 0:
			w = strings.ToUpper(w)
		case 1:
			w += "s"
		case 2:
			w = "x" + w
		}
		words = append(words, w)
	}
	if r.IntN(8) == 0 {
		words = append(words, "spam.example")
	}
	in := Input{
		Text:      strings.Join(words, []string{" ", "  ", ", ", "\n"}[r.IntN(4)]),
		Platform:  []string{"bluesky", "reddit"}[r.IntN(2)],
		Lang:      []string{"en", "de", "en-GB"}[r.IntN(3)],
		Author:    []string{"jen", "@dealsbot", "bob"}[r.IntN(3)],
		Followers: r.IntN(300),
		IsReply:   r.IntN(2) == 0,
		HasLink:   r.IntN(2) == 0,
		Intent:    []string{"bug", "praise", ""}[r.IntN(3)],
	}
	if r.IntN(4) == 0 {
		in.URL = "https://www.lumio.example/p/1"
	}
	return in
}

func TestEngineAgreesWithNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	n := 300
	if testing.Short() {
		n = 50
	}
	for i := range n {
		rules := randomRules(r)
		if err := rules.Compile(); err != nil {
			t.Fatalf("rules %d: %v", i, err)
		}
		for range 40 {
			in := randomInput(r)
			got, want := rules.Match(in), naiveMatch(rules, in)
			if !slices.Equal(got.Teams, want.Teams) || !slices.Equal(got.Routes, want.Routes) || got.Excluded != want.Excluded {
				t.Fatalf("rules %d, input %+v:\nengine %+v\nnaive  %+v\ntree: %s", i, in, got, want, dumpTree(rules.Root, ""))
			}
		}
	}
}

func dumpTree(rt *Route, indent string) string {
	s := fmt.Sprintf("\n%s%s team=%q any=%v intent=%v continue=%v query=%s", indent, rt.Name, rt.Team, rt.Any, rt.Intent, rt.Continue, rt.Query)
	for _, k := range rt.Routes {
		s += dumpTree(k, indent+"  ")
	}
	return s
}

// FuzzMatch runs fuzzed posts through the example rules and a query-heavy
// tree, engine against the naive reference.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{
		"My Lumio lamp caught fire", "@lumio charged twice!! refund", "Lumio app crash after update",
		"we're hiring at Lumio", "LUMIO+ cancel", "ランプ lumio", "\xff lumio \xfe", "lumio.example/help",
	} {
		f.Add(s, "https://bsky.app/x", 100, true)
	}
	example := Example()
	r := rand.New(rand.NewPCG(1, 2))
	random := randomRules(r)
	if err := random.Compile(); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, txt, url string, followers int, reply bool) {
		in := Input{Text: txt, URL: url, Followers: followers, IsReply: reply, Platform: "bluesky", Intent: "bug"}
		for _, rules := range []*Rules{example, random} {
			got, want := rules.Match(in), naiveMatch(rules, in)
			if !slices.Equal(got.Teams, want.Teams) || !slices.Equal(got.Routes, want.Routes) || got.Excluded != want.Excluded {
				t.Fatalf("input %+v: engine %+v, naive %+v", in, got, want)
			}
		}
	})
}

func TestExplain(t *testing.T) {
	r := Example()
	d, why := r.Explain(Input{Text: "@lumio you charged me twice, I want a refund", Intent: "complaint", Sentiment: "negative"})
	if !slices.Equal(d.Teams, []string{"billing"}) {
		t.Fatalf("teams %v, want billing", d.Teams)
	}
	if len(why) != 2 || why[0].Route != "lumio" || why[1].Route != "billing" || why[1].Team != "billing" {
		t.Fatalf("why = %+v", why)
	}
	if !slices.Contains(why[1].Because, `"refund*"`) || !slices.Contains(why[0].Because, `"@lumio"`) {
		t.Errorf("because = %v / %v, want the terms seen", why[0].Because, why[1].Because)
	}
}
