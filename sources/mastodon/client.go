package mastodon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/earshothq/earshot/internal/retryafter"
)

// Mastodon's default limit is 300 requests per 5 minutes per token
// (rack_attack.rb); the client paces itself to it before the server says
// anything, then follows the X-RateLimit-* headers.
const (
	defaultLimit  = 300
	defaultWindow = 5 * time.Minute
)

// maxBody bounds what is read of one answer: 80 notifications with their
// statuses are well under this.
const maxBody = 8 << 20

// HTTPError is an answer other than 2xx. Message is the server's "error"
// field when it sent one.
type HTTPError struct {
	Method, Path string
	Status       int
	Message      string
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		msg += ": " + clip(e.Message)
	}
	return msg
}

// RateLimitError is a request refused (429) or not sent because the budget
// of requests is spent; Until is when it comes back.
type RateLimitError struct {
	Path  string
	Until time.Time
	// Sent is whether the server refused it (429) rather than the client
	// holding it back.
	Sent bool
}

func (e *RateLimitError) Error() string {
	if e.Sent {
		return fmt.Sprintf("%s: rate limited until %s", e.Path, e.Until.UTC().Format(time.RFC3339))
	}
	return fmt.Sprintf("%s: request budget spent until %s", e.Path, e.Until.UTC().Format(time.RFC3339))
}

// ErrNotSent marks a request that never reached the server (no
// connection): retrying it cannot do anything twice.
var ErrNotSent = errors.New("request not sent")

// Client calls one instance's REST API with one user token.
type Client struct {
	base   *url.URL
	token  string
	http   *http.Client
	now    func() time.Time
	log    *slog.Logger
	pace   *rate.Limiter
	reqs   atomic.Int64
	mu     sync.Mutex
	remain int // -1 until the server said
	reset  time.Time
	limit  int
}

// ClientOptions tune a Client; the zero value is the defaults.
type ClientOptions struct {
	HTTPClient *http.Client
	Now        func() time.Time
	Logger     *slog.Logger
	// RequestsPer5Min paces requests evenly before the server's headers are
	// known; default 300, Mastodon's default per token.
	RequestsPer5Min int
}

