package poll

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
)

// memCursors is the store's cursor table.
type memCursors struct {
	mu   sync.Mutex
	m    map[string]string
	errs int // SaveCursor fails this many times
}

func (c *memCursors) Cursor(_ context.Context, name string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[name], nil
}

func (c *memCursors) SaveCursor(_ context.Context, name, cur string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.errs > 0 {
		c.errs--
		return errors.New("database is locked")
	}
	if c.m == nil {
		c.m = map[string]string{}
	}
	c.m[name] = cur
	return nil
}

func (c *memCursors) get(name string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[name]
}

// memStatus keeps the status lines recorded.
type memStatus struct {
	mu    sync.Mutex
	polls []bot.SourcePoll
}

func (s *memStatus) RecordSourcePoll(_ context.Context, p bot.SourcePoll) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.polls = append(s.polls, p)
	return nil
}

func (s *memStatus) all() []bot.SourcePoll {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]bot.SourcePoll(nil), s.polls...)
}

// feedPoller serves posts 1..n of a feed; the cursor is the last id read.
// Each poll returns at most page posts, with More when some are left.
type feedPoller struct {
	name  string
	mu    sync.Mutex
	posts int
	page  int
	errs  []error // returned by the next polls, in order
	polls atomic.Int64
	// shared, when set, counts polls running now across feeds; peak is
	// the most at once.
	shared *inFlight
	hold   time.Duration
}

type inFlight struct{ now, peak atomic.Int64 }

func (p *feedPoller) Name() string     { return p.name }
func (p *feedPoller) Platform() string { return "test" }

func (p *feedPoller) add(n int) {
	p.mu.Lock()
	p.posts += n
	p.mu.Unlock()
}

func (p *feedPoller) Poll(ctx context.Context, cursor string) (Batch, error) {
	p.polls.Add(1)
	if p.shared != nil {
		n := p.shared.now.Add(1)
		for {
			old := p.shared.peak.Load()
			if n <= old || p.shared.peak.CompareAndSwap(old, n) {
				break
			}
		}
		defer p.shared.now.Add(-1)
	}
	if p.hold > 0 {
		time.Sleep(p.hold)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.errs) > 0 {
		err := p.errs[0]
		p.errs = p.errs[1:]
		if err != nil {
			return Batch{}, err
		}
	}
	last := 0
	if cursor != "" {
		var err error
		if last, err = strconv.Atoi(cursor); err != nil {
			return Batch{}, fmt.Errorf("bad cursor %q", cursor)
		}
	}
	var b Batch
	for id := last + 1; id <= p.posts && (p.page == 0 || len(b.Mentions) < p.page); id++ {
		b.Mentions = append(b.Mentions, bot.Mention{Platform: "test", ExternalID: strconv.Itoa(id), Text: "acme " + strconv.Itoa(id)})
		b.Cursor = strconv.Itoa(id)
	}
	b.More = last+len(b.Mentions) < p.posts
	return b, nil
}

// sink is the pipeline: it stores mentions, failing when told to.
type sink struct {
	mu   sync.Mutex
	seen map[string]int
	fail int
}

func (s *sink) emit(_ context.Context, ms []bot.Mention) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail > 0 {
		s.fail--
		return errors.New("store unavailable")
	}
	if s.seen == nil {
		s.seen = map[string]int{}
	}
	for _, m := range ms {
		s.seen[m.Key()]++
	}
	return nil
}

func (s *sink) count() (distinct, total int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.seen {
		distinct++
		total += n
	}
	return distinct, total
}

