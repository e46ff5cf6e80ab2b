package discordsurface

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/handlers"
	"github.com/earshothq/earshot/internal/testkit/discordfake"
	goldenfile "github.com/earshothq/earshot/internal/testkit/golden"
	"github.com/earshothq/earshot/routing"
)

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, name, got)
}

// marshal renders v as the golden files keep it: indented, with <, > and &
// as themselves so escaping mistakes are easy to see.
func marshal(t *testing.T, v any) []byte {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var plain any
	if err := json.Unmarshal(raw, &plain); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(plain); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// testNow is the fixed time of rendered cards.
var testNow = time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)

const (
	careChannel = "700000000000000001"
	careRole    = "300000000000000001"
	alice       = "400000000000000001"
	bob         = "400000000000000002"
	dana        = "400000000000000003"
)

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
		Team:  routing.Team{Name: "care", Discord: routing.DiscordTarget{Channel: careChannel}},
		First: first,
		Suggestions: []bot.Suggestion{
			{CaseID: 12, Rank: 1, Text: "Sorry about your kettle, Jane. Could you DM us your order number? We'll replace it.", Approach: "concise"},
			{CaseID: 12, Rank: 2, Text: "That's not how it should work. We're on it: send us your order number and we'll sort a replacement today.", Approach: "warm"},
		},
	}
}

// fakeActions records requests and answers as the handlers would.
type fakeActions struct {
	mu   sync.Mutex
	reqs []bot.ActionRequest
	done map[string]bool
}

func (f *fakeActions) Do(ctx context.Context, r bot.ActionRequest) (bot.Action, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, r)
	a := bot.Action{ID: int64(len(f.reqs)), CaseID: r.CaseID, Kind: r.Kind, Actor: r.Actor, Surface: r.Surface, Text: r.Text, Suggestion: r.Suggestion}
	if r.CaseID == 404 {
		return bot.Action{}, fmt.Errorf("case 404: %w", bot.ErrNotFound)
	}
	if r.Role != nil && !r.Role.Held {
		a.Status, a.Result = bot.ActionDenied, r.Role.Reason
		return a, fmt.Errorf("%s on case %d: %s: %w", r.Kind, r.CaseID, r.Role.Reason, bot.ErrForbidden)
	}
	if r.Kind == bot.ActReply && r.Text != "" && bot.Length(r.Text) > bot.ReplyLimit("bluesky") {
		return bot.Action{}, &handlers.RequestError{Field: "text", Msg: "too long for bluesky"}
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

// env is a surface wired to a fake Discord, fake handlers and a card store.
type env struct {
	t       testing.TB
	fake    *discordfake.Fake
	s       *Surface
	actions *fakeActions

	mu    sync.Mutex
	refs  map[string]int64
	cards map[int64]bot.Card
	now   time.Time
	// asked is how many action requests there were when the last
	// interaction was delivered: lastRequest waits for a newer one, as the
	// work runs after the interaction is answered.
	asked int
}

func newEnv(t testing.TB, configure func(*Options), fakeOpts ...discordfake.Option) *env {
	t.Helper()
	e := &env{t: t, actions: &fakeActions{done: map[string]bool{}}, refs: map[string]int64{}, cards: map[int64]bot.Card{}, now: testNow}
	clock := func() time.Time { e.mu.Lock(); defer e.mu.Unlock(); return e.now }
	e.fake = discordfake.New(append([]discordfake.Option{discordfake.WithClock(clock)}, fakeOpts...)...)
	t.Cleanup(e.fake.Close)
	e.fake.AddChannel(careChannel)
	e.fake.SetRoles(discordfake.GuildID, discordfake.Role{ID: careRole, Name: "Care"}, discordfake.Role{ID: "300000000000000009", Name: "Everyone else"})
	o := Options{
		Token: discordfake.Token, AppID: discordfake.AppID, GuildIDs: []string{discordfake.GuildID},
		PublicKey: e.fake.PublicKey(), Transport: e.fake.Transport(), Actions: e.actions,
		CaseByRef: func(ctx context.Context, surface, ref string) (int64, error) {
			e.mu.Lock()
			defer e.mu.Unlock()
			id, ok := e.refs[ref]
			if surface != Name || !ok {
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
		PerSecond: 1000, Burst: 1000, GlobalPerSecond: 1000,
		Now: clock,
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
	t.Cleanup(func() {
		if v := e.fake.Violations(); len(v) > 0 {
			t.Errorf("messages that could ping: %v", v)
		}
	})
	return e
}

// post shows card on Discord and remembers its ref, as the bot's store does.
func (e *env) post(card bot.Card) (ref, message string) {
	e.t.Helper()
	ref, err := e.s.ShowCard(context.Background(), card, "")
	if err != nil {
		e.t.Fatalf("ShowCard: %v", err)
	}
	e.mu.Lock()
	e.refs[ref] = card.Case.ID
	e.cards[card.Case.ID] = card
	e.mu.Unlock()
	_, message, _ = strings.Cut(ref, "/")
	return ref, message
}

func (e *env) setCard(card bot.Card) {
	e.mu.Lock()
	e.cards[card.Case.ID] = card
	e.mu.Unlock()
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

// connect runs the gateway until the test ends.
func (e *env) connect() {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	// The fake counts the identify before discordgo has read READY (and
	// discordgo stores the session id in a goroutine of its own); a drop
	// in between makes it identify again instead of resuming. Wait for
	// the client's side of READY too.
	ready := make(chan struct{})
	e.s.dg.AddHandlerOnce(func(*discordgo.Session, *discordgo.Ready) { close(ready) })
	done := make(chan error, 1)
	go func() { done <- e.s.Run(ctx) }()
	e.t.Cleanup(func() { cancel(); <-done })
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if err := e.fake.WaitGateway(wctx, func(st discordfake.GatewayState) bool { return st.Identifies == 1 && st.Connected }); err != nil {
		e.t.Fatal(err)
	}
	select {
	case <-ready:
	case <-wctx.Done():
		e.t.Fatal("discordgo never handled READY")
	}
}

// deliver sends an interaction over the gateway and waits until cond
// holds for what became of it.
func (e *env) deliver(in *discordfake.Interaction, cond func(discordfake.Interaction) bool) discordfake.Interaction {
	e.t.Helper()
	e.mu.Lock()
	e.asked = len(e.actions.requests())
	e.mu.Unlock()
	if err := e.fake.Deliver(in); err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got, err := e.fake.WaitInteraction(ctx, in.Token, cond)
	if err != nil {
		e.t.Fatal(err)
	}
	e.s.work.Wait()
	got, _ = e.fake.Interaction(in.Token)
	return got
}

// answered: the interaction got its first callback.
func answered(in discordfake.Interaction) bool { return len(in.Responses) > 0 }

// eventually polls cond with a generous deadline.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func member(id string, roles ...string) discordfake.Member {
	return discordfake.Member{UserID: id, Name: "user-" + id[len(id)-2:], Roles: roles}
}
