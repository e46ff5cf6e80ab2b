package x

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/earshothq/earshot/bot"
)

// StreamOptions configure the filtered-stream Source. Client (with the
// app's bearer token) is required.
type StreamOptions struct {
	Client  *Client
	Queries []string
	Account Account
	// BackfillMinutes (1–5) asks X on each reconnection for the posts of
	// the minutes the connection was down; only some access levels have
	// it, and a refusal turns it off. 0 never asks.
	BackfillMinutes int
	Usage           *Usage
	Health          *Health
	Tracker         *Tracker
	Threads         ThreadPoster
	Hears           func(bot.Mention) bool
	// ThreadInterval is how often Threads is read; default 1m.
	ThreadInterval time.Duration
	// Stall drops a connection that sent nothing, not even the keep-alive
	// X sends every 20 s, for this long; default 30s.
	Stall time.Duration
	// Back-off as X documents it: network errors linearly by NetStep up
	// to NetMax (250ms, 16s); HTTP errors exponentially from HTTPMin to
	// HTTPMax (5s, 320s); 429 exponentially from RateMin (1m, up to 16m).
	NetStep, NetMax, HTTPMin, HTTPMax, RateMin time.Duration
	// Unavailable is how long to wait before trying again when the access
	// level has no filtered stream (search fills in); default 1h.
	Unavailable time.Duration
	Logger      *slog.Logger
	Now         func() time.Time
}

// Stream is the filtered stream as a bot.Source. It keeps earshot's rules
// in step with the queries, reconnects as X asks, and reports its health
// for the search fallback.
type Stream struct {
	o       StreamOptions
	log     *slog.Logger
	f       filter
	seen    *lru.Cache[string, struct{}]
	running atomic.Bool
	// backfill is cleared when X refuses backfill_minutes.
	backfill atomic.Int32
	conns    atomic.Int64
}

var (
	_ bot.Source          = (*Stream)(nil)
	_ bot.ExclusiveSource = (*Stream)(nil)
)

// NewStream checks o and builds the source; no network call.
func NewStream(o StreamOptions) (*Stream, error) {
	if o.Client == nil {
		return nil, errors.New("x stream: no client")
	}
	if o.BackfillMinutes < 0 || o.BackfillMinutes > 5 {
		return nil, fmt.Errorf("x stream: backfill of %d minutes is not between 0 and 5", o.BackfillMinutes)
	}
	for _, q := range o.Queries {
		if len([]rune(q)) > maxRuleLength {
			return nil, fmt.Errorf("x stream: rule %q is longer than %d characters", clip(q), maxRuleLength)
		}
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.ThreadInterval, time.Minute)
	def(&o.Stall, 30*time.Second)
	def(&o.NetStep, 250*time.Millisecond)
	def(&o.NetMax, 16*time.Second)
	def(&o.HTTPMin, 5*time.Second)
	def(&o.HTTPMax, 320*time.Second)
	def(&o.RateMin, time.Minute)
	def(&o.Unavailable, time.Hour)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Usage == nil {
		o.Usage = NewUsage(UsageOptions{Now: o.Now})
	}
	if o.Health == nil {
		o.Health = NewHealth()
	}
	if o.Tracker == nil {
		o.Tracker = NewTracker()
	}
	seen, _ := lru.New[string, struct{}](100_000)
	s := &Stream{o: o, log: o.Logger.With("source", "x"), seen: seen,
		f: filter{us: o.Account, tracker: o.Tracker, hears: o.Hears}}
	s.backfill.Store(int32(o.BackfillMinutes))
	return s, nil
}

// Name identifies the source (and its lease).
func (s *Stream) Name() string { return "x:stream" }

// Exclusive: X allows one stream connection per app; a second replica's
// would close the first's.
func (s *Stream) Exclusive() bool { return true }

// Status is one line for the status page: the stream's state and the
// month's usage.
func (s *Stream) Status() string {
	up, since, reason := s.o.Health.State()
	st := "x stream: connected since " + since.UTC().Format(time.RFC3339)
	if !up {
		st = "x stream: down (" + reason + ")"
	}
	return st + "; " + s.o.Usage.Status()
}

// Usage is the meter the stream counts its reads on.
func (s *Stream) Usage() *Usage { return s.o.Usage }

// Connections is how many times the stream connected (tests).
func (s *Stream) Connections() int64 { return s.conns.Load() }

