package store

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
)

func issueLink(number int, terms ...string) bot.CaseLink {
	return bot.CaseLink{
		Issue: bot.Issue{Tracker: "github", Repo: "lumio/app", Number: number, URL: "https://github.com/lumio/app/issues/412", Title: "App crashes"},
		Terms: terms, Via: bot.ViaFiled, Notify: "closed", State: bot.LinkOpen,
	}
}

// A link, the case's new state, an event, a finished action and the
// follow-up suggestion are written in one transaction, or none is.
func TestUpdateCaseLink(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		c := e.openCase(t, "care", "1")
		a, _, err := e.db.ClaimAction(e.ctx, bot.Action{CaseID: c.ID, Kind: bot.ActDefect, Actor: "web:sam", Key: "k1"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		link := issueLink(412, "crashes", "schedule")
		var sawNew bool
		got, err := e.db.UpdateCaseLink(e.ctx, c.ID, link, func(cc *bot.Case, l *bot.CaseLink) (bot.CaseChange, error) {
			sawNew = l.LinkedAt.IsZero()
			cc.State = bot.StateDefectFiled
			return bot.CaseChange{
				Events:      []bot.Event{{Kind: bot.EventDefect, Text: "Filed lumio/app#412", URL: l.URL}},
				Finish:      &bot.ActionOutcome{ActionID: a.ID, Status: bot.ActionDone, Result: l.URL},
				Suggestions: []bot.Suggestion{{Text: "fixed!"}},
				Jobs:        []bot.Job{{Kind: bot.JobCard, Surface: "web"}},
			}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !sawNew || got.State != bot.StateDefectFiled || got.Rev != c.Rev+1 {
			t.Fatalf("new link %v, case %+v", sawNew, got)
		}
		links, err := e.db.CaseLinks(e.ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := link
		want.CaseID, want.LinkedAt = c.ID, e.clk.Now()
		if len(links) != 1 || !reflect.DeepEqual(links[0], want) {
			t.Fatalf("links =\n%+v\nwant\n%+v", links, want)
		}
		if a, _ := e.db.Action(e.ctx, a.ID); a.Status != bot.ActionDone {
			t.Errorf("action %+v", a)
		}
		if s, _ := e.db.Suggestions(e.ctx, c.ID); len(s) != 1 || s[0].Text != "fixed!" || s[0].Rank != 1 {
			t.Errorf("suggestions %+v", s)
		}

		// fn sees the stored link; a failing fn changes nothing.
		e.clk.Add(time.Minute)
		_, err = e.db.UpdateCaseLink(e.ctx, c.ID, issueLink(412), func(cc *bot.Case, l *bot.CaseLink) (bot.CaseChange, error) {
			if l.LinkedAt.IsZero() || !slices.Equal(l.Terms, []string{"crashes", "schedule"}) {
				t.Errorf("fn saw %+v, want the stored link", *l)
			}
			l.Noted = bot.LinkFixed
			cc.State = bot.StateResolved
			return bot.CaseChange{}, errors.New("no")
		})
		if err == nil {
			t.Fatal("want fn's error")
		}
		if links, _ := e.db.CaseLinks(e.ctx, c.ID); links[0].Noted != "" || e.getCase(t, c.ID).State != bot.StateDefectFiled {
			t.Fatalf("a failed update changed %+v", links[0])
		}
		if _, err := e.db.UpdateCaseLink(e.ctx, c.ID, bot.CaseLink{}, nil); err == nil {
			t.Fatal("a link without an issue was accepted")
		}
	})
}

func TestOpenLinksAndReports(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		link := func(id string, l bot.CaseLink) bot.Case {
			c := e.openCase(t, "care", id)
			if _, err := e.db.UpdateCaseLink(e.ctx, c.ID, l, func(*bot.Case, *bot.CaseLink) (bot.CaseChange, error) {
				return bot.CaseChange{}, nil
			}); err != nil {
				t.Fatal(err)
			}
			e.clk.Add(time.Second)
			return c
		}
		link("1", issueLink(412, "crash"))
		closed := issueLink(7)
		closed.State = bot.LinkFixed
		link("2", closed)
		other := issueLink(9)
		other.Repo = "lumio/hub"
		link("3", other)
		c4 := link("4", issueLink(412, "crash", "startup"))
		open, err := e.db.OpenLinks(e.ctx, "github", "lumio/app", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(open) != 2 || open[0].CaseID != c4.ID || open[0].Number != 412 {
			t.Fatalf("open links %+v", open)
		}
		if n, err := e.db.IssueReports(e.ctx, bot.Issue{Tracker: "github", Repo: "lumio/app", Number: 412}); err != nil || n != 2 {
			t.Fatalf("reports %d, %v", n, err)
		}
	})
}

// A delivery is applied once; links move as next says and its jobs carry
// the case's revision.
func TestRecordIssueEvent(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		var cases []bot.Case
		for _, id := range []string{"1", "2", "3"} {
			c := e.openCase(t, "care", id)
			l := issueLink(412)
			if id == "3" {
				l.Number = 500
			}
			if _, err := e.db.UpdateCaseLink(e.ctx, c.ID, l, func(*bot.Case, *bot.CaseLink) (bot.CaseChange, error) {
				return bot.CaseChange{}, nil
			}); err != nil {
				t.Fatal(err)
			}
			cases = append(cases, e.getCase(t, c.ID))
		}
		ev := bot.IssueEvent{Tracker: "github", Delivery: "d-1", Kind: bot.IssueClosed, Repo: "lumio/app", Numbers: []int{412, 412}, Reason: "completed"}
		next := func(l bot.CaseLink) (bot.CaseLink, []bot.Job) {
			after := l.Next(ev)
			if after.Untold() {
				return after, []bot.Job{{Kind: bot.JobDefectFixed, CaseID: l.CaseID}}
			}
			return after, nil
		}
		n, dup, err := e.db.RecordIssueEvent(e.ctx, ev, next)
		if err != nil || dup || n != 2 {
			t.Fatalf("first delivery: %d changed, dup %v, %v", n, dup, err)
		}
		n, dup, err = e.db.RecordIssueEvent(e.ctx, ev, next)
		if err != nil || !dup || n != 0 {
			t.Fatalf("redelivery: %d changed, dup %v, %v", n, dup, err)
		}
		var fixed []bot.Job
		for _, j := range plainJobs(e.jobs(t)) {
			if j.Kind == bot.JobDefectFixed {
				fixed = append(fixed, j)
			}
		}
		want := []bot.Job{
			{Kind: bot.JobDefectFixed, CaseID: cases[0].ID, Rev: cases[0].Rev},
			{Kind: bot.JobDefectFixed, CaseID: cases[1].ID, Rev: cases[1].Rev},
		}
		if !reflect.DeepEqual(fixed, want) {
			t.Fatalf("jobs %+v, want %+v", fixed, want)
		}
		for i, c := range cases {
			links, _ := e.db.CaseLinks(e.ctx, c.ID)
			if wantState := []string{bot.LinkFixed, bot.LinkFixed, bot.LinkOpen}[i]; links[0].State != wantState {
				t.Errorf("case %d link state %s, want %s", c.ID, links[0].State, wantState)
			}
		}
		// Old deliveries are forgotten after the retention.
		e.clk.Add(deliveryRetention + time.Hour)
		if _, dup, err := e.db.RecordIssueEvent(e.ctx, bot.IssueEvent{Tracker: "github", Delivery: "d-2", Kind: bot.IssueReopened}, next); err != nil || dup {
			t.Fatalf("another delivery: dup %v, %v", dup, err)
		}
		var left int
		if err := e.db.be.reader().queryRow(e.ctx, `SELECT count(*) FROM tracker_deliveries`).Scan(&left); err != nil || left != 1 {
			t.Fatalf("%d deliveries kept, %v; want 1", left, err)
		}
		if _, _, err := e.db.RecordIssueEvent(e.ctx, bot.IssueEvent{Tracker: "github"}, next); err == nil {
			t.Fatal("a delivery without an id was accepted")
		}
	})
}
