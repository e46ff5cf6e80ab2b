package bluesky

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/earshothq/earshot/internal/retryafter"
)

// Default hosts: the entryway takes logins and repo writes and forwards
// them to the account's PDS; the public AppView serves reads without auth.
const (
	DefaultPDSURL     = "https://bsky.social"
	DefaultAppViewURL = "https://public.api.bsky.app"
)

// maxResponse caps what is read of an XRPC answer.
const maxResponse = 4 << 20

// XRPCError is an XRPC call the server refused, with the error name the
// AT Protocol gives ("ExpiredToken", "InvalidRequest", "RateLimitExceeded").
type XRPCError struct {
	Method  string
	Status  int
	Name    string
	Message string
	// RetryAfter is set on 429: when the rate limit resets.
	RetryAfter time.Duration
}

func (e *XRPCError) Error() string {
	s := fmt.Sprintf("%s: HTTP %d", e.Method, e.Status)
	if e.Name != "" {
		s += " " + e.Name
	}
	if e.Message != "" {
		s += ": " + clip(e.Message, 200)
	}
	return s
}

// expired reports whether the call failed for an expired or revoked token.
func (e *XRPCError) expired() bool {
	return e.Name == "ExpiredToken" || e.Name == "InvalidToken" || (e.Status == http.StatusUnauthorized && e.Name == "")
}

// xrpc makes XRPC calls to a PDS and an AppView.
type xrpc struct {
	client  *http.Client
	pds     string
	appview string
	now     func() time.Time
}

func (x *xrpc) get(ctx context.Context, base, method string, q url.Values, token string, out any) error {
	u := strings.TrimRight(base, "/") + "/xrpc/" + method
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	return x.do(req, method, token, out)
}

func (x *xrpc) post(ctx context.Context, base, method string, in any, token string, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s: encode: %w", method, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(base, "/")+"/xrpc/"+method, body)
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return x.do(req, method, token, out)
}

func (x *xrpc) do(req *http.Request, method, token string, out any) error {
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := x.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("%s: read answer: %w", method, err)
	}
	if res.StatusCode/100 != 2 {
		e := &XRPCError{Method: method, Status: res.StatusCode}
		var body struct {
			Error   string `json:"error"`
			Message string `json:"message"`
		}
		if json.Unmarshal(raw, &body) == nil {
			e.Name, e.Message = body.Error, body.Message
		}
		if res.StatusCode == http.StatusTooManyRequests {
			e.RetryAfter = rateLimitWait(res.Header, x.now())
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s: decode answer: %w", method, err)
	}
	return nil
}

// rateLimitWait reads when a rate limit resets: RateLimit-Reset (unix
// seconds, as Bluesky sends it) or Retry-After; a minute when neither says.
func rateLimitWait(h http.Header, now time.Time) time.Duration {
	d := time.Minute
	if s := h.Get("RateLimit-Reset"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			d = time.Unix(n, 0).Sub(now)
		}
	} else if s := h.Get("Retry-After"); s != "" {
		if ra, ok := retryafter.Parse(s, now); ok {
			d = ra
		}
	}
	return min(max(d, time.Second), time.Hour)
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// isXRPC returns the XRPC error in err, if any.
func isXRPC(err error) (*XRPCError, bool) {
	var e *XRPCError
	ok := errors.As(err, &e)
	return e, ok
}
