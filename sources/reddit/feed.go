package reddit

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/sources/poll"
)

type feedKind int

const (
	feedSearch feedKind = iota // site-wide search: deny list applies
	feedWhole                  // a whole subreddit: through hears
	feedInbox                  // the account's inbox: all of it concerns us
)

// Look-backs: how far below the newest post handed on a feed still looks
// for posts it has not seen. Search indexes late, so it looks further;
// a subreddit's /new and /comments only reorder a little (a post held by
// the spam filter, then approved).
const (
	searchLookBack = 15 * time.Minute
	feedLookBack   = 3 * time.Minute
)

// maxPages bounds one poll's catch-up (100 things a page). A feed with
// more new things than that in one interval skips the oldest of them,
// and says so in the log.
const maxPages = 5

// maxSeen bounds the cursor's memory of fullnames.
const maxSeen = 2000

// feed polls one listing, newest first, paging down with after= until it
// reaches what the cursor says was handed on.
type feed struct {
	r        *Reddit
	name     string
	path     string
	query    url.Values
	kind     feedKind
	lookBack time.Duration
}

var (
	_ poll.Poller     = (*feed)(nil)
	_ poll.Intervaler = (*feed)(nil)
)

func (r *Reddit) feed(name, path string, q url.Values, kind feedKind) *feed {
	lb := feedLookBack
	if kind == feedSearch {
		lb = searchLookBack
	}
	return &feed{r: r, name: "reddit:" + name, path: path, query: q, kind: kind, lookBack: lb}
}

func (f *feed) Name() string     { return f.name }
func (f *feed) Platform() string { return Platform }

// Interval is the configured interval, or the scheduler's when zero.
func (f *feed) Interval() time.Duration { return f.r.o.Interval }

// cursor is a feed's position: the creation time of the newest thing
// handed on, and the fullnames handed on at or after it less the
// look-back. Fullnames, not before=: Reddit's before= returns nothing
// once the thing it names is deleted or removed, and a feed would stall.
type cursor struct {
	Newest float64            `json:"t"`
	Seen   map[string]float64 `json:"s,omitempty"`
}

func parseCursor(s string) (cursor, error) {
	var c cursor
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return cursor{}, err
	}
	if c.Newest < 0 || c.Newest > 1e11 {
		return cursor{}, fmt.Errorf("time %v out of range", c.Newest)
	}
	return c, nil
}

func (c cursor) String() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// Poll reads what is new since cursor. The first poll ("" cursor) starts
// at now less the look-back.
func (f *feed) Poll(ctx context.Context, cur string) (poll.Batch, error) {
	if w := f.r.budget.Wait(); w > 0 {
		return poll.Batch{Wait: w}, nil
	}
	c := cursor{Newest: float64(f.r.o.Now().Unix())}
	if cur != "" {
		var err error
		if c, err = parseCursor(cur); err != nil {
			// A cursor no poller wrote: start from now rather than stall.
			f.r.log.Warn("reddit: bad cursor, starting from now", "feed", f.name, "err", err)
			c = cursor{Newest: float64(f.r.o.Now().Unix())}
		}
	}
	if c.Seen == nil {
		c.Seen = map[string]float64{}
	}
	floor := c.Newest - f.lookBack.Seconds()
	cl := f.r.app
	if f.kind == feedInbox {
		cl = f.r.user
	}
	var (
		fresh    []Thing // newest first
		after    string
		complete bool
	)
	for page := 0; page < maxPages; page++ {
		q := url.Values{"limit": {"100"}}
		for k, v := range f.query {
			q[k] = v
		}
		if after != "" {
			q.Set("after", after)
			q.Set("count", fmt.Sprint(page*100))
		}
		l, err := cl.listing(ctx, f.path, q)
		if err != nil {
			if len(fresh) == 0 {
				return poll.Batch{}, fmt.Errorf("%s: %w", f.name, err)
			}
			// Hand on what was read; the rest is read again next time.
			f.r.log.Info("reddit: poll cut short", "feed", f.name, "err", err)
			break
		}
		for _, t := range l.Children {
			if t.CreatedAt < floor {
				complete = true
				break
			}
			if _, ok := c.Seen[t.Fullname()]; ok {
				continue
			}
			fresh = append(fresh, t)
		}
		if complete || l.After == "" || len(l.Children) == 0 {
			complete = true
			break
		}
		after = l.After
		if f.r.budget.Wait() > 0 {
			break
		}
		if page == maxPages-1 {
			f.r.log.Warn("reddit: more new things than one poll reads; the oldest are skipped",
				"feed", f.name, "pages", maxPages)
			complete = true
		}
	}
	ms := f.mentions(ctx, fresh)
	next := c
	next.Seen = maps.Clone(c.Seen)
	for _, t := range fresh {
		next.Seen[t.Fullname()] = t.CreatedAt
		if complete && t.CreatedAt > next.Newest {
			next.Newest = t.CreatedAt
		}
	}
	if !complete {
		// The pages between what was read and the cursor are still to
		// read: keep the floor, so the next poll goes down to it again
		// (what was read now is in Seen and not handed on twice).
		f.r.log.Debug("reddit: partial poll", "feed", f.name, "read", len(fresh))
	}
	next.prune(next.Newest - f.lookBack.Seconds())
	return poll.Batch{Mentions: ms, Cursor: next.String(), Wait: f.r.budget.Wait()}, nil
}

// prune forgets fullnames older than floor (they are below the look-back)
// and, past maxSeen, the oldest.
func (c *cursor) prune(floor float64) {
	for id, t := range c.Seen {
		if t < floor {
			delete(c.Seen, id)
		}
	}
	if len(c.Seen) <= maxSeen {
		return
	}
	ids := slices.Collect(maps.Keys(c.Seen))
	slices.SortFunc(ids, func(a, b string) int {
		switch ta, tb := c.Seen[a], c.Seen[b]; {
		case ta < tb:
			return -1
		case ta > tb:
			return 1
		}
		return strings.Compare(a, b)
	})
	for _, id := range ids[:len(ids)-maxSeen] {
		delete(c.Seen, id)
	}
}

// mentions turns fresh things (newest first) into mentions, oldest first,
// keeping what concerns us.
func (f *feed) mentions(ctx context.Context, fresh []Thing) []bot.Mention {
	if len(fresh) == 0 {
		return nil
	}
	f.r.tracked.refresh(ctx)
	var ms []bot.Mention
	for i := len(fresh) - 1; i >= 0; i-- {
		t := fresh[i]
		if t.Kind == "t4" {
			continue // private messages are not public posts
		}
		if t.Gone() {
			if f.r.tracked.has(t.Fullname()) {
				ms = append(ms, t.Tombstone())
			}
			continue
		}
		m := t.Mention(f.r.o.Username)
		switch f.kind {
		case feedSearch:
			if f.r.deny[strings.ToLower(t.Subreddit)] {
				continue
			}
		case feedWhole:
			follows := f.r.tracked.has(m.InReplyTo)
			if !follows && !m.Ours && (f.r.o.Hears == nil || !f.r.o.Hears(m)) {
				continue
			}
		}
		ms = append(ms, m)
	}
	return ms
}
