package meta

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/sources/poll"
)

// PollOptions tune the polling feeds; the zero value is the defaults.
type PollOptions struct {
	Threads Threads
	// Followed is the followed-post sets shared with the webhook and the
	// repliers; nil makes one from Threads.
	Followed *Followed
	Hears    func(bot.Mention) bool
	// Posts is how many recent posts (or media) are read for comments on
	// each poll; default 25. Comments on older posts arrive by webhook only.
	Posts int
	// Lookback is how far back the first poll reads; default 15 minutes.
	Lookback time.Duration
	// Interval is the time between polls; 0 leaves the scheduler's default.
	Interval time.Duration
	Now      func() time.Time
}

func (o *PollOptions) defaults() {
	if o.Posts <= 0 {
		o.Posts = 25
	}
	if o.Lookback <= 0 {
		o.Lookback = 15 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Followed == nil {
		o.Followed = NewFollowed(o.Threads)
	}
}

// maxPages bounds the pages one poll follows per edge.
const maxPages = 5

const (
	fbPostFields    = "id,message,created_time,updated_time,from{id,name},permalink_url"
	fbCommentFields = "id,message,created_time,from{id,name},parent{id},permalink_url"
	igMediaFields   = "id,caption,timestamp,username,permalink,comments_count"
	igCommentFields = "id,text,timestamp,username,from{id,username},parent_id"
)

// PagePoller polls one Facebook page: posts by others on its feed, and the
// comments on its recent posts.
type PagePoller struct {
	g    *Graph
	page Page
	o    PollOptions
}

var (
	_ poll.Poller     = (*PagePoller)(nil)
	_ poll.Intervaler = (*PagePoller)(nil)
)

// NewPagePoller returns the poller of page.
func NewPagePoller(g *Graph, page Page, o PollOptions) *PagePoller {
	o.defaults()
	return &PagePoller{g: g, page: page, o: o}
}

// Name is the feed's stable name; Platform its mentions' platform.
func (p *PagePoller) Name() string            { return "meta:page:" + p.page.ID }
func (p *PagePoller) Platform() string        { return Facebook }
func (p *PagePoller) Interval() time.Duration { return p.o.Interval }
func (p *PagePoller) token() string           { return p.page.Token }

// usageMax keeps the highest usage a poll's calls reported: the batch
// waits as long as the most spent budget asks.
type usageMax struct{ u Usage }

func (r *usageMax) add(c call) {
	r.u.Percent = max(r.u.Percent, c.Usage.Percent)
	r.u.Regain = max(r.u.Regain, c.Usage.Regain)
}

func (r *usageMax) batch(b poll.Batch) poll.Batch {
	b.Wait = r.u.Wait()
	return b
}

// parseCursor reads a saved cursor; "" starts lookback before now.
func parseCursor(cursor string, now time.Time, lookback time.Duration) (window, error) {
	if cursor == "" {
		return window{T: now.Add(-lookback).Unix()}, nil
	}
	var w window
	if err := json.Unmarshal([]byte(cursor), &w); err != nil || w.T <= 0 {
		return window{}, fmt.Errorf("meta: cursor %q is not {\"t\":unix,\"ids\":[...]}", clip(cursor))
	}
	return w, nil
}

// Poll reads what is new after cursor.
func (p *PagePoller) Poll(ctx context.Context, cursor string) (poll.Batch, error) {
	w, err := parseCursor(cursor, p.o.Now(), p.o.Lookback)
	if err != nil {
		return poll.Batch{}, err
	}
	var um usageMax
	var items []item
	q := url.Values{"fields": {fbPostFields}, "limit": {strconv.Itoa(p.o.Posts)}}
	var pg fbPostPage
	c, err := p.g.Get(ctx, p.token(), p.page.ID+"/feed", q, &pg)
	um.add(c)
	if err != nil {
		return poll.Batch{}, rateLimited(err)
	}
	posts := pg.Data
	// New posts beyond the first page: follow paging.next while it still
	// holds posts newer than the cursor.
	for n := 1; n < maxPages && pg.Paging.Next != "" && len(pg.Data) > 0; n++ {
		last, err := graphTime(pg.Data[len(pg.Data)-1].CreatedTime)
		if err != nil || last.Unix() < w.T {
			break
		}
		next := pg.Paging.Next
		pg = fbPostPage{}
		c, err := p.g.GetURL(ctx, p.token(), next, &pg)
		um.add(c)
		if err != nil {
			return poll.Batch{}, rateLimited(err)
		}
		posts = append(posts, pg.Data...)
	}
	for i, post := range posts {
		m, err := post.mention(p.page.ID)
		if err != nil {
			return poll.Batch{}, fmt.Errorf("meta: page %s feed: %w", p.page.ID, err)
		}
		if !m.Ours {
			items = append(items, item{m: m, thread: []string{post.ID}})
		}
		updated, err := graphTime(cmp.Or(post.UpdatedTime, post.CreatedTime))
		if err != nil || updated.Unix() < w.T || i >= p.o.Posts {
			continue // nothing new under it
		}
		cs, err := p.comments(ctx, post.ID, w, &um)
		if err != nil {
			return poll.Batch{}, err
		}
		items = append(items, cs...)
	}
	return finish(ctx, p.o, Facebook, items, w, &um)
}

// comments reads a post's comments newest first, until the cursor.
func (p *PagePoller) comments(ctx context.Context, postID string, w window, um *usageMax) ([]item, error) {
	q := url.Values{"fields": {fbCommentFields}, "filter": {"stream"}, "order": {"reverse_chronological"}, "limit": {"100"}}
	var out []item
	var cp fbCommentPage
	c, err := p.g.Get(ctx, p.token(), postID+"/comments", q, &cp)
	um.add(c)
	for n := 0; ; n++ {
		if err != nil {
			return nil, rateLimited(err)
		}
		older := false
		for _, cm := range cp.Data {
			it, err := cm.mention(p.page.ID, postID)
			if err != nil {
				return nil, fmt.Errorf("meta: comments of %s: %w", postID, err)
			}
			if it.m.CreatedAt.Unix() < w.T {
				older = true
				continue
			}
			out = append(out, it)
		}
		if older || cp.Paging.Next == "" || n+1 >= maxPages {
			return out, nil
		}
		next := cp.Paging.Next
		cp = fbCommentPage{}
		c, err = p.g.GetURL(ctx, p.token(), next, &cp)
		um.add(c)
	}
}

// finish keeps what is past the cursor, oldest first, and moves it.
func finish(ctx context.Context, o PollOptions, platform string, items []item, w window, um *usageMax) (poll.Batch, error) {
	slices.SortStableFunc(items, func(a, b item) int {
		return cmp.Or(a.m.CreatedAt.Compare(b.m.CreatedAt), cmp.Compare(a.m.ExternalID, b.m.ExternalID))
	})
	next := window{T: w.T, IDs: slices.Clone(w.IDs)}
	var fresh []item
	seen := map[string]bool{}
	for _, it := range items {
		if seen[it.m.ExternalID] || !w.after(it.m.CreatedAt, it.m.ExternalID) {
			continue
		}
		seen[it.m.ExternalID] = true
		fresh = append(fresh, it)
		next.advance(it.m.CreatedAt, it.m.ExternalID)
	}
	var ms []bot.Mention
	if len(fresh) > 0 {
		threads, err := o.Followed.set(ctx, platform)
		if err != nil {
			return poll.Batch{}, fmt.Errorf("meta: list followed threads: %w", err)
		}
		ms = filter(fresh, threads, o.Hears)
	}
	cur, _ := json.Marshal(next)
	return um.batch(poll.Batch{Mentions: ms, Cursor: string(cur)}), nil
}

// rateLimited turns Graph's throttling errors into the scheduler's.
func rateLimited(err error) error {
	if ge, ok := asGraphError(err); ok && ge.RateLimited() {
		return poll.RateLimited(ge.Usage.Wait(), err)
	}
	return err
}

// IGPoller polls one Instagram account: comments on its recent media, and
// media it is tagged in.
type IGPoller struct {
	g     *Graph
	acct  Account
	token string
	o     PollOptions

	mu   sync.Mutex
	name string // the account's username, asked once
}

var (
	_ poll.Poller     = (*IGPoller)(nil)
	_ poll.Intervaler = (*IGPoller)(nil)
)

// Name is the feed's stable name; Platform its mentions' platform.
func (p *IGPoller) Name() string            { return "meta:instagram:" + p.acct.ID }
func (p *IGPoller) Platform() string        { return Instagram }
func (p *IGPoller) Interval() time.Duration { return p.o.Interval }

// NewIGPoller returns the poller of acct, using its page's token.
func NewIGPoller(g *Graph, acct Account, pageToken string, o PollOptions) *IGPoller {
	o.defaults()
	return &IGPoller{g: g, acct: acct, token: pageToken, o: o}
}

func (p *IGPoller) username(ctx context.Context, um *usageMax) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.name != "" {
		return p.name, nil
	}
	var me struct {
		Username string `json:"username"`
	}
	c, err := p.g.Get(ctx, p.token, p.acct.ID, url.Values{"fields": {"username"}}, &me)
	um.add(c)
	if err != nil {
		return "", rateLimited(err)
	}
	p.name = me.Username
	return p.name, nil
}

