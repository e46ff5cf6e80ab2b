package x

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/sources/poll"
)

// SearchOptions configure a recent-search Poller. Client and Query are
// required.
type SearchOptions struct {
	Client *Client
	Query  string
	// Name is the feed's stable name; default "x:search:" + Query.
	Name    string
	Account Account
	// Always takes every post found (the replies query), without Hears.
	Always bool
	// Health, when set, is the stream's: the poller then searches only
	// while the stream is down, and once more after it came back to
	// close the gap (auto mode). Nil searches on every poll.
	Health  *Health
	Usage   *Usage
	Tracker *Tracker
	// Threads, when set, refreshes Tracker (at most once a minute).
	Threads ThreadPoster
	Hears   func(bot.Mention) bool
	// Interval between polls; default 1m (X allows 450 searches per 15
	// minutes per app, shared by every query).
	Interval time.Duration
	// Lookback is how far back the first poll of a feed looks; default 15m.
	Lookback time.Duration
	// MaxResults per page, 10–100; default 100.
	MaxResults int
	Logger     *slog.Logger
	Now        func() time.Time
}

// Search is one query on recent search, as a poll.Poller. Its cursor is the
// since_id the next search starts after, with the page token and the
// newest id while it pages through a result ("since=…;next=…;newest=…").
type Search struct {
	o   SearchOptions
	f   filter
	log *slog.Logger
}

var (
	_ poll.Poller     = (*Search)(nil)
	_ poll.Intervaler = (*Search)(nil)
)