// Run keeps the stream until ctx ends.
func (s *Stream) Run(ctx context.Context, emit bot.Emit) error {
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("x stream: already running")
	}
	defer s.running.Store(false)
	defer s.o.Health.Down(s.o.Now(), "stopped")
	if err := s.o.Usage.Load(ctx); err != nil && ctx.Err() == nil {
		s.log.Warn("x: usage counts not read; counting from zero", "err", err)
	}
	defer func() {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := s.o.Usage.Flush(fctx); err != nil {
			s.log.Warn("x: usage counts not saved", "err", err)
		}
	}()
	refreshTracker(ctx, s.o.Tracker, 0, s.o.Threads, s.log)
	go s.every(ctx, s.o.ThreadInterval, func(ctx context.Context) { refreshTracker(ctx, s.o.Tracker, 0, s.o.Threads, s.log) })
	go s.every(ctx, 15*time.Second, func(ctx context.Context) {
		if err := s.o.Usage.Flush(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("x: usage counts not saved", "err", err)
		}
	})
	synced := false
	var netWait, httpWait, rateWait time.Duration
	reconnect := false
	for ctx.Err() == nil {
		if ok, until := s.o.Usage.ReadAllowed(); !ok {
			s.o.Health.Down(s.o.Now(), "monthly read cap reached (EARSHOT_X_MONTHLY_READ_CAP)")
			s.log.Error("x: monthly read cap reached; the stream stays closed until the month turns", "until", until)
			if err := sleep(ctx, until.Sub(s.o.Now())); err != nil {
				return err
			}
			continue
		}
		if !synced {
			added, deleted, err := s.o.Client.SyncRules(ctx, WantedRules(s.o.Queries, s.o.Account.Handle))
			if err == nil {
				synced = true
				s.log.Info("x: stream rules in step", "added", added, "deleted", deleted)
			}
			if err != nil && s.unavailable(ctx, err) {
				continue
			}
			if err != nil {
				var ae *APIError
				if errors.As(err, &ae) && ae.Status < 500 && ae.Status != http.StatusTooManyRequests {
					// Bad rules or a refused token: the search fallback
					// may still work; try again much later.
					s.o.Health.Down(s.o.Now(), "stream rules refused")
					s.log.Error("x: stream rules refused; the stream stays off for a while", "err", err, "retry_in", s.o.Unavailable)
					if err := sleep(ctx, s.o.Unavailable); err != nil {
						return err
					}
					continue
				}
				s.o.Health.Down(s.o.Now(), "stream rules not synced")
				httpWait = s.grow(httpWait, s.o.HTTPMin, s.o.HTTPMax)
				s.log.Warn("x: stream rules not synced; retrying", "err", err, "in", httpWait)
				if err := sleep(ctx, httpWait); err != nil {
					return err
				}
				continue
			}
		}
		got, err := s.connect(ctx, emit, reconnect)
		reconnect = true
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.o.Health.Down(s.o.Now(), fmt.Sprintf("disconnected: %v", err))
		var ae *APIError
		var wait time.Duration
		switch {
		case errors.Is(err, errCapped):
			continue // the loop's check waits for the month to turn
		case errors.Is(err, errBackfillRefused):
			s.log.Warn("x: backfill_minutes refused (not in this access level); reconnecting without it", "err", err)
			continue
		case errors.As(err, &ae) && ae.Status == http.StatusTooManyRequests:
			rateWait = s.grow(rateWait, s.o.RateMin, 16*s.o.RateMin)
			wait = max(rateWait, time.Until(ae.Reset))
			netWait, httpWait = 0, 0
		case s.unavailable(ctx, err):
			continue
		case errors.As(err, &ae):
			httpWait = s.grow(httpWait, s.o.HTTPMin, s.o.HTTPMax)
			wait, netWait, rateWait = httpWait, 0, 0
		default:
			if got {
				// It streamed, then dropped: start the back-off over.
				netWait, httpWait, rateWait = 0, 0, 0
			}
			netWait = min(netWait+s.o.NetStep, s.o.NetMax)
			wait = netWait
		}
		s.log.Info("x: stream disconnected; reconnecting", "err", err, "in", wait)
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// unavailable handles an access level without the filtered stream: the
// search poller takes over (Health down), and the stream is tried again
// after Unavailable.
func (s *Stream) unavailable(ctx context.Context, err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) || !ae.NotEnrolled() {
		return false
	}
	s.o.Health.Down(s.o.Now(), "this app's access level has no filtered stream; searching instead")
	s.log.Warn("x: the filtered stream is not in this app's access level; recent search fills in", "err", err, "retry_in", s.o.Unavailable)
	_ = sleep(ctx, s.o.Unavailable)
	return true
}

// grow doubles d within [lo, hi].
func (s *Stream) grow(d, lo, hi time.Duration) time.Duration {
	if d < lo {
		return lo
	}
	return min(2*d, hi)
}

var errBackfillRefused = errors.New("backfill_minutes refused")