// Poll reads what is new after cursor.
func (p *IGPoller) Poll(ctx context.Context, cursor string) (poll.Batch, error) {
	w, err := parseCursor(cursor, p.o.Now(), p.o.Lookback)
	if err != nil {
		return poll.Batch{}, err
	}
	var um usageMax
	ours, err := p.username(ctx, &um)
	if err != nil {
		return poll.Batch{}, err
	}
	var media igMediaPage
	c, err := p.g.Get(ctx, p.token, p.acct.ID+"/media", url.Values{"fields": {igMediaFields}, "limit": {strconv.Itoa(p.o.Posts)}}, &media)
	um.add(c)
	if err != nil {
		return poll.Batch{}, rateLimited(err)
	}
	var items []item
	for _, md := range media.Data {
		if md.CommentsCount == 0 {
			continue
		}
		cs, err := p.comments(ctx, md, ours, &um)
		if err != nil {
			return poll.Batch{}, err
		}
		items = append(items, cs...)
	}
	var tags igMediaPage
	c, err = p.g.Get(ctx, p.token, p.acct.ID+"/tags", url.Values{"fields": {"id,caption,timestamp,username,permalink"}, "limit": {strconv.Itoa(p.o.Posts)}}, &tags)
	um.add(c)
	if err != nil {
		return poll.Batch{}, rateLimited(err)
	}
	for _, md := range tags.Data {
		if md.Caption == "" {
			continue
		}
		m, err := md.mention()
		if err != nil {
			return poll.Batch{}, fmt.Errorf("meta: tags of %s: %w", p.acct.ID, err)
		}
		items = append(items, item{m: m, thread: []string{md.ID}})
	}
	return finish(ctx, p.o, Instagram, items, w, &um)
}

