package feeds

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/earshothq/earshot/sources/poll"
)

// accept prefers feeds but takes whatever the server calls its feed.
const accept = "application/atom+xml, application/rss+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"

type response struct {
	notModified    bool
	body           []byte
	etag, modified string
}

// fetch makes the conditional GET. Errors never carry the URL's secrets:
// net/http puts the whole URL in its errors, so they are rebuilt with the
// redacted one.
func (p *Poller) fetch(ctx context.Context, c cursor) (response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url.String(), nil)
	if err != nil {
		return response{}, fmt.Errorf("rss feed %s: %w", p.safe, p.scrub(err))
	}
	req.Header.Set("User-Agent", p.ua)
	req.Header.Set("Accept", accept)
	if c.ETag != "" {
		req.Header.Set("If-None-Match", c.ETag)
	}
	if c.Modified != "" {
		req.Header.Set("If-Modified-Since", c.Modified)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return response{}, fmt.Errorf("rss feed %s: %w", p.safe, p.scrub(err))
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // reuse the connection
		_ = resp.Body.Close()
	}()
	switch code := resp.StatusCode; {
	case code == http.StatusNotModified:
		return response{notModified: true}, nil
	case code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable:
		return response{}, poll.RateLimited(poll.ParseRetryAfter(resp.Header, p.now()),
			fmt.Errorf("rss feed %s: HTTP %s", p.safe, resp.Status))
	case code < 200 || code > 299:
		return response{}, fmt.Errorf("rss feed %s: HTTP %s", p.safe, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, p.maxBytes+1))
	if err != nil {
		return response{}, fmt.Errorf("rss feed %s: reading the body: %w", p.safe, p.scrub(err))
	}
	if int64(len(body)) > p.maxBytes {
		return response{}, fmt.Errorf("rss feed %s: body larger than %d bytes", p.safe, p.maxBytes)
	}
	return response{
		body:     body,
		etag:     strings.TrimSpace(resp.Header.Get("ETag")),
		modified: strings.TrimSpace(resp.Header.Get("Last-Modified")),
	}, nil
}

// scrub replaces the URL in a net/http error (the feed's, or a redirect's,
// either may hold a token) with the redacted feed URL.
func (p *Poller) scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = &url.Error{Op: ue.Op, URL: p.safe, Err: ue.Err}
	}
	// A redirect's Location may be quoted deeper in the chain.
	msg := err.Error()
	hidden := msg
	for _, s := range p.secrets {
		hidden = strings.ReplaceAll(hidden, s, "REDACTED")
	}
	if hidden != msg {
		return &redactedError{msg: hidden, err: err}
	}
	return err
}

// redactedError is an error whose text had a secret cut out; the chain
// stays for errors.Is (a timeout is still a timeout).
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// secretsOf lists the parts of a feed URL that may be credentials: the
// password, the user name, and query values long enough to be tokens.
func secretsOf(u *url.URL) []string {
	var out []string
	if u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			out = append(out, pw, url.QueryEscape(pw))
		}
		if n := u.User.Username(); len(n) >= 4 {
			out = append(out, n)
		}
	}
	for _, vs := range u.Query() {
		for _, v := range vs {
			if len(v) >= 6 {
				out = append(out, v, url.QueryEscape(v))
			}
		}
	}
	return out
}
