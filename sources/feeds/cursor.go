package feeds

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"
)

// minSeen is how many recently seen items a cursor remembers at least;
// every item of the latest response is always remembered, however many.
const minSeen = 500

// cursor is a feed's position, saved by the scheduler as JSON once the
// mentions of a poll are stored. Feeds have no "since" parameter: the
// server sends its latest items each time, and the cursor says which were
// already emitted.
type cursor struct {
	V int `json:"v"`
	// ETag and Modified are the validators of the last response, sent back
	// as If-None-Match and If-Modified-Since so an unchanged feed costs a
	// 304 and no parsing.
	ETag     string `json:"etag,omitempty"`
	Modified string `json:"modified,omitempty"`
	// Seen holds short hashes of the ids and canonical links emitted or
	// skipped recently, newest response first, so an item republished with
	// a new date is not emitted again.
	Seen []string `json:"seen,omitempty"`
}

func parseCursor(s string) (cursor, error) {
	var c cursor
	if s == "" {
		return c, nil
	}
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return cursor{}, fmt.Errorf("cursor is not feed JSON: %w", err)
	}
	if c.V != 1 {
		return cursor{}, fmt.Errorf("cursor version %d is not 1", c.V)
	}
	return c, nil
}

func (c cursor) String() string {
	c.V = 1
	b, _ := json.Marshal(c) // plain strings cannot fail to marshal
	return string(b)
}

// seenKey is a 72-bit hash of an item key: short enough to keep hundreds
// in a cursor, long enough that two articles never collide in practice.
func seenKey(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(sum[:9])
}

// remember returns the seen list for the next cursor: the keys of the
// latest response first, then the older ones, bounded at max(minSeen,
// len(current)) so an item still in the feed is never forgotten.
func remember(current, old []string) []string {
	limit := max(minSeen, len(current))
	out := make([]string, 0, min(limit, len(current)+len(old)))
	have := make(map[string]bool, len(current)+len(old))
	for _, list := range [][]string{current, old} {
		for _, k := range list {
			if len(out) >= limit {
				return out
			}
			if !have[k] {
				have[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// window is how far back a new feed's first poll looks.
func window(interval time.Duration) time.Duration {
	return max(2*interval, 15*time.Minute)
}
