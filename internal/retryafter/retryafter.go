// Package retryafter reads the Retry-After header, the one way every
// platform earshot talks to says how long to wait. Each caller keeps its
// own policy (a default, bounds); the parsing is here once.
package retryafter

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Parse reads a Retry-After value: delay-seconds or an HTTP date (RFC 9110
// §10.2.3). ok is false when v is empty or neither (negative seconds
// included). d is how long from now; a date in the past gives d <= 0.
func Parse(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		// Far beyond any real wait; keeps the multiplication in range.
		return time.Duration(min(n, int64(365*24*time.Hour/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.Sub(now), true
	}
	return 0, false
}
