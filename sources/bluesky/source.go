package bluesky

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/klauspost/compress/zstd"

	"github.com/earshothq/earshot/bot"
)

// Platform is the mentions' platform name.
const Platform = "bluesky"

// DefaultJetstreamURLs are the public Jetstream hosts, tried in turn.
var DefaultJetstreamURLs = []string{
	"wss://jetstream1.us-east.bsky.network/subscribe",
	"wss://jetstream2.us-east.bsky.network/subscribe",
	"wss://jetstream1.us-west.bsky.network/subscribe",
	"wss://jetstream2.us-west.bsky.network/subscribe",
}

// Cursors keeps the source's position across restarts (*store.DB).
type Cursors interface {
	Cursor(ctx context.Context, source string) (string, error)
	SaveCursor(ctx context.Context, source, cursor string) error
}

// ThreadLister lists the posts whose follow-ups matter: posts in open cases
// and our replies, as external ids (*store.DB).
type ThreadLister interface {
	ThreadPosts(ctx context.Context, platform string) ([]string, error)
}

// Options configure a Source. Only Hears is needed to hear anything; the
// rest have defaults.
type Options struct {
	// JetstreamURLs are the hosts to subscribe to, in order of preference;
	// default DefaultJetstreamURLs.
	JetstreamURLs []string
	// AppViewURL serves profiles and handle resolution; default DefaultAppViewURL.
	AppViewURL string
	// Handle is the brand's account: posts mentioning it (a facet with its
	// DID) are always caught, and its own posts are emitted with this handle.
	Handle string
	// DID is Handle's DID when known; otherwise it is resolved at start.
	DID string
	// Hears says whether a post concerns the brand (bot.Bot.Hears). Follow-ups
	// in tracked threads, posts mentioning our account, our own posts and
	// deletions of tracked posts skip it. Nil hears nothing else.
	Hears func(bot.Mention) bool
	// Cursors saves the position; nil starts from the live tail every time.
	Cursors Cursors
	// ThreadLister reloads the tracked threads at start and every ThreadsEvery.
	ThreadLister ThreadLister
	// Threads is the tracked set, shared with the Replier; default a new one.
	Threads *Threads
	// ZstdDictionary turns on Jetstream's compression: Jetstream compresses
	// each message with zstd and a published dictionary, which must be this one.
	ZstdDictionary []byte
	HTTPClient     *http.Client
	Logger         *slog.Logger
	Now            func() time.Time

	// Rewind is how far before the last handled event a reconnect resumes,
	// so an event in flight is never missed; default 5s.
	Rewind time.Duration
	// SaveEvery is how often the cursor is saved; default 1s.
	SaveEvery time.Duration
	// ThreadsEvery is how often ThreadLister is asked again; default 1m.
	ThreadsEvery time.Duration
	// MinBackoff and MaxBackoff bound the wait between failed connections;
	// defaults 1s and 2m.
	MinBackoff, MaxBackoff time.Duration
	// PingEvery is how often the connection is checked; default 30s.
	PingEvery time.Duration
	// BatchSize caps the mentions emitted at once; default 100.
	BatchSize int
	// MaxDelay is the longest a heard post waits for others to share its
	// batch while the stream is busy; default 10ms.
	MaxDelay time.Duration
	// ProfileCache and ProfileTTL size the authors' profile cache; defaults
	// 10,000 and 1h.
	ProfileCache int
	ProfileTTL   time.Duration
}

// Source watches Bluesky through Jetstream. It implements bot.Source.
type Source struct {
	opts     Options
	log      *slog.Logger
	x        *xrpc
	profiles *profiles
	threads  *Threads
	zstd     *zstd.Decoder
	// emitted remembers what was handed to the pipeline lately, so the
	// events a reconnect replays are dropped, not emitted again.
	emitted *lru.Cache[string, struct{}]
	self    selfID
}

var _ bot.Source = (*Source)(nil)

