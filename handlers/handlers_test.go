package handlers_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/handlers"
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/store"
)

const rulesYAML = `
brand: {name: Lumio}
teams:
  care: {}
  billing: {members: [alice, "slack:U1"], execs: [dana]}
route:
  name: brand
  any: [lumio]
  team: care
  routes:
    - {name: billing, any: [refund], team: billing}
`

type fixture struct {
	t     *testing.T
	ctx   context.Context
	db    *store.DB
	rules *routing.Rules
	h     *handlers.Handlers
	rep   *fakeReplier
	now   time.Time
}

// fakeReplier records what it was asked to post; errs are returned in turn.
type fakeReplier struct {
	mu    sync.Mutex
	posts []string
	to    []string
	errs  []error
	// onReply, when set, sees each call's context.
	onReply func(ctx context.Context)
}

func (f *fakeReplier) Platform() string { return "bluesky" }

func (f *fakeReplier) Reply(ctx context.Context, to bot.Mention, text string) (bot.PostRef, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.onReply != nil {
		f.onReply(ctx)
	}
	if len(f.errs) > 0 {
		err := f.errs[0]
		f.errs = f.errs[1:]
		if err != nil {
			return bot.PostRef{}, err
		}
	}
	f.posts = append(f.posts, text)
	f.to = append(f.to, to.ExternalID)
	id := fmt.Sprintf("our-%d", len(f.posts))
	return bot.PostRef{ExternalID: id, URL: "https://bsky.app/post/" + id}, nil
}

func (f *fakeReplier) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.posts)
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := t.Context()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "earshot.db"), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	rules, err := routing.Parse("rules.yaml", []byte(rulesYAML))
	if err != nil {
		t.Fatal(err)
	}
	rep := &fakeReplier{}
	h, err := handlers.New(handlers.Config{
		Store: db, Teams: rules.Team, Repliers: []bot.Replier{rep}, Surfaces: []string{"web"},
		Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, ctx: ctx, db: db, rules: rules, h: h, rep: rep, now: now}
}

