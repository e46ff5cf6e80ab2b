package hackernews

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/sources/poll"
)

// Defaults of Options.
const (
	DefaultInterval    = 60 * time.Second
	DefaultLookback    = 10 * time.Minute
	DefaultOverlap     = 2 * time.Minute
	DefaultHitsPerPage = 100
	// paginationLimit is how deep Algolia pages (paginationLimitedTo): a
	// window holding more hits is cut in two rather than half read.
	paginationLimit = 1000
)

// Options configure a search feed.
type Options struct {
	// Query is the search (Algolia syntax: words, "phrases", -excluded).
	Query string
	// APIURL is the API's base (DefaultAPIURL, or a test double).
	APIURL     string
	HTTPClient *http.Client
	// Interval is the time between polls; 0 is DefaultInterval.
	Interval time.Duration
	// Lookback is how far back the first poll of a new feed reads.
	Lookback time.Duration
	// Overlap is how far back each round reads again, for items Algolia
	// indexes after newer ones (it lags a little behind HN).
	Overlap     time.Duration
	HitsPerPage int
	// Stories, when set, learns which story each comment belongs to, so
	// the thread feed need not ask. Share one between a platform's feeds.
	Stories *Stories
	Now     func() time.Time
}

func (o *Options) defaults() {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Lookback <= 0 {
		o.Lookback = DefaultLookback
	}
	if o.Overlap <= 0 {
		o.Overlap = DefaultOverlap
	}
	if o.HitsPerPage <= 0 || o.HitsPerPage > paginationLimit {
		o.HitsPerPage = DefaultHitsPerPage
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Search is one query's feed of stories and comments.
type Search struct {
	o Options
	c *client
}

var (
	_ poll.Poller     = (*Search)(nil)
	_ poll.Intervaler = (*Search)(nil)
)

// NewSearch builds a query's feed. It makes no request.
func NewSearch(o Options) (*Search, error) {
	if strings.TrimSpace(o.Query) == "" {
		return nil, fmt.Errorf("hackernews: empty query")
	}
	o.defaults()
	c, err := newClient(o.APIURL, o.HTTPClient, o.Now)
	if err != nil {
		return nil, err
	}
	return &Search{o: o, c: c}, nil
}

// Name is "hackernews:search:<query>".
func (s *Search) Name() string { return "hackernews:search:" + s.o.Query }

// Platform is "hackernews".
func (s *Search) Platform() string { return Platform }

// Interval is the configured time between polls.
func (s *Search) Interval() time.Duration { return s.o.Interval }

// Poll reads one page of the running round (see cursor).
func (s *Search) Poll(ctx context.Context, saved string) (poll.Batch, error) {
	now := s.o.Now()
	c := cursor{Since: now.Add(-s.o.Lookback).Unix()}
	if saved != "" {
		var err error
		if c, err = parseCursor(saved); err != nil {
			return poll.Batch{}, err
		}
	}
	if c.Until == 0 {
		c.Until, c.Page, c.Top = max(now.Unix(), c.Since), 0, 0
	}
	from := c.Since - int64(s.o.Overlap/time.Second)
	p := url.Values{}
	p.Set("query", s.o.Query)
	p.Set("tags", "(story,comment)")
	p.Set("numericFilters", fmt.Sprintf("created_at_i>=%d,created_at_i<=%d", from, c.Until))
	p.Set("hitsPerPage", strconv.Itoa(s.o.HitsPerPage))
	p.Set("page", strconv.Itoa(c.Page))
	page, err := s.c.searchByDate(ctx, p)
	if err != nil {
		return poll.Batch{}, fmt.Errorf("%w (query %q)", err, s.o.Query)
	}
	if c.Page == 0 && page.NbHits > paginationLimit && c.Until > c.Since {
		// Deeper than Algolia pages: read the older half first. Since
		// then moves to its end, and the next round takes the rest.
		c.Until = c.Since + (c.Until-c.Since)/2
		return poll.Batch{Cursor: c.String(), More: true}, nil
	}
	ms := c.take(page.Hits, s.o.Stories)
	if page.Page+1 < page.NbPages && len(page.Hits) > 0 {
		c.Page = page.Page + 1
		return poll.Batch{Mentions: ms, Cursor: c.String(), More: true}, nil
	}
	c.endRound(now, s.o.Overlap)
	return poll.Batch{Mentions: ms, Cursor: c.String()}, nil
}

// take turns the hits not seen before into mentions, oldest first, and
// remembers them.
func (c *cursor) take(hits []Hit, stories *Stories) []bot.Mention {
	var ms []bot.Mention
	for _, h := range slices.Backward(hits) {
		stories.learn(h)
		if _, dup := c.Seen[h.ObjectID]; dup {
			continue
		}
		if c.Seen == nil {
			c.Seen = map[string]int64{}
		}
		c.Seen[h.ObjectID] = h.CreatedAtI
		c.Top = max(c.Top, h.CreatedAtI)
		ms = append(ms, h.Mention())
	}
	return ms
}

// endRound moves Since to the newest item seen, and at least to the
// round's end less the overlap: a quiet query's window must not grow back
// in time. A round cut short by Algolia's paging depth has read its whole
// window, so Since moves to its end; an open round's end is our clock,
// which may run ahead of Algolia's, so it keeps the overlap.
func (c *cursor) endRound(now time.Time, overlap time.Duration) {
	ov := int64(overlap / time.Second)
	c.Since = max(c.Since, c.Top, c.Until-ov)
	if c.Until < now.Unix()-ov {
		c.Since = max(c.Since, c.Until)
	}
	c.Until, c.Page, c.Top = 0, 0, 0
	c.prune(c.Since - ov)
}