// New checks opts and builds a Source; it makes no network call.
func New(opts Options) (*Source, error) {
	if len(opts.JetstreamURLs) == 0 {
		opts.JetstreamURLs = DefaultJetstreamURLs
	}
	for i, u := range opts.JetstreamURLs {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "ws" && p.Scheme != "wss" && p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return nil, fmt.Errorf("bluesky: jetstream URL %d %q is not a ws:// or wss:// URL", i+1, u)
		}
	}
	if opts.AppViewURL == "" {
		opts.AppViewURL = DefaultAppViewURL
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	setDefault(&opts.Rewind, 5*time.Second)
	setDefault(&opts.SaveEvery, time.Second)
	setDefault(&opts.ThreadsEvery, time.Minute)
	setDefault(&opts.MinBackoff, time.Second)
	setDefault(&opts.MaxBackoff, 2*time.Minute)
	setDefault(&opts.PingEvery, 30*time.Second)
	setDefault(&opts.MaxDelay, 10*time.Millisecond)
	setDefault(&opts.ProfileTTL, time.Hour)
	if opts.BatchSize <= 0 {
		opts.BatchSize = 100
	}
	if opts.ProfileCache <= 0 {
		opts.ProfileCache = 10_000
	}
	if opts.Threads == nil {
		opts.Threads = NewThreads(0)
	}
	opts.Handle = strings.TrimPrefix(strings.TrimSpace(opts.Handle), "@")
	x := &xrpc{client: opts.HTTPClient, appview: opts.AppViewURL, now: opts.Now}
	s := &Source{opts: opts, log: log.With("source", "bluesky"), x: x, threads: opts.Threads,
		profiles: newProfiles(x, opts.ProfileCache, opts.ProfileTTL)}
	s.emitted, _ = lru.New[string, struct{}](50_000)
	s.self.set(opts.DID)
	if len(opts.ZstdDictionary) > 0 {
		d, err := zstd.NewReader(nil, zstd.WithDecoderDicts(opts.ZstdDictionary), zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, fmt.Errorf("bluesky: zstd dictionary: %w", err)
		}
		s.zstd = d
	}
	return s, nil
}

func setDefault(d *time.Duration, v time.Duration) {
	if *d <= 0 {
		*d = v
	}
}

// Name identifies the source in logs and its saved cursor.
func (s *Source) Name() string { return "bluesky" }

// Threads is the tracked set, to share with a Replier.
func (s *Source) Threads() *Threads { return s.threads }

