package hackernews

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/earshothq/earshot/sources/poll"
)

// DefaultAPIURL is Algolia's public HN Search API.
const DefaultAPIURL = "https://hn.algolia.com"

// maxAnswerBytes bounds one search answer: 1,000 hits of HN-sized items
// fit well inside.
const maxAnswerBytes = 16 << 20

// client calls the search API. It holds no secret: the API has no auth.
type client struct {
	base string // scheme://host[/prefix], no trailing slash
	hc   *http.Client
	now  func() time.Time
}

func newClient(apiURL string, hc *http.Client, now func() time.Time) (*client, error) {
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	u, err := url.Parse(apiURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("hackernews: API URL %q is not an http(s) URL", apiURL)
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &client{base: strings.TrimRight(u.String(), "/"), hc: hc, now: now}, nil
}

// searchByDate runs GET /api/v1/search_by_date with params. A 429 is a
// poll.RateLimitError (Retry-After when given); other failures name the
// status and the start of the body.
func (c *client) searchByDate(ctx context.Context, params url.Values) (Page, error) {
	u := c.base + "/api/v1/search_by_date?" + params.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Page{}, fmt.Errorf("hackernews: search: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "earshot")
	resp, err := c.hc.Do(req)
	if err != nil {
		return Page{}, fmt.Errorf("hackernews: search: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	if err != nil {
		return Page{}, fmt.Errorf("hackernews: search: read answer: %w", err)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return Page{}, poll.RateLimited(poll.ParseRetryAfter(resp.Header, c.now()),
			fmt.Errorf("hackernews: search: HTTP 429: %s", clip(strings.TrimSpace(string(body)), 120)))
	case resp.StatusCode != http.StatusOK:
		return Page{}, fmt.Errorf("hackernews: search: HTTP %d: %s", resp.StatusCode, clip(strings.TrimSpace(string(body)), 120))
	case len(body) > maxAnswerBytes:
		return Page{}, errors.New("hackernews: search: answer larger than 16 MiB")
	}
	return Decode(body)
}
