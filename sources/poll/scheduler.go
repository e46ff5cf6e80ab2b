package poll

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/earshothq/earshot/bot"
)

// Defaults of the scheduler's Options.
const (
	DefaultInterval    = 60 * time.Second
	DefaultJitter      = 0.2
	DefaultMaxBackoff  = 30 * time.Minute
	DefaultConcurrency = 4
	DefaultPollTimeout = 2 * time.Minute
	// maxPagesInARow bounds Batch.More: a feed that always has another
	// page (a backlog after an outage) still lets the others poll, and
	// goes on at its next interval.
	maxPagesInARow = 20
	// startSpread spreads the first polls after a start, so a restart does
	// not hit every platform in the same second.
	startSpread = 5 * time.Second
)

// Cursors keeps each feed's position (the store).
type Cursors interface {
	Cursor(ctx context.Context, name string) (string, error)
	SaveCursor(ctx context.Context, name, cursor string) error
}

// StatusRecorder keeps each feed's status line (the store).
type StatusRecorder interface {
	RecordSourcePoll(ctx context.Context, p bot.SourcePoll) error
}

// Noter is a Poller with something to add to its status line (a usage
// cap, a stream that took over).
type Noter interface {
	Note() string
}

// Options configure a Scheduler. Cursors is required.
type Options struct {
	Cursors Cursors
	Status  StatusRecorder // nil: no status lines
	// Interval is the time between polls of a feed that has no interval of
	// its own (Intervaler).
	Interval time.Duration
	// Jitter shortens each interval by up to this fraction, at random, so
	// feeds spread out and a feed is never polled later than its interval.
	// Negative turns it off.
	Jitter float64
	// MaxBackoff caps the wait after repeated failures.
	MaxBackoff time.Duration
	// Concurrency is how many feeds poll at once.
	Concurrency int
	// PollTimeout bounds one poll (requests and storing).
	PollTimeout time.Duration
	Logger      *slog.Logger
	Now         func() time.Time
	// Rand returns a number in [0, 1); tests make it fixed.
	Rand func() float64
}

// Scheduler polls every feed on its own interval: one bot.Source for all
// polling platforms. It runs on one replica at a time (Exclusive), so
// replicas do not spend the platforms' rate limits twice.
type Scheduler struct {
	feeds []*feed
	o     Options
	log   *slog.Logger
}

var _ bot.ExclusiveSource = (*Scheduler)(nil)

// feed is one Poller's schedule and position.
type feed struct {
	p        Poller
	interval time.Duration
	next     time.Time
	cursor   string
	loaded   bool // cursor read from the store
	fails    int  // failures in a row
	pages    int  // pages in a row (Batch.More)
	index    int  // in the heap
}

// New schedules pollers. Names must be unique: they key the cursors.
func New(pollers []Poller, o Options) (*Scheduler, error) {
	if o.Cursors == nil {
		return nil, errors.New("poll: no cursor store")
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Jitter == 0 {
		o.Jitter = DefaultJitter
	}
	if o.Jitter < 0 {
		o.Jitter = 0
	}
	o.Jitter = min(o.Jitter, 0.9)
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.PollTimeout <= 0 {
		o.PollTimeout = DefaultPollTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Float64
	}
	s := &Scheduler{o: o, log: o.Logger}
	seen := map[string]bool{}
	for _, p := range pollers {
		name := p.Name()
		if name == "" {
			return nil, fmt.Errorf("poll: a %s feed has no name", p.Platform())
		}
		if seen[name] {
			return nil, fmt.Errorf("poll: feed %q is configured twice", name)
		}
		seen[name] = true
		f := &feed{p: p, interval: o.Interval}
		if iv, ok := p.(Intervaler); ok && iv.Interval() > 0 {
			f.interval = iv.Interval()
		}
		s.feeds = append(s.feeds, f)
	}
	return s, nil
}

// Name is the source's name (and its lease's).
func (s *Scheduler) Name() string { return "poll" }

// Exclusive: one replica polls.
func (s *Scheduler) Exclusive() bool { return true }

// Feeds names the scheduled feeds.
func (s *Scheduler) Feeds() []string {
	out := make([]string, len(s.feeds))
	for i, f := range s.feeds {
		out[i] = f.p.Name()
	}
	return out
}

// Run polls until ctx ends. A feed's failure never stops the others.
func (s *Scheduler) Run(ctx context.Context, emit bot.Emit) error {
	if len(s.feeds) == 0 {
		<-ctx.Done()
		return nil
	}
	now := time.Now()
	q := make(feedQueue, 0, len(s.feeds))
	for _, f := range s.feeds {
		f.next = now.Add(time.Duration(s.o.Rand() * float64(min(startSpread, f.interval))))
		heap.Push(&q, f)
	}
	done := make(chan *feed)
	busy := 0
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		// Start every due feed there is room for.
		for q.Len() > 0 && busy < s.o.Concurrency && !q[0].next.After(time.Now()) {
			f := heap.Pop(&q).(*feed)
			busy++
			go func() {
				s.pollOnce(ctx, f, emit)
				select {
				case done <- f:
				case <-ctx.Done():
				}
			}()
		}
		wait := time.Hour
		if q.Len() > 0 && busy < s.o.Concurrency {
			wait = max(time.Until(q[0].next), 0)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case f := <-done:
			busy--
			heap.Push(&q, f)
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
		case <-timer.C:
		}
	}
}

