package store

import (
	"context"
	"fmt"
)

// ThreadPosts returns the external ids of platform's posts in conversations
// still open: every mention of a case neither resolved nor dismissed, and
// our replies on those cases. A streaming source reads it when it starts and
// every minute, to pass on the replies and deletions that concern those
// threads and drop the rest of the network's. Each id appears once, in no
// particular order.
//
// The open cases come from the partial index cases_open_platform (migration
// 007; the filter is spelt as the index's), which holds only open cases
// however many are closed; their posts then come by case id through the
// keys of case_mentions and replies_case, so the read grows with the open
// cases, not with history. The join order is forced: left to themselves,
// the planners start from the other end (SQLite from every mention on the
// platform, PostgreSQL by scanning case_mentions and replies whole: 95 ms
// against 16 ms at 100,000 cases, BenchmarkThreadPosts). SQLite keeps the
// order of a CROSS JOIN; PostgreSQL runs a LATERAL subquery per open case.
func (db *DB) ThreadPosts(ctx context.Context, platform string) ([]string, error) {
	q, args := threadPostsSQLite, []any{platform, platform, platform}
	if db.Dialect() == "postgres" {
		q, args = threadPostsPostgres, []any{platform, platform}
	}
	rs, err := db.be.reader().query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list open threads on %s: %w", platform, err)
	}
	defer rs.Close()
	var (
		out  []string
		seen = map[string]bool{}
	)
	for rs.Next() {
		var id string
		if err := rs.Scan(&id); err != nil {
			return nil, fmt.Errorf("list open threads on %s: %w", platform, err)
		}
		// A mention in two open cases (two teams) is listed once.
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("list open threads on %s: %w", platform, err)
	}
	return out, nil
}

// A case's mentions are on its platform; our replies are filtered, as one
// could have been recorded elsewhere.
const (
	threadPostsSQLite = `SELECT m.external_id
		FROM cases c CROSS JOIN case_mentions cm CROSS JOIN mentions m
		WHERE c.platform = ? AND c.state NOT IN ('resolved', 'dismissed')
			AND cm.case_id = c.id AND m.id = cm.mention_id
		UNION ALL
		SELECT r.external_id
		FROM cases c CROSS JOIN replies r
		WHERE c.platform = ? AND c.state NOT IN ('resolved', 'dismissed')
			AND r.case_id = c.id AND r.platform = ?`

	threadPostsPostgres = `SELECT x.id
		FROM cases c CROSS JOIN LATERAL (
			SELECT m.external_id AS id FROM case_mentions cm JOIN mentions m ON m.id = cm.mention_id
			WHERE cm.case_id = c.id
			UNION ALL
			SELECT r.external_id FROM replies r WHERE r.case_id = c.id AND r.platform = ?) x
		WHERE c.platform = ? AND c.state NOT IN ('resolved', 'dismissed')`
)
