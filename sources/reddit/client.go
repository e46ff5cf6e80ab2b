package reddit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/earshothq/earshot/sources/poll"
)

// client makes Reddit API calls with one token source, a descriptive
// User-Agent on every request (the token's too) and the shared budget.
type client struct {
	api    *url.URL
	http   *http.Client
	budget *Budget
	now    func() time.Time
}

// uaTransport sets the User-Agent Reddit asks for: generic ones are
// "drastically limited".
type uaTransport struct {
	ua   string
	base http.RoundTripper
}

func (t uaTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", t.ua)
	return t.base.RoundTrip(r)
}

func newClient(api *url.URL, tokens oauth2.TokenSource, base http.RoundTripper, budget *Budget, now func() time.Time) *client {
	return &client{
		api:    api,
		http:   &http.Client{Transport: &oauth2.Transport{Source: tokens, Base: base}, Timeout: 30 * time.Second},
		budget: budget,
		now:    now,
	}
}

// HTTPError is an API answer other than 200.
type HTTPError struct {
	Method, Path string
	Status       int
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("reddit %s %s: HTTP %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
}

// errNotSent marks a failure before the request left (budget spent, token
// unavailable, no connection): nothing happened on Reddit.
var errNotSent = errors.New("not sent")

// maxBody bounds what is read of a response.
const maxBody = maxListing

// get reads path with q (raw_json=1 added, as prawcore does, so text comes
// unescaped).
func (c *client) get(ctx context.Context, path string, q url.Values) ([]byte, error) {
	v := url.Values{}
	for k, vs := range q {
		v[k] = vs
	}
	v.Set("raw_json", "1")
	u := c.api.JoinPath(path)
	u.RawQuery = v.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("reddit GET %s: %w", path, err)
	}
	return c.do(req, path)
}

// post sends a form (api_type=json added).
func (c *client) post(ctx context.Context, path string, form url.Values) ([]byte, error) {
	v := url.Values{}
	for k, vs := range form {
		v[k] = vs
	}
	v.Set("api_type", "json")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.api.JoinPath(path).String(), strings.NewReader(v.Encode()))
	if err != nil {
		return nil, fmt.Errorf("reddit POST %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req, path)
}

func (c *client) do(req *http.Request, path string) ([]byte, error) {
	if w := c.budget.Exhausted(); w > 0 {
		return nil, poll.RateLimited(w, fmt.Errorf("reddit %s %s: request budget spent: %w", req.Method, path, errNotSent))
	}
	res, err := c.http.Do(req)
	if err != nil {
		var te *TokenError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("reddit %s %s: %w (%w)", req.Method, path, te, errNotSent)
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is known; it carries no secret but is long
		}
		return nil, fmt.Errorf("reddit %s %s: %w", req.Method, path, err)
	}
	defer res.Body.Close()
	c.budget.Observe(res.Header)
	if res.StatusCode == http.StatusTooManyRequests {
		after := poll.ParseRetryAfter(res.Header, c.now())
		if reset, ok := headerFloat(res.Header, "X-Ratelimit-Reset"); ok && time.Duration(reset)*time.Second > after {
			after = time.Duration(min(reset, 3600)) * time.Second
		}
		c.budget.Spend(after)
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
		return nil, poll.RateLimited(after, &HTTPError{Method: req.Method, Path: path, Status: res.StatusCode})
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("reddit %s %s: read: %w", req.Method, path, err)
	}
	if res.StatusCode != http.StatusOK {
		return nil, &HTTPError{Method: req.Method, Path: path, Status: res.StatusCode}
	}
	return body, nil
}

// listing GETs a listing and decodes it.
func (c *client) listing(ctx context.Context, path string, q url.Values) (Listing, error) {
	body, err := c.get(ctx, path, q)
	if err != nil {
		return Listing{}, err
	}
	l, err := DecodeListing(body)
	if err != nil {
		return Listing{}, fmt.Errorf("GET %s: %w", path, err)
	}
	return l, nil
}
