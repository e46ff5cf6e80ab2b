package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/earshothq/earshot/bot"
)

// Stats counts a team's cases opened since a time (all teams when team is
// ""), and how fast they got their first answer.
func (db *DB) Stats(ctx context.Context, team string, since time.Time) (bot.Stats, error) {
	st := bot.Stats{Team: team, Since: since, ByState: map[bot.CaseState]int{}}
	q := `SELECT c.state, c.opened_at, c.due_at,
		(SELECT MIN(e.at) FROM events e WHERE e.case_id = c.id AND e.kind IN ('replied', 'assisted_reply')),
		(SELECT COUNT(*) FROM events e WHERE e.case_id = c.id AND e.kind = 'sla_breach')
		FROM cases c WHERE c.opened_at >= ?`
	args := []any{since.UnixMilli()}
	if team != "" {
		q += ` AND c.team = ?`
		args = append(args, team)
	}
	rows, err := db.be.reader().query(ctx, q, args...)
	if err != nil {
		return st, fmt.Errorf("stats of %q: %w", team, err)
	}
	defer rows.Close()
	now := db.now().UnixMilli()
	var waits []time.Duration
	for rows.Next() {
		var state string
		var opened int64
		var due, first *int64
		var breaches int64
		if err := rows.Scan(&state, &opened, &due, &first, &breaches); err != nil {
			return st, fmt.Errorf("stats of %q: %w", team, err)
		}
		st.Opened++
		if breaches > 0 {
			st.Breached++
		}
		st.ByState[bot.CaseState(state)]++
		if first != nil {
			st.Answered++
			waits = append(waits, time.Duration(*first-opened)*time.Millisecond)
			if due != nil && *first <= *due {
				st.InSLA++
			}
		} else if bot.CaseState(state).Open() && due != nil && now > *due {
			st.Overdue++
		}
	}
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("stats of %q: %w", team, err)
	}
	if len(waits) > 0 {
		slices.Sort(waits)
		st.MedianFirstReply = waits[len(waits)/2]
		st.P90FirstReply = waits[(len(waits)*9)/10]
	}
	return st, nil
}
