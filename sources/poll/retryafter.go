package poll

import (
	"net/http"
	"time"

	"github.com/earshothq/earshot/internal/retryafter"
)

// ParseRetryAfter reads a Retry-After header for the scheduler: 0 when it
// is absent, bad or in the past (callers then fall back to their own
// back-off), and at most a day.
func ParseRetryAfter(h http.Header, now time.Time) time.Duration {
	d, ok := retryafter.Parse(h.Get("Retry-After"), now)
	if !ok || d <= 0 {
		return 0
	}
	return min(d, 24*time.Hour)
}
