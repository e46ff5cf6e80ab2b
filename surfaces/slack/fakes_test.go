package slacksurface

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/handlers"
	goldenfile "github.com/earshothq/earshot/internal/testkit/golden"
	"github.com/earshothq/earshot/internal/testkit/slackfake"
	"github.com/earshothq/earshot/routing"
)

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, name, got)
}

// testNow is the fixed time of rendered cards.
var testNow = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)

// sampleCard is a complaint on Bluesky with two drafts, due in 45 minutes.
func sampleCard() bot.Card {
	first := bot.Mention{
		ID: 7, Platform: "bluesky", ExternalID: "at://did:plc:abc/app.bsky.feed.post/3k",
		URL:    "https://bsky.app/profile/jane.bsky.social/post/3k",
		Author: bot.Author{ID: "did:plc:abc", Handle: "jane.bsky.social", Name: "Jane Doe", Followers: 12345},
		Text:   "My Acme kettle stopped heating after two days.\nThird time asking: what now?",
	}
	return bot.Card{
		Case: bot.Case{
			ID: 12, Team: "care", State: bot.StateNew, Platform: "bluesky", Customer: first.Author,
			FirstMentionID: 7, Rev: 3, Mentions: 1, URL: first.URL, Rules: []string{"kettles"},
			Labels: bot.Labels{Sentiment: bot.Negative, Intent: bot.IntentComplaint, Urgency: bot.UrgencyHigh,
				Score: -0.72, Pressing: true, Product: "kettle", Problem: "stopped heating"},
			OpenedAt: testNow.Add(-15 * time.Minute), DueAt: testNow.Add(45 * time.Minute),
			Summary: "My Acme kettle stopped heating after two days.",
		},
		Team:  routing.Team{Name: "care", Slack: routing.SlackTarget{Channel: "C0CARE"}},
		First: first,
		Suggestions: []bot.Suggestion{
			{CaseID: 12, Rank: 1, Text: "Sorry about your kettle, Jane. Could you DM us your order number? We'll replace it.", Approach: "concise"},
			{CaseID: 12, Rank: 2, Text: "That's not how it should work. We're on it: send us your order number and we'll sort a replacement today.", Approach: "warm"},
		},
	}
}

// fakeActions records requests and answers as the handlers would.
type fakeActions struct {
	mu        sync.Mutex
	reqs      []bot.ActionRequest
	forbidden map[int64]string // case → reason
	done      map[string]bool  // idempotency keys taken
	badText   string           // a RequestError message for every reply
	fail      error
}

func newFakeActions() *fakeActions {
	return &fakeActions{forbidden: map[int64]string{}, done: map[string]bool{}}
}

func (f *fakeActions) Do(ctx context.Context, r bot.ActionRequest) (bot.Action, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, r)
	a := bot.Action{ID: int64(len(f.reqs)), CaseID: r.CaseID, Kind: r.Kind, Actor: r.Actor, Surface: r.Surface, Text: r.Text, Suggestion: r.Suggestion}
	if f.fail != nil {
		return bot.Action{}, f.fail
	}
	if r.CaseID == 404 {
		return bot.Action{}, fmt.Errorf("case 404: %w", bot.ErrNotFound)
	}
	if reason, ok := f.forbidden[r.CaseID]; ok {
		a.Status, a.Result = bot.ActionDenied, reason
		return a, fmt.Errorf("%s on case %d: %s: %w", r.Kind, r.CaseID, reason, bot.ErrForbidden)
	}
	if f.badText != "" && r.Kind == bot.ActReply {
		return bot.Action{}, &handlers.RequestError{Field: "text", Msg: f.badText}
	}
	key := r.Key()
	if f.done[key] {
		a.Status, a.Result = bot.ActionSkipped, fmt.Sprintf("case %d is already handled", r.CaseID)
		return a, nil
	}
	f.done[key] = true
	a.Status, a.Key = bot.ActionPending, key
	return a, nil
}

func (f *fakeActions) requests() []bot.ActionRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bot.ActionRequest(nil), f.reqs...)
}

// env is a surface wired to a fake Slack, fake handlers and a card store.
type env struct {
	t       testing.TB
	fake    *slackfake.Fake
	s       *Surface
	actions *fakeActions
	srv     *httptest.Server

	mu    sync.Mutex
	refs  map[string]int64 // card ref → case
	cards map[int64]bot.Card
	now   time.Time
}

func newEnv(t testing.TB, configure func(*Options), fakeOpts ...slackfake.Option) *env {
	t.Helper()
	e := &env{t: t, actions: newFakeActions(), refs: map[string]int64{}, cards: map[int64]bot.Card{}, now: testNow}
	e.fake = slackfake.New(fakeOpts...)
	t.Cleanup(e.fake.Close)
	o := Options{
		BotToken:      slackfake.BotToken,
		SigningSecret: slackfake.SigningSecret,
		APIURL:        e.fake.APIURL(),
		Actions:       e.actions,
		CaseByRef: func(ctx context.Context, surface, ref string) (int64, error) {
			e.mu.Lock()
			defer e.mu.Unlock()
			if surface != Name {
				return 0, fmt.Errorf("surface %q: %w", surface, bot.ErrNotFound)
			}
			id, ok := e.refs[ref]
			if !ok {
				return 0, fmt.Errorf("card %s: %w", ref, bot.ErrNotFound)
			}
			return id, nil
		},
		Card: func(ctx context.Context, id int64) (bot.Card, error) {
			e.mu.Lock()
			defer e.mu.Unlock()
			c, ok := e.cards[id]
			if !ok {
				return bot.Card{}, fmt.Errorf("case %d: %w", id, bot.ErrNotFound)
			}
			return c, nil
		},
		RouteTest: func(text string) string { return "care ← kettles\ntext: " + text },
		Stats: func(ctx context.Context, team string, days int) (string, error) {
			return fmt.Sprintf("%s: 4 cases in %d days", team, days), nil
		},
		Now: func() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now },
	}
	if configure != nil {
		configure(&o)
	}
	s, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.s = s
	t.Cleanup(func() { _ = s.Close() })
	e.srv = httptest.NewServer(s.Handler())
	t.Cleanup(e.srv.Close)
	return e
}

// post shows card on Slack and remembers its ref, as the bot's store does.
func (e *env) post(card bot.Card) string {
	e.t.Helper()
	ref, err := e.s.ShowCard(e.t.Context(), card, "")
	if err != nil {
		e.t.Fatalf("ShowCard: %v", err)
	}
	e.mu.Lock()
	e.refs[ref] = card.Case.ID
	e.cards[card.Case.ID] = card
	e.mu.Unlock()
	return ref
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

// deliver sends d to the surface's HTTP handler as Slack would, waits for
// the work it started and returns the response.
func (e *env) deliver(d slackfake.Delivery) (*http.Response, string) {
	e.t.Helper()
	req, err := e.fake.Request(e.t.Context(), e.srv.URL, d)
	if err != nil {
		e.t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	var body bytes.Buffer
	_, _ = body.ReadFrom(res.Body)
	_ = res.Body.Close()
	e.s.work.Wait()
	return res, body.String()
}

// ephemeralTexts lists what people were told privately.
func (e *env) ephemeralTexts() []string {
	var out []string
	for _, m := range e.fake.Ephemerals() {
		out = append(out, m.Text)
	}
	return out
}
