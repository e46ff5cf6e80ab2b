package reddit

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Budget is the request budget Reddit grants the OAuth client (100 a
// minute on the free tier, counted over a window), read from the
// X-Ratelimit-* headers of every response. Every poller and the replier
// share one, because Reddit counts them together: what one feed spends,
// the others cannot.
type Budget struct {
	now     func() time.Time
	reserve float64

	mu        sync.Mutex
	known     bool
	used      float64
	remaining float64
	reset     time.Time
}

// DefaultReserve is the requests pollers leave unspent in each window, so
// a person's reply is not refused because the feeds used everything.
const DefaultReserve = 5

// NewBudget makes an empty budget; reserve is what pollers leave for
// replies (below 0: DefaultReserve).
func NewBudget(reserve int, now func() time.Time) *Budget {
	if now == nil {
		now = time.Now
	}
	if reserve < 0 {
		reserve = DefaultReserve
	}
	return &Budget{now: now, reserve: float64(reserve)}
}

// Observe reads a response's rate-limit headers. Responses without them
// (the token endpoint, some errors) change nothing.
func (b *Budget) Observe(h http.Header) {
	rem, okRem := headerFloat(h, "X-Ratelimit-Remaining")
	reset, okReset := headerFloat(h, "X-Ratelimit-Reset")
	if !okRem || !okReset {
		return
	}
	used, _ := headerFloat(h, "X-Ratelimit-Used")
	b.mu.Lock()
	defer b.mu.Unlock()
	b.known = true
	b.used, b.remaining = used, rem
	b.reset = b.now().Add(time.Duration(min(reset, 3600) * float64(time.Second)))
}

// Spend records a refusal (429): nothing is left until after.
func (b *Budget) Spend(after time.Duration) {
	if after <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	until := b.now().Add(after)
	b.known, b.remaining = true, 0
	if until.After(b.reset) {
		b.reset = until
	}
}

// Wait is how long pollers should hold off: until the window resets when
// what remains is down to the reserve, 0 otherwise.
func (b *Budget) Wait() time.Duration {
	return b.wait(b.reserve)
}

// Exhausted is how long nothing at all may be sent (the replier's check).
func (b *Budget) Exhausted() time.Duration {
	return b.wait(0)
}

func (b *Budget) wait(reserve float64) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.known || b.remaining > reserve {
		return 0
	}
	d := b.reset.Sub(b.now())
	if d <= 0 {
		// The window has passed: the next response tells the new budget.
		b.known = false
		return 0
	}
	return d
}

// State is the last known budget: requests used and remaining, and when
// the window resets (zero time when no response has told yet).
func (b *Budget) State() (used, remaining float64, reset time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.known {
		return 0, 0, time.Time{}
	}
	return b.used, b.remaining, b.reset
}

func headerFloat(h http.Header, name string) (float64, bool) {
	v := strings.TrimSpace(h.Get(name))
	if v == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f != f || f > 1e9 {
		return 0, false
	}
	return f, true
}
