package handlers_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/handlers"
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/store"
)

const careRulesYAML = `
brand: {name: Lumio}
teams:
  care:
    sla: 2h
    delight:
      after: [reply, resolve]
      coupon_pool: sorry-10
      text: "Thanks for bearing with us! 10% off your next order: {code}"
  billing: {members: [alice, "slack:U1"]}
  links:
    delight: {after: [resolve], link: https://lumio.example/thanks}
route:
  name: brand
  any: [lumio]
  team: care
`

// newCareFixture is newFixture with teams that offer delight and the mute
// store and reload hook wired; reloads counts MutesChanged calls.
func newCareFixture(t *testing.T) (*fixture, *atomic.Int32) {
	t.Helper()
	ctx := t.Context()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "earshot.db"), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	rules, err := routing.Parse("rules.yaml", []byte(careRulesYAML))
	if err != nil {
		t.Fatal(err)
	}
	rep := &fakeReplier{}
	reloads := &atomic.Int32{}
	h, err := handlers.New(handlers.Config{
		Store: db, Teams: rules.Team, Repliers: []bot.Replier{rep}, Surfaces: []string{"web"},
		Now:   func() time.Time { return now },
		Mutes: db,
		AllTeams: func() []bot.Team {
			var out []bot.Team
			for _, n := range rules.TeamOrder {
				tm, _ := rules.Team(n)
				out = append(out, tm)
			}
			return out
		},
		MutesChanged: func(context.Context) error { reloads.Add(1); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, ctx: ctx, db: db, rules: rules, h: h, rep: rep, now: now}, reloads
}

func (f *fixture) lastEvent(caseID int64) bot.Event {
	f.t.Helper()
	_, evs, err := f.db.Thread(f.ctx, caseID)
	if err != nil {
		f.t.Fatal(err)
	}
	return evs[len(evs)-1]
}

func requestErrorOn(t *testing.T, err error, field string) {
	t.Helper()
	var re *handlers.RequestError
	if !errors.As(err, &re) || re.Field != field {
		t.Fatalf("err %v, want a RequestError on %q", err, field)
	}
}

func TestDismissKeepsTheReason(t *testing.T) {
	tests := []struct {
		reason    bot.DismissReason
		want      bot.DismissReason
		eventText string
	}{
		{bot.ReasonSpam, bot.ReasonSpam, "Dismissed (spam): bot farm"},
		{bot.ReasonNotAboutUs, bot.ReasonNotAboutUs, "Dismissed (not about us): bot farm"},
		{bot.ReasonDuplicate, bot.ReasonDuplicate, "Dismissed (duplicate): bot farm"},
		{"", bot.ReasonOther, "Dismissed (other): bot farm"},
	}
	for _, tt := range tests {
		t.Run(string(tt.want), func(t *testing.T) {
			f, _ := newCareFixture(t)
			c := f.openCase("bluesky", "p1", "care")
			a := f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActDismiss, Actor: "web:sam", Reason: tt.reason, Text: "bot farm"})
			f.execute(a)
			got := f.action(a.ID)
			if got.Reason != tt.want || got.Status != bot.ActionDone {
				t.Fatalf("action %+v, want reason %s, done", got, tt.want)
			}
			if ev := f.lastEvent(c.ID); ev.Kind != bot.EventDismissed || ev.Text != tt.eventText {
				t.Fatalf("event %+v, want %q", ev, tt.eventText)
			}
		})
	}
	t.Run("unknown reason", func(t *testing.T) {
		f, _ := newCareFixture(t)
		c := f.openCase("bluesky", "p1", "care")
		_, err := f.h.Do(f.ctx, bot.ActionRequest{CaseID: c.ID, Kind: bot.ActDismiss, Actor: "web:sam", Reason: "rude"})
		requestErrorOn(t, err, "reason")
		if !strings.Contains(err.Error(), `"rude"`) || !strings.Contains(err.Error(), "spam, not_about_us, duplicate, other") {
			t.Fatalf("error %q should name the value and list the reasons", err)
		}
	})
}

