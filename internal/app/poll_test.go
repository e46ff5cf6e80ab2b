package app_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/app"
	"github.com/earshothq/earshot/internal/config"
	"github.com/earshothq/earshot/internal/testkit/hnfake"
)

// sourceStatus reads the status line of feed from /api/status.
func (r *running) sourceStatus(feed string) (bot.SourceStatus, bool) {
	r.t.Helper()
	var st struct {
		Lines []bot.SourceStatus `json:"source_status"`
	}
	r.get("/api/status", &st)
	for _, l := range st.Lines {
		if l.Name == feed {
			return l, true
		}
	}
	return bot.SourceStatus{}, false
}

// TestPolledSourceEndToEnd is a polled platform through the whole product:
// the scheduler polls Hacker News, a story opens a case and shows in the
// inbox, the feed's status line tells of its polls and of a failure, and a
// restart resumes from the stored cursor without opening anything twice.
func TestPolledSourceEndToEnd(t *testing.T) {
	fake := hnfake.New(t)
	dir := t.TempDir()
	cfg := config.Config{
		DatabaseURL: filepath.Join(dir, "e.db"), Rules: rulesFile(t, dir, careRules), Sample: "false", JobWorkers: 4,
		HackerNews: config.HackerNews{Queries: []string{"lumio"}, Interval: 10 * time.Second, APIURL: fake.URL()},
	}
	srv := serve(t, cfg, app.Options{})
	r := &running{t: t, base: srv.Base}
	const feed = "hackernews:search:lumio"
	eventually(t, "the first poll", func() bool { _, ok := r.sourceStatus(feed); return ok })

	id := fake.AddStory("maya", "Lumio hub bricked after the 2.3 update", "", "Mine reboots every five minutes.", time.Now())
	ext := strconv.FormatInt(id, 10)
	eventually(t, "the story's case", func() bool { _, ok := r.caseOf("hackernews", ext); return ok })
	eventually(t, "the status line counting it", func() bool {
		st, _ := r.sourceStatus(feed)
		return st.MentionsToday >= 1 && st.LastError == ""
	})

	// Two feeds poll this fake (the search and the open cases' threads):
	// queue enough failures for the search to meet one.
	for range 3 {
		fake.Fail(http.StatusServiceUnavailable, `{"message":"down for maintenance"}`)
	}
	eventually(t, "the failure in the status line", func() bool {
		st, _ := r.sourceStatus(feed)
		return strings.Contains(st.LastError, "503")
	})
	page := r.page("/")
	if !strings.Contains(page, feed) || !strings.Contains(page, `class="source failing"`) {
		t.Errorf("the inbox does not show the failing feed")
	}
	eventually(t, "a poll that works again", func() bool {
		st, _ := r.sourceStatus(feed)
		return st.LastError == "" && !st.LastOK.IsZero()
	})

	// Restart on the same database: the cursor holds, nothing is read twice.
	srv.Stop()
	second := fake.AddStory("noor", "Lumio app login loop on Android", "", "", time.Now())
	srv2 := serve(t, cfg, app.Options{})
	r2 := &running{t: t, base: srv2.Base}
	eventually(t, "the story posted while down", func() bool {
		_, ok := r2.caseOf("hackernews", strconv.FormatInt(second, 10))
		return ok
	})
	var hn int
	for _, c := range r2.cases() {
		if c.Platform == "hackernews" {
			hn++
		}
	}
	if hn != 2 {
		t.Fatalf("%d Hacker News cases after the restart, want 2", hn)
	}
}

// page fetches a page of the inbox.
func (r *running) page(path string) string {
	r.t.Helper()
	res, err := http.Get(r.base + path)
	if err != nil {
		r.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// BenchmarkPollToCard measures the target: a new post on a polled
// platform reaches its card within one poll interval plus 5 s (p95). Posts
// appear on the fake at random moments; each is timed from its creation
// to its card in the inbox. The interval is the shortest allowed (10 s) so
// a run takes minutes, not hours; the part beyond the wait for the next
// poll (fetch, store, card) does not depend on the interval.
//
//	go test -run '^$' -bench PollToCard -benchtime 20x ./internal/app/
func BenchmarkPollToCard(b *testing.B) {
	const interval = 10 * time.Second
	fake := hnfake.New(b)
	dir := b.TempDir()
	cfg := config.Config{
		DatabaseURL: filepath.Join(dir, "e.db"), HTTPAddr: "127.0.0.1:0", Rules: rulesFile(b, dir, careRules), Sample: "false",
		JobWorkers: 32, LogLevel: "warn", LogFormat: "text",
		HackerNews: config.HackerNews{Queries: []string{"lumio"}, Interval: interval, APIURL: fake.URL()},
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := app.New(ctx, cfg, app.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			b.Error(err)
		}
	}()
	time.Sleep(6 * time.Second) // past the first poll, which starts the feed's cursor

	var lat []time.Duration
	n := 0
	for b.Loop() {
		n++
		time.Sleep(time.Duration(rand.Int64N(int64(interval))))
		at := time.Now()
		id := fake.AddStory("bench", fmt.Sprintf("Lumio hub %d bricked after the update", n), "", "", at)
		ext := strconv.FormatInt(id, 10)
		for {
			if c, ok := caseByMention(ctx, a, "hackernews", ext); ok {
				if ref, _ := a.Store.CardRef(ctx, c, "web"); ref != "" {
					break
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		lat = append(lat, time.Since(at))
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[min(int(p*float64(len(lat))), len(lat)-1)] }
	b.ReportMetric(q(0.5).Seconds(), "p50-s")
	b.ReportMetric(q(0.95).Seconds(), "p95-s")
	b.ReportMetric(lat[len(lat)-1].Seconds(), "max-s")
	b.ReportMetric((q(0.95) - interval).Seconds(), "p95-beyond-interval-s")
}

// caseByMention finds the case a mention opened, through the store.
func caseByMention(ctx context.Context, a *app.App, platform, id string) (int64, bool) {
	cs, err := a.Store.Cases(ctx, bot.CaseFilter{Limit: 200})
	if err != nil {
		return 0, false
	}
	for _, c := range cs {
		if c.Platform == platform && strings.HasSuffix(c.URL, "id="+id) {
			return c.ID, true
		}
	}
	return 0, false
}