// openCase stores one mention routed to team, with two suggestions.
func (f *fixture) openCase(platform, id, team string) bot.Case {
	f.t.Helper()
	m := bot.Mention{Platform: platform, ExternalID: id, Text: "lumio lamp broke", CreatedAt: f.now,
		Author: bot.Author{Handle: "maya.bsky.social"}}
	res, err := f.db.Ingest(f.ctx, []bot.Incoming{{Mention: m, Teams: []string{team}, SLA: map[string]time.Duration{team: time.Hour}}},
		func(bot.IngestResult) []bot.Job { return nil })
	if err != nil {
		f.t.Fatal(err)
	}
	c := res[0].Cases[0].Case
	err = f.db.SaveSuggestions(f.ctx, c.ID, []bot.Suggestion{
		{Rank: 1, Text: "@maya.bsky.social so sorry, that's on us."},
		{Rank: 2, Text: "Thanks for telling us. DM us your order number?"},
	}, bot.CaseChange{})
	if err != nil {
		f.t.Fatal(err)
	}
	c, err = f.db.Case(f.ctx, c.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func (f *fixture) do(r bot.ActionRequest) bot.Action {
	f.t.Helper()
	a, err := f.h.Do(f.ctx, r)
	if err != nil {
		f.t.Fatalf("Do(%+v): %v", r, err)
	}
	return a
}

func (f *fixture) execute(a bot.Action) {
	f.t.Helper()
	if err := f.h.Execute(f.ctx, a.ID); err != nil {
		f.t.Fatalf("Execute(%d): %v", a.ID, err)
	}
}

func (f *fixture) action(id int64) bot.Action {
	f.t.Helper()
	a, err := f.db.Action(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

func (f *fixture) events(caseID int64) []bot.EventKind {
	f.t.Helper()
	_, evs, err := f.db.Thread(f.ctx, caseID)
	if err != nil {
		f.t.Fatal(err)
	}
	var kinds []bot.EventKind
	for _, e := range evs {
		kinds = append(kinds, e.Kind)
	}
	return kinds
}

func TestReplyIsSentOnceAndFollowUpJoinsTheCase(t *testing.T) {
	f := newFixture(t)
	c := f.openCase("bluesky", "p1", "care")
	req := bot.ActionRequest{CaseID: c.ID, Kind: bot.ActReply, Actor: "web:sam", Surface: "web", Suggestion: 1}

	a := f.do(req)
	if a.Status != bot.ActionPending {
		t.Fatalf("first click: status %s, want pending", a.Status)
	}
	if dup := f.do(req); dup.Status != bot.ActionSkipped || dup.ID != a.ID {
		t.Fatalf("double click: %+v, want duplicate of %d", dup, a.ID)
	}
	f.execute(a)
	f.execute(a) // a retried job finds it done
	if f.rep.count() != 1 || f.rep.posts[0] != "@maya.bsky.social so sorry, that's on us." {
		t.Fatalf("posts %q, want the first suggestion once", f.rep.posts)
	}
	got := f.action(a.ID)
	if got.Status != bot.ActionDone || !strings.Contains(got.Result, "our-1") {
		t.Fatalf("action after send: %+v", got)
	}
	c2, _ := f.db.Case(f.ctx, c.ID)
	if c2.State != bot.StateAwaitingCustomer || !c2.DueAt.IsZero() {
		t.Fatalf("case after reply: state %s due %v", c2.State, c2.DueAt)
	}

	// The customer answers our reply: same case, state back to new, clock restarted.
	follow := bot.Mention{Platform: "bluesky", ExternalID: "p2", Text: "still broken", InReplyTo: "our-1", CreatedAt: f.now}
	res, err := f.db.Ingest(f.ctx, []bot.Incoming{{Mention: follow, SLA: map[string]time.Duration{"care": time.Hour}}}, func(bot.IngestResult) []bot.Job { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Outcome != bot.OutcomeExtended || res[0].Cases[0].Case.ID != c.ID {
		t.Fatalf("follow-up: %+v", res[0])
	}
	if st := res[0].Cases[0].Case.State; st != bot.StateNew {
		t.Fatalf("state after the customer answered: %s, want new", st)
	}
	// A reply to the new message is a new action, not a duplicate.
	if a2 := f.do(req); a2.Status != bot.ActionPending || a2.ID == a.ID {
		t.Fatalf("reply to the follow-up: %+v", a2)
	}
}

// A surface's role verdict (Discord roles) admits a verified actor the
// team's lists do not name, and refuses one even on a team open to anyone;
// the refusal is recorded with the surface's reason like any other.
func TestRoleVerdictOfTheSurface(t *testing.T) {
	f := newFixture(t)
	billing := f.openCase("bluesky", "p1", "billing")
	care := f.openCase("bluesky", "p2", "care")
	held := &bot.RoleCheck{Held: true}
	missing := &bot.RoleCheck{Reason: `discord:77 holds none of team "care"'s Discord roles (Care)`}
	for _, tc := range []struct {
		name     string
		c        bot.Case
		actor    string
		role     *bot.RoleCheck
		verified bool
		ok       bool
	}{
		{"role holder not in the lists", billing, "discord:77", held, true, true},
		{"role holder unverified", billing, "discord:78", held, false, false},
		{"listed, no verdict", billing, "discord:dana", nil, true, true},
		{"not listed, no verdict", billing, "discord:79", nil, true, false},
		{"open team, role missing", care, "discord:77", missing, true, false},
		{"open team, no verdict", care, "discord:80", nil, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.h.Do(f.ctx, bot.ActionRequest{CaseID: tc.c.ID, Kind: bot.ActAck, Actor: tc.actor, Target: tc.actor,
				Verified: tc.verified, Role: tc.role})
			if tc.ok != (err == nil) || (!tc.ok && !errors.Is(err, bot.ErrForbidden)) {
				t.Fatalf("err %v, want allowed=%v", err, tc.ok)
			}
		})
	}
	actions, err := f.db.Actions(f.ctx, care.ID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range actions {
		if a.Status == bot.ActionDenied && a.Result == missing.Reason && a.Actor == "discord:77" {
			found = true
		}
	}
	if !found {
		t.Fatalf("the refusal is not recorded with the surface's reason: %+v", actions)
	}
}

func TestAssistedReplyWithoutReplier(t *testing.T) {
	f := newFixture(t)
	c := f.openCase("hackernews", "4242", "care")
	a := f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActReply, Actor: "web:sam", Text: "Thanks, we're on it."})
	f.execute(a)
	got := f.action(a.ID)
	if got.Status != bot.ActionDone || !strings.HasPrefix(got.Result, "assisted") {
		t.Fatalf("assisted action: %+v", got)
	}
	kinds := f.events(c.ID)
	if kinds[len(kinds)-1] != bot.EventAssisted {
		t.Fatalf("events %v, want an assisted_reply last", kinds)
	}
}

func TestForbiddenActorIsRecordedAndRefused(t *testing.T) {
	f := newFixture(t)
	c := f.openCase("bluesky", "p1", "billing")
	tests := []struct {
		actor string
		ok    bool
	}{
		{"web:bob", false},
		{"slack:U2", false},
		{"web:alice", true},
		{"slack:U1", true},
		{"discord:dana", true}, // execs may act too
	}
	for _, tt := range tests {
		t.Run(tt.actor, func(t *testing.T) {
			_, err := f.h.Do(f.ctx, bot.ActionRequest{CaseID: c.ID, Kind: bot.ActAck, Actor: tt.actor, Target: tt.actor, Verified: true})
			if tt.ok != (err == nil) || (!tt.ok && !errors.Is(err, bot.ErrForbidden)) {
				t.Fatalf("Do by %s: err %v, want allowed=%v", tt.actor, err, tt.ok)
			}
		})
	}
	actions, err := f.db.Actions(f.ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	denied := 0
	for _, a := range actions {
		if a.Status == bot.ActionDenied {
			denied++
		}
	}
	if denied != 2 {
		t.Fatalf("%d denied attempts recorded, want 2: %+v", denied, actions)
	}

	// A name the surface cannot vouch for is nobody's identity.
	_, err = f.h.Do(f.ctx, bot.ActionRequest{CaseID: c.ID, Kind: bot.ActClaim, Actor: "web:alice"})
	if !errors.Is(err, bot.ErrForbidden) || !strings.Contains(err.Error(), "not verified") {
		t.Fatalf("unverified web:alice on a team with members: %v, want forbidden", err)
	}
}

func TestRetryAfterThenSuccess(t *testing.T) {
	f := newFixture(t)
	c := f.openCase("bluesky", "p1", "care")
	f.rep.errs = []error{&bot.RetryError{After: 30 * time.Second, Err: errors.New("429 rate limited")}}
	a := f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActReply, Actor: "web:sam", Suggestion: 2})
	var retry *bot.RetryError
	if err := f.h.Execute(f.ctx, a.ID); !errors.As(err, &retry) || retry.After != 30*time.Second {
		t.Fatalf("first attempt: %v, want the RetryError", err)
	}
	if st := f.action(a.ID).Status; st != bot.ActionPending {
		t.Fatalf("after a 429 the action is %s, want pending", st)
	}
	f.execute(a)
	if f.rep.count() != 1 || f.action(a.ID).Status != bot.ActionDone {
		t.Fatalf("after retry: %d posts, status %s", f.rep.count(), f.action(a.ID).Status)
	}
}

func TestUnknownOutcomeIsNeverRepeated(t *testing.T) {
	t.Run("transport error", func(t *testing.T) {
		f := newFixture(t)
		c := f.openCase("bluesky", "p1", "care")
		f.rep.errs = []error{errors.New("connection reset")}
		a := f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActReply, Actor: "web:sam", Suggestion: 1})
		f.execute(a) // failed for good: no error, no retry
		f.execute(a)
		if f.rep.count() != 0 || f.action(a.ID).Status != bot.ActionUnknown {
			t.Fatalf("posts %d status %s", f.rep.count(), f.action(a.ID).Status)
		}
		kinds := f.events(c.ID)
		if kinds[len(kinds)-1] != bot.EventActionFail {
			t.Fatalf("events %v, want the failure in the thread", kinds)
		}
	})
	t.Run("crash while sending", func(t *testing.T) {
		f := newFixture(t)
		c := f.openCase("bluesky", "p1", "care")
		a := f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActReply, Actor: "web:sam", Suggestion: 1})
		// Sending started longer ago than any run may last: that run is gone.
		if err := f.db.FinishAction(f.ctx, a.ID, bot.ActionSending, "", f.now.Add(-handlers.SendLease-time.Minute)); err != nil {
			t.Fatal(err)
		}
		f.execute(a) // the job after a restart
		if f.rep.count() != 0 {
			t.Fatal("an action interrupted mid-send was sent again")
		}
		if got := f.action(a.ID); got.Status != bot.ActionUnknown || !strings.Contains(got.Result, "interrupted") {
			t.Fatalf("action: %+v", got)
		}
	})
}

