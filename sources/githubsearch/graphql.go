package githubsearch

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shurcooL/githubv4"

	"github.com/earshothq/earshot/sources/poll"
)

// Discussions live in GitHub's GraphQL API only (the REST search has no
// discussion type), so the client keeps a second, GraphQL client
// (shurcooL/githubv4) beside go-github, with the same token.

// graphqlURL is the GraphQL endpoint beside a REST base:
// https://api.github.com/graphql for GitHub.com, https://HOST/api/graphql
// for GitHub Enterprise Server (whose REST base is /api/v3/).
func graphqlURL(rest *url.URL) string {
	u := *rest
	p := strings.TrimSuffix(u.Path, "/")
	if strings.HasSuffix(p, "/api/v3") {
		u.Path = strings.TrimSuffix(p, "/v3") + "/graphql"
	} else {
		u.Path = p + "/graphql"
	}
	return u.String()
}

// gqlRate is the GraphQL budget as the last answer told it.
type gqlRate struct {
	mu        sync.Mutex
	known     bool
	remaining int
	reset     time.Time
}

func (r *gqlRate) record(h http.Header) {
	rem, err1 := strconv.Atoi(h.Get("X-RateLimit-Remaining"))
	reset, err2 := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64)
	if err1 != nil || err2 != nil {
		return
	}
	r.mu.Lock()
	r.known, r.remaining, r.reset = true, rem, time.Unix(reset, 0)
	r.mu.Unlock()
}

// spent says how long until the budget resets when it is (almost) spent.
func (r *gqlRate) spent(now time.Time) (time.Duration, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.known || r.remaining > 1 {
		return 0, false
	}
	return max(r.reset.Sub(now), 0), true
}

// gqlTransport signs GraphQL requests with the token and turns GitHub's
// rate-limit refusals (403 or 429 with Retry-After or a spent budget)
// into poll.RateLimitError: the GraphQL library reports a non-200 answer
// only as text, without its headers.
type gqlTransport struct {
	base  http.RoundTripper
	token string
	rate  *gqlRate
	now   func() time.Time
}

func (t *gqlTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+t.token)
	r.Header.Set("User-Agent", "earshot")
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	t.rate.record(resp.Header)
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return resp, nil
	}
	d := poll.ParseRetryAfter(resp.Header, t.now())
	if d <= 0 {
		if wait, spent := t.rate.spent(t.now()); spent && resp.Header.Get("X-RateLimit-Remaining") == "0" {
			d = max(wait, time.Second)
		} else if resp.StatusCode == http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "" {
			d = defaultWait
		}
	}
	if d <= 0 {
		return resp, nil // a 403 that is not a limit: the library reports it
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	_ = resp.Body.Close()
	return nil, poll.RateLimited(d, fmt.Errorf("github graphql: %s: %s", resp.Status, clipStr(strings.TrimSpace(string(body)))))
}

// newGraphQL builds the GraphQL client beside the REST one.
func newGraphQL(rest *url.URL, hc *http.Client, token string, now func() time.Time) (*githubv4.Client, *gqlRate) {
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	rate := &gqlRate{}
	c := &http.Client{Timeout: hc.Timeout, Transport: &gqlTransport{base: base, token: token, rate: rate, now: now}}
	return githubv4.NewEnterpriseClient(graphqlURL(rest), c), rate
}

// gqlError makes a GraphQL refusal for going too fast a
// poll.RateLimitError: one the transport caught (403/429), or GitHub's
// 200 answer with a RATE_LIMITED error and a spent budget.
func (c *Client) gqlError(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := poll.RetryAfter(err); ok {
		return err
	}
	if strings.Contains(strings.ToLower(err.Error()), "rate limit") {
		if d, spent := c.gqlRate.spent(c.now()); spent {
			return poll.RateLimited(max(d, time.Second), err)
		}
		return poll.RateLimited(defaultWait, err)
	}
	return err
}

// gqlBudgetWait is Batch.Wait for a GraphQL feed.
func (c *Client) gqlBudgetWait() time.Duration {
	d, _ := c.gqlRate.spent(c.now())
	return d
}

// notFound reports whether a GraphQL error says the object is gone or
// not visible to the token (GitHub answers NOT_FOUND with "Could not
// resolve to …").
func notFound(err error) bool {
	return err != nil && strings.Contains(err.Error(), "Could not resolve to")
}

// retryWait is how long a rate-limit refusal asks a reply to wait.
func retryWait(err error) (time.Duration, bool) {
	d, ok := poll.RetryAfter(err)
	if ok && d <= 0 {
		d = defaultWait
	}
	return d, ok
}
