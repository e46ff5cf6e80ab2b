package bot_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit"
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/sources/replay"
	"github.com/earshothq/earshot/store"
)

// recordingSurface remembers every card and note it was asked to show.
type recordingSurface struct {
	mu    sync.Mutex
	posts int
	cards map[string]bot.Card
	notes []bot.Event
}

func (s *recordingSurface) Name() string { return "rec" }

func (s *recordingSurface) ShowCard(_ context.Context, c bot.Card, ref string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cards == nil {
		s.cards = map[string]bot.Card{}
	}
	if ref == "" {
		s.posts++
		ref = "card-" + time.Now().Format("150405.000000000")
	}
	s.cards[ref] = c
	return ref, nil
}

func (s *recordingSurface) Note(_ context.Context, _ bot.Card, _ string, ev bot.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notes = append(s.notes, ev)
	return nil
}

type fixture struct {
	db  *store.DB
	bot *bot.Bot
	sur *recordingSurface
}

func newBot(tb testing.TB, surfaces ...bot.Surface) fixture {
	tb.Helper()
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "e.db"), store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	rules := routing.Example()
	sugg, err := bot.NewBuiltinSuggester(func() routing.Brand { return rules.Brand })
	if err != nil {
		tb.Fatal(err)
	}
	rec := &recordingSurface{}
	if len(surfaces) == 0 {
		surfaces = []bot.Surface{rec}
	}
	b, err := bot.New(bot.Config{Store: db, Rules: rules, Classifier: bot.NewBuiltinClassifier(), Suggester: sugg, Surfaces: surfaces})
	if err != nil {
		tb.Fatal(err)
	}
	return fixture{db: db, bot: b, sur: rec}
}

// runJobs works the queue until it is empty.
func (f fixture) runJobs(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.db.RunJobs(ctx, f.bot.HandleJob) }()
	wctx, wcancel := context.WithTimeout(t.Context(), time.Minute)
	defer wcancel()
	if err := f.db.WaitForJobs(wctx); err != nil {
		t.Fatalf("jobs did not drain: %v", err)
	}
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}

func TestPipelineCardsSuggestionsAndFollowUps(t *testing.T) {
	f := newBot(t)
	ctx := t.Context()
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	first := bot.Mention{Platform: "bluesky", ExternalID: "a1", Text: "@lumio I was charged twice for Lumio+ this month", CreatedAt: at,
		Author: bot.Author{Handle: "maya.bsky.social", Followers: 300}}
	noise := bot.Mention{Platform: "bluesky", ExternalID: "a2", Text: "lovely sunset tonight", CreatedAt: at}
	res, err := f.bot.IngestBatch(ctx, []bot.Mention{first, noise, first})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Outcome != bot.OutcomeOpened || res[1].Outcome != bot.OutcomeStored || res[2].Outcome != bot.OutcomeDuplicate {
		t.Fatalf("outcomes %s %s %s", res[0].Outcome, res[1].Outcome, res[2].Outcome)
	}
	c := res[0].Cases[0].Case
	if c.Team != "billing" {
		t.Fatalf("charged twice went to %q, want billing", c.Team)
	}
	f.runJobs(t)

	sugg, err := f.db.Suggestions(ctx, c.ID)
	if err != nil || len(sugg) == 0 {
		t.Fatalf("suggestions %v, %v", sugg, err)
	}
	for _, s := range sugg {
		if bot.Length(s.Text) > bot.ReplyLimit("bluesky") {
			t.Fatalf("suggestion over the bluesky limit: %q", s.Text)
		}
	}
	if f.sur.posts != 1 {
		t.Fatalf("card posted %d times, want once (then updated)", f.sur.posts)
	}
	for _, card := range f.sur.cards {
		if len(card.Suggestions) == 0 || card.First.ExternalID != "a1" {
			t.Fatalf("the card's latest version lacks suggestions or the mention: %+v", card)
		}
	}

	// The customer answers without naming the brand: same case, a thread note.
	follow := bot.Mention{Platform: "bluesky", ExternalID: "a3", Text: "still no refund…", InReplyTo: "a1", CreatedAt: at.Add(time.Hour),
		Author: bot.Author{Handle: "maya.bsky.social"}}
	res, err = f.bot.IngestBatch(ctx, []bot.Mention{follow})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Outcome != bot.OutcomeExtended || res[0].Cases[0].Case.ID != c.ID {
		t.Fatalf("follow-up: %+v", res[0])
	}
	f.runJobs(t)
	if f.sur.posts != 1 {
		t.Fatalf("card posted %d times after a follow-up, want 1", f.sur.posts)
	}
	if len(f.sur.notes) != 1 || f.sur.notes[0].Kind != bot.EventFollowUp {
		t.Fatalf("thread notes %+v, want the follow-up", f.sur.notes)
	}
}

type failingSurface struct{ recordingSurface }

func (s *failingSurface) Name() string { return "flaky" }