func TestValidation(t *testing.T) {
	f := newFixture(t)
	c := f.openCase("bluesky", "p1", "care")
	tests := []struct {
		name  string
		req   bot.ActionRequest
		field string
	}{
		{"unknown kind", bot.ActionRequest{Kind: "launch"}, "kind"},
		{"empty reply", bot.ActionRequest{Kind: bot.ActReply}, "text"},
		{"too long for bluesky", bot.ActionRequest{Kind: bot.ActReply, Text: strings.Repeat("a", 301)}, "text"},
		{"suggestion out of range", bot.ActionRequest{Kind: bot.ActReply, Suggestion: 3}, "suggestion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.CaseID, tt.req.Actor = c.ID, "web:sam"
			_, err := f.h.Do(f.ctx, tt.req)
			var re *handlers.RequestError
			if !errors.As(err, &re) || re.Field != tt.field {
				t.Fatalf("err %v, want a RequestError on %q", err, tt.field)
			}
		})
	}
	if _, err := f.h.Do(f.ctx, bot.ActionRequest{CaseID: 999, Kind: bot.ActClaim, Actor: "web:sam"}); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("unknown case: %v", err)
	}
}

func TestConcurrentClicksExecuteOnce(t *testing.T) {
	f := newFixture(t)
	c := f.openCase("bluesky", "p1", "care")
	req := bot.ActionRequest{CaseID: c.ID, Kind: bot.ActClaim, Actor: "web:sam"}
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := 0
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, err := f.h.Do(f.ctx, req)
			if err != nil {
				t.Error(err)
				return
			}
			if a.Status == bot.ActionPending {
				mu.Lock()
				created++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if created != 1 {
		t.Fatalf("%d of 10 concurrent clicks created an action, want 1", created)
	}
}

func TestStateChanges(t *testing.T) {
	tests := []struct {
		kind  bot.ActionKind
		state bot.CaseState
		event bot.EventKind
	}{
		{bot.ActClaim, bot.StateClaimed, bot.EventClaimed},
		{bot.ActEscalate, bot.StateEscalated, bot.EventPaged}, // escalated, then step 1 paged
		{bot.ActDefect, bot.StateDefectFiled, bot.EventDefect},
		{bot.ActDismiss, bot.StateDismissed, bot.EventDismissed},
		{bot.ActResolve, bot.StateResolved, bot.EventResolved},
		{bot.ActMute, bot.StateDismissed, bot.EventMuted},
		{bot.ActAck, bot.StateNew, bot.EventAcked},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			f := newFixture(t)
			c := f.openCase("bluesky", "p1", "billing")
			a := f.do(bot.ActionRequest{CaseID: c.ID, Kind: tt.kind, Actor: "web:alice", Text: "note", Verified: true})
			f.execute(a)
			got, _ := f.db.Case(f.ctx, c.ID)
			if got.State != tt.state {
				t.Fatalf("state %s, want %s", got.State, tt.state)
			}
			kinds := f.events(c.ID)
			if kinds[len(kinds)-1] != tt.event {
				t.Fatalf("events %v, want %s last", kinds, tt.event)
			}
			if tt.kind == bot.ActEscalate {
				_, evs, _ := f.db.Thread(f.ctx, c.ID)
				esc, paged := evs[len(evs)-2], evs[len(evs)-1]
				if esc.Kind != bot.EventEscalated || !strings.Contains(esc.Text, "note") || !strings.HasPrefix(paged.Text, "Paged dana (step 1 of 1)") {
					t.Fatalf("escalation %q should carry the note and page %q the execs", esc.Text, paged.Text)
				}
			}
		})
	}
}