// comments reads a media's comments and their replies. Instagram lists
// them in no promised order, so every page up to maxPages is read and
// the cursor sorts it out.
func (p *IGPoller) comments(ctx context.Context, md igMedia, ours string, um *usageMax) ([]item, error) {
	q := url.Values{"fields": {igCommentFields + ",replies{" + igCommentFields + "}"}, "limit": {"50"}}
	var out []item
	var cp igCommentPage
	c, err := p.g.Get(ctx, p.token, md.ID+"/comments", q, &cp)
	um.add(c)
	for n := 0; ; n++ {
		if err != nil {
			return nil, rateLimited(err)
		}
		for _, top := range cp.Data {
			all := []igComment{top}
			if top.Replies != nil {
				for _, r := range top.Replies.Data {
					r.ParentID = cmp.Or(r.ParentID, top.ID)
					all = append(all, r)
				}
			}
			for _, cm := range all {
				cm.Media.ID, cm.Media.Permalink = md.ID, md.Permalink
				m, err := cm.mention(p.acct.ID, ours)
				if err != nil {
					return nil, fmt.Errorf("meta: comments of media %s: %w", md.ID, err)
				}
				out = append(out, item{m: m, thread: nonEmpty(cm.ParentID, md.ID)})
			}
		}
		if cp.Paging.Next == "" || n+1 >= maxPages {
			return out, nil
		}
		next := cp.Paging.Next
		cp = igCommentPage{}
		c, err = p.g.GetURL(ctx, p.token, next, &cp)
		um.add(c)
	}
}