func (s *failingSurface) ShowCard(ctx context.Context, c bot.Card, ref string) (string, error) {
	s.mu.Lock()
	n := s.posts
	s.posts++
	s.mu.Unlock()
	if n == 0 {
		return "", &bot.RetryError{After: 10 * time.Millisecond, Err: errors.New("429 slow down")}
	}
	return "ok-ref", nil
}

func TestCardJobRetriesAfterRateLimit(t *testing.T) {
	fl := &failingSurface{}
	f := newBot(t, fl)
	_, err := f.bot.IngestBatch(t.Context(), []bot.Mention{{Platform: "x", ExternalID: "1", Text: "Lumio app crashes on startup", CreatedAt: time.Now()}})
	if err != nil {
		t.Fatal(err)
	}
	f.runJobs(t)
	cases, err := f.db.Cases(t.Context(), bot.CaseFilter{})
	if err != nil || len(cases) != 1 {
		t.Fatalf("cases %v %v", cases, err)
	}
	ref, err := f.db.CardRef(t.Context(), cases[0].ID, "flaky")
	if err != nil || ref != "ok-ref" {
		t.Fatalf("card ref %q, %v: the rate-limited post was not retried", ref, err)
	}
}

// BenchmarkPipeline measures the whole ingest path on SQLite with
// synchronous=FULL: decide (classify + route), store mentions, open or extend
// cases, write events and insert the card and suggestion jobs, in batches of
// 500 as sources deliver them. Jobs are inserted, not worked.
func BenchmarkPipeline(b *testing.B) {
	f := newBot(b)
	var ms []bot.Mention
	_, err := replay.Scan(bytes.NewReader(testkit.GenerateJSONL(max(b.N, 1), uint64(b.N))), func(_ int, m bot.Mention) error {
		ms = append(ms, m)
		return nil
	}, func(line int, err error) { b.Fatalf("line %d: %v", line, err) })
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	b.ResetTimer()
	start := time.Now()
	if err := f.bot.Ingest(context.Background(), ms); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(ms))/time.Since(start).Seconds(), "mentions/s")
}

// BenchmarkJobs measures how fast the durable jobs that follow ingest (a
// card per surface and drafted suggestions per case) are worked on SQLite:
// the rate the queue drains at, so ingest and jobs can be compared.
func BenchmarkJobs(b *testing.B) {
	f := newBot(b)
	var ms []bot.Mention
	_, err := replay.Scan(bytes.NewReader(testkit.GenerateJSONL(max(b.N, 1), 99)), func(_ int, m bot.Mention) error {
		ms = append(ms, m)
		return nil
	}, func(line int, err error) { b.Fatalf("line %d: %v", line, err) })
	if err != nil {
		b.Fatal(err)
	}
	if err := f.bot.Ingest(context.Background(), ms); err != nil {
		b.Fatal(err)
	}
	pending, err := f.db.PendingJobs(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.db.RunJobs(ctx, f.bot.HandleJob) }()
	if err := f.db.WaitForJobs(context.Background()); err != nil {
		b.Fatal(err)
	}
	elapsed := time.Since(start)
	cancel()
	<-done
	b.ReportMetric(float64(pending)/elapsed.Seconds(), "jobs/s")
	b.ReportMetric(float64(len(ms))/elapsed.Seconds(), "mentions/s")
}

func TestFollowUpReopensWithTheTeamsSLA(t *testing.T) {
	f := newBot(t)
	ctx := t.Context()
	at := time.Now()
	res, err := f.bot.IngestBatch(ctx, []bot.Mention{{Platform: "x", ExternalID: "1", Text: "@lumio charged twice for Lumio+, refund please", CreatedAt: at,
		Author: bot.Author{Handle: "kim"}}})
	if err != nil {
		t.Fatal(err)
	}
	c := res[0].Cases[0].Case
	if _, err := f.db.UpdateCase(ctx, c.ID, func(cc *bot.Case) (bot.CaseChange, error) {
		cc.State, cc.DueAt = bot.StateAwaitingCustomer, time.Time{}
		return bot.CaseChange{}, nil
	}); err != nil {
		t.Fatal(err)
	}
	// The answer names no brand and routes nowhere; it still restarts the clock.
	res, err = f.bot.IngestBatch(ctx, []bot.Mention{{Platform: "x", ExternalID: "2", Text: "still nothing", InReplyTo: "1", CreatedAt: at,
		Author: bot.Author{Handle: "kim"}}})
	if err != nil {
		t.Fatal(err)
	}
	got := res[0].Cases[0].Case
	sla, _ := f.bot.Rules().Team(c.Team)
	if got.State != bot.StateNew || got.DueAt.IsZero() || got.DueAt.Sub(got.UpdatedAt) != sla.SLA {
		t.Fatalf("reopened case: state %s due %v updated %v, want new and due after the %s team's SLA (%s)", got.State, got.DueAt, got.UpdatedAt, c.Team, sla.SLA)
	}
}
