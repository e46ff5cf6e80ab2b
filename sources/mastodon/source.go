package mastodon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/errgroup"

	"github.com/earshothq/earshot/bot"
)

// Cursors keeps each feed's position across restarts (*store.DB).
type Cursors interface {
	Cursor(ctx context.Context, source string) (string, error)
	SaveCursor(ctx context.Context, source, cursor string) error
}

// ThreadPoster lists the posts earshot follows on a platform: the posts in
// open cases and our replies (*store.DB).
type ThreadPoster interface {
	ThreadPosts(ctx context.Context, platform string) ([]string, error)
}

// Options configure a Source. Server and Token are required; the zero value
// of the rest is the documented defaults.
type Options struct {
	// Server is the instance, https://host or host.
	Server string
	// Token is a user access token with read:statuses, read:notifications
	// and write:statuses (read:search too for Keywords).
	Token string
	// Hashtags are streamed (or their timelines polled), without the '#'.
	Hashtags []string
	// Keywords are searched for with the search API every PollInterval;
	// most instances only find posts whose authors opted in.
	Keywords []string
	// Public streams the public timeline through the matcher: "local"
	// (this instance), "remote", "all" (everything the instance knows), or
	// "" for none.
	Public string
	// Polling never tries the streaming API.
	Polling bool
	// Hears says whether a post that neither mentions us nor answers a
	// followed thread concerns the brand (bot.Bot.Hears); nil takes all.
	Hears func(bot.Mention) bool
	// Cursors keeps positions across restarts; nil keeps them in memory.
	Cursors Cursors
	// Threads lists the followed posts; nil follows only what this source
	// emitted and the replies it posted.
	Threads ThreadPoster
	// PollInterval is the time between polls when not streaming, and
	// between keyword searches; default 30s.
	PollInterval time.Duration
	// ThreadInterval is how often Threads is asked again; default 1m.
	ThreadInterval time.Duration
	// ContextInterval is how often the threads of open cases are read
	// (statuses/:id/context) for answers that mention no one; default 5m,
	// negative turns it off. At most ContextsPerRound (default 20) are read
	// each time, and none while less than half the request budget is left.
	ContextInterval  time.Duration
	ContextsPerRound int
	// StreamRetry is how long the source polls after giving up on
	// streaming before it tries streaming again; default 10m.
	StreamRetry time.Duration
	// StreamFailures is how many connections in a row may fail before the
	// source falls back to polling; default 3.
	StreamFailures int
	// ReconnectMin and ReconnectMax bound the back-off between stream
	// connections; defaults 1s and 1m.
	ReconnectMin, ReconnectMax time.Duration
	// IdleTimeout drops a stream that sent nothing, not even a heartbeat
	// (Mastodon sends one every few seconds), for that long; default 90s.
	IdleTimeout time.Duration
	// FirstRunAge skips posts older than this on a feed without a cursor
	// (the first start), so the first run does not open cases for last
	// week's posts; default 24h, negative takes everything on the page.
	FirstRunAge time.Duration
	// HTTPClient makes REST calls; StreamClient holds the streams open
	// (it must have no overall timeout).
	HTTPClient   *http.Client
	StreamClient *http.Client
	Logger       *slog.Logger
	Now          func() time.Time
}

// Source watches one Mastodon account and answers from it: a bot.Source,
// bot.Replier and bot.ReplyFinder.
type Source struct {
	o       Options
	c       *Client
	log     *slog.Logger
	name    string
	streams []*stream
	feeds   []*feed // streamable ones, polled when not streaming
	search  []*feed

	// emitted holds the ids this source emitted and the replies it posted:
	// it deduplicates, and answers to them are followed.
	emitted    *lru.Cache[string, struct{}]
	deleted    *lru.Cache[string, struct{}]
	threads    atomic.Pointer[[]string] // sorted
	me         atomic.Pointer[Account]
	mode       atomic.Value // "starting", "streaming", "polling"
	running    atomic.Bool
	streamBase atomic.Pointer[url.URL]

	replyState
}

var (
	_ bot.Source      = (*Source)(nil)
	_ bot.Replier     = (*Source)(nil)
	_ bot.ReplyFinder = (*Source)(nil)
)

