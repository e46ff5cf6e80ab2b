package hackernews

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// cursor is where a feed stands. Algolia lists newest first and pages
// shift as new items arrive, so a round fixes its window [Since-overlap,
// Until] and pages through it; only when the round is done does Since
// move, to the newest item seen. Items are indexed a little after they
// are made, so each round looks back overlap seconds again and Seen (item
// id → created_at_i) keeps those already emitted: equal or late
// timestamps are neither repeated nor lost.
type cursor struct {
	Since int64            `json:"since"`
	Seen  map[string]int64 `json:"seen,omitempty"`
	// Until, when set, is the running round's upper bound (inclusive);
	// Page its next page; Top the newest time seen in the round so far.
	Until int64 `json:"until,omitempty"`
	Page  int   `json:"page,omitempty"`
	Top   int64 `json:"top,omitempty"`
}

// maxSeen bounds the ids a cursor keeps: far more than the overlap ever
// holds for a brand query, small enough for the cursors table.
const maxSeen = 2000

func parseCursor(s string) (cursor, error) {
	var c cursor
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return cursor{}, fmt.Errorf("hackernews: cursor %q is not a saved position: %w", clip(s, 60), err)
	}
	if c.Since <= 0 || c.Until < 0 || c.Page < 0 || (c.Until > 0 && c.Until < c.Since) {
		return cursor{}, fmt.Errorf("hackernews: cursor %q is out of range", clip(s, 60))
	}
	return c, nil
}

func (c cursor) String() string {
	b, _ := json.Marshal(c) // only ints and strings: cannot fail
	return string(b)
}

// prune drops ids older than from, and the oldest beyond maxSeen.
func (c *cursor) prune(from int64) {
	for id, ts := range c.Seen {
		if ts < from {
			delete(c.Seen, id)
		}
	}
	if len(c.Seen) <= maxSeen {
		return
	}
	ids := slices.Collect(maps.Keys(c.Seen))
	slices.SortFunc(ids, func(a, b string) int { return int(c.Seen[a] - c.Seen[b]) })
	for _, id := range ids[:len(ids)-maxSeen] {
		delete(c.Seen, id)
	}
}
