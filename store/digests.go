package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/earshothq/earshot/bot"
)

// maxDigests bounds a tuning report's read; a brand's cases over weeks are
// far fewer.
const maxDigests = 100_000

// CaseDigests returns the cases opened since since, newest first (at most
// limit, 0 meaning 100,000), each with its first mention's text and, when
// the case is dismissed, the reason of the dismissal (or mute) that closed
// it: what tuning the rules needs.
func (db *DB) CaseDigests(ctx context.Context, since time.Time, limit int) ([]bot.CaseDigest, error) {
	if limit <= 0 || limit > maxDigests {
		limit = maxDigests
	}
	rs, err := db.be.reader().query(ctx, `SELECT c.id, c.team, c.rules, c.platform, c.customer, m.text, c.opened_at, c.state,
			COALESCE(a.kind, ''), COALESCE(a.reason, ''), COALESCE(a.text, '')
		FROM cases c
		JOIN mentions m ON m.id = c.first_mention_id
		LEFT JOIN actions a ON a.id = (SELECT max(x.id) FROM actions x
			WHERE x.case_id = c.id AND x.kind IN ('dismiss', 'mute') AND x.status = 'done')
		WHERE c.opened_at >= ?
		ORDER BY c.id DESC LIMIT ?`, since.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("read case digests: %w", err)
	}
	defer rs.Close()
	var out []bot.CaseDigest
	for rs.Next() {
		var (
			d                      bot.CaseDigest
			rules, customer, state string
			opened                 int64
			kind, reason, note     string
		)
		if err := rs.Scan(&d.ID, &d.Team, &rules, &d.Platform, &customer, &d.Text, &opened, &state, &kind, &reason, &note); err != nil {
			return nil, fmt.Errorf("read case digests: %w", err)
		}
		d.OpenedAt = fromMS(&opened)
		if err := json.Unmarshal([]byte(rules), &d.Rules); err != nil {
			return nil, fmt.Errorf("case %d rules: %w", d.ID, err)
		}
		var who bot.Author
		if err := json.Unmarshal([]byte(customer), &who); err != nil {
			return nil, fmt.Errorf("case %d customer: %w", d.ID, err)
		}
		d.Author = who.Handle
		// A case reopened since it was dismissed is not a dismissal any more.
		if bot.CaseState(state) == bot.StateDismissed {
			switch kind {
			case string(bot.ActDismiss):
				d.Dismissed = reason
				if d.Dismissed == "" {
					d.Dismissed = string(bot.ReasonOther)
				}
				d.Note = note
			case string(bot.ActMute):
				d.Dismissed, d.Note = bot.DismissedMuted, note
			}
		}
		out = append(out, d)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("read case digests: %w", err)
	}
	return out, nil
}
