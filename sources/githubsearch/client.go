package githubsearch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	gh "github.com/google/go-github/v60/github"
	"github.com/shurcooL/githubv4"

	"github.com/earshothq/earshot/sources/poll"
)

// DefaultAPIURL is GitHub.com's REST API.
const DefaultAPIURL = "https://api.github.com/"

// ClientOptions say how to reach GitHub.
type ClientOptions struct {
	// Token is a token that may read public issues and comment on them.
	Token string
	// APIURL is the REST API base: DefaultAPIURL, GitHub Enterprise
	// Server's https://HOST/api/v3/, or a test double.
	APIURL     string
	HTTPClient *http.Client
	Now        func() time.Time
}

// Client is a GitHub client shared by the feeds and the replier, with the
// token's login learnt on first use (no request at construction).
type Client struct {
	gh      *gh.Client
	gql     *githubv4.Client // discussions (graphql.go)
	gqlRate *gqlRate
	now     func() time.Time

	mu    sync.Mutex
	login string
}

// NewClient builds a client. It makes no request.
func NewClient(o ClientOptions) (*Client, error) {
	if strings.TrimSpace(o.Token) == "" {
		return nil, errors.New("github: no token")
	}
	base := o.APIURL
	if base == "" {
		base = DefaultAPIURL
	}
	if !strings.HasSuffix(base, "/") {
		base += "/" // go-github refuses a base URL without it
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("github: API URL %q is not an http(s) URL", o.APIURL)
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	c := gh.NewClient(hc).WithAuthToken(o.Token)
	c.BaseURL = u
	c.UserAgent = "earshot"
	if o.Now == nil {
		o.Now = time.Now
	}
	gql, rate := newGraphQL(u, hc, o.Token, o.Now)
	return &Client{gh: c, gql: gql, gqlRate: rate, now: o.Now}, nil
}

// Login is the token's user, asked once.
func (c *Client) Login(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.login != "" {
		return c.login, nil
	}
	u, _, err := c.gh.Users.Get(ctx, "")
	if err != nil {
		return "", fmt.Errorf("github: who is the token's user: %w", c.pollError(err))
	}
	if u.GetLogin() == "" {
		return "", errors.New("github: GET /user answered without a login")
	}
	c.login = u.GetLogin()
	return c.login, nil
}

// defaultWait is GitHub's advice when a limit names no time: "wait at
// least one minute".
const defaultWait = time.Minute

// limitWait says how long a rate-limit refusal asks to wait, and whether
// err is one: primary (403/429 with no budget left: until the reset),
// secondary (Retry-After) or a bare 429.
func (c *Client) limitWait(err error) (time.Duration, bool) {
	var rl *gh.RateLimitError
	if errors.As(err, &rl) {
		return max(rl.Rate.Reset.Time.Sub(c.now()), time.Second), true
	}
	var ab *gh.AbuseRateLimitError
	if errors.As(err, &ab) {
		if ab.RetryAfter != nil && *ab.RetryAfter > 0 {
			return *ab.RetryAfter, true
		}
		return defaultWait, true
	}
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusTooManyRequests {
		if d := poll.ParseRetryAfter(er.Response.Header, c.now()); d > 0 {
			return d, true
		}
		if reset := er.Response.Header.Get("X-RateLimit-Reset"); reset != "" && er.Response.Header.Get("X-RateLimit-Remaining") == "0" {
			var r gh.Timestamp
			if r.UnmarshalJSON([]byte(reset)) == nil && r.After(c.now()) {
				return r.Sub(c.now()), true
			}
		}
		return defaultWait, true
	}
	return 0, false
}

// pollError makes a rate-limit refusal a poll.RateLimitError.
func (c *Client) pollError(err error) error {
	if d, ok := c.limitWait(err); ok {
		return poll.RateLimited(d, err)
	}
	return err
}

// budgetWait is how long to hold off when the response says the budget
// is (almost) spent: the scheduler's Batch.Wait.
func (c *Client) budgetWait(resp *gh.Response) time.Duration {
	if resp == nil || resp.Rate.Limit == 0 || resp.Rate.Remaining > 1 {
		return 0
	}
	return max(resp.Rate.Reset.Time.Sub(c.now()), 0)
}
