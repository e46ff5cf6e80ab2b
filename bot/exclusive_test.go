package bot_test

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/pgtest"
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/store"
)

// streamSource stands for a stream (Jetstream, Mastodon's streaming API):
// it runs until its context ends, counting how many copies run at once.
type streamSource struct {
	name    string
	running *atomic.Int32 // shared by the replicas' copies
	overlap *atomic.Bool  // set when two copies ran at once
	started chan string   // the replica that started it
	replica string
}

func (s *streamSource) Name() string { return s.name }

func (s *streamSource) Run(ctx context.Context, _ bot.Emit) error {
	if s.running.Add(1) > 1 {
		s.overlap.Store(true)
	}
	defer s.running.Add(-1)
	s.started <- s.replica
	<-ctx.Done()
	return ctx.Err()
}

func TestExclusiveMarks(t *testing.T) {
	src := &streamSource{name: "jetstream"}
	if bot.IsExclusive(src) {
		t.Error("a plain source is exclusive")
	}
	ex := bot.Exclusive(src)
	if !bot.IsExclusive(ex) || ex.Name() != "jetstream" {
		t.Errorf("Exclusive(src) = %v named %q", bot.IsExclusive(ex), ex.Name())
	}
}

// replica is one earshot process: a bot on the shared database.
func replica(t *testing.T, db bot.Store, src bot.Source) (stop func()) {
	t.Helper()
	rules := routing.Example()
	sugg, err := bot.NewBuiltinSuggester(func() routing.Brand { return rules.Brand })
	if err != nil {
		t.Fatal(err)
	}
	b, err := bot.New(bot.Config{Store: db, Rules: rules, Classifier: bot.NewBuiltinClassifier(), Suggester: sugg,
		Sources: []bot.Source{src}, LeaseRetry: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := b.Run(ctx); err != nil {
			t.Errorf("run: %v", err)
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

func waitStart(t *testing.T, started <-chan string) string {
	t.Helper()
	select {
	case who := <-started:
		return who
	case <-time.After(30 * time.Second):
		t.Fatal("the stream source did not start")
	}
	return ""
}

func TestExclusiveSourceOneReplicaAtATime(t *testing.T) {
	url := pgtest.URL(t)
	ctx := t.Context()
	open := func() *store.DB {
		db, err := store.Open(ctx, url, store.Options{Logger: slog.New(slog.DiscardHandler), LeaseCheck: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	var (
		running atomic.Int32
		overlap atomic.Bool
	)
	started := make(chan string, 4)
	stops := map[string]func(){}
	for _, name := range []string{"a", "b"} {
		src := bot.Exclusive(&streamSource{name: "jetstream", running: &running, overlap: &overlap, started: started, replica: name})
		stops[name] = replica(t, open(), src)
	}
	first := waitStart(t, started)
	// The other replica keeps trying, many times over, and never starts it.
	time.Sleep(300 * time.Millisecond)
	select {
	case who := <-started:
		t.Fatalf("replica %s started the source while %s held it", who, first)
	default:
	}
	stops[first]()
	second := waitStart(t, started)
	if second == first {
		t.Fatalf("replica %s started again after it stopped", second)
	}
	if n := running.Load(); n != 1 || overlap.Load() {
		t.Errorf("%d copies running, overlap %v; want 1, never two", n, overlap.Load())
	}
}

// losingStore grants a lease it then loses, once, as a dropped database
// connection would.
type losingStore struct {
	*store.DB
	mu    sync.Mutex
	tries int
	lost  chan struct{}
}

type testLease struct{ lost chan struct{} }

func (l testLease) Lost() <-chan struct{} { return l.lost }
func (l testLease) Release()              {}

func (s *losingStore) TryLease(context.Context, string) (bot.Lease, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tries++
	if s.tries == 1 {
		return testLease{s.lost}, true, nil
	}
	return testLease{make(chan struct{})}, true, nil
}

func TestExclusiveSourceStopsWhenTheLeaseIsLost(t *testing.T) {
	f := newBot(t)
	var (
		running atomic.Int32
		overlap atomic.Bool
	)
	started := make(chan string, 4)
	ls := &losingStore{DB: f.db, lost: make(chan struct{})}
	replica(t, ls, bot.Exclusive(&streamSource{name: "jetstream", running: &running, overlap: &overlap, started: started, replica: "a"}))
	waitStart(t, started)
	close(ls.lost)
	// Cancelled, then started again once the lease is back.
	waitStart(t, started)
	if n := running.Load(); n != 1 || overlap.Load() {
		t.Errorf("%d copies running, overlap %v; want 1, never two", n, overlap.Load())
	}
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.tries != 2 {
		t.Errorf("%d lease tries; want 2", ls.tries)
	}
}
