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
// The state filter is spelled as the partial index cases_open_platform's
// (migration 007), so only open cases are read however many are closed.
func (db *DB) ThreadPosts(ctx context.Context, platform string) ([]string, error) {
	rs, err := db.be.reader().query(ctx, `SELECT m.external_id
		FROM cases c
		JOIN case_mentions cm ON cm.case_id = c.id
		JOIN mentions m ON m.id = cm.mention_id
		WHERE c.platform = ? AND c.state NOT IN ('resolved', 'dismissed') AND m.platform = ?
		UNION
		SELECT r.external_id
		FROM cases c
		JOIN replies r ON r.case_id = c.id
		WHERE c.platform = ? AND c.state NOT IN ('resolved', 'dismissed') AND r.platform = ?`,
		platform, platform, platform, platform)
	if err != nil {
		return nil, fmt.Errorf("list open threads on %s: %w", platform, err)
	}
	defer rs.Close()
	var ids []string
	for rs.Next() {
		var id string
		if err := rs.Scan(&id); err != nil {
			return nil, fmt.Errorf("list open threads on %s: %w", platform, err)
		}
		ids = append(ids, id)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("list open threads on %s: %w", platform, err)
	}
	return ids, nil
}
