package routing

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Problem is one thing wrong with a rules file, at a place a person can find.
type Problem struct {
	File string
	Line int // 0 when the problem has no single place (a missing section)
	Msg  string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return p.File + ":" + strconv.Itoa(p.Line) + ": " + p.Msg
	}
	return p.File + ": " + p.Msg
}

// ValidationError holds every problem found in a rules file, so one edit-run
// cycle fixes them all rather than one at a time.
type ValidationError struct {
	Problems []Problem
}

// Error prints one problem per line, in file order.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// sortProblems puts problems in file order; checks that need the whole file
// (a route naming a team defined further down) are found out of order.
func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int { return cmp.Compare(a.Line, b.Line) })
}
