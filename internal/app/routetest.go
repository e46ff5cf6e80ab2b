package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/store"
)

// RouteTest explains in a few lines what the rules do with a text: the
// labels, each matched route and why, and the teams. Chat commands show it
// ("/earshot route-test …"); `earshot rules test` prints the same facts.
func RouteTest(rules *routing.Rules, cls bot.Classifier, text string) string {
	m := bot.Mention{Platform: "bluesky", ExternalID: "route-test", Text: text, Lang: "en", CreatedAt: time.Now()}
	l := cls.Classify(m)
	d, why := rules.Explain(bot.RoutingInput(m, l))
	var b strings.Builder
	fmt.Fprintf(&b, "labels: %s (%+.2f), %s, %s\n", l.Sentiment, l.Score, l.Intent, l.Urgency)
	switch {
	case d.Excluded != "":
		fmt.Fprintf(&b, "excluded: %s\n", d.Excluded)
	case len(why) == 0:
		fmt.Fprintf(&b, "no match: the root route %q does not match\n", rules.Root.Name)
	default:
		for _, r := range why {
			fmt.Fprintf(&b, "route %s (line %d, team %s): %s\n", r.Route, r.Line, r.Team, strings.Join(r.Because, ", "))
		}
		fmt.Fprintf(&b, "teams: %s\n", strings.Join(d.Teams, ", "))
	}
	return b.String()
}

// StatsText answers "/earshot stats [team] [7d]": cases opened, answered,
// within the SLA, overdue, and how fast the first answer came.
func StatsText(ctx context.Context, db *store.DB, team string, days int, now time.Time) (string, error) {
	if days <= 0 {
		days = 7
	}
	st, err := db.Stats(ctx, team, now.AddDate(0, 0, -days))
	if err != nil {
		return "", err
	}
	who := "all teams"
	if team != "" {
		who = team
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s, last %d days: %d cases opened, %d answered", who, days, st.Opened, st.Answered)
	if st.Answered > 0 {
		fmt.Fprintf(&b, " (%d within the SLA; first answer median %s, 90th percentile %s)",
			st.InSLA, st.MedianFirstReply.Round(time.Minute), st.P90FirstReply.Round(time.Minute))
	}
	fmt.Fprintf(&b, ", %d overdue now", st.Overdue)
	var states []string
	for _, s := range []bot.CaseState{bot.StateNew, bot.StateClaimed, bot.StateReplied, bot.StateAwaitingCustomer, bot.StateEscalated, bot.StateDefectFiled, bot.StateResolved, bot.StateDismissed} {
		if n := st.ByState[s]; n > 0 {
			states = append(states, fmt.Sprintf("%s %d", s, n))
		}
	}
	if len(states) > 0 {
		fmt.Fprintf(&b, ". By state: %s.", strings.Join(states, ", "))
	}
	return b.String(), nil
}