func TestMuteAction(t *testing.T) {
	tests := []struct {
		name  string
		spec  *bot.MuteSpec
		want  bot.Mute // Kind, Value, Platform and Until checked
		event string
	}{
		{"the customer by default", nil,
			bot.Mute{Kind: bot.MuteAuthor, Value: "maya.bsky.social", Platform: "bluesky", Until: time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)},
			`Muted author "maya.bsky.social" on bluesky until 2026-11-30 10:00 UTC: noise`},
		{"a term for a day", &bot.MuteSpec{Kind: bot.MuteTerm, Value: `"Giveaway"`, Period: "24h"},
			bot.Mute{Kind: bot.MuteTerm, Value: "giveaway", Until: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)},
			`Muted term "giveaway" until 2026-11-24 10:00 UTC: noise`},
		{"an author for good", &bot.MuteSpec{Kind: bot.MuteAuthor, Value: "@DealsBot", Period: "forever"},
			bot.Mute{Kind: bot.MuteAuthor, Value: "dealsbot", Platform: "bluesky"},
			`Muted author "dealsbot" on bluesky until unmuted: noise`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, reloads := newCareFixture(t)
			c := f.openCase("bluesky", "p1", "care")
			req := bot.ActionRequest{CaseID: c.ID, Kind: bot.ActMute, Actor: "web:sam", Mute: tt.spec, Text: "noise"}
			a := f.do(req)
			if dup := f.do(req); dup.Status != bot.ActionSkipped {
				t.Fatalf("double click: %+v", dup)
			}
			f.execute(a)
			f.execute(a) // a retried job records nothing more
			ms, err := f.db.ActiveMutes(f.ctx, f.now)
			if err != nil || len(ms) != 1 {
				t.Fatalf("mutes %+v, %v; want one", ms, err)
			}
			m := ms[0]
			if m.Kind != tt.want.Kind || m.Value != tt.want.Value || m.Platform != tt.want.Platform || !m.Until.Equal(tt.want.Until) ||
				m.By != "web:sam" || m.Reason != "noise" || m.CaseID != c.ID || m.ActionID != a.ID {
				t.Fatalf("mute %+v, want %+v", m, tt.want)
			}
			if got, _ := f.db.Case(f.ctx, c.ID); got.State != bot.StateDismissed || !got.DueAt.IsZero() {
				t.Fatalf("case after mute: %s due %v", got.State, got.DueAt)
			}
			if ev := f.lastEvent(c.ID); ev.Kind != bot.EventMuted || ev.Text != tt.event {
				t.Fatalf("event %q, want %q", ev.Text, tt.event)
			}
			if reloads.Load() != 1 {
				t.Fatalf("%d reloads of the mutes, want 1", reloads.Load())
			}
		})
	}
	t.Run("a closed case keeps its state", func(t *testing.T) {
		f, _ := newCareFixture(t)
		c := f.openCase("bluesky", "p1", "care")
		f.execute(f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActResolve, Actor: "web:sam"}))
		f.execute(f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActMute, Actor: "web:sam"}))
		if got, _ := f.db.Case(f.ctx, c.ID); got.State != bot.StateResolved {
			t.Fatalf("state %s, want resolved", got.State)
		}
	})
	t.Run("bad requests", func(t *testing.T) {
		f, _ := newCareFixture(t)
		c := f.openCase("bluesky", "p1", "care")
		for _, tt := range []struct {
			spec  bot.MuteSpec
			field string
		}{
			{bot.MuteSpec{Period: "1y"}, "mute.period"},
			{bot.MuteSpec{Period: "0d"}, "mute.period"},
			{bot.MuteSpec{Kind: "place"}, "mute.kind"},
			{bot.MuteSpec{Kind: bot.MuteTerm}, "mute.value"},
			{bot.MuteSpec{Kind: bot.MuteTerm, Value: "gi*ve"}, "mute.value"},
			{bot.MuteSpec{Kind: bot.MuteAuthor, Value: "two words"}, "mute.value"},
		} {
			_, err := f.h.Do(f.ctx, bot.ActionRequest{CaseID: c.ID, Kind: bot.ActMute, Actor: "web:sam", Mute: &tt.spec})
			requestErrorOn(t, err, tt.field)
		}
	})
}