// NewSearch checks o and builds the poller; no network call.
func NewSearch(o SearchOptions) (*Search, error) {
	if o.Client == nil {
		return nil, errors.New("x search: no client")
	}
	if err := CheckQuery(o.Query); err != nil {
		return nil, fmt.Errorf("x search: %w", err)
	}
	if o.Name == "" {
		o.Name = "x:search:" + o.Query
	}
	if o.Interval <= 0 {
		o.Interval = time.Minute
	}
	if o.Lookback <= 0 {
		o.Lookback = 15 * time.Minute
	}
	if o.MaxResults == 0 {
		o.MaxResults = 100
	}
	if o.MaxResults < 10 || o.MaxResults > 100 {
		return nil, fmt.Errorf("x search: max_results %d is not between 10 and 100", o.MaxResults)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Usage == nil {
		o.Usage = NewUsage(UsageOptions{Now: o.Now})
	}
	return &Search{o: o, f: filter{us: o.Account, tracker: o.Tracker, hears: o.Hears}, log: o.Logger.With("source", "x", "feed", o.Name)}, nil
}

// Name is the feed's name, under which the scheduler keeps its cursor.
func (s *Search) Name() string { return s.o.Name }

// Platform is "x".
func (s *Search) Platform() string { return Platform }

// Interval is the time between polls.
func (s *Search) Interval() time.Duration { return s.o.Interval }

// Query is the search query.
func (s *Search) Query() string { return s.o.Query }

// searchCursor is a feed's position.
type searchCursor struct {
	since, next, newest string
}

// ParseCursor reads a cursor: a bare since_id, or the paging form.
func parseCursor(c string) (searchCursor, error) {
	var sc searchCursor
	if c == "" {
		return sc, nil
	}
	if !strings.Contains(c, "=") {
		sc.since = c
	} else {
		for part := range strings.SplitSeq(c, ";") {
			k, v, ok := strings.Cut(part, "=")
			if !ok {
				return sc, fmt.Errorf("x search cursor %q: %q is not name=value", clip(c), clip(part))
			}
			switch k {
			case "since":
				sc.since = v
			case "next":
				sc.next = v
			case "newest":
				sc.newest = v
			default:
				return sc, fmt.Errorf("x search cursor %q: unknown %q", clip(c), clip(k))
			}
		}
	}
	for _, id := range []string{sc.since, sc.newest} {
		if id != "" {
			if err := checkID("x search cursor id", id); err != nil {
				return sc, err
			}
		}
	}
	if strings.ContainsAny(sc.next, "; \t\r\n") {
		return sc, fmt.Errorf("x search cursor %q: bad page token", clip(c))
	}
	return sc, nil
}

func (sc searchCursor) String() string {
	if sc.next == "" {
		return sc.since
	}
	return "since=" + sc.since + ";next=" + sc.next + ";newest=" + sc.newest
}

// streamMargin covers the stream's delivery latency (P99 6–7 s) when the
// poller hands over to it: posts from that long before it connected are
// searched again rather than missed.
const streamMargin = time.Minute

// Poll searches what is new since cursor, a page at a time.
func (s *Search) Poll(ctx context.Context, cursor string) (poll.Batch, error) {
	now := s.o.Now()
	sc, err := parseCursor(cursor)
	if err != nil {
		// A broken cursor must not stop the feed for good: start over
		// from the usual look-back, and say so.
		s.log.Error("x: search cursor unreadable; starting from the look-back", "err", err)
		sc = searchCursor{}
	}
	if s.o.Health != nil && sc.next == "" {
		up, since, _ := s.o.Health.State()
		covered := sc.since != ""
		if t, ok := TimeOf(sc.since); ok {
			covered = !t.Before(since.Add(-streamMargin))
		}
		if up && (sc.since == "" || covered) {
			// The stream delivers; keep the cursor just behind it, so a
			// disconnection later is searched from there.
			idle := IDAt(now.Add(-streamMargin))
			if sc.since != "" && !idLess(sc.since, idle) {
				return poll.Batch{}, nil
			}
			return poll.Batch{Cursor: idle}, nil
		}
	}
	if ok, until := s.o.Usage.ReadAllowed(); !ok {
		return poll.Batch{}, poll.RateLimited(until.Sub(now), fmt.Errorf("x search %s: the monthly read cap (EARSHOT_X_MONTHLY_READ_CAP) is reached until %s", s.o.Name, until.Format("2006-01-02")))
	}
	if s.o.Tracker != nil && s.o.Threads != nil {
		refreshTracker(ctx, s.o.Tracker, time.Minute, s.o.Threads, s.log)
	}
	if sc.since == "" {
		sc.since = IDAt(now.Add(-s.o.Lookback))
	} else if t, ok := TimeOf(sc.since); ok && now.Sub(t) > 7*24*time.Hour-time.Hour {
		// Recent search covers 7 days; older since_ids are refused.
		s.log.Warn("x: search cursor older than recent search reaches; posts in between are lost", "cursor_time", t)
		sc.since, sc.next, sc.newest = IDAt(now.Add(-7*24*time.Hour+time.Hour)), "", ""
	}
	q := fields(url.Values{"query": {s.o.Query}, "max_results": {strconv.Itoa(s.o.MaxResults)}, "since_id": {sc.since}})
	if sc.next != "" {
		q.Set("next_token", sc.next)
	}
	msg, lim, err := s.o.Client.getJSON(ctx, "/2/tweets/search/recent", q)
	if err != nil {
		var ae *APIError
		switch {
		case errors.As(err, &ae) && ae.Status == http.StatusTooManyRequests:
			after := time.Duration(0)
			if !ae.Reset.IsZero() {
				after = max(time.Second, ae.Reset.Sub(now))
			}
			return poll.Batch{}, poll.RateLimited(after, err)
		case errors.As(err, &ae) && ae.Status == http.StatusBadRequest && sc.next != "":
			// A page token X no longer knows: search the range again.
			s.log.Warn("x: page token refused; searching again from the cursor", "err", err)
			return poll.Batch{Cursor: sc.since, More: true}, nil
		}
		return poll.Batch{}, fmt.Errorf("x search %s: %w", s.o.Name, err)
	}
	s.o.Usage.AddReads(len(msg.Data) + len(msg.Includes.Posts))
	b := poll.Batch{}
	// Newest first on the page; earshot wants oldest first.
	for _, p := range slices.Backward(msg.Data) {
		if m, ok := s.f.consider(p, msg.Includes, s.o.Always); ok {
			b.Mentions = append(b.Mentions, m)
		}
	}
	newest := sc.newest
	if newest == "" || (msg.Meta.NewestID != "" && idLess(newest, msg.Meta.NewestID)) {
		if msg.Meta.NewestID != "" {
			newest = msg.Meta.NewestID
		}
	}
	if msg.Meta.NextToken != "" {
		// More pages of this result: keep the since_id until the last.
		b.Cursor = searchCursor{since: sc.since, next: msg.Meta.NextToken, newest: newest}.String()
		b.More = true
	} else {
		next := sc.since
		if newest != "" && idLess(next, newest) {
			next = newest
		}
		if sc.next == "" {
			// One page covered everything up to now: a quiet feed's
			// cursor moves along too (search indexing lags by seconds,
			// hence the margin), so it neither ages past the 7 days
			// search reaches nor keeps the stream's hand-over waiting.
			if floor := IDAt(now.Add(-streamMargin)); idLess(next, floor) {
				next = floor
			}
		}
		b.Cursor = next
	}
	if lim.Known && lim.Remaining == 0 {
		b.Wait = max(time.Second, lim.Reset.Sub(now))
	}
	for _, m := range b.Mentions {
		if s.o.Tracker != nil && !m.Ours {
			s.o.Tracker.Add(m.ExternalID)
		}
	}
	return b, nil
}

var _ poll.Noter = (*Search)(nil)

// Note is what the feed's status line adds: whether the stream carries the
// load (auto mode: the search only fills gaps) and the month's usage
// against the caps, which is what X charges for.
func (s *Search) Note() string {
	var parts []string
	if s.o.Health != nil {
		if up, _, reason := s.o.Health.State(); up {
			parts = append(parts, "stream connected; search stands by")
		} else {
			parts = append(parts, "stream down ("+reason+"); searching")
		}
	}
	if s.o.Usage != nil {
		parts = append(parts, s.o.Usage.Status())
	}
	return strings.Join(parts, "; ")
}
