package routing

import (
	"slices"
	"strconv"
	"strings"
)

// Match decides where one mention goes. The root must match first; then
// exclusions are checked; then the tree is walked: children in order, the
// first matching child wins unless it has continue, and a matching route
// none of whose children matched is a destination for its (inherited) team.
func (r *Rules) Match(in Input) Decision {
	if r == nil || r.Root == nil {
		return Decision{}
	}
	m := matching{in: in, text: prepare(in.Text)}
	if !r.Root.matches(&m) {
		return Decision{}
	}
	if why := r.Exclude.reason(&m); why != "" {
		return Decision{Excluded: why}
	}
	var d Decision
	r.Root.walk(&m, "", &d)
	return d
}

// matching carries one input through the tree with its text prepared once.
type matching struct {
	in   Input
	text text
	url  text // prepared on first use: only exclusions look at it
	hasU bool
}

func (m *matching) preparedURL() text {
	if !m.hasU {
		m.url, m.hasU = prepare(m.in.URL), true
	}
	return m.url
}

// walk adds route's destinations to d and assumes route already matched.
func (rt *Route) walk(m *matching, inherited string, d *Decision) {
	team := inherited
	if rt.Team != "" {
		team = rt.Team
	}
	d.Routes = append(d.Routes, rt.Name)
	matched := false
	for _, c := range rt.Routes {
		if !c.matches(m) {
			continue
		}
		matched = true
		c.walk(m, team, d)
		if !c.Continue {
			break
		}
	}
	if !matched && team != "" && !slices.Contains(d.Teams, team) {
		d.Teams = append(d.Teams, team)
	}
}

func (rt *Route) matches(m *matching) bool {
	in := &m.in
	switch {
	case len(rt.Intent) > 0 && !slices.Contains(rt.Intent, strings.ToLower(in.Intent)),
		len(rt.Sentiment) > 0 && !slices.Contains(rt.Sentiment, strings.ToLower(in.Sentiment)),
		len(rt.Urgency) > 0 && !slices.Contains(rt.Urgency, strings.ToLower(in.Urgency)),
		len(rt.Platform) > 0 && !slices.ContainsFunc(rt.Platform, func(p string) bool { return strings.EqualFold(p, in.Platform) }),
		len(rt.Lang) > 0 && !slices.ContainsFunc(rt.Lang, func(l string) bool { return langMatches(l, in.Lang) }),
		in.Followers < rt.MinFollowers,
		rt.IsReply != nil && *rt.IsReply != in.IsReply,
		rt.HasLink != nil && *rt.HasLink != in.HasLink:
		return false
	}
	if len(rt.Any) > 0 {
		if _, ok := compiled(rt.terms, rt.Any, newTermSet).first(m.text); !ok {
			return false
		}
	}
	return true
}

// compiled returns the set Parse built, or builds one for rules put together
// by hand (tests, tools): slower, but never a route whose terms are ignored.
func compiled(ts *termSet, raw []string, build func([]string) *termSet) *termSet {
	if ts == nil && len(raw) > 0 {
		return build(raw)
	}
	return ts
}

// langMatches lets "en" match "en", "EN" and "en-GB": sources report
// languages with and without a region.
func langMatches(want, got string) bool {
	if len(got) > len(want) && got[len(want)] == '-' {
		got = got[:len(want)]
	}
	return strings.EqualFold(want, got)
}

// reason says why a mention is excluded, or "" when it is not.
func (e *Exclude) reason(m *matching) string {
	if t, ok := compiled(e.terms, e.Terms, newTermSet).first(m.text); ok {
		return "term " + strconv.Quote(t)
	}
	if a := bareHandle(m.in.Author); a != "" {
		for _, x := range e.Authors {
			if strings.EqualFold(x, a) {
				return "author " + strconv.Quote(x)
			}
		}
	}
	domains := compiled(e.domains, e.Domains, newDomainSet)
	if domains.empty() {
		return ""
	}
	if d, ok := domains.first(m.text); ok {
		return "domain " + strconv.Quote(d)
	}
	if d, ok := domains.first(m.preparedURL()); ok {
		return "domain " + strconv.Quote(d)
	}
	return ""
}