// New checks o and builds the source; it makes no network call.
func New(o Options) (*Source, error) {
	if o.PollInterval <= 0 {
		o.PollInterval = 30 * time.Second
	}
	if o.ThreadInterval <= 0 {
		o.ThreadInterval = time.Minute
	}
	if o.ContextInterval == 0 {
		o.ContextInterval = 5 * time.Minute
	}
	if o.ContextsPerRound <= 0 {
		o.ContextsPerRound = 20
	}
	if o.StreamRetry <= 0 {
		o.StreamRetry = 10 * time.Minute
	}
	if o.StreamFailures <= 0 {
		o.StreamFailures = 3
	}
	if o.ReconnectMin <= 0 {
		o.ReconnectMin = time.Second
	}
	if o.ReconnectMax < o.ReconnectMin {
		o.ReconnectMax = max(time.Minute, o.ReconnectMin)
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 90 * time.Second
	}
	if o.FirstRunAge == 0 {
		o.FirstRunAge = 24 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.StreamClient == nil {
		o.StreamClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	switch o.Public {
	case "", "local", "remote", "all":
	default:
		return nil, fmt.Errorf("mastodon: public timeline %q is not local, remote or all", clip(o.Public))
	}
	c, err := NewClient(o.Server, o.Token, ClientOptions{HTTPClient: o.HTTPClient, Now: o.Now, Logger: o.Logger})
	if err != nil {
		return nil, err
	}
	if o.Cursors == nil {
		o.Cursors = &memCursors{m: map[string]string{}}
	}
	emitted, _ := lru.New[string, struct{}](100_000)
	deleted, _ := lru.New[string, struct{}](10_000)
	s := &Source{o: o, c: c, log: o.Logger.With("source", "mastodon"), name: "mastodon", emitted: emitted, deleted: deleted}
	s.mode.Store("starting")
	s.replyState.init()
	if err := s.plan(); err != nil {
		return nil, err
	}
	return s, nil
}

// plan lays out the feeds and the streams that carry them.
func (s *Source) plan() error {
	prefix := "mastodon@" + s.c.Host() + ":"
	nf := &feed{key: prefix + "notifications", kind: kindNotifications, path: "/api/v1/notifications",
		query: url.Values{"types[]": {"mention"}}}
	home := &feed{key: prefix + "home", kind: kindTimeline, path: "/api/v1/timelines/home"}
	s.feeds = append(s.feeds, nf, home)
	s.streams = append(s.streams, &stream{name: "user", path: "/api/v1/streaming/user",
		feeds: map[string]*feed{"notification": nf, "update": home}})
	seen := map[string]bool{}
	for _, raw := range s.o.Hashtags {
		tag, err := CleanTag(raw)
		if err != nil {
			return err
		}
		if tag == "" || seen[strings.ToLower(tag)] {
			continue
		}
		seen[strings.ToLower(tag)] = true
		f := &feed{key: prefix + "tag:" + strings.ToLower(tag), kind: kindTimeline, path: "/api/v1/timelines/tag/" + url.PathEscape(tag)}
		s.feeds = append(s.feeds, f)
		s.streams = append(s.streams, &stream{name: "hashtag:" + tag, path: "/api/v1/streaming/hashtag",
			query: url.Values{"tag": {tag}}, feeds: map[string]*feed{"update": f}})
	}
	if p := s.o.Public; p != "" {
		f := &feed{key: prefix + "public:" + p, kind: kindTimeline, path: "/api/v1/timelines/public", public: true}
		st := &stream{name: "public:" + p, path: "/api/v1/streaming/public", feeds: map[string]*feed{"update": f}, public: true}
		switch p {
		case "local":
			f.query, st.path = url.Values{"local": {"true"}}, st.path+"/local"
		case "remote":
			f.query, st.path = url.Values{"remote": {"true"}}, st.path+"/remote"
		}
		s.feeds = append(s.feeds, f)
		s.streams = append(s.streams, st)
	}
	for _, k := range s.o.Keywords {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		s.search = append(s.search, &feed{key: prefix + "search:" + strings.ToLower(k), kind: kindSearch, path: "/api/v2/search",
			query: url.Values{"q": {k}, "type": {"statuses"}}})
	}
	return nil
}

// CleanTag checks a configured hashtag and drops its '#'. Mastodon's tags
// are letters, digits, '_' and the middle dot, in any script.
func CleanTag(raw string) (string, error) {
	tag := strings.TrimPrefix(strings.TrimSpace(raw), "#")
	if tag == "" {
		return "", nil
	}
	for _, r := range tag {
		if !(r == '_' || r == '·' || r == '\u200c' || isLetterOrDigit(r)) {
			return "", fmt.Errorf("mastodon hashtag %q: %q is not allowed in a hashtag (letters, digits and _)", clip(raw), r)
		}
	}
	if len(tag) > 200 {
		return "", fmt.Errorf("mastodon hashtag %q is longer than 200 bytes", clip(raw))
	}
	return tag, nil
}

// Name identifies the source in logs and status.
func (s *Source) Name() string { return s.name }

// Platform is the platform this source answers on.
func (s *Source) Platform() string { return Platform }

// Mode is "starting", "streaming" or "polling".
func (s *Source) Mode() string { return s.mode.Load().(string) }

// Client is the REST client (tests read its request count).
func (s *Source) Client() *Client { return s.c }

// Run watches until ctx ends, then saves the cursors and returns ctx.Err().
// It fails only when the token is refused at start.
func (s *Source) Run(ctx context.Context, emit bot.Emit) error {
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("mastodon: already running")
	}
	defer s.running.Store(false)
	if err := s.start(ctx); err != nil {
		return err
	}
	defer func() {
		// Positions moved by posts the rules skipped are worth keeping.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		s.flushCursors(fctx)
	}()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { s.every(gctx, s.o.ThreadInterval, s.refreshThreads); return nil })
	g.Go(func() error { s.every(gctx, 30*time.Second, s.flushCursors); return nil })
	if s.o.ContextInterval > 0 {
		g.Go(func() error {
			s.every(gctx, s.o.ContextInterval, func(ctx context.Context) { s.readThreads(ctx, emit) })
			return nil
		})
	}
	if len(s.search) > 0 {
		g.Go(func() error {
			s.every(gctx, s.o.PollInterval, func(ctx context.Context) { s.pollAll(ctx, s.search, emit) })
			return nil
		})
	}
	g.Go(func() error { s.watch(gctx, emit); return nil })
	_ = g.Wait()
	return ctx.Err()
}