func TestReopen(t *testing.T) {
	tests := []struct {
		name     string
		close    bot.ActionKind
		claimed  bool
		want     bot.CaseState
		assignee string
	}{
		{"resolved, claimed", bot.ActResolve, true, bot.StateClaimed, "web:sam"},
		{"dismissed, nobody's", bot.ActDismiss, false, bot.StateNew, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := newCareFixture(t)
			c := f.openCase("bluesky", "p1", "care")
			if tt.claimed {
				f.execute(f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActClaim, Actor: "web:sam"}))
			}
			f.execute(f.do(bot.ActionRequest{CaseID: c.ID, Kind: tt.close, Actor: "web:sam"}))
			if got, _ := f.db.Case(f.ctx, c.ID); got.State.Open() {
				t.Fatalf("not closed: %s", got.State)
			}
			req := bot.ActionRequest{CaseID: c.ID, Kind: bot.ActReopen, Actor: "web:kim"}
			a := f.do(req)
			f.execute(a)
			got, _ := f.db.Case(f.ctx, c.ID)
			if got.State != tt.want || got.Assignee != tt.assignee {
				t.Fatalf("after reopen: %s assignee %q, want %s %q", got.State, got.Assignee, tt.want, tt.assignee)
			}
			if want := f.now.Add(2 * time.Hour); !got.DueAt.Equal(want) {
				t.Fatalf("due %v, want %v: the SLA restarts", got.DueAt, want)
			}
			if ev := f.lastEvent(c.ID); ev.Kind != bot.EventReopened || ev.Actor != "web:kim" {
				t.Fatalf("event %+v", ev)
			}
			// Another tab clicks Reopen on the same (closed) card: done already.
			if dup := f.do(req); dup.Status != bot.ActionSkipped {
				t.Fatalf("second reopen: %+v, want duplicate", dup)
			}
		})
	}
}

// sendSuggestion replies with the suggestion of the given approach.
func (f *fixture) sendSuggestion(caseID int64, approach string) bot.Action {
	f.t.Helper()
	ss, err := f.db.Suggestions(f.ctx, caseID)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, s := range ss {
		if s.Approach == approach {
			a := f.do(bot.ActionRequest{CaseID: caseID, Kind: bot.ActReply, Actor: "web:sam", Suggestion: s.Rank})
			f.execute(a)
			return a
		}
	}
	f.t.Fatalf("no %s suggestion in %+v", approach, ss)
	return bot.Action{}
}

func (f *fixture) delights(caseID int64) []bot.Suggestion {
	f.t.Helper()
	ss, err := f.db.Suggestions(f.ctx, caseID)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []bot.Suggestion
	for _, s := range ss {
		if s.Approach == handlers.ApproachDelight {
			out = append(out, s)
		}
	}
	return out
}

