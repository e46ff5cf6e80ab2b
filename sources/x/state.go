package x

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/earshothq/earshot/sources/followed"
)

// Health is the stream's state as the search poller sees it: in auto mode
// the poller searches only while the stream is not connected, and catches
// up on the gap once it is back.
type Health struct {
	mu        sync.Mutex
	up        bool
	since     time.Time // when the stream was last connected and healthy
	downSince time.Time
	reason    string
}

// NewHealth is a stream not yet connected.
func NewHealth() *Health { return &Health{reason: "not connected yet"} }

// Up records a connection that delivers (a byte arrived) at t.
func (h *Health) Up(t time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.up {
		h.up, h.since, h.reason = true, t, ""
	}
}

// Down records the stream lost at t, and why.
func (h *Health) Down(t time.Time, reason string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.up || h.downSince.IsZero() {
		h.downSince = t
	}
	h.up, h.reason = false, reason
}

// State reports whether the stream is up, since when, and why not.
func (h *Health) State() (up bool, since time.Time, reason string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.up, h.since, h.reason
}

// ThreadPoster lists the posts earshot follows on a platform: the posts in
// open cases and our replies (*store.DB).
type ThreadPoster interface {
	ThreadPosts(ctx context.Context, platform string) ([]string, error)
}

// Tracker is the set of followed posts: the store's list, refreshed now
// and then, plus the posts this process emitted or replied with since, so
// an answer to a reply just sent is followed at once.
type Tracker = followed.Set

// NewTracker is an empty set.
func NewTracker() *Tracker { return followed.New(50_000) }

// refreshTracker reloads the followed posts when older than every (always
// when every is 0); a failure keeps the previous list and is logged.
func refreshTracker(ctx context.Context, t *Tracker, every time.Duration, tp ThreadPoster, log *slog.Logger) {
	if tp == nil {
		return
	}
	if err := t.RefreshIfOlder(ctx, every, tp, Platform); err != nil && ctx.Err() == nil {
		log.Warn("x: followed threads not refreshed", "err", err)
	}
}

// twitterEpoch is the snowflake epoch (ms): an id's top bits are the
// milliseconds since then, so a time maps to an id and back.
const twitterEpoch = 1288834974657

// IDAt is the smallest post id created at t.
func IDAt(t time.Time) string {
	ms := t.UnixMilli() - twitterEpoch
	if ms < 0 {
		ms = 0
	}
	return formatUint(uint64(ms) << 22)
}

// TimeOf is when the post id was created; ok is false for a non-snowflake.
func TimeOf(id string) (time.Time, bool) {
	n, ok := parseUint(id)
	if !ok || n>>22 == 0 {
		return time.Time{}, false
	}
	return time.UnixMilli(int64(n>>22) + twitterEpoch), true
}

func formatUint(n uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return string(b[i:])
}

func parseUint(s string) (uint64, bool) {
	if s == "" || len(s) > 20 {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (^uint64(0)-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// idLess compares decimal ids numerically.
func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
