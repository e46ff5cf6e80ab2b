package x

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
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
type Tracker struct {
	mu     sync.Mutex
	stored []string  // sorted
	at     time.Time // when stored was read
	recent *lru.Cache[string, struct{}]
}

// NewTracker is an empty set.
func NewTracker() *Tracker {
	c, _ := lru.New[string, struct{}](50_000)
	return &Tracker{recent: c}
}

// Add follows id.
func (t *Tracker) Add(id string) {
	if id != "" {
		t.recent.Add(id, struct{}{})
	}
}

// Has reports whether id is followed.
func (t *Tracker) Has(id string) bool {
	if id == "" {
		return false
	}
	if t.recent.Contains(id) {
		return true
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := slices.BinarySearch(t.stored, id)
	return ok
}

// Stored is the store's list as last read.
func (t *Tracker) Stored() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.stored)
}

// Refresh reads the store's list; a failure keeps the previous one.
func (t *Tracker) Refresh(ctx context.Context, tp ThreadPoster, log *slog.Logger) {
	if tp == nil {
		return
	}
	ids, err := tp.ThreadPosts(ctx, Platform)
	if err != nil {
		if ctx.Err() == nil {
			log.Warn("x: followed threads not refreshed", "err", err)
		}
		return
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	t.mu.Lock()
	t.stored, t.at = ids, time.Now()
	t.mu.Unlock()
}

// RefreshIfOlder refreshes when the list is older than d: pollers share
// the tracker, and the first to need a fresh list reads it.
func (t *Tracker) RefreshIfOlder(ctx context.Context, d time.Duration, tp ThreadPoster, log *slog.Logger) {
	t.mu.Lock()
	fresh := !t.at.IsZero() && time.Since(t.at) < d
	t.mu.Unlock()
	if !fresh {
		t.Refresh(ctx, tp, log)
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