// pollOnce polls f, stores what it brought, saves its cursor and sets its
// next time.
func (s *Scheduler) pollOnce(ctx context.Context, f *feed, emit bot.Emit) {
	name := f.p.Name()
	pctx, cancel := context.WithTimeout(ctx, s.o.PollTimeout)
	defer cancel()
	n, wait, more, err := s.fetch(pctx, f, emit)
	if ctx.Err() != nil {
		return // shutting down: the cursor stays where it was
	}
	var delay time.Duration
	switch after, limited := RetryAfter(err); {
	case err == nil:
		f.fails = 0
		if more && f.pages < maxPagesInARow {
			f.pages++
			delay = wait
		} else {
			f.pages = 0
			delay = max(s.jittered(f.interval), wait)
		}
	case limited && after > 0:
		f.fails++
		f.pages = 0
		delay = after
		s.log.Warn("poll: rate limited; waiting as the platform asked", "feed", name, "wait", after.Round(time.Second), "err", err)
	default:
		f.fails++
		f.pages = 0
		delay = s.backoff(f)
		s.log.Warn("poll failed; backing off", "feed", name, "failures", f.fails, "retry_in", delay.Round(time.Second), "err", err)
	}
	f.next = time.Now().Add(delay)
	s.record(ctx, f, n, err, delay)
}

// fetch is one poll: read, store, then move the cursor.
func (s *Scheduler) fetch(ctx context.Context, f *feed, emit bot.Emit) (n int, wait time.Duration, more bool, err error) {
	name := f.p.Name()
	if !f.loaded {
		c, err := s.o.Cursors.Cursor(ctx, name)
		if err != nil {
			return 0, 0, false, fmt.Errorf("read cursor: %w", err)
		}
		f.cursor, f.loaded = c, true
	}
	b, err := f.p.Poll(ctx, f.cursor)
	if err != nil {
		return 0, 0, false, err
	}
	if len(b.Mentions) > 0 {
		if err := emit(ctx, b.Mentions); err != nil {
			// Not stored: the cursor stays, and the same posts come again.
			return 0, 0, false, fmt.Errorf("store %d mentions: %w", len(b.Mentions), err)
		}
	}
	if b.Cursor != "" && b.Cursor != f.cursor {
		f.cursor = b.Cursor
		if err := s.o.Cursors.SaveCursor(ctx, name, b.Cursor); err != nil {
			// The mentions are stored; a restart before the next save
			// reads some again, and the store knows them already.
			s.log.Warn("poll: cursor not saved; a restart may read some posts again", "feed", name, "err", err)
		}
	}
	return len(b.Mentions), max(b.Wait, 0), b.More, nil
}

// jittered is d shortened by up to the jitter fraction.
func (s *Scheduler) jittered(d time.Duration) time.Duration {
	return d - time.Duration(s.o.Rand()*s.o.Jitter*float64(d))
}

// backoff doubles the feed's interval with each failure in a row, up to
// MaxBackoff, jittered so failing feeds do not retry in step.
func (s *Scheduler) backoff(f *feed) time.Duration {
	d := f.interval
	for i := 1; i < f.fails && d < s.o.MaxBackoff; i++ {
		d *= 2
	}
	return s.jittered(min(d, s.o.MaxBackoff))
}

// record writes the feed's status line; a status the store cannot take is
// logged, never a reason to stop polling.
func (s *Scheduler) record(ctx context.Context, f *feed, n int, err error, delay time.Duration) {
	if s.o.Status == nil {
		return
	}
	now := s.o.Now()
	p := bot.SourcePoll{Name: f.p.Name(), Platform: f.p.Platform(), At: now, Mentions: n, Next: now.Add(delay)}
	if err != nil {
		p.Err = err.Error()
	}
	if nt, ok := f.p.(Noter); ok {
		p.Note = nt.Note()
	}
	if rerr := s.o.Status.RecordSourcePoll(ctx, p); rerr != nil {
		s.log.Warn("poll: status not recorded", "feed", p.Name, "err", rerr)
	}
}

// feedQueue orders feeds by next poll time.
type feedQueue []*feed

func (q feedQueue) Len() int           { return len(q) }
func (q feedQueue) Less(i, j int) bool { return q[i].next.Before(q[j].next) }
func (q feedQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].index, q[j].index = i, j
}
func (q *feedQueue) Push(x any) {
	f := x.(*feed)
	f.index = len(*q)
	*q = append(*q, f)
}
func (q *feedQueue) Pop() any {
	old := *q
	f := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return f
}

// Recorders sends each status to every recorder in turn (the store's status
// lines and the metrics); the first error is returned after all ran.
type Recorders []StatusRecorder

// RecordSourcePoll records p with each recorder.
func (rs Recorders) RecordSourcePoll(ctx context.Context, p bot.SourcePoll) error {
	var first error
	for _, r := range rs {
		if err := r.RecordSourcePoll(ctx, p); err != nil && first == nil {
			first = err
		}
	}
	return first
}