func newTestScheduler(t *testing.T, cur *memCursors, st StatusRecorder, ps ...Poller) *Scheduler {
	t.Helper()
	s, err := New(ps, Options{Cursors: cur, Status: st, Interval: 10 * time.Millisecond,
		MaxBackoff: 80 * time.Millisecond, Rand: func() float64 { return 0.5 }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// eventually waits for cond, failing after a generous time: the scheduler
// runs on real timers, and the condition, not the time, is what is tested.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestSchedulerStoresThenSavesCursorAndResumes(t *testing.T) {
	cur, st := &memCursors{}, &memStatus{}
	p := &feedPoller{name: "test:a", posts: 25, page: 10}
	out := &sink{fail: 1} // the first batch is refused: its cursor must not move
	s := newTestScheduler(t, cur, st, p)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- s.Run(ctx, out.emit) }()
	eventually(t, "all 25 posts stored", func() bool { d, _ := out.count(); return d == 25 })
	cancel()
	<-done
	if got := cur.get("test:a"); got != "25" {
		t.Fatalf("cursor %q, want 25", got)
	}
	if _, total := out.count(); total != 25 {
		t.Fatalf("%d posts emitted for 25 distinct: a refused batch's cursor moved or a page was read twice", total)
	}

	// A restart (a new scheduler on the same cursors) reads only what is new.
	p2 := &feedPoller{name: "test:a", posts: 30}
	out2 := &sink{}
	s2 := newTestScheduler(t, cur, st, p2)
	ctx2, cancel2 := context.WithCancel(t.Context())
	go func() { done <- s2.Run(ctx2, out2.emit) }()
	eventually(t, "the 5 new posts", func() bool { d, _ := out2.count(); return d == 5 })
	cancel2()
	<-done
	if out2.seen["test:1"] != 0 || out2.seen["test:26"] != 1 {
		t.Fatalf("after restart emitted %v", out2.seen)
	}
	var failed bool
	for _, sp := range st.all() {
		if sp.Err != "" && sp.Name == "test:a" {
			failed = true
		}
	}
	if !failed {
		t.Fatal("the refused batch is not in the status lines")
	}
}

func TestSchedulerDecisions(t *testing.T) {
	limited := RateLimited(90*time.Second, errors.New("429 Too Many Requests"))
	boom := errors.New("503 Service Unavailable")
	for _, tc := range []struct {
		name     string
		errs     []error
		posts    int
		page     int
		min, max time.Duration // the next poll's delay after the last poll
		fails    int
	}{
		{"quiet feed waits its interval, jittered down", nil, 0, 0, 45 * time.Second, 60 * time.Second, 0},
		{"another page comes at once", nil, 5, 2, 0, 0, 0},
		{"rate limit honours Retry-After", []error{limited}, 0, 0, 90 * time.Second, 90 * time.Second, 1},
		{"first failure retries after an interval", []error{boom}, 0, 0, 45 * time.Second, 60 * time.Second, 1},
		{"third failure waits four intervals", []error{boom, boom, boom}, 0, 0, 180 * time.Second, 240 * time.Second, 3},
		{"back-off is capped", []error{boom, boom, boom, boom, boom, boom, boom, boom}, 0, 0, 450 * time.Second, 600 * time.Second, 8},
		{"success resets the back-off", []error{boom, boom, nil}, 0, 0, 45 * time.Second, 60 * time.Second, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &feedPoller{name: "test:d", posts: tc.posts, page: tc.page, errs: tc.errs}
			s, err := New([]Poller{p}, Options{Cursors: &memCursors{}, Interval: time.Minute, MaxBackoff: 10 * time.Minute,
				Jitter: 0.25, Rand: func() float64 { return 0.999 }})
			if err != nil {
				t.Fatal(err)
			}
			f := s.feeds[0]
			polls := max(len(tc.errs), 1)
			var before time.Time
			for range polls {
				before = time.Now()
				s.pollOnce(t.Context(), f, (&sink{}).emit)
			}
			d := f.next.Sub(before)
			// The delay is computed after the poll; allow the poll's own time.
			if d < tc.min || d > tc.max+time.Second {
				t.Fatalf("next poll in %s, want %s to %s", d, tc.min, tc.max)
			}
			if f.fails != tc.fails {
				t.Fatalf("failures in a row %d, want %d", f.fails, tc.fails)
			}
		})
	}
}

