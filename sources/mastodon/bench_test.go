package mastodon_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/mastodonfake"
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/sources/mastodon"
	"github.com/earshothq/earshot/store"
)

// BenchmarkStreamDecode reads a recorded-shape stream (eight statuses, a
// mention notification, a deletion, heartbeats) through the SSE reader,
// the JSON decoders and the HTML-to-text conversion, as the source does.
func BenchmarkStreamDecode(b *testing.B) {
	status, err := os.ReadFile("testdata/status.json")
	if err != nil {
		b.Fatal(err)
	}
	notif, err := os.ReadFile("testdata/notifications.json")
	if err != nil {
		b.Fatal(err)
	}
	notif = bytes.TrimSpace(notif)
	notif = notif[1 : len(notif)-1] // the array's one element
	var buf bytes.Buffer
	const perBlock = 10
	for range 100 {
		for range 8 {
			fmt.Fprintf(&buf, "event: update\ndata: %s\n\n", bytes.TrimSpace(status))
		}
		fmt.Fprintf(&buf, ":thump\nevent: notification\ndata: %s\n\n", notif)
		fmt.Fprintf(&buf, "event: delete\ndata: 103186126728896492\n\n")
	}
	data := buf.Bytes()
	events := 100 * perBlock
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		r := mastodon.NewSSEReader(bytes.NewReader(data))
		n := 0
		for {
			ev, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
			switch ev.Name {
			case "update":
				s, err := mastodon.DecodeStatus(ev.Data)
				if err != nil {
					b.Fatal(err)
				}
				_ = s.Mention()
			case "notification":
				no, err := mastodon.DecodeNotification(ev.Data)
				if err != nil {
					b.Fatal(err)
				}
				_ = no.Status.Mention()
			case "delete":
				_ = mastodon.DeletedID(ev.Data)
			}
		}
		if n != events {
			b.Fatalf("%d events, want %d", n, events)
		}
	}
	b.ReportMetric(float64(events*b.N)/b.Elapsed().Seconds(), "events/s")
}

const benchRules = `
brand: {name: Lumio, handles: ["@lumio"]}
teams:
  care: {}
route:
  name: brand
  any: [lumio]
  team: care
`

type benchSurface struct{}

func (benchSurface) Name() string { return "web" }
func (benchSurface) ShowCard(context.Context, bot.Card, string) (string, error) {
	return "", nil
}
func (benchSurface) Note(context.Context, bot.Card, string, bot.Event) error { return nil }

// BenchmarkStreamToCard is the time from a status posted on the (fake)
// instance to its case's card job stored in SQLite: streamed, decoded,
// matched, classified, routed and stored in one transaction with its jobs.
// Each iteration is one customer mention; p50 and p99 are reported.
func BenchmarkStreamToCard(b *testing.B) {
	ctx := context.Background()
	fake := mastodonfake.New(b)
	fake.Heartbeat = time.Second
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "e.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	rules, err := routing.Parse("rules.yaml", []byte(benchRules))
	if err != nil {
		b.Fatal(err)
	}
	sugg, err := bot.NewBuiltinSuggester(func() routing.Brand { return rules.Brand })
	if err != nil {
		b.Fatal(err)
	}
	pipeline, err := bot.New(bot.Config{Store: db, Rules: rules, Classifier: bot.NewBuiltinClassifier(),
		Suggester: sugg, Surfaces: []bot.Surface{benchSurface{}}})
	if err != nil {
		b.Fatal(err)
	}
	o := options(fake)
	o.Hears, o.Cursors = pipeline.Hears, db
	src, err := mastodon.New(o)
	if err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	stored := map[string]chan time.Time{}
	wait := func(id string) chan time.Time {
		mu.Lock()
		defer mu.Unlock()
		if stored[id] == nil {
			stored[id] = make(chan time.Time, 1)
		}
		return stored[id]
	}
	emit := func(ctx context.Context, ms []bot.Mention) error {
		if err := pipeline.Ingest(ctx, ms); err != nil {
			return err
		}
		at := time.Now()
		for _, m := range ms {
			wait(m.ExternalID) <- at
		}
		return nil
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = src.Run(rctx, emit) }()
	defer func() { cancel(); <-done }()
	for src.Mode() != "streaming" || fake.Streams() != 2 {
		time.Sleep(5 * time.Millisecond)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		st := fake.Post(mastodonfake.Post{Acct: fmt.Sprintf("user%d@social.example", i%500),
			Text: fmt.Sprintf("@lumio my Lumio hub %d keeps rebooting since the update, help", i)})
		select {
		case at := <-wait(st.ID):
			lat = append(lat, at.Sub(start))
		case <-time.After(30 * time.Second):
			b.Fatalf("status %s never stored", st.ID)
		}
	}
	b.StopTimer()
	n, err := db.PendingJobs(ctx)
	if err != nil || n < b.N {
		b.Fatalf("%d pending jobs (%v), want at least a card per mention (%d)", n, err, b.N)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