// Exclusive makes the source run on one replica at a time (bot.Exclusive):
// with several, each would read the account's streams and spend its
// request budget for posts another replica already stored.
func (s *Source) Exclusive() bool { return true }

var _ bot.ExclusiveSource = (*Source)(nil)

// start learns who we are, where the streams are, the cursors and the
// threads. A refused token ends the source; anything else is retried.
func (s *Source) start(ctx context.Context) error {
	back := s.o.ReconnectMin
	for {
		me, err := s.c.VerifyCredentials(ctx)
		if err == nil {
			s.me.Store(&me)
			s.log.Info("mastodon: signed in", "acct", me.Acct, "host", s.c.Host())
			break
		}
		var he *HTTPError
		if errors.As(err, &he) && (he.Status == http.StatusUnauthorized || he.Status == http.StatusForbidden) {
			return fmt.Errorf("mastodon: %s refused the token (%d); check EARSHOT_MASTODON_TOKEN and its scopes", s.c.Host(), he.Status)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.log.Warn("mastodon: cannot reach the instance; retrying", "err", err, "in", back)
		if err := sleep(ctx, jitter(back)); err != nil {
			return err
		}
		back = min(2*back, s.o.ReconnectMax)
	}
	base := streamURL(s.c.base, "")
	if in, err := s.instance(ctx); err == nil {
		base = streamURL(s.c.base, in.Configuration.URLs.Streaming)
	} else {
		s.log.Warn("mastodon: instance details unavailable; streaming from the API host", "err", err)
	}
	s.streamBase.Store(base)
	for _, f := range slices.Concat(s.feeds, s.search) {
		c, err := s.o.Cursors.Cursor(ctx, f.key)
		if err != nil {
			return fmt.Errorf("mastodon: read cursor %s: %w", f.key, err)
		}
		f.cursor, f.saved = c, c
	}
	s.refreshThreads(ctx)
	return nil
}

// watch streams while it can and polls while it cannot, trying streaming
// again every StreamRetry.
func (s *Source) watch(ctx context.Context, emit bot.Emit) {
	for ctx.Err() == nil {
		if !s.o.Polling {
			s.mode.Store("streaming")
			err := s.runStreams(ctx, emit)
			if ctx.Err() != nil {
				return
			}
			s.log.Warn("mastodon: streaming unavailable; polling", "err", err, "retry_in", s.o.StreamRetry)
		}
		s.mode.Store("polling")
		pctx, cancel := context.WithCancel(ctx)
		if !s.o.Polling {
			pctx, cancel = context.WithTimeout(ctx, s.o.StreamRetry)
		}
		s.pollAll(pctx, s.feeds, emit)
		s.every(pctx, s.o.PollInterval, func(ctx context.Context) { s.pollAll(ctx, s.feeds, emit) })
		cancel()
	}
}

// runStreams holds every stream open until ctx ends or one of them says
// streaming does not work here.
func (s *Source) runStreams(ctx context.Context, emit bot.Emit) error {
	g, gctx := errgroup.WithContext(ctx)
	for _, st := range s.streams {
		g.Go(func() error { return s.runStream(gctx, st, emit) })
	}
	return g.Wait()
}

// every runs fn every d until ctx ends (not at once).
func (s *Source) every(ctx context.Context, d time.Duration, fn func(context.Context)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn(ctx)
		}
	}
}

