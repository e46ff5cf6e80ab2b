package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/store"
)

// StatsText answers "/earshot stats [team] [7d]": cases opened, answered,
// within the SLA, overdue, missed (a breach recorded), and how fast the
// first answer came.
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
	fmt.Fprintf(&b, ", %d overdue now, %d missed the SLA", st.Overdue, st.Breached)
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
