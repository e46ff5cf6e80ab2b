package routing

import (
	"strconv"
	"strings"
	"unsafe"
)

// Match decides where one mention goes. The root must match first; then
// exclusions are checked; then the tree is walked: children in order, the
// first matching child wins unless it has continue, and a matching route
// none of whose children matched is a destination for its (inherited) team.
// Rules whose terms cannot be compiled match nothing; Parse and Compile
// report them.
func (r *Rules) Match(in Input) Decision {
	if r == nil || r.Root == nil || r.Compile() != nil {
		return Decision{}
	}
	return r.eng.match(r, &in, nil)
}

// RouteMatch is one route on a matched path and what made it match.
type RouteMatch struct {
	Route string
	Team  string // the team in force at this route, inherited or its own
	Line  int
	// Because lists the terms seen and the filters that held: "\"refund\"",
	// "intent:safety", "followers:52000>=10000".
	Because []string
}

// Explain is Match with its reasons: the decision, and every route on the
// matched paths with what made it match.
func (r *Rules) Explain(in Input) (Decision, []RouteMatch) {
	if r == nil || r.Root == nil || r.Compile() != nil {
		return Decision{}, nil
	}
	why := []RouteMatch{}
	d := r.eng.match(r, &in, &why)
	return d, why
}

// langMatches lets "en" match "en", "EN" and "en-GB": sources report
// languages with and without a region.
func langMatches(want, got string) bool {
	if len(got) > len(want) && got[len(want)] == '-' {
		got = got[:len(want)]
	}
	return strings.EqualFold(want, got)
}

func quote(s string) string { return strconv.Quote(s) }

// unsafeString views b as a string without copying; b must not change while
// the string is in use (a state's buffer, during one match).
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