func TestDelight(t *testing.T) {
	f, _ := newCareFixture(t)
	if _, _, err := f.db.AddCoupons(f.ctx, "sorry-10", []string{"SORRY-A", "SORRY-B"}); err != nil {
		t.Fatal(err)
	}
	c := f.openCase("bluesky", "p1", "care")
	reply := f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActReply, Actor: "web:sam", Suggestion: 1})
	f.execute(reply)
	d := f.delights(c.ID)
	if len(d) != 1 || d[0].Text != "Thanks for bearing with us! 10% off your next order: SORRY-A" || d[0].Rank != 3 {
		t.Fatalf("gesture after the reply: %+v", d)
	}
	if ev := f.lastEvent(c.ID); ev.Kind != bot.EventDelight || ev.ActionID != reply.ID || !strings.Contains(ev.Text, "SORRY-A") {
		t.Fatalf("event %+v", ev)
	}
	f.execute(reply) // the job retried: offered once
	var delightEvents int
	for _, k := range f.events(c.ID) {
		if k == bot.EventDelight {
			delightEvents++
		}
	}
	if delightEvents != 1 {
		t.Fatalf("%d delight events, want 1", delightEvents)
	}

	// The drafts are redone (the customer wrote again): the gesture is
	// offered again after the next reply, with the same code.
	if err := f.db.SaveSuggestions(f.ctx, c.ID, []bot.Suggestion{{Text: "new draft"}}, bot.CaseChange{}); err != nil {
		t.Fatal(err)
	}
	more := bot.Mention{Platform: "bluesky", ExternalID: "p2", Text: "lumio thanks but", InReplyTo: "our-1", CreatedAt: f.now, Author: bot.Author{Handle: "maya.bsky.social"}}
	if _, err := f.db.Ingest(f.ctx, []bot.Incoming{{Mention: more}}, nil); err != nil {
		t.Fatal(err)
	}
	f.execute(f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActReply, Actor: "web:sam", Suggestion: 1}))
	if d := f.delights(c.ID); len(d) != 1 || !strings.HasSuffix(d[0].Text, "SORRY-A") || d[0].Rank != 2 {
		t.Fatalf("offered again: %+v, want the same code", d)
	}

	// Sending the gesture is a reply like any other; it is not offered again.
	f.sendSuggestion(c.ID, handlers.ApproachDelight)
	if f.rep.posts[len(f.rep.posts)-1] != "Thanks for bearing with us! 10% off your next order: SORRY-A" {
		t.Fatalf("posted %q", f.rep.posts)
	}
	f.execute(f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActResolve, Actor: "web:sam"}))
	pools, _ := f.db.CouponPools(f.ctx)
	if pools[0].Given != 1 {
		t.Fatalf("pools %+v: one code given to one case", pools)
	}

	// A second case gets the other code; a third finds the pool empty.
	c2 := f.openCase("bluesky", "q1", "care")
	f.execute(f.do(bot.ActionRequest{CaseID: c2.ID, Kind: bot.ActResolve, Actor: "web:sam"}))
	if d := f.delights(c2.ID); len(d) != 1 || !strings.HasSuffix(d[0].Text, "SORRY-B") {
		t.Fatalf("second case: %+v", d)
	}
	if got, _ := f.db.Case(f.ctx, c2.ID); got.State != bot.StateResolved {
		t.Fatalf("the gesture moved a resolved case to %s", got.State)
	}
	c3 := f.openCase("bluesky", "r1", "care")
	f.execute(f.do(bot.ActionRequest{CaseID: c3.ID, Kind: bot.ActResolve, Actor: "web:sam"}))
	if d := f.delights(c3.ID); len(d) != 0 {
		t.Fatalf("empty pool offered %+v", d)
	}
	if ev := f.lastEvent(c3.ID); ev.Kind != bot.EventDelight || !strings.Contains(ev.Text, `coupon pool "sorry-10" has no code left`) {
		t.Fatalf("empty pool note: %+v", ev)
	}
	if a := f.action(f.lastEvent(c3.ID).ActionID); a.Status != bot.ActionDone || a.Result != "Resolved" {
		t.Fatalf("the resolve action after an empty pool: %+v", a)
	}
}

func TestDelightOnlyAfterItsActions(t *testing.T) {
	f, _ := newCareFixture(t)
	c := f.openCase("bluesky", "p1", "links")
	f.execute(f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActReply, Actor: "web:sam", Suggestion: 1}))
	if d := f.delights(c.ID); len(d) != 0 {
		t.Fatalf("offered after a reply, configured for resolve only: %+v", d)
	}
	f.execute(f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActResolve, Actor: "web:sam"}))
	if d := f.delights(c.ID); len(d) != 1 || d[0].Text != "As a thank-you for your patience: https://lumio.example/thanks" {
		t.Fatalf("link gesture: %+v", d)
	}
	// A team without delight offers nothing.
	b := f.openCase("bluesky", "p2", "billing")
	f.execute(f.do(bot.ActionRequest{CaseID: b.ID, Kind: bot.ActResolve, Actor: "web:alice", Verified: true}))
	if d := f.delights(b.ID); len(d) != 0 {
		t.Fatalf("billing offered %+v", d)
	}
}