// refreshThreads asks the store which posts are followed.
func (s *Source) refreshThreads(ctx context.Context) {
	if s.o.Threads == nil {
		return
	}
	ids, err := s.o.Threads.ThreadPosts(ctx, Platform)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("mastodon: followed threads not refreshed", "err", err)
		}
		return
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	s.threads.Store(&ids)
}

// tracked reports whether an answer to id is a follow-up earshot wants.
func (s *Source) tracked(id string) bool {
	if id == "" {
		return false
	}
	if s.emitted.Contains(id) {
		return true
	}
	if t := s.threads.Load(); t != nil {
		_, ok := slices.BinarySearch(*t, id)
		return ok
	}
	return false
}

// consider decides whether an item becomes a mention: it mentions us, it
// answers a followed post, it is ours answering one, or the matcher hears it.
func (s *Source) consider(it item, firstRun bool) (bot.Mention, bool) {
	st := it.status
	if st.ID == "" || st.Reblog != nil || s.emitted.Contains(st.ID) {
		return bot.Mention{}, false
	}
	if firstRun && s.o.FirstRunAge > 0 && st.CreatedAt.Before(s.o.Now().Add(-s.o.FirstRunAge)) {
		return bot.Mention{}, false
	}
	m := st.Mention()
	me := s.me.Load()
	switch {
	case me != nil && st.Account.ID == me.ID:
		// Ours: the rules' brand handles mark it too; it only ever
		// extends a case, so only answers in followed threads matter.
		m.Ours, m.Author.Handle = true, me.Acct
		return m, it.followUp || s.tracked(m.InReplyTo)
	case it.mentionsUs || mentionsMe(st, me):
		return m, true
	case it.followUp || s.tracked(m.InReplyTo):
		return m, true
	case s.o.Hears == nil:
		return m, true
	}
	return m, s.o.Hears(m)
}

func mentionsMe(st Status, me *Account) bool {
	if me == nil {
		return false
	}
	for _, m := range st.Mentions {
		if m.ID == me.ID {
			return true
		}
	}
	return false
}

// deliver emits ms and remembers them. Streams run side by side and may
// carry the same post (home and a hashtag) or deletion (every stream):
// each id is claimed before the emit, so only one of them sends it, and
// released if the emit fails, so the retry does.
func (s *Source) deliver(ctx context.Context, emit bot.Emit, ms []bot.Mention) error {
	claimed := ms[:0:0]
	for _, m := range ms {
		set := s.emitted
		if m.Deleted {
			set = s.deleted
		}
		if found, _ := set.ContainsOrAdd(m.ExternalID, struct{}{}); !found {
			claimed = append(claimed, m)
		}
	}
	if len(claimed) == 0 {
		return nil
	}
	if err := emit(ctx, claimed); err != nil {
		for _, m := range claimed {
			if m.Deleted {
				s.deleted.Remove(m.ExternalID)
			} else {
				s.emitted.Remove(m.ExternalID)
			}
		}
		return err
	}
	return nil
}

// tombstone is the mention a deletion becomes, or false when it is not
// worth one: already sent, or from the public timeline about a post this
// source never saw (the pipeline ignores unknown ids, but the public
// timeline deletes thousands).
func (s *Source) tombstone(id string, public bool) (bot.Mention, bool) {
	if checkID("deleted id", id) != nil || s.deleted.Contains(id) {
		return bot.Mention{}, false
	}
	if public && !s.tracked(id) {
		return bot.Mention{}, false
	}
	return bot.Mention{Platform: Platform, ExternalID: id, Deleted: true}, true
}

func jitter(d time.Duration) time.Duration {
	// ±20%, from the clock: good enough to spread reconnects.
	n := time.Now().UnixNano()
	return d - d/5 + time.Duration(n%int64(max(1, 2*d/5)))
}

type memCursors struct {
	mu sync.Mutex
	m  map[string]string
}

func (c *memCursors) Cursor(_ context.Context, k string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k], nil
}

func (c *memCursors) SaveCursor(_ context.Context, k, v string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[k] = v
	return nil
}
