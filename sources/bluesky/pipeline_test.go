package bluesky_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/blueskyfake"
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/sources/bluesky"
	"github.com/earshothq/earshot/store"
)

// stubSurface takes cards and notes, so card jobs are planned and run.
type stubSurface struct{}

func (stubSurface) Name() string { return "stub" }
func (stubSurface) ShowCard(context.Context, bot.Card, string) (string, error) {
	return "ref", nil
}
func (stubSurface) Note(context.Context, bot.Card, string, bot.Event) error { return nil }

// pipeline is the real bot on SQLite with the example rules, its jobs running.
type pipeline struct {
	db  *store.DB
	bot *bot.Bot
}

func newPipeline(tb testing.TB, ctx context.Context) *pipeline {
	tb.Helper()
	db, err := store.Open(ctx, filepath.Join(tb.TempDir(), "earshot.db"), store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	rules := routing.Example()
	sugg, err := bot.NewBuiltinSuggester(func() routing.Brand { return rules.Brand })
	if err != nil {
		tb.Fatal(err)
	}
	b, err := bot.New(bot.Config{Store: db, Rules: rules, Classifier: bot.NewBuiltinClassifier(), Suggester: sugg, Surfaces: []bot.Surface{stubSurface{}}})
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = b.Run(ctx) }()
	tb.Cleanup(func() { <-done; db.Close() })
	return &pipeline{db: db, bot: b}
}

// BenchmarkArrivalToCardJob measures, per post about the brand, the time
// from its publication on the fake Jetstream to the return of the ingest
// that stored it with its card job (one transaction), with the real bot on
// SQLite (synchronous=FULL), its job workers running (cards, drafts), and
// 50 unrelated posts between two about the brand, at 2 and at 20 posts
// about the brand a second. Each iteration is one post:
//
//	go test -run '^$' -bench ArrivalToCardJob -benchtime 100x ./sources/bluesky/
func BenchmarkArrivalToCardJob(b *testing.B) {
	for _, perSecond := range []int{2, 20} {
		b.Run(fmt.Sprintf("%d-per-s", perSecond), func(b *testing.B) { arrivalToCardJob(b, time.Second/time.Duration(perSecond)) })
	}
}

func arrivalToCardJob(b *testing.B, every time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := newFake(b, blueskyfake.Options{})
	p := newPipeline(b, ctx)
	defer cancel()

	var mu sync.Mutex
	sent := map[string]time.Time{}
	var lat []time.Duration
	emit := func(ctx context.Context, ms []bot.Mention) error {
		res, err := p.bot.IngestBatch(ctx, ms)
		if err != nil {
			return err
		}
		now := time.Now()
		mu.Lock()
		defer mu.Unlock()
		for i, m := range ms {
			if t, ok := sent[m.ExternalID]; ok && len(res[i].Cases) > 0 {
				lat = append(lat, now.Sub(t))
			}
		}
		return nil
	}
	src := newSource(b, f, bluesky.Options{Hears: p.bot.Hears, Cursors: p.db, SaveEvery: time.Second})
	stop := start(b, src, emit)
	waitConnected(b, f.Host(0), 1)
	texts := []string{
		"The Lumio app crashes on startup since update 4.2. Really annoying.",
		"@lumio I was charged twice for Lumio+ this month, can someone help me get a refund?",
		"Lumio firmware update bricked my hub, error code E42 every time",
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range 50 {
			_, _, _ = f.Post(other.DID, fmt.Sprintf("lovely weather %d-%d", i, j), blueskyfake.PostOptions{Ephemeral: true})
		}
		mu.Lock()
		t := time.Now()
		mu.Unlock()
		uri, _, err := f.Post(customer.DID, fmt.Sprintf("%s (%d)", texts[i%len(texts)], i), blueskyfake.PostOptions{Ephemeral: true})
		if err != nil {
			b.Fatal(err)
		}
		mu.Lock()
		sent[uri] = t
		mu.Unlock()
		time.Sleep(every) // posts arrive over time, not in one burst
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(lat)
		mu.Unlock()
		if n == b.N {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d posts opened a case", n, b.N)
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.StopTimer()
	stop()
	slices.Sort(lat)
	q := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}

// TestSoak streams a realistic mix through the source and the real bot for
// EARSHOT_BLUESKY_SOAK (a duration, e.g. 10m) and reports the heap at the
// start and the end; it fails if the heap more than doubles past warm-up.
//
//	EARSHOT_BLUESKY_SOAK=10m go test -run TestSoak -v -timeout 0 ./sources/bluesky/
func TestSoak(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("EARSHOT_BLUESKY_SOAK"))
	if err != nil || d <= 0 {
		t.Skip("set EARSHOT_BLUESKY_SOAK to a duration to run the soak")
	}
	const rate = 1000 // events per second; the real post stream is a few hundred
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := newFake(t, blueskyfake.Options{MaxEvents: 20_000})
	p := newPipeline(t, ctx)
	s := &counter{}
	src := newSource(t, f, bluesky.Options{Hears: p.bot.Hears, Cursors: p.db, SaveEvery: time.Second})
	stop := start(t, src, func(ctx context.Context, ms []bot.Mention) error {
		s.add(len(ms))
		return p.bot.Ingest(ctx, ms)
	})
	waitConnected(t, f.Host(0), 1)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	mix := blueskyfake.Mix(10_000, 7, blueskyfake.MixOptions{About: 0.005})
	began := time.Now()
	var warm uint64
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	published, report := 0, began.Add(30*time.Second)
	for time.Since(began) < d {
		<-tick.C
		due := int(time.Since(began).Seconds()*rate) - published
		for range due {
			ev := mix[published%len(mix)]
			// Copies: publishing stamps time_us into the event.
			cp := make(map[string]any, len(ev))
			for k, v := range ev {
				cp[k] = v
			}
			if c, ok := ev["commit"].(map[string]any); ok {
				cc := make(map[string]any, len(c))
				for k, v := range c {
					cc[k] = v
				}
				// A new key per lap, so later laps are new posts, not replays.
				cc["rkey"] = fmt.Sprintf("%v%d", c["rkey"], published/len(mix))
				cp["commit"] = cc
			}
			f.PublishJSON(cp)
			published++
		}
		if time.Now().After(report) {
			h := heap()
			if warm == 0 {
				warm = h
			}
			t.Logf("%s: %d events published, %d mentions emitted, heap %.1f MiB", time.Since(began).Round(time.Second), published, s.get(), float64(h)/(1<<20))
			report = report.Add(30 * time.Second)
		}
	}
	end := heap()
	runtime.KeepAlive(mix) // the test's own data counts at both ends
	stop()
	if warm == 0 {
		warm = end
	}
	t.Logf("soak %s: %d events, %d mentions; heap after warm-up (30s) %.1f MiB, at the end %.1f MiB",
		d, published, s.get(), float64(warm)/(1<<20), float64(end)/(1<<20))
	if end > 2*warm+(16<<20) {
		t.Errorf("heap grew from %.1f to %.1f MiB", float64(warm)/(1<<20), float64(end)/(1<<20))
	}
}

type counter struct {
	mu sync.Mutex
	n  int
}

func (c *counter) add(n int) { c.mu.Lock(); c.n += n; c.mu.Unlock() }
func (c *counter) get() int  { c.mu.Lock(); defer c.mu.Unlock(); return c.n }
