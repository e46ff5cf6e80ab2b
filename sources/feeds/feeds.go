// Package feeds reads RSS, Atom and JSON feeds, Google Alerts among them,
// as mentions on the "rss" platform: one poll.Poller per feed URL, with
// conditional requests so an unchanged feed costs a 304, Google's redirect
// links unwrapped to the article, and articles identified by their
// canonical address so one story seen through several feeds is one
// mention. There is nothing to reply to on a feed: no Replier.
package feeds

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/sources/poll"
)

// Defaults.
const (
	// DefaultInterval is the time between polls of a feed. Google Alerts
	// refreshes an "as it happens" feed every few minutes at best, and a
	// conditional request to an unchanged feed costs one 304.
	DefaultInterval = 5 * time.Minute
	// DefaultMaxBytes bounds a feed's body; real feeds are well under 1 MB.
	DefaultMaxBytes = 8 << 20
	// DefaultUserAgent names the bot to the feed's server.
	DefaultUserAgent = "earshot (+https://github.com/earshothq/earshot)"
)

// Options configure one feed's Poller.
type Options struct {
	// URL is the feed's address (http or https). It may carry credentials
	// (user:pass@ or a token in the query): they are sent, never shown.
	URL string
	// Label names the feed in its poller name and status instead of the
	// (redacted) URL.
	Label string
	// Interval between polls; 0 is DefaultInterval.
	Interval time.Duration
	// UserAgent; "" is DefaultUserAgent.
	UserAgent string
	// MaxBytes bounds the body; 0 is DefaultMaxBytes.
	MaxBytes int64
	// Client makes the requests; nil is a client with a 30 s timeout.
	Client *http.Client
	// Hears is the bot's rule pre-check. Every item of an ordinary feed
	// must pass it; a Google Alerts feed is already a search, so its items
	// skip it (routing still decides which team, if any, sees them).
	Hears  func(bot.Mention) bool
	Logger *slog.Logger
	Now    func() time.Time
}

// Poller polls one feed.
type Poller struct {
	url      *url.URL
	safe     string // the URL with credentials redacted, for names and errors
	secrets  []string
	name     string
	search   bool
	interval time.Duration
	ua       string
	maxBytes int64
	client   *http.Client
	hears    func(bot.Mention) bool
	log      *slog.Logger
	now      func() time.Time
}

var (
	_ poll.Poller     = (*Poller)(nil)
	_ poll.Intervaler = (*Poller)(nil)
)

// New checks o and builds the feed's Poller. It makes no request.
func New(o Options) (*Poller, error) {
	u, err := ParseFeedURL(o.URL)
	if err != nil {
		return nil, err
	}
	p := &Poller{
		url: u, safe: Redact(u), secrets: secretsOf(u), search: IsAlertsFeed(u),
		interval: cmp.Or(o.Interval, DefaultInterval),
		ua:       cmp.Or(o.UserAgent, DefaultUserAgent),
		maxBytes: cmp.Or(o.MaxBytes, DefaultMaxBytes),
		client:   o.Client, hears: o.Hears, log: o.Logger, now: o.Now,
	}
	if p.interval < 0 || p.maxBytes < 0 {
		return nil, fmt.Errorf("rss feed %s: negative interval or size", p.safe)
	}
	p.name = "rss:" + cmp.Or(strings.TrimSpace(o.Label), p.safe)
	if p.client == nil {
		p.client = &http.Client{Timeout: 30 * time.Second}
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.now == nil {
		p.now = time.Now
	}
	return p, nil
}

// ParseFeedURL checks a feed address: absolute, http or https, with a host.
// Its errors show the address redacted.
func ParseFeedURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, errors.New("feed URL is not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("feed URL %s is not http or https", Redact(u))
	}
	if u.Host == "" {
		return nil, fmt.Errorf("feed URL %s has no host", Redact(u))
	}
	return u, nil
}

// Redact shows a feed URL without its secrets: the user information is
// replaced, every query value too (a token may hide under any name), and
// the fragment dropped.
func Redact(u *url.URL) string {
	r := *u
	if r.User != nil {
		r.User = url.User("REDACTED")
	}
	if r.RawQuery != "" {
		q, err := url.ParseQuery(r.RawQuery)
		if err != nil {
			r.RawQuery = "REDACTED"
		} else {
			for k, vs := range q {
				for i := range vs {
					vs[i] = "REDACTED"
				}
				q[k] = vs
			}
			r.RawQuery = q.Encode()
		}
	}
	r.Fragment, r.RawFragment = "", ""
	return r.String()
}

// IsAlertsFeed reports whether u is a Google Alerts feed
// (https://www.google.com/alerts/feeds/<user>/<alert>), recognised by its
// path so a test double serves one too.
func IsAlertsFeed(u *url.URL) bool {
	return strings.HasPrefix(u.Path, "/alerts/feeds/")
}

// Name is "rss:" and the feed's label, or its redacted URL.
func (p *Poller) Name() string { return p.name }

// Platform is "rss".
func (p *Poller) Platform() string { return Platform }

// Interval is the feed's own interval.
func (p *Poller) Interval() time.Duration { return p.interval }

// Poll reads the feed and returns the items no earlier poll returned. The
// first poll of a feed (cursor "") returns only items dated within
// max(2 × interval, 15 min) of now and remembers the rest as seen, so
// adding a feed does not flood the team with its back catalogue.
func (p *Poller) Poll(ctx context.Context, cur string) (poll.Batch, error) {
	c, err := parseCursor(cur)
	first := cur == ""
	if err != nil {
		// A cursor from an incompatible version: start as a new feed
		// rather than stall it forever.
		p.log.Warn("feed cursor unreadable; starting afresh", "feed", p.name, "err", err)
		c, first = cursor{}, true
	}
	res, err := p.fetch(ctx, c)
	if err != nil {
		return poll.Batch{}, err
	}
	if res.notModified {
		return poll.Batch{}, nil
	}
	f, err := gofeed.NewParser().Parse(bytes.NewReader(res.body))
	if err != nil {
		return poll.Batch{}, fmt.Errorf("rss feed %s: not a readable RSS, Atom or JSON feed: %w", p.safe, err)
	}
	now := p.now()
	conv := converter{feedURL: p.url, feedKey: p.safe, now: now}
	entries := conv.convert(f)
	seen := make(map[string]bool, len(c.Seen))
	for _, k := range c.Seen {
		seen[k] = true
	}
	cutoff := now.Add(-window(p.interval))
	var current []string
	var ms []bot.Mention
	emitted := map[string]bool{}
	for _, e := range entries {
		current = append(current, e.keys...)
		if slices.ContainsFunc(e.keys, func(k string) bool { return seen[k] }) || emitted[e.m.ExternalID] {
			continue
		}
		if first && (!e.dated || e.m.CreatedAt.Before(cutoff)) {
			continue
		}
		if !p.search && p.hears != nil && !p.hears(e.m) {
			continue
		}
		emitted[e.m.ExternalID] = true
		ms = append(ms, e.m)
	}
	slices.SortStableFunc(ms, func(a, b bot.Mention) int { return a.CreatedAt.Compare(b.CreatedAt) })
	next := cursor{ETag: res.etag, Modified: res.modified, Seen: remember(current, c.Seen)}
	return poll.Batch{Mentions: ms, Cursor: next.String()}, nil
}
