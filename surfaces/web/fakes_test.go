package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
)

// clock is the fixed "now" of every test: pages render against it.
var clock = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return clock }

// fakeStore is an in-memory Store with the same paging contract as the real
// one: newest first, BeforeID exclusive, Limit 0 meaning 50.
type fakeStore struct {
	mu          sync.Mutex
	cases       []bot.Case
	mentions    map[int64][]bot.Mention
	events      map[int64][]bot.Event
	suggestions map[int64][]bot.Suggestion
	drafts      map[int64]bot.DraftInfo
	actions     map[int64][]bot.Action
	filters     []bot.CaseFilter
	err         error
}

func (f *fakeStore) Cases(ctx context.Context, cf bot.CaseFilter) ([]bot.Case, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.filters = append(f.filters, cf)
	if f.err != nil {
		return nil, f.err
	}
	limit := cf.Limit
	if limit == 0 {
		limit = 50
	}
	var out []bot.Case
	for _, c := range f.cases {
		if cf.Team != "" && c.Team != cf.Team {
			continue
		}
		if len(cf.States) > 0 && !slices.Contains(cf.States, c.State) {
			continue
		}
		if cf.BeforeID > 0 && c.ID >= cf.BeforeID {
			continue
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b bot.Case) int { return int(b.ID - a.ID) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (f *fakeStore) CaseCounts(ctx context.Context) (map[string]map[bot.CaseState]int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	out := map[string]map[bot.CaseState]int{}
	for _, c := range f.cases {
		if out[c.Team] == nil {
			out[c.Team] = map[bot.CaseState]int{}
		}
		out[c.Team][c.State]++
	}
	return out, nil
}

func (f *fakeStore) Case(ctx context.Context, id int64) (bot.Case, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.cases {
		if c.ID == id {
			return c, nil
		}
	}
	return bot.Case{}, fmt.Errorf("case %d: %w", id, bot.ErrNotFound)
}

func (f *fakeStore) Thread(ctx context.Context, id int64) ([]bot.Mention, []bot.Event, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.mentions[id], f.events[id], nil
}

func (f *fakeStore) Suggestions(ctx context.Context, id int64) ([]bot.Suggestion, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.suggestions[id], nil
}

func (f *fakeStore) DraftInfo(ctx context.Context, id int64) (bot.DraftInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.drafts[id], nil
}

func (f *fakeStore) Actions(ctx context.Context, id int64) ([]bot.Action, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.actions[id], nil
}

// fakeActions records requests and answers like the handlers: forbidden for
// listed actors, not found for unknown cases, duplicate for a repeated key.
type fakeActions struct {
	mu     sync.Mutex
	store  *fakeStore
	deny   map[string]bool
	err    error
	got    []bot.ActionRequest
	done   map[string]bot.Action
	nextID int64
}

func (a *fakeActions) Do(ctx context.Context, r bot.ActionRequest) (bot.Action, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.got = append(a.got, r)
	if a.err != nil {
		return bot.Action{}, a.err
	}
	if _, err := a.store.Case(ctx, r.CaseID); err != nil {
		return bot.Action{}, fmt.Errorf("handlers: %w", err)
	}
	if a.deny[r.Actor] {
		return bot.Action{}, fmt.Errorf("handlers: %s on case %d: %w", r.Actor, r.CaseID, bot.ErrForbidden)
	}
	if a.done == nil {
		a.done = map[string]bot.Action{}
	}
	if prev, ok := a.done[r.Key()]; ok {
		prev.Status = bot.ActionSkipped
		return prev, nil
	}
	a.nextID++
	act := bot.Action{
		ID: a.nextID, CaseID: r.CaseID, Kind: r.Kind, Actor: r.Actor, Surface: r.Surface,
		Suggestion: r.Suggestion, Text: r.Text, Key: r.Key(), Status: bot.ActionPending, At: clock,
	}
	a.done[r.Key()] = act
	return act, nil
}

func (a *fakeActions) requests() []bot.ActionRequest {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.got)
}

var testTeams = []bot.Team{
	{Name: "care", SLA: time.Hour},
	{Name: "safety", SLA: 15 * time.Minute, Execs: []string{"web:cto"}},
	{Name: "product", SLA: 24 * time.Hour},
}

// sampleStore is a realistic inbox: every platform badge, state and label
// colour appears at least once.
func sampleStore() *fakeStore {
	at := func(d time.Duration) time.Time { return clock.Add(d) }
	cases := []bot.Case{
		{ID: 1, Team: "care", State: bot.StateClaimed, Platform: "bluesky",
			Customer:       bot.Author{ID: "did:plc:dana", Handle: "dana.bsky.social", Name: "Dana Ruiz", Followers: 12400},
			FirstMentionID: 101, Labels: bot.Labels{Sentiment: bot.Negative, Intent: bot.IntentComplaint, Urgency: bot.UrgencyHigh, Product: "Kettle Pro", Problem: "arrived broken"},
			Rules: []string{"brand-complaints"}, Assignee: "web:alice", OpenedAt: at(-3 * time.Hour), UpdatedAt: at(-20 * time.Minute),
			DueAt: at(12 * time.Minute), Rev: 7, Summary: "My Kettle Pro arrived broken and support hasn't answered in 3 days. Really disappointed.",
			URL: "https://bsky.app/profile/dana.bsky.social/post/3kabc", Mentions: 2},
		{ID: 2, Team: "safety", State: bot.StateEscalated, Platform: "x",
			Customer:       bot.Author{Handle: "samk", Name: "Sam K", Followers: 830},
			FirstMentionID: 201, Labels: bot.Labels{Sentiment: bot.Negative, Intent: bot.IntentSafety, Urgency: bot.UrgencyCritical, Product: "Heater 2"},
			Rules: []string{"safety"}, OpenedAt: at(-50 * time.Minute), UpdatedAt: at(-30 * time.Minute),
			DueAt: at(-10 * time.Minute), Rev: 4, Summary: "Your Heater 2 sparked and my kid got burned. Who do I talk to?", Mentions: 1},
		{ID: 3, Team: "care", State: bot.StateNew, Platform: "mastodon",
			Customer:       bot.Author{Handle: "@lee@fosstodon.org", Followers: 95},
			FirstMentionID: 301, Labels: bot.Labels{Sentiment: bot.Neutral, Intent: bot.IntentQuestion, Urgency: bot.UrgencyNormal},
			OpenedAt: at(-15 * time.Minute), UpdatedAt: at(-15 * time.Minute), DueAt: at(45 * time.Minute), Rev: 1,
			Summary: "Does the Kettle Pro work with 110V? Moving to the US next month.", Mentions: 1},
		{ID: 4, Team: "care", State: bot.StateResolved, Platform: "reddit",
			Customer:       bot.Author{Handle: "u/happycamper", Followers: 0},
			FirstMentionID: 401, Labels: bot.Labels{Sentiment: bot.Positive, Intent: bot.IntentPraise, Urgency: bot.UrgencyLow},
			OpenedAt: at(-26 * time.Hour), UpdatedAt: at(-20 * time.Hour), Rev: 5,
			Summary: "Shout-out to their support team, replacement arrived in two days!", Mentions: 1},
		{ID: 5, Team: "product", State: bot.StateAwaitingCustomer, Platform: "hackernews",
			Customer:       bot.Author{Handle: "pg_fan", Followers: 2_400_000},
			FirstMentionID: 501, Labels: bot.Labels{Sentiment: bot.Neutral, Intent: bot.IntentBug, Urgency: bot.UrgencyNormal, Problem: "sync drops offline edits"},
			OpenedAt: at(-5 * time.Hour), UpdatedAt: at(-2 * time.Hour), Rev: 3,
			Summary: "The app's sync silently drops edits made offline. Repro: airplane mode, edit, reconnect.", Mentions: 3},
		{ID: 6, Team: "legacy", State: bot.StateNew, Platform: "forum",
			Customer:       bot.Author{Name: "Old Timer"},
			FirstMentionID: 601, Labels: bot.Labels{Sentiment: bot.Negative, Intent: bot.IntentChurn, Urgency: bot.UrgencyNormal},
			OpenedAt: at(-2 * time.Minute), UpdatedAt: at(-2 * time.Minute), DueAt: at(58 * time.Minute), Rev: 1,
			Summary: "Thinking of cancelling after ten years.", Mentions: 1},
		{ID: 7, Team: "care", State: bot.StateDismissed, Platform: "github",
			Customer:       bot.Author{Handle: "spambot9000"},
			FirstMentionID: 701, Labels: bot.Labels{Sentiment: bot.Neutral, Intent: bot.IntentSpam, Urgency: bot.UrgencyLow},
			OpenedAt: at(-48 * time.Hour), UpdatedAt: at(-47 * time.Hour), Rev: 2, Summary: "Buy followers cheap", Mentions: 1},
	}
	return &fakeStore{
		cases: cases,
		mentions: map[int64][]bot.Mention{
			1: {
				{ID: 101, Platform: "bluesky", ExternalID: "3kabc", URL: "https://bsky.app/profile/dana.bsky.social/post/3kabc",
					Author: cases[0].Customer, Text: "My Kettle Pro arrived broken and support hasn't answered in 3 days.\nReally disappointed.", Lang: "en", CreatedAt: at(-3 * time.Hour)},
				{ID: 102, Platform: "bluesky", ExternalID: "3kdef", URL: "https://bsky.app/profile/earshot.bsky.social/post/3kdef",
					Author: bot.Author{Handle: "earshot.bsky.social", Name: "Kettle Co Support"}, Text: "So sorry, Dana! Could you DM us your order number? We'll send a replacement today.", CreatedAt: at(-60 * time.Minute), InReplyTo: "3kabc", Ours: true},
				{ID: 103, Platform: "bluesky", ExternalID: "3kghi", URL: "https://bsky.app/profile/dana.bsky.social/post/3kghi",
					Author: cases[0].Customer, Text: "DM sent. Order #4411.", CreatedAt: at(-25 * time.Minute), InReplyTo: "3kdef"},
			},
		},
		events: map[int64][]bot.Event{
			1: {
				{ID: 1, CaseID: 1, At: at(-3 * time.Hour), Kind: bot.EventOpened, MentionID: 101},
				{ID: 2, CaseID: 1, At: at(-179 * time.Minute), Kind: bot.EventSuggested, Text: "3 drafts"},
				{ID: 3, CaseID: 1, At: at(-70 * time.Minute), Kind: bot.EventClaimed, Actor: "web:alice"},
				{ID: 4, CaseID: 1, At: at(-61 * time.Minute), Kind: bot.EventReplied, Actor: "slack:U123", ActionID: 2, URL: "https://bsky.app/profile/earshot.bsky.social/post/3kdef"},
				{ID: 5, CaseID: 1, At: at(-60 * time.Minute), Kind: bot.EventOurPost, MentionID: 102},
				{ID: 6, CaseID: 1, At: at(-25 * time.Minute), Kind: bot.EventFollowUp, MentionID: 103},
				{ID: 7, CaseID: 1, At: at(-20 * time.Minute), Kind: bot.EventNote, Actor: "web:alice", Text: "Replacement shipped, tracking in Zendesk."},
			},
			2: {
				{ID: 20, CaseID: 2, At: at(-50 * time.Minute), Kind: bot.EventOpened, MentionID: 201},
				{ID: 21, CaseID: 2, At: at(-50 * time.Minute), Kind: bot.EventEscalated, Actor: "earshot", Text: "Escalated: Automatic: the mention reads as safety"},
				{ID: 22, CaseID: 2, At: at(-50 * time.Minute), Kind: bot.EventPaged, Text: "Paged web:cto, slack:U0EXEC (step 1 of 2)\nEscalated: Automatic: the mention reads as safety"},
				{ID: 23, CaseID: 2, At: at(-10 * time.Minute), Kind: bot.EventSLABreach, Text: "No first answer within the SLA (15m): it was due Mon 23 Nov 13:20 UTC"},
			},
		},
		suggestions: map[int64][]bot.Suggestion{
			1: {
				{CaseID: 1, Rank: 1, Text: "Thanks, Dana. Replacement for order #4411 ships today; tracking follows by email.", Approach: "concise", Origin: "builtin"},
				{CaseID: 1, Rank: 2, Text: "Dana, we're sorry this took so long. Your replacement ships today and we've refunded shipping. Anything else, reply here.", Approach: "warm", Origin: "builtin"},
				{CaseID: 1, Rank: 3, Text: "Got it! A new Kettle Pro is on its way. Let us know when it lands 🙌🏽", Approach: "next step", Origin: "gpt-4o-mini"},
			},
			3: {{CaseID: 3, Rank: 1, Text: "Yes: the Kettle Pro is dual-voltage (100–240V).", Approach: "concise", Origin: "builtin"}},
		},
		drafts: map[int64]bot.DraftInfo{
			1: {Origin: "gpt-4o-mini", Summary: "Dana's replacement kettle is late; she wants tracking.", Instruction: "shorter",
				Note:    "1 model draft(s) dropped: warm links to an address not in the rules.",
				Reading: &bot.Labels{Sentiment: bot.Negative, Intent: bot.IntentComplaint, Urgency: bot.UrgencyNormal}},
		},
		actions: map[int64][]bot.Action{
			1: {
				{ID: 1, CaseID: 1, Kind: bot.ActClaim, Actor: "web:alice", Surface: "web", Key: "1/claim/", Status: bot.ActionDone, At: at(-70 * time.Minute), DoneAt: at(-70 * time.Minute)},
				{ID: 2, CaseID: 1, Kind: bot.ActReply, Actor: "slack:U123", Surface: "slack", Suggestion: 2, Key: "1/reply/", Status: bot.ActionDone,
					Result: "https://bsky.app/profile/earshot.bsky.social/post/3kdef", At: at(-62 * time.Minute), DoneAt: at(-61 * time.Minute)},
				{ID: 3, CaseID: 1, Kind: bot.ActEscalate, Actor: "web:bob", Surface: "web", Text: "Third broken kettle this week", Key: "1/escalate/", Status: bot.ActionFailed,
					Result: "slack: channel_not_found", At: at(-30 * time.Minute)},
			},
		},
	}
}

// hostile puts attacker-shaped text in every field a page shows.
func hostile(s *fakeStore) {
	const evil = `<script>alert(1)</script><img src=x onerror=alert(2)>`
	c := &s.cases[0]
	c.Summary = evil
	c.Customer = bot.Author{Handle: `"><svg onload=alert(3)>`, Name: evil, Followers: 10}
	c.Labels.Product = evil
	c.Team = `care"><script>alert(4)</script>`
	s.mentions[1][0].Text = evil
	s.mentions[1][0].URL = "javascript:alert(5)"
	s.mentions[1][2].Text = evil
	s.events[1][6].Text = evil
	s.suggestions[1][0].Text = evil
	s.drafts[1] = bot.DraftInfo{Origin: evil, Summary: evil, Note: evil, Instruction: evil}
	s.actions[1][2].Text = evil
	s.actions[1][2].Result = "javascript:alert(6)"
}

type testServer struct {
	*Server
	store   *fakeStore
	actions *fakeActions
}

func newTestServer(t testing.TB, mod func(*Options)) *testServer {
	t.Helper()
	st := sampleStore()
	act := &fakeActions{store: st, deny: map[string]bool{"web:mallory": true}}
	o := Options{Store: st, Actions: act, Teams: testTeams, Addr: "127.0.0.1:8080", Now: fixedNow}
	if mod != nil {
		mod(&o)
	}
	s, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &testServer{Server: s, store: st, actions: act}
}

// request builds a request as a browser on this machine would send it.
func request(method, target string, body io.Reader) *http.Request {
	r := httptest.NewRequest(method, target, body)
	r.Host = "127.0.0.1:8080"
	if body != nil && method == http.MethodPost {
		r.Header.Set("Content-Type", "application/json")
	}
	return r
}

func (ts *testServer) do(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	ts.Handler().ServeHTTP(w, r)
	return w
}

func (ts *testServer) get(target string) *httptest.ResponseRecorder {
	return ts.do(request(http.MethodGet, target, nil))
}

func (ts *testServer) post(target, body string) *httptest.ResponseRecorder {
	return ts.do(request(http.MethodPost, target, strings.NewReader(body)))
}