func TestMuteOutsideACase(t *testing.T) {
	f, reloads := newCareFixture(t)
	m, err := f.h.Mute(f.ctx, handlers.MuteRequest{Actor: "slack:U9", Verified: true,
		Spec: bot.MuteSpec{Kind: bot.MuteTerm, Value: "Giveaway", Period: "24h"}, Reason: "promo wave"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Value != "giveaway" || !m.Until.Equal(f.now.Add(24*time.Hour)) || m.By != "slack:U9" || reloads.Load() != 1 {
		t.Fatalf("mute %+v, %d reloads", m, reloads.Load())
	}
	if _, err := f.h.Mute(f.ctx, handlers.MuteRequest{Actor: "web:sam", Spec: bot.MuteSpec{Kind: bot.MuteTerm, Value: "x", Period: "soon"}}); err == nil {
		t.Fatal("a bad period was accepted")
	} else {
		requestErrorOn(t, err, "mute.period")
	}
	ms, err := f.h.ActiveMutes(f.ctx)
	if err != nil || len(ms) != 1 {
		t.Fatalf("active %+v %v", ms, err)
	}
	ended, err := f.h.Unmute(f.ctx, handlers.UnmuteRequest{Actor: "web:sam", Kind: bot.MuteTerm, Value: `"GIVEAWAY"`})
	if err != nil || len(ended) != 1 || ended[0].EndedBy != "web:sam" || reloads.Load() != 2 {
		t.Fatalf("unmute: %+v %v (%d reloads)", ended, err, reloads.Load())
	}

	// Unmuting a case's customer.
	c := f.openCase("bluesky", "p1", "care")
	f.execute(f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActMute, Actor: "web:sam"}))
	ended, err = f.h.Unmute(f.ctx, handlers.UnmuteRequest{Actor: "web:sam", CaseID: c.ID})
	if err != nil || len(ended) != 1 || ended[0].Value != "maya.bsky.social" {
		t.Fatalf("unmute from the case: %+v %v", ended, err)
	}
}

func TestMuteOutsideACaseNeedsAMember(t *testing.T) {
	f, _ := newFixture(t), 0
	// The handlers.Config of newFixture has no AllTeams and no mute store.
	if _, err := f.h.Mute(f.ctx, handlers.MuteRequest{Actor: "web:sam", Spec: bot.MuteSpec{Kind: bot.MuteTerm, Value: "x"}}); err == nil {
		t.Fatal("muted without a mute store")
	}
	rules, err := routing.Parse("r.yaml", []byte(`
teams: {billing: {members: [alice]}}
route: {name: brand, any: [lumio], team: billing}
`))
	if err != nil {
		t.Fatal(err)
	}
	h, err := handlers.New(handlers.Config{Store: f.db, Teams: rules.Team, Mutes: f.db,
		AllTeams: func() []bot.Team { tm, _ := rules.Team("billing"); return []bot.Team{tm} }})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		actor    string
		verified bool
		ok       bool
	}{
		{"web:alice", false, false},
		{"web:bob", true, false},
		{"slack:alice", true, true},
	} {
		t.Run(fmt.Sprintf("%s verified=%v", tt.actor, tt.verified), func(t *testing.T) {
			_, err := h.Mute(f.ctx, handlers.MuteRequest{Actor: tt.actor, Verified: tt.verified, Spec: bot.MuteSpec{Kind: bot.MuteTerm, Value: "giveaway"}})
			if tt.ok != (err == nil) || (!tt.ok && !errors.Is(err, bot.ErrForbidden)) {
				t.Fatalf("err %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// The reply carries its case and a key that stays the same across retries,
// for repliers that pass them on (the webhook replier).
func TestReplyMetaIsStableAcrossRetries(t *testing.T) {
	f, _ := newCareFixture(t)
	var keys []string
	f.rep.onReply = func(ctx context.Context) {
		m, ok := bot.ReplyMetaFrom(ctx)
		if !ok {
			t.Error("no reply meta in the context")
		}
		keys = append(keys, fmt.Sprintf("%d/%s", m.CaseID, m.IdempotencyKey))
	}
	f.rep.errs = []error{&bot.RetryError{After: time.Second, Err: errors.New("429")}}
	c := f.openCase("bluesky", "p1", "care")
	a := f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActReply, Actor: "web:sam", Suggestion: 1})
	if err := f.h.Execute(f.ctx, a.ID); err == nil {
		t.Fatal("want the retry")
	}
	f.execute(a)
	want := fmt.Sprintf("%d/earshot-action-%d", c.ID, a.ID)
	if len(keys) != 2 || keys[0] != want || keys[1] != want {
		t.Fatalf("keys %v, want %s twice", keys, want)
	}
}
