package handlers_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/handlers"
)

// fakeDrafter answers with one draft naming the instruction it was given.
type fakeDrafter struct {
	mu   sync.Mutex
	reqs []bot.DraftRequest
}

func (d *fakeDrafter) DraftReplies(_ context.Context, c bot.Case, _ bot.Team, thread []bot.Mention, req bot.DraftRequest) (bot.Drafts, error) {
	d.mu.Lock()
	d.reqs = append(d.reqs, req)
	d.mu.Unlock()
	long := strings.Repeat("far too long for bluesky ", 20)
	return bot.Drafts{
		Suggestions: []bot.Suggestion{{Text: "Redrafted: " + req.Instruction, Origin: "fake-model"}, {Text: long}},
		Info:        bot.DraftInfo{Origin: "fake-model", Summary: "lamp broke", Note: "1 model draft(s) dropped: warm has a link."},
	}, nil
}

func TestRegenerateReplacesDraftsOnceWithTheInstruction(t *testing.T) {
	f := newFixture(t)
	d := &fakeDrafter{}
	h, err := handlers.New(handlers.Config{Store: f.db, Teams: f.rules.Team, Drafter: d, Surfaces: []string{"web"}, Now: func() time.Time { return f.now }})
	if err != nil {
		t.Fatal(err)
	}
	c := f.openCase("bluesky", "p1", "care")
	req := bot.ActionRequest{CaseID: c.ID, Kind: bot.ActRegenerate, Actor: "web:alice", Text: "shorter", Verified: true}
	a, err := h.Do(f.ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := h.Do(f.ctx, req) // a double click
	if err != nil || again.Status != bot.ActionSkipped {
		t.Fatalf("second click: %+v %v, want a duplicate", again, err)
	}
	if err := h.Execute(f.ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := h.Execute(f.ctx, a.ID); err != nil { // a retried job
		t.Fatal(err)
	}
	if len(d.reqs) != 1 || !d.reqs[0].Fresh || d.reqs[0].Instruction != "shorter" {
		t.Fatalf("drafter asked %+v, want once, fresh, with the instruction", d.reqs)
	}
	sugg, _ := f.db.Suggestions(f.ctx, c.ID)
	if len(sugg) != 1 || sugg[0].Text != "Redrafted: shorter" {
		t.Fatalf("suggestions %+v: want the one draft that fits bluesky", sugg)
	}
	info, _ := f.db.DraftInfo(f.ctx, c.ID)
	if info.Origin != "fake-model" || info.Summary != "lamp broke" || !strings.Contains(info.Note, "dropped") || info.Instruction != "shorter" {
		t.Fatalf("draft info %+v", info)
	}
	if got := f.action(a.ID); got.Status != bot.ActionDone {
		t.Fatalf("action %+v, want done", got)
	}
	if kinds := f.events(c.ID); kinds[len(kinds)-1] != bot.EventRegenerated {
		t.Fatalf("events %v, want regenerated last", kinds)
	}
}

func TestRegenerateRefusesClosedCasesAndLongInstructions(t *testing.T) {
	f := newFixture(t)
	h, err := handlers.New(handlers.Config{Store: f.db, Teams: f.rules.Team, Drafter: &fakeDrafter{}, Now: func() time.Time { return f.now }})
	if err != nil {
		t.Fatal(err)
	}
	c := f.openCase("bluesky", "p1", "care")
	_, err = h.Do(f.ctx, bot.ActionRequest{CaseID: c.ID, Kind: bot.ActRegenerate, Actor: "web:a", Text: strings.Repeat("x", 501)})
	var re *handlers.RequestError
	if !errors.As(err, &re) || re.Field != "text" {
		t.Fatalf("long instruction: %v, want a text error", err)
	}
	f.execute(f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActResolve, Actor: "web:a"}))
	_, err = h.Do(f.ctx, bot.ActionRequest{CaseID: c.ID, Kind: bot.ActRegenerate, Actor: "web:a"})
	if !errors.As(err, &re) || !strings.Contains(re.Msg, "resolved") {
		t.Fatalf("closed case: %v, want an error saying it is resolved", err)
	}
}
