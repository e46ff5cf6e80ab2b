package x

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/earshothq/earshot/sources/poll"
)

// DefaultAPIURL is X's API host.
const DefaultAPIURL = "https://api.x.com"

// maxBody bounds one answer: 100 posts with their expansions fit well.
const maxBody = 8 << 20

// APIError is an answer other than 2xx, with X's problem objects.
type APIError struct {
	Method, Path string
	Status       int
	Problems     []Problem
	// Reset is when the rate-limit window ends (x-rate-limit-reset), if
	// the answer said.
	Reset time.Time
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("x: %s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	for i, p := range e.Problems {
		if i == 2 {
			break
		}
		msg += ": " + p.String()
	}
	return msg
}

// text is every problem's words, lower case, for matching refusals.
func (e *APIError) text() string {
	var b strings.Builder
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "%s %s %s %s %s\n", p.Type, p.Title, p.Detail, p.Reason, p.Message)
	}
	return strings.ToLower(b.String())
}

// NotEnrolled reports a refusal of the app's access level: the tier has
// no such endpoint (client-not-enrolled, client-forbidden).
func (e *APIError) NotEnrolled() bool {
	t := e.text()
	return e.Status == http.StatusForbidden &&
		(strings.Contains(t, "client-not-enrolled") || strings.Contains(t, "client-forbidden") ||
			strings.Contains(t, "access level") || strings.Contains(t, "not enrolled"))
}

// Limits is what the rate-limit headers said.
type Limits struct {
	Limit, Remaining int
	Reset            time.Time
	Known            bool
}

func parseLimits(h http.Header) Limits {
	var l Limits
	rem, err1 := strconv.Atoi(strings.TrimSpace(h.Get("x-rate-limit-remaining")))
	reset, err2 := strconv.ParseInt(strings.TrimSpace(h.Get("x-rate-limit-reset")), 10, 64)
	if err1 != nil || err2 != nil || rem < 0 || reset <= 0 {
		return l
	}
	l.Limit, _ = strconv.Atoi(strings.TrimSpace(h.Get("x-rate-limit-limit")))
	l.Remaining, l.Reset, l.Known = rem, time.Unix(reset, 0), true
	return l
}

// Client calls X's API with one credential: the app's bearer token for
// reading, or a user-context client for posting.
type Client struct {
	base  *url.URL
	http  *http.Client
	token string // app bearer, added to each request; "" when http signs
	agent string
}

// NewClient builds a client of apiURL (DefaultAPIURL when empty). token is
// sent as a Bearer token; with an empty token, hc must authenticate the
// requests itself (an OAuth 1.0a or OAuth 2.0 client).
func NewClient(apiURL, token string, hc *http.Client) (*Client, error) {
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	u, err := ParseAPIURL(apiURL)
	if err != nil {
		return nil, err
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	// Redirects would carry the token elsewhere.
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{base: u, http: &c, token: token, agent: "earshot (+https://github.com/earshothq/earshot)"}, nil
}

// ParseAPIURL checks an API base URL: https, or http on loopback (tests).
func ParseAPIURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(s), "/"))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("x api url %q is not a URL like https://api.x.com", clip(s))
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && loopback(u.Hostname())) {
		return nil, fmt.Errorf("x api url %q is not https (http only on loopback)", clip(s))
	}
	if u.User != nil || u.RawQuery != "" {
		return nil, fmt.Errorf("x api url %q carries credentials or a query", clip(u.Redacted()))
	}
	return u, nil
}

func loopback(h string) bool {
	return h == "localhost" || h == "127.0.0.1" || h == "::1" || strings.HasPrefix(h, "127.")
}

// Host is the API host, for logs.
func (c *Client) Host() string { return c.base.Host }

// request builds a request for path with q.
func (c *Client) request(ctx context.Context, method, path string, q url.Values, body io.Reader) (*http.Request, error) {
	u := *c.base
	u.Path += path
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("x: %s %s: %w", method, path, err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("User-Agent", c.agent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// errNotSent marks a request that never reached X (no connection): it
// cannot have done anything.
var errNotSent = errors.New("request not sent")

// send does req and returns the answer when it is 2xx; any other status is
// an *APIError with the body's problems. The body is the caller's to close.
func (c *Client) send(req *http.Request) (*http.Response, Limits, error) {
	res, err := c.http.Do(req)
	if err != nil {
		return nil, Limits{}, fmt.Errorf("x: %s %s: %w", req.Method, req.URL.Path, redact(err))
	}
	lim := parseLimits(res.Header)
	if res.StatusCode/100 == 2 {
		return res, lim, nil
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	ae := &APIError{Method: req.Method, Path: req.URL.Path, Status: res.StatusCode, Reset: lim.Reset}
	var w struct {
		Problem
		Errors []Problem `json:"errors"`
	}
	if json.Unmarshal(b, &w) == nil {
		if w.Problem != (Problem{}) {
			ae.Problems = append(ae.Problems, w.Problem)
		}
		ae.Problems = append(ae.Problems, w.Errors...)
	}
	if now := time.Now(); ae.Reset.IsZero() {
		if after := poll.ParseRetryAfter(res.Header, now); after > 0 {
			ae.Reset = now.Add(after)
		}
	}
	return nil, lim, ae
}

// getJSON does a GET and decodes the answer as a StreamMessage.
func (c *Client) getJSON(ctx context.Context, path string, q url.Values) (StreamMessage, Limits, error) {
	req, err := c.request(ctx, http.MethodGet, path, q, nil)
	if err != nil {
		return StreamMessage{}, Limits{}, err
	}
	res, lim, err := c.send(req)
	if err != nil {
		return StreamMessage{}, lim, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if err != nil {
		return StreamMessage{}, lim, fmt.Errorf("x: GET %s: read: %w", path, redact(err))
	}
	m, err := Decode(b)
	if errors.Is(err, ErrEmpty) {
		return StreamMessage{}, lim, fmt.Errorf("x: GET %s: empty answer", path)
	}
	return m, lim, err
}

// redact drops the URL from a transport error (it is long, and says
// nothing the path does not), and marks a failed dial as not sent.
func redact(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	var op *net.OpError
	if errors.As(ue.Err, &op) && op.Op == "dial" {
		return fmt.Errorf("%s: %w (%w)", strings.ToLower(ue.Op), ue.Err, errNotSent)
	}
	return fmt.Errorf("%s: %w", strings.ToLower(ue.Op), ue.Err)
}

// fields are the expansions and fields every read asks for: who wrote the
// post (with follower counts), what it answers, and the full text of long
// posts. The classic "tweet.fields" name is the documented one.
func fields(q url.Values) url.Values {
	if q == nil {
		q = url.Values{}
	}
	q.Set("tweet.fields", "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,entities,lang,note_tweet")
	q.Set("expansions", "author_id")
	q.Set("user.fields", "name,username,public_metrics")
	return q
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