func TestReplySendsWhatWasApprovedToThePostThatWasAnswered(t *testing.T) {
	f := newFixture(t)
	c := f.openCase("bluesky", "p1", "care")
	a := f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActReply, Actor: "web:sam", Suggestion: 1})

	// Before the job runs: drafts redone, and the customer writes again.
	if err := f.db.SaveSuggestions(f.ctx, c.ID, []bot.Suggestion{{Rank: 1, Text: "REDRAFTED TEXT NOBODY SAW"}}, bot.CaseChange{}); err != nil {
		t.Fatal(err)
	}
	more := bot.Mention{Platform: "bluesky", ExternalID: "p2", Text: "hello?", InReplyTo: "p1", CreatedAt: f.now,
		Author: bot.Author{Handle: "maya.bsky.social"}}
	if _, err := f.db.Ingest(f.ctx, []bot.Incoming{{Mention: more}}, nil); err != nil {
		t.Fatal(err)
	}
	f.execute(a)
	if len(f.rep.posts) != 1 || f.rep.posts[0] != "@maya.bsky.social so sorry, that's on us." {
		t.Fatalf("posted %q, want the text the person approved", f.rep.posts)
	}
	if f.rep.to[0] != "p1" {
		t.Fatalf("answered %s, want p1, the post the person saw", f.rep.to[0])
	}
	// Answering the new post is a new action.
	if b := f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActReply, Actor: "web:sam", Text: "We're on it."}); b.Status != bot.ActionPending {
		t.Fatalf("reply to p2: %+v", b)
	}
}