// connect holds one connection until it ends; got says whether any post or
// keep-alive arrived.
func (s *Stream) connect(ctx context.Context, emit bot.Emit, reconnect bool) (got bool, err error) {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	q := fields(nil)
	bf := int(s.backfill.Load())
	if reconnect && bf > 0 {
		q.Set("backfill_minutes", strconv.Itoa(bf))
	}
	req, err := s.o.Client.request(cctx, http.MethodGet, "/2/tweets/search/stream", q, nil)
	if err != nil {
		return false, err
	}
	res, _, err := s.o.Client.send(req)
	if err != nil {
		var ae *APIError
		if bf > 0 && q.Has("backfill_minutes") && errors.As(err, &ae) && (ae.Status == 400 || ae.Status == 403) &&
			strings.Contains(ae.text(), "backfill") {
			s.backfill.Store(0)
			return false, fmt.Errorf("%w: %w", errBackfillRefused, err)
		}
		return false, err
	}
	defer res.Body.Close()
	s.conns.Add(1)
	s.log.Info("x: stream connected", "backfill_minutes", q.Get("backfill_minutes"))
	idle := &idleReader{r: res.Body, d: s.o.Stall, t: time.AfterFunc(s.o.Stall, cancel)}
	defer idle.t.Stop()
	br := bufio.NewReaderSize(idle, 64<<10)
	for {
		line, err := readLine(br)
		if idle.n.Load() > 0 {
			got = true
			s.o.Health.Up(s.o.Now())
		}
		if err != nil {
			if ctx.Err() == nil && cctx.Err() != nil {
				return got, fmt.Errorf("x stream: stalled: nothing for %s", s.o.Stall)
			}
			if errors.Is(err, io.EOF) {
				return got, errors.New("x stream: closed by X")
			}
			return got, fmt.Errorf("x stream: %w", redact(err))
		}
		msg, err := Decode(line)
		if errors.Is(err, ErrEmpty) {
			continue
		}
		if err != nil {
			s.log.Warn("x: bad stream message skipped", "err", err)
			continue
		}
		if err := s.handle(ctx, msg, emit); err != nil {
			// The emit failed: drop the connection; the reconnection's
			// backfill (or the search fallback) reads the gap.
			return got, err
		}
	}
}

// maxLine drops a connection sending a line beyond reason.
const maxLine = 4 << 20

func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, isPrefix, err := br.ReadLine()
		if err != nil {
			return nil, err
		}
		buf = append(buf, chunk...)
		if len(buf) > maxLine {
			return nil, fmt.Errorf("a stream line is longer than %d bytes", maxLine)
		}
		if !isPrefix {
			return buf, nil
		}
	}
}

// handle emits a stream message's post when earshot wants it.
func (s *Stream) handle(ctx context.Context, msg StreamMessage, emit bot.Emit) error {
	for _, p := range msg.Errors {
		if len(msg.Data) == 0 && (p.DisconnectType != "" || strings.Contains(p.Type, "disconnect")) {
			return fmt.Errorf("x stream: X disconnected: %s", p)
		}
		s.log.Warn("x: stream error", "problem", p.String())
	}
	if len(msg.Data) == 0 {
		return nil
	}
	s.o.Usage.AddReads(len(msg.Data))
	always := false
	for _, r := range msg.MatchingRules {
		if r.Tag == TagReplies {
			always = true
		}
	}
	var ms []bot.Mention
	for _, p := range msg.Data {
		if s.seen.Contains(p.ID) {
			continue // a backfill repeats what the last connection sent
		}
		if m, ok := s.f.consider(p, msg.Includes, always); ok {
			ms = append(ms, m)
		}
	}
	if len(ms) == 0 {
		return s.capped()
	}
	if err := emit(ctx, ms); err != nil {
		return fmt.Errorf("x stream: store: %w", err)
	}
	for _, m := range ms {
		s.seen.Add(m.ExternalID, struct{}{})
		s.o.Tracker.Add(m.ExternalID)
	}
	return s.capped()
}

// errCapped closes the stream when the month's read cap is reached.
var errCapped = errors.New("x stream: monthly read cap reached")

func (s *Stream) capped() error {
	if ok, _ := s.o.Usage.ReadAllowed(); !ok {
		return errCapped
	}
	return nil
}

func (s *Stream) every(ctx context.Context, d time.Duration, fn func(context.Context)) {
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

// idleReader cancels the connection when nothing arrives for d.
type idleReader struct {
	r io.Reader
	d time.Duration
	t *time.Timer
	n atomic.Int64
}

func (i *idleReader) Read(p []byte) (int, error) {
	n, err := i.r.Read(p)
	if n > 0 {
		i.t.Reset(i.d)
		i.n.Add(int64(n))
	}
	return n, err
}