// NewClient returns a client for the instance at server (https://host).
func NewClient(server, token string, o ClientOptions) (*Client, error) {
	u, err := ParseServer(server)
	if err != nil {
		return nil, err
	}
	if token == "" {
		return nil, errors.New("mastodon: no access token")
	}
	if o.HTTPClient == nil {
		// No redirects: a redirected POST could post twice, and a redirect
		// to another host would carry the token.
		o.HTTPClient = &http.Client{
			Timeout:       30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	n := o.RequestsPer5Min
	if n <= 0 {
		n = defaultLimit
	}
	// A burst of a tenth of the budget lets a backfill or a reply go at
	// once; the steady rate keeps a polling loop inside the window.
	pace := rate.NewLimiter(rate.Every(defaultWindow/time.Duration(n)), max(1, n/10))
	return &Client{base: u, token: token, http: o.HTTPClient, now: o.Now, log: o.Logger, pace: pace, remain: -1, limit: n}, nil
}

// ParseServer reads EARSHOT_MASTODON_SERVER: https://host, or a bare host
// taken as https. http is allowed only to a loopback host (a test double).
func ParseServer(server string) (*url.URL, error) {
	s := strings.TrimSpace(server)
	if s == "" {
		return nil, errors.New("mastodon: no server")
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("mastodon server %q is not a host or an https URL", clip(server))
	}
	if u.User != nil {
		return nil, fmt.Errorf("mastodon server %s carries credentials; give the token in EARSHOT_MASTODON_TOKEN", u.Hostname())
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !loopback(u.Hostname()) {
			return nil, fmt.Errorf("mastodon server %s is http; use https (http only to localhost)", u.Hostname())
		}
	default:
		return nil, fmt.Errorf("mastodon server %s: scheme %q is not https", u.Hostname(), u.Scheme)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

func loopback(host string) bool {
	return host == "localhost" || host == "::1" || strings.HasPrefix(host, "127.")
}

// Host is the instance's host name.
func (c *Client) Host() string { return c.base.Host }

// Requests is how many requests the client has sent.
func (c *Client) Requests() int64 { return c.reqs.Load() }

// budget says how long to wait before the next request so the server's
// remaining count stays above reserve.
func (c *Client) budget(reserve int) (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.remain >= 0 && c.remain <= reserve && c.reset.After(now) {
		return c.reset, true
	}
	return time.Time{}, false
}

// Healthy reports whether more than half of the request budget is left,
// or nothing is known yet: optional work (reading threads) waits otherwise.
func (c *Client) Healthy() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.remain < 0 || c.reset.Before(c.now()) || c.remain > c.limit/2
}

// call is one request. With wait, the client sleeps through a spent budget
// (the source's loops); without, it returns a *RateLimitError at once (a
// reply, which the job queue retries later). Reserve is how many requests
// it leaves for others: polling leaves some for replies.
type call struct {
	method, path string
	query        url.Values
	body         any
	header       http.Header
	wait         bool
	reserve      int
}

func (c *Client) do(ctx context.Context, k call, out any) (http.Header, error) {
	if until, spent := c.budget(k.reserve); spent {
		if !k.wait {
			return nil, &RateLimitError{Path: k.path, Until: until}
		}
		c.log.Info("mastodon: request budget spent; waiting", "until", until)
		if err := sleep(ctx, until.Sub(c.now())); err != nil {
			return nil, err
		}
	}
	if k.wait {
		if err := c.pace.Wait(ctx); err != nil {
			return nil, err
		}
	} else if r := c.pace.Reserve(); r.Delay() > 5*time.Second {
		r.Cancel()
		return nil, &RateLimitError{Path: k.path, Until: c.now().Add(r.Delay())}
	} else if err := sleep(ctx, r.Delay()); err != nil {
		return nil, err
	}
	u := *c.base
	u.Path += k.path
	u.RawQuery = k.query.Encode()
	var body io.Reader
	if k.body != nil {
		b, err := json.Marshal(k.body)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", k.path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, k.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", k.method, k.path, err)
	}
	for h, v := range k.header {
		req.Header[h] = v
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "earshot (+https://github.com/earshothq/earshot)")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	var wrote atomic.Bool
	req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteHeaders: func() { wrote.Store(true) }}))
	c.reqs.Add(1)
	res, err := c.http.Do(req)
	if err != nil {
		err = redact(err)
		if !wrote.Load() && ctx.Err() == nil {
			return nil, fmt.Errorf("%s %s: %w: %w", k.method, k.path, ErrNotSent, err)
		}
		return nil, fmt.Errorf("%s %s: %w", k.method, k.path, err)
	}
	defer res.Body.Close()
	c.note(res)
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: read answer: %w", k.method, k.path, redact(err))
	}
	if len(raw) > maxBody {
		return nil, fmt.Errorf("%s %s: answer larger than %d bytes", k.method, k.path, maxBody)
	}
	if res.StatusCode == http.StatusTooManyRequests {
		return nil, &RateLimitError{Path: k.path, Until: c.retryAt(res.Header), Sent: true}
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(raw, &e)
		return nil, &HTTPError{Method: k.method, Path: k.path, Status: res.StatusCode, Message: e.Error}
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return nil, fmt.Errorf("%s %s: decode answer: %w", k.method, k.path, err)
		}
	}
	return res.Header, nil
}

// note reads the X-RateLimit-* headers: the reset is an ISO 8601 time.
func (c *Client) note(res *http.Response) {
	rem, err := strconv.Atoi(res.Header.Get("X-RateLimit-Remaining"))
	if err != nil {
		return
	}
	reset, err := time.Parse(time.RFC3339Nano, res.Header.Get("X-RateLimit-Reset"))
	if err != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.remain, c.reset = rem, reset
	if l, err := strconv.Atoi(res.Header.Get("X-RateLimit-Limit")); err == nil && l > 0 && l != c.limit {
		// Pace to what this instance allows (an admin may have raised it).
		c.limit = l
		c.pace.SetLimit(rate.Every(defaultWindow / time.Duration(l)))
		c.pace.SetBurst(max(1, l/10))
	}
}

// retryAt is when a 429 says to come back: Retry-After (seconds or a
// date), else the rate limit's reset, else a minute.
func (c *Client) retryAt(h http.Header) time.Time {
	now := c.now()
	until := now.Add(time.Minute)
	if ra := strings.TrimSpace(h.Get("Retry-After")); ra != "" {
		if d, ok := retryafter.Parse(ra, now); ok {
			until = now.Add(d)
		}
	} else if t, err := time.Parse(time.RFC3339Nano, h.Get("X-RateLimit-Reset")); err == nil && t.After(now) {
		until = t
	}
	// Never hammer, never wait more than the window.
	if lo := now.Add(time.Second); until.Before(lo) {
		until = lo
	}
	if hi := now.Add(defaultWindow); until.After(hi) {
		until = hi
	}
	c.mu.Lock()
	c.remain, c.reset = 0, until
	c.mu.Unlock()
	return until
}

// redact drops the URL from a transport error: it names the host and path
// only, but a query (access_token on the legacy streaming form) must
// never reach a log.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", strings.ToLower(ue.Op), ue.Err)
	}
	return err
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