func TestSchedulerWaitFromRateHeaders(t *testing.T) {
	p := waitPoller{}
	s, err := New([]Poller{p}, Options{Cursors: &memCursors{}, Interval: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	s.pollOnce(t.Context(), s.feeds[0], (&sink{}).emit)
	if d := s.feeds[0].next.Sub(before); d < 5*time.Minute {
		t.Fatalf("next poll in %s; the platform said the budget is spent for 5m", d)
	}
}

type waitPoller struct{}

func (waitPoller) Name() string     { return "test:w" }
func (waitPoller) Platform() string { return "test" }
func (waitPoller) Poll(context.Context, string) (Batch, error) {
	return Batch{Wait: 5 * time.Minute, More: true}, nil
}

func TestSchedulerOneFailingFeedDoesNotStopOthers(t *testing.T) {
	cur, st := &memCursors{}, &memStatus{}
	bad := &feedPoller{name: "test:bad"}
	for range 1000 {
		bad.errs = append(bad.errs, errors.New("connection refused"))
	}
	good := &feedPoller{name: "test:good"}
	s := newTestScheduler(t, cur, st, bad, good)
	out := &sink{}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- s.Run(ctx, out.emit) }()
	good.add(3)
	eventually(t, "the good feed's posts", func() bool { d, _ := out.count(); return d == 3 })
	good.add(2)
	eventually(t, "the good feed's later posts", func() bool { d, _ := out.count(); return d == 5 })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var badErr string
	for _, sp := range st.all() {
		if sp.Name == "test:bad" {
			badErr = sp.Err
		}
	}
	if badErr != "connection refused" {
		t.Fatalf("status of the failing feed says %q", badErr)
	}
}

func TestSchedulerConcurrencyBound(t *testing.T) {
	var ps []Poller
	var fps []*feedPoller
	shared := &inFlight{}
	for i := range 12 {
		fp := &feedPoller{name: fmt.Sprintf("test:%d", i), hold: 5 * time.Millisecond, shared: shared}
		ps = append(ps, fp)
		fps = append(fps, fp)
	}
	s, err := New(ps, Options{Cursors: &memCursors{}, Interval: time.Millisecond, Concurrency: 3})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- s.Run(ctx, (&sink{}).emit) }()
	eventually(t, "every feed polled 3 times", func() bool {
		for _, fp := range fps {
			if fp.polls.Load() < 3 {
				return false
			}
		}
		return true
	})
	cancel()
	<-done
	if peak := shared.peak.Load(); peak > 3 || peak < 2 {
		t.Fatalf("%d polls ran at once, want at most the 3 allowed (and more than one)", peak)
	}
}

func TestSchedulerCursorSaveFailureDoesNotRepeatInProcess(t *testing.T) {
	cur := &memCursors{errs: 1}
	p := &feedPoller{name: "test:c", posts: 4}
	s := newTestScheduler(t, cur, nil, p)
	out := &sink{}
	s.pollOnce(t.Context(), s.feeds[0], out.emit)
	p.add(1)
	s.pollOnce(t.Context(), s.feeds[0], out.emit)
	if _, total := out.count(); total != 5 {
		t.Fatalf("emitted %d for 5 posts", total)
	}
	if cur.get("test:c") != "5" {
		t.Fatalf("cursor %q", cur.get("test:c"))
	}
}

func TestNewRejectsDuplicateAndNamelessFeeds(t *testing.T) {
	for _, tc := range []struct {
		ps   []Poller
		want string
	}{
		{[]Poller{&feedPoller{name: "rss:a"}, &feedPoller{name: "rss:a"}}, `feed "rss:a" is configured twice`},
		{[]Poller{&feedPoller{}}, "has no name"},
	} {
		_, err := New(tc.ps, Options{Cursors: &memCursors{}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("err %v, want %q", err, tc.want)
		}
	}
	if _, err := New(nil, Options{}); err == nil {
		t.Fatal("no cursor store accepted")
	}
}
