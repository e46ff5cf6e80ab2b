package x

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/sources/poll"
)

// The v2 stream carries no deletions, so the posts of open cases are looked
// up now and then (GET /2/tweets?ids=, 100 at a time); one X reports
// missing becomes a tombstone. Each found post is a billed read, so the
// cadence is slow and the reads count against the cap.

// DeletionsOptions configure the Deletions poller. Client (app bearer) and
// Threads are required.
type DeletionsOptions struct {
	Client  *Client
	Threads ThreadPoster
	Usage   *Usage
	// Interval between batches; default 30m.
	Interval time.Duration
	// Batch is how many posts one poll looks up, 1–100; default 100.
	Batch  int
	Logger *slog.Logger
	Now    func() time.Time
}

// Deletions looks for deleted posts among the followed ones, as a
// poll.Poller: its cursor is the last id checked, and each poll checks the
// next batch, wrapping around.
type Deletions struct {
	o   DeletionsOptions
	log *slog.Logger
}

var (
	_ poll.Poller     = (*Deletions)(nil)
	_ poll.Intervaler = (*Deletions)(nil)
)

// NewDeletions builds the poller; no network call.
func NewDeletions(o DeletionsOptions) (*Deletions, error) {
	if o.Client == nil || o.Threads == nil {
		return nil, errors.New("x deletions: needs a client and the followed threads")
	}
	if o.Interval <= 0 {
		o.Interval = 30 * time.Minute
	}
	if o.Batch <= 0 || o.Batch > 100 {
		o.Batch = 100
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
	return &Deletions{o: o, log: o.Logger.With("source", "x", "feed", "x:deletions")}, nil
}

func (d *Deletions) Name() string            { return "x:deletions" }
func (d *Deletions) Platform() string        { return Platform }
func (d *Deletions) Interval() time.Duration { return d.o.Interval }

// Poll checks the batch of followed posts after cursor.
func (d *Deletions) Poll(ctx context.Context, cursor string) (poll.Batch, error) {
	if ok, until := d.o.Usage.ReadAllowed(); !ok {
		return poll.Batch{}, poll.RateLimited(until.Sub(d.o.Now()), errors.New("x deletions: the monthly read cap is reached"))
	}
	all, err := d.o.Threads.ThreadPosts(ctx, Platform)
	if err != nil {
		return poll.Batch{}, fmt.Errorf("x deletions: %w", err)
	}
	ids := make([]string, 0, len(all))
	for _, id := range all {
		if checkID("id", id) == nil {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b string) int {
		switch {
		case idLess(a, b):
			return -1
		case idLess(b, a):
			return 1
		}
		return 0
	})
	ids = slices.Compact(ids)
	start := 0
	if cursor != "" {
		start, _ = slices.BinarySearchFunc(ids, cursor, func(a, b string) int {
			if idLess(a, b) || a == b {
				return -1
			}
			return 1
		})
	}
	if start >= len(ids) {
		start = 0
	}
	batch := ids[start:min(len(ids), start+d.o.Batch)]
	if len(batch) == 0 {
		return poll.Batch{}, nil
	}
	gone, found, lim, err := d.o.Client.Lookup(ctx, batch)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusTooManyRequests {
			return poll.Batch{}, poll.RateLimited(max(0, ae.Reset.Sub(d.o.Now())), err)
		}
		return poll.Batch{}, fmt.Errorf("x deletions: %w", err)
	}
	d.o.Usage.AddReads(found)
	b := poll.Batch{Cursor: batch[len(batch)-1]}
	if start+len(batch) >= len(ids) {
		b.Cursor = "" // wrap around next time
	}
	for _, id := range gone {
		b.Mentions = append(b.Mentions, bot.Mention{Platform: Platform, ExternalID: id, Deleted: true})
	}
	if len(gone) > 0 {
		d.log.Info("x: followed posts deleted", "count", len(gone))
	}
	if lim.Known && lim.Remaining == 0 {
		b.Wait = max(time.Second, lim.Reset.Sub(d.o.Now()))
	}
	return b, nil
}

// Lookup asks for ids (at most 100) and returns those X says do not exist
// (deleted, or their account gone) and how many came back.
func (c *Client) Lookup(ctx context.Context, ids []string) (gone []string, found int, lim Limits, err error) {
	if len(ids) == 0 || len(ids) > 100 {
		return nil, 0, Limits{}, fmt.Errorf("x lookup: %d ids, want 1–100", len(ids))
	}
	q := url.Values{"ids": {strings.Join(ids, ",")}, "tweet.fields": {"author_id"}}
	msg, lim, err := c.getJSON(ctx, "/2/tweets", q)
	if err != nil {
		return nil, 0, lim, err
	}
	asked := map[string]bool{}
	for _, id := range ids {
		asked[id] = true
	}
	for _, p := range msg.Errors {
		id := p.ResourceID
		if id == "" {
			id = p.Value
		}
		if asked[id] && strings.Contains(p.Type, "resource-not-found") {
			gone = append(gone, id)
			asked[id] = false
		}
	}
	return gone, len(msg.Data), lim, nil
}
