package mastodon

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// Instance is the part of GET /api/v2/instance earshot reads.
type Instance struct {
	Domain        string `json:"domain"`
	Configuration struct {
		URLs struct {
			Streaming string `json:"streaming"`
		} `json:"urls"`
		Statuses struct {
			MaxCharacters            int `json:"max_characters"`
			CharactersReservedPerURL int `json:"characters_reserved_per_url"`
		} `json:"statuses"`
	} `json:"configuration"`
}

// VerifyCredentials is the account the token belongs to.
func (c *Client) VerifyCredentials(ctx context.Context) (Account, error) {
	var a Account
	_, err := c.do(ctx, call{method: http.MethodGet, path: "/api/v1/accounts/verify_credentials", wait: true}, &a)
	return a, err
}

// Instance describes the server: its limits and streaming address.
func (c *Client) Instance(ctx context.Context, wait bool) (Instance, error) {
	var in Instance
	_, err := c.do(ctx, call{method: http.MethodGet, path: "/api/v2/instance", wait: wait}, &in)
	return in, err
}

// GetStatus reads one status as our instance sees it.
func (c *Client) GetStatus(ctx context.Context, id string, wait bool) (Status, error) {
	var s Status
	_, err := c.do(ctx, call{method: http.MethodGet, path: "/api/v1/statuses/" + url.PathEscape(id), wait: wait}, &s)
	return s, err
}

// StatusContext reads the thread around a status.
func (c *Client) StatusContext(ctx context.Context, id string) (Context, error) {
	var t Context
	_, err := c.do(ctx, call{method: http.MethodGet, path: "/api/v1/statuses/" + url.PathEscape(id) + "/context", wait: true, reserve: c.limit / 2}, &t)
	return t, err
}

// AccountStatuses is an account's latest statuses, boosts left out.
func (c *Client) AccountStatuses(ctx context.Context, id string, limit int) ([]Status, error) {
	var ss []Status
	q := url.Values{"limit": {itoa(limit)}, "exclude_reblogs": {"true"}}
	_, err := c.do(ctx, call{method: http.MethodGet, path: "/api/v1/accounts/" + url.PathEscape(id) + "/statuses", query: q}, &ss)
	return ss, err
}

// NewStatus is the body of POST /api/v1/statuses.
type NewStatus struct {
	Status      string `json:"status"`
	InReplyToID string `json:"in_reply_to_id,omitempty"`
	Visibility  string `json:"visibility,omitempty"`
	SpoilerText string `json:"spoiler_text,omitempty"`
	Language    string `json:"language,omitempty"`
}

// PostStatus posts a status. The key makes a repeat within the hour return
// the first post instead of making another (Mastodon keeps keys 1 hour).
func (c *Client) PostStatus(ctx context.Context, s NewStatus, idempotencyKey string) (Status, error) {
	var out Status
	h := http.Header{}
	if idempotencyKey != "" {
		h.Set("Idempotency-Key", idempotencyKey)
	}
	_, err := c.do(ctx, call{method: http.MethodPost, path: "/api/v1/statuses", body: s, header: h}, &out)
	return out, err
}

// feedKind says what a feed's pages hold.
type feedKind int

const (
	kindNotifications feedKind = iota // []Notification, mentions of us
	kindTimeline                      // []Status
	kindSearch                        // {"statuses": [Status…]}
)

// pageLimit is how many items a page asks for; Mastodon's maximum is 40
// for timelines and search (80 for notifications, kept at 40 for one shape).
const pageLimit = 40

// item is one entry of a page: the cursor id, and the status with whether
// it mentions us (a notification) or must pass the matcher.
type item struct {
	id         string
	status     Status
	mentionsUs bool
	followUp   bool // answers a followed post, found by reading its thread
}

// fetchPage reads the page of f after cursor (min_id: the oldest items
// newer than it), newest first as Mastodon returns them. It returns the
// newest id on the page ("" when empty) and whether more may follow.
func (c *Client) fetchPage(ctx context.Context, f *feed, cursor string) (items []item, newest string, more bool, err error) {
	q := url.Values{}
	for k, v := range f.query {
		q[k] = v
	}
	q.Set("limit", itoa(pageLimit))
	if cursor != "" {
		q.Set("min_id", cursor)
	}
	k := call{method: http.MethodGet, path: f.path, query: q, wait: true, reserve: 10}
	// Entries are decoded one by one: a malformed one (a remote server's
	// oddity) is skipped with its reason, not the whole page forever.
	var raw []json.RawMessage
	if f.kind == kindSearch {
		var r struct {
			Statuses []json.RawMessage `json:"statuses"`
		}
		_, err = c.do(ctx, k, &r)
		raw = r.Statuses
	} else {
		_, err = c.do(ctx, k, &raw)
	}
	if err != nil {
		return nil, "", false, err
	}
	for i, r := range raw {
		var it item
		if f.kind == kindNotifications {
			n, err := DecodeNotification(r)
			if err != nil {
				c.log.Warn("mastodon: entry skipped", "path", f.path, "index", i, "err", err)
				continue
			}
			it.id = n.ID
			if n.Type == "mention" && n.Status != nil {
				it.status, it.mentionsUs = *n.Status, true
			}
		} else {
			s, err := DecodeStatus(r)
			if err != nil {
				c.log.Warn("mastodon: entry skipped", "path", f.path, "index", i, "err", err)
				continue
			}
			it.id, it.status = s.ID, s
		}
		items = append(items, it)
		if newer(it.id, newest) {
			newest = it.id
		}
	}
	return items, newest, len(raw) >= pageLimit && newest != "", nil
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	if n == 0 {
		return "0"
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// streamURL turns the instance's streaming address (wss://host) into the
// base of its server-sent-events endpoints.
func streamURL(api *url.URL, streaming string) *url.URL {
	u := *api
	if streaming == "" {
		return &u
	}
	s, err := url.Parse(streaming)
	if err != nil || s.Host == "" {
		return &u
	}
	switch strings.ToLower(s.Scheme) {
	case "wss", "https":
		s.Scheme = "https"
	case "ws", "http":
		if !loopback(s.Hostname()) {
			return &u // never send the token in the clear
		}
		s.Scheme = "http"
	default:
		return &u
	}
	s.Path = strings.TrimRight(s.Path, "/")
	s.RawQuery, s.Fragment, s.User = "", "", nil
	return s
}
