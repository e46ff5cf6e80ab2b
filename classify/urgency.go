package classify

import (
	"fmt"
	"slices"
	"strings"
)

// UrgencyPolicy is a team's say on urgency; the zero value is the default policy.
type UrgencyPolicy struct {
	HighReach int      // followers from which a negative post is high (0: HighReach const)
	High      []string // intents that are at least high
	Critical  []string // intents that are critical (safety always is)
}

// Urgency rates a classified post. Safety is always critical: a person may
// be in danger whatever a team configured. The team's lists come next, so a
// team may raise spam or praise; then churn, pressing words and negative
// posts seen by many are high, spam, praise and chatter low, the rest normal.
func (p UrgencyPolicy) Urgency(r Result, followers int) string {
	reach := p.HighReach
	if reach <= 0 {
		reach = HighReach
	}
	switch {
	case r.Intent == Safety, slices.Contains(p.Critical, r.Intent):
		return Critical
	case slices.Contains(p.High, r.Intent):
		return High
	case r.Intent == Spam:
		return Low
	case r.Intent == Churn, r.Urgent, r.Sentiment == Negative && followers >= reach:
		return High
	case r.Intent == Praise, r.Intent == Other:
		return Low
	}
	return Normal
}

// Validate checks a policy read from configuration; the error names the
// offending value and the list it is in.
func (p UrgencyPolicy) Validate() error {
	if p.HighReach < 0 {
		return fmt.Errorf("high_reach %d is negative", p.HighReach)
	}
	for _, l := range []struct {
		name    string
		intents []string
	}{{"high", p.High}, {"critical", p.Critical}} {
		for _, in := range l.intents {
			if !slices.Contains(Intents(), in) {
				return fmt.Errorf("%s: unknown intent %q (want one of %s)", l.name, in, strings.Join(Intents(), ", "))
			}
		}
	}
	return nil
}