// Run streams until ctx ends, failing over between the Jetstream hosts and
// backing off while none answers. It returns nil when ctx ends, after
// emitting what it holds and saving its cursor.
func (s *Source) Run(ctx context.Context, emit bot.Emit) error {
	st := &stream{src: s, emit: emit}
	st.setDone(s.loadCursor(ctx))
	st.saved = st.done
	if st.done == 0 {
		// A first start begins now, and says so at once: a crash before the
		// first periodic save then resumes from here, not from the live
		// tail, which would skip what was posted while it was down.
		st.setDone(s.opts.Now().UnixMicro())
		st.saveCursor(ctx)
	}
	saveCtx, stopSaving := context.WithCancel(ctx)
	saving := make(chan struct{})
	go func() { defer close(saving); st.saveLoop(saveCtx) }()
	if s.opts.ThreadLister != nil {
		s.reloadThreads(ctx)
		go s.refreshThreads(ctx)
	}
	if s.self.get() == "" && s.opts.Handle != "" {
		// Known before the first event if the AppView answers; otherwise
		// learnt in the background while the stream runs.
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		did, err := resolveHandle(rctx, s.x, s.opts.AppViewURL, s.opts.Handle)
		cancel()
		if err == nil {
			s.self.set(did)
			s.log.Info("watching for mentions of our account", "handle", s.opts.Handle, "did", did)
		} else {
			go s.resolveSelf(ctx)
		}
	}
	defer func() {
		stopSaving()
		<-saving
		st.finish(ctx)
	}()

	hosts := s.opts.JetstreamURLs
	host, failures := 0, 0
	for {
		began := time.Now()
		delivered, err := st.connect(ctx, hosts[host])
		if ctx.Err() != nil {
			return nil
		}
		// A connection that delivered for a while is worth resuming on the
		// same host at once; one that failed, or flapped, sends us to the
		// next host after a growing pause.
		healthy := delivered && time.Since(began) >= healthyAfter
		if errors.Is(err, errEmit) {
			// The store refused: reconnecting resumes from the cursor, which
			// never passed what was not stored.
			s.log.Error("mentions not stored; resuming from the cursor", "error", err)
			healthy = false
		} else {
			s.log.Warn("jetstream connection ended", "host", hostOf(hosts[host]), "error", err)
		}
		wait := time.Duration(0)
		if healthy {
			failures = 0
		} else {
			failures++
			host = (host + 1) % len(hosts)
			wait = backoff(failures, s.opts.MinBackoff, s.opts.MaxBackoff)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// healthyAfter is how long a connection must have delivered to count as
// healthy: a host that accepts and drops at once is failed over.
const healthyAfter = 10 * time.Second

// backoff doubles from lo per failure up to hi, with up to a quarter of
// jitter so many replicas do not knock together.
func backoff(failures int, lo, hi time.Duration) time.Duration {
	d := lo
	for i := 1; i < failures && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	return d - time.Duration(float64(d)/4*jitter())
}

func hostOf(u string) string {
	if p, err := url.Parse(u); err == nil {
		return p.Host
	}
	return u
}

func (s *Source) loadCursor(ctx context.Context) int64 {
	if s.opts.Cursors == nil {
		return 0
	}
	c, err := s.opts.Cursors.Cursor(ctx, s.Name())
	if err != nil {
		s.log.Error("cursor not read; starting from the live stream", "error", err)
		return 0
	}
	if c == "" {
		return 0
	}
	n, err := strconv.ParseInt(c, 10, 64)
	if err != nil || n <= 0 {
		s.log.Error("saved cursor is not a time in microseconds; starting from the live stream", "cursor", clip(c, 40))
		return 0
	}
	return n
}

func (s *Source) reloadThreads(ctx context.Context) {
	if err := s.threads.Refresh(ctx, s.opts.ThreadLister, Platform); err != nil && ctx.Err() == nil {
		s.log.Warn("tracked threads not reloaded", "error", err)
	}
}

func (s *Source) refreshThreads(ctx context.Context) {
	t := time.NewTicker(s.opts.ThreadsEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.reloadThreads(ctx)
		}
	}
}

// resolveSelf learns our DID from the handle, retrying with back-off: until
// then mentions of us are caught only if the rules hear them.
func (s *Source) resolveSelf(ctx context.Context) {
	for i := 1; ; i++ {
		did, err := resolveHandle(ctx, s.x, s.opts.AppViewURL, s.opts.Handle)
		if err == nil {
			s.self.set(did)
			s.log.Info("watching for mentions of our account", "handle", s.opts.Handle, "did", did)
			return
		}
		if ctx.Err() != nil {
			return
		}
		s.log.Warn("our handle not resolved", "handle", s.opts.Handle, "error", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff(i, s.opts.MinBackoff, s.opts.MaxBackoff)):
		}
	}
}

// resolveHandle asks for handle's DID.
func resolveHandle(ctx context.Context, x *xrpc, base, handle string) (string, error) {
	var resp struct {
		Did string `json:"did"`
	}
	if err := x.get(ctx, base, "com.atproto.identity.resolveHandle", url.Values{"handle": {handle}}, "", &resp); err != nil {
		return "", err
	}
	if !strings.HasPrefix(resp.Did, "did:") {
		return "", fmt.Errorf("resolve %s: answer %q is not a DID", handle, clip(resp.Did, 60))
	}
	return resp.Did, nil
}

// Exclusive makes the source run on one replica at a time (bot.Exclusive):
// with several, each would read the whole network and store the same posts.
func (s *Source) Exclusive() bool { return true }

var _ bot.ExclusiveSource = (*Source)(nil)

// Hosts are the Jetstream hosts tried, in order.
func (s *Source) Hosts() []string { return s.opts.JetstreamURLs }