func TestReplyBookkeepingAfterAPostIsFinishedNotRepeated(t *testing.T) {
	f := newFixture(t)
	c := f.openCase("bluesky", "p1", "care")
	a := f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActReply, Actor: "web:sam", Suggestion: 1})
	// The platform took the post, then the process died before the case was updated.
	if err := f.db.FinishAction(f.ctx, a.ID, bot.ActionSending, `posted:{"id":"our-9","url":"https://bsky.app/post/our-9"}`, f.now); err != nil {
		t.Fatal(err)
	}
	f.execute(a)
	if f.rep.count() != 0 {
		t.Fatal("posted again after the platform had taken the post")
	}
	got := f.action(a.ID)
	if got.Status != bot.ActionDone || got.Result != "https://bsky.app/post/our-9" {
		t.Fatalf("action %+v, want done with our post", got)
	}
	// Our post is recorded, so the customer's answer to it joins the case.
	res, err := f.db.Ingest(f.ctx, []bot.Incoming{{Mention: bot.Mention{Platform: "bluesky", ExternalID: "p3", Text: "thanks", InReplyTo: "our-9", CreatedAt: f.now}}}, nil)
	if err != nil || len(res[0].Cases) != 1 || res[0].Cases[0].Case.ID != c.ID {
		t.Fatalf("answer to our post: %+v, %v", res, err)
	}
}

func TestStateChangeTwiceIsOneAction(t *testing.T) {
	f := newFixture(t)
	c := f.openCase("bluesky", "p1", "care")
	first := f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActEscalate, Actor: "web:sam"})
	f.execute(first)
	// Another tab, or a retried event, after the first one ran (new revision).
	second := f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActEscalate, Actor: "web:kim"})
	if second.Status != bot.ActionSkipped {
		t.Fatalf("second escalation: %+v, want duplicate", second)
	}
	escalations := 0
	for _, k := range f.events(c.ID) {
		if k == bot.EventEscalated {
			escalations++
		}
	}
	if escalations != 1 {
		t.Fatalf("%d escalation events, want 1", escalations)
	}
}

// A reply the platform refused (a revoked token, a deleted post) is known
// not to have gone out: once the cause is fixed a person can send it again.
func TestRefusedReplyCanBeSentAgain(t *testing.T) {
	f := newFixture(t)
	c := f.openCase("bluesky", "p1", "care")
	f.rep.errs = []error{bot.Permanent(errors.New("401: token revoked"))}
	req := bot.ActionRequest{CaseID: c.ID, Kind: bot.ActReply, Actor: "web:sam", Suggestion: 1}
	first := f.do(req)
	f.execute(first)
	if got := f.action(first.ID); got.Status != bot.ActionFailed || !strings.Contains(got.Result, "token revoked") {
		t.Fatalf("first attempt %+v, want failed with the platform's reason", got)
	}
	second := f.do(req)
	if second.Status != bot.ActionPending || second.ID == first.ID {
		t.Fatalf("second attempt %+v, want a new pending action", second)
	}
	f.execute(second)
	if f.rep.count() != 1 || f.action(second.ID).Status != bot.ActionDone {
		t.Fatalf("posts %d, second %+v: want it sent once", f.rep.count(), f.action(second.ID))
	}
	if again := f.do(req); again.Status != bot.ActionSkipped {
		t.Fatalf("third click %+v, want a duplicate of the sent reply", again)
	}
	// The refused attempt keeps its record.
	if got := f.action(first.ID); got.Status != bot.ActionFailed || got.Key == second.Key {
		t.Fatalf("first attempt now %+v", got)
	}
}

func TestRefusedReplyBecomesAssistedWithReason(t *testing.T) {
	f := newFixture(t)
	f.rep.errs = []error{bot.Assisted("the author has not mentioned the brand account", errors.New("403 Forbidden"))}
	c := f.openCase("bluesky", "p9", "care")
	a := f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActReply, Actor: "web:sam", Text: "Sorry, we'll fix it."})
	f.execute(a)
	got := f.action(a.ID)
	if got.Status != bot.ActionDone || !strings.HasPrefix(got.Result, "assisted") ||
		!strings.Contains(got.Result, "has not mentioned the brand account") {
		t.Fatalf("refused reply: %+v, want done as assisted with the reason", got)
	}
	if len(f.rep.posts) != 0 {
		t.Fatalf("posted %v", f.rep.posts)
	}
	kinds := f.events(c.ID)
	if kinds[len(kinds)-1] != bot.EventAssisted {
		t.Fatalf("events %v, want an assisted_reply last", kinds)
	}
	c2, err := f.db.Case(f.ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c2.State != bot.StateAwaitingCustomer {
		t.Fatalf("case state %s, want awaiting the customer", c2.State)
	}
}
