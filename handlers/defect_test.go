package handlers_test

import (
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/handlers"
	"github.com/earshothq/earshot/internal/testkit/githubfake"
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/store"
	"github.com/earshothq/earshot/trackers/github"
)

const defectRulesYAML = `
brand: {name: Lumio, products: ["Lumio app", "Lumio hub"], sign_off: "– the Lumio team"}
defects:
  github: {repo: lumio/app, labels: [customer-reported]}
teams:
  care: {sla: 1h}
  product:
    defects:
      github: {repo: lumio/firmware, labels: [bug]}
      notify_on: released
  local: {}
route:
  name: brand
  any: [lumio]
  team: care
`

// defectFixture is the handlers with a fake GitHub behind the real adapter.
type defectFixture struct {
	*fixture
	gh   *githubfake.Fake
	seq  int
	rule *routing.Rules
}

func newDefectFixture(t *testing.T) *defectFixture {
	t.Helper()
	ctx := t.Context()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "earshot.db"), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	rules, err := routing.Parse("earshot.yaml", []byte(defectRulesYAML))
	if err != nil {
		t.Fatal(err)
	}
	fake := githubfake.New(t)
	tr, err := github.New(github.Options{Token: githubfake.Token, APIURL: fake.URL()})
	if err != nil {
		t.Fatal(err)
	}
	h, err := handlers.New(handlers.Config{
		Store: db, Teams: rules.Team, Surfaces: []string{"web"}, Now: func() time.Time { return now },
		Defects: handlers.DefectConfig{
			Tracker: tr, Links: db, Where: rules.DefectsFor,
			Brand:   func() routing.Brand { return rules.Brand },
			CaseURL: func(id int64) string { return "https://earshot.example/cases/" + strconv.FormatInt(id, 10) },
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return &defectFixture{fixture: &fixture{t: t, ctx: ctx, db: db, rules: rules, h: h, now: now}, gh: fake, rule: rules}
}

// report opens a case for team from a customer's post.
func (f *defectFixture) report(team, handle, text string, followers int) bot.Case {
	f.t.Helper()
	f.seq++
	id := "p" + strconv.FormatInt(int64(f.seq), 10)
	m := bot.Mention{Platform: "bluesky", ExternalID: id, URL: "https://bsky.app/profile/" + handle + "/post/" + id, Text: text,
		CreatedAt: f.now, Author: bot.Author{Handle: handle, Followers: followers}}
	res, err := f.db.Ingest(f.ctx, []bot.Incoming{{Mention: m, Teams: []string{team},
		Labels: bot.Labels{Intent: bot.IntentBug, Sentiment: bot.Negative, Problem: "app crashes"},
		SLA:    map[string]time.Duration{team: time.Hour}}}, func(bot.IngestResult) []bot.Job { return nil })
	if err != nil {
		f.t.Fatal(err)
	}
	return res[0].Cases[0].Case
}

func (f *defectFixture) fileDefect(c bot.Case, actor string) bot.Action {
	f.t.Helper()
	a := f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActDefect, Actor: actor, Surface: "web"})
	f.execute(a)
	return f.action(a.ID)
}

func (f *defectFixture) links(caseID int64) []bot.CaseLink {
	f.t.Helper()
	ls, err := f.db.CaseLinks(f.ctx, caseID)
	if err != nil {
		f.t.Fatal(err)
	}
	return ls
}

func (f *defectFixture) lastEvent(caseID int64) bot.Event {
	f.t.Helper()
	_, evs, err := f.db.Thread(f.ctx, caseID)
	if err != nil {
		f.t.Fatal(err)
	}
	return evs[len(evs)-1]
}

const crashText = "@lumio the Lumio app 4.2.1 crashes every time I open the schedule screen on my iPhone 15 Pro"

func TestDefectOpensIssueOnce(t *testing.T) {
	f := newDefectFixture(t)
	c := f.report("care", "maya.bsky.social", crashText, 1240)
	a := f.fileDefect(c, "web:sam")
	if a.Status != bot.ActionDone || a.Result != githubfake.HTMLURL("lumio/app", 1) {
		t.Fatalf("action %+v", a)
	}
	f.execute(a) // a retried job finds it done
	issues := f.gh.Issues("lumio/app")
	if len(issues) != 1 || f.gh.Count("create") != 1 {
		t.Fatalf("%d issues after %d creates, want 1", len(issues), f.gh.Count("create"))
	}
	body := issues[0].Body
	for _, want := range []string{github.Marker(c.ID), "Lumio app", "| Version | 4.2.1 |", "| OS | iOS |", "| Device | iPhone 15 Pro |",
		"`maya.bsky.social` · 1.2k followers", "https://bsky.app/profile/maya.bsky.social/post/p1", "https://earshot.example/cases/" + strconv.FormatInt(c.ID, 10), "`@lumio`"} {
		if !strings.Contains(body, want) {
			t.Errorf("issue body lacks %q:\n%s", want, body)
		}
	}
	if issues[0].Labels[0] != "customer-reported" || issues[0].Title != "app crashes" {
		t.Errorf("issue %q labels %q", issues[0].Title, issues[0].Labels)
	}
	got, _ := f.db.Case(f.ctx, c.ID)
	if got.State != bot.StateDefectFiled {
		t.Fatalf("state %s", got.State)
	}
	if ev := f.lastEvent(c.ID); ev.Kind != bot.EventDefect || ev.URL != githubfake.HTMLURL("lumio/app", 1) || !strings.Contains(ev.Text, "Filed lumio/app#1") {
		t.Fatalf("thread event %+v", ev)
	}
	ls := f.links(c.ID)
	if len(ls) != 1 || ls[0].Number != 1 || ls[0].Via != bot.ViaFiled || len(ls[0].Terms) == 0 || ls[0].Notify != routing.NotifyClosed {
		t.Fatalf("links %+v", ls)
	}
	if dup := f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActDefect, Actor: "web:kim", Surface: "web"}); dup.Status != bot.ActionSkipped {
		t.Fatalf("second click: %+v", dup)
	}
}

// Another customer with the same problem: earshot's own link finds the
// open issue, which gets "+1 from another customer"; no search, no issue.
func TestDefectPlusOneThroughOwnLinks(t *testing.T) {
	f := newDefectFixture(t)
	first := f.report("care", "maya.bsky.social", crashText, 1240)
	f.fileDefect(first, "web:sam")
	searches := f.gh.Count("search")

	second := f.report("care", "kim.bsky.social", "lumio app crashed again when I opened the schedule screen. Pixel 8, Android 14", 830)
	a := f.fileDefect(second, "web:sam")
	if a.Status != bot.ActionDone {
		t.Fatalf("action %+v", a)
	}
	if n := len(f.gh.Issues("lumio/app")); n != 1 || f.gh.Count("search") != searches {
		t.Fatalf("%d issues, %d searches (was %d): want the own link used", n, f.gh.Count("search"), searches)
	}
	comments := f.gh.Issues("lumio/app")[0].Comments
	if len(comments) != 1 {
		t.Fatalf("%d comments", len(comments))
	}
	for _, want := range []string{"+1 from another customer", "2 customer reports", "`kim.bsky.social` on Bluesky · 830 followers",
		"https://bsky.app/profile/kim.bsky.social/post/p2", "Device: Pixel 8", "OS: Android 14", github.Marker(second.ID)} {
		if !strings.Contains(comments[0].Body, want) {
			t.Errorf("comment lacks %q:\n%s", want, comments[0].Body)
		}
	}
	ls := f.links(second.ID)
	if len(ls) != 1 || ls[0].Number != 1 || ls[0].Via != bot.ViaPlusOne {
		t.Fatalf("links %+v", ls)
	}
	if ev := f.lastEvent(second.ID); !strings.Contains(ev.Text, `"+1 from another customer" to lumio/app#1`) || !strings.Contains(ev.URL, "#issuecomment-") {
		t.Fatalf("event %+v", ev)
	}

	// A different problem is a new issue.
	third := f.report("care", "lee.bsky.social", "lumio hub battery drains overnight and the bluetooth pairing drops", 10)
	f.fileDefect(third, "web:sam")
	if n := len(f.gh.Issues("lumio/app")); n != 2 {
		t.Fatalf("%d issues, want a second one for another problem", n)
	}
}

// An issue an engineer filed is found by search and gets the +1.
func TestDefectPlusOneThroughSearch(t *testing.T) {
	f := newDefectFixture(t)
	num := f.gh.AddIssue("lumio/app", "Schedule screen crashes on open", "Opening the schedule screen crashes the app.", "open")
	c := f.report("care", "maya.bsky.social", crashText, 12)
	f.fileDefect(c, "web:sam")
	if n := len(f.gh.Issues("lumio/app")); n != 1 || f.gh.Count("search") != 1 {
		t.Fatalf("%d issues after %d searches", n, f.gh.Count("search"))
	}
	if ls := f.links(c.ID); len(ls) != 1 || ls[0].Number != num || ls[0].Via != bot.ViaPlusOne {
		t.Fatalf("links %+v", ls)
	}
	// A closed issue about it is not +1ed: a new one is opened.
	f.gh.Close("lumio/app", num, "completed")
	c2 := f.report("care", "kim", crashText, 1)
	f.fileDefect(c2, "web:sam")
	if ls := f.links(c2.ID); len(ls) != 1 || ls[0].Number == num || ls[0].Via != bot.ViaFiled {
		t.Fatalf("links after the issue closed %+v", ls)
	}
}

// GitHub took the issue and the answer was lost: the retry finds the
// marker and records it; no second issue.
func TestDefectCrashBetweenCreateAndRecord(t *testing.T) {
	f := newDefectFixture(t)
	c := f.report("care", "maya.bsky.social", crashText, 5)
	a := f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActDefect, Actor: "web:sam", Surface: "web"})
	f.gh.FailAfter("create", 502)
	if err := f.h.Execute(f.ctx, a.ID); err == nil || bot.IsPermanent(err) {
		t.Fatalf("first attempt: %v, want a retryable error", err)
	}
	if got := f.action(a.ID); got.Status != bot.ActionSending || !strings.HasPrefix(got.Result, "plan:") {
		t.Fatalf("after the lost answer: %+v", got)
	}
	f.execute(a)
	if n := len(f.gh.Issues("lumio/app")); n != 1 || f.gh.Count("create") != 1 {
		t.Fatalf("%d issues after %d creates, want 1", n, f.gh.Count("create"))
	}
	if got := f.action(a.ID); got.Status != bot.ActionDone || len(f.links(c.ID)) != 1 {
		t.Fatalf("after the retry: %+v links %+v", got, f.links(c.ID))
	}

	// The same for a +1 whose answer was lost.
	c2 := f.report("care", "kim", crashText, 5)
	a2 := f.do(bot.ActionRequest{CaseID: c2.ID, Kind: bot.ActDefect, Actor: "web:sam", Surface: "web"})
	f.gh.FailAfter("comment", 500)
	if err := f.h.Execute(f.ctx, a2.ID); err == nil {
		t.Fatal("want an error")
	}
	f.execute(a2)
	if n := len(f.gh.Issues("lumio/app")[0].Comments); n != 1 || f.gh.Count("comment") != 1 {
		t.Fatalf("%d comments after %d posts, want 1", n, f.gh.Count("comment"))
	}

	// Died after noting the plan, before calling: the retry finds no
	// marker and makes the call.
	c3 := f.report("care", "lee", "lumio hub firmware update bricked the bulb pairing", 5)
	a3 := f.do(bot.ActionRequest{CaseID: c3.ID, Kind: bot.ActDefect, Actor: "web:sam", Surface: "web"})
	if err := f.db.FinishAction(f.ctx, a3.ID, bot.ActionSending, `plan:{"repo":"lumio/app","terms":["bricked","pairing"]}`, f.now); err != nil {
		t.Fatal(err)
	}
	f.execute(a3)
	if n := len(f.gh.Issues("lumio/app")); n != 2 || f.gh.Count("create") != 2 {
		t.Fatalf("%d issues after %d creates, want 2", n, f.gh.Count("create"))
	}
}

func TestDefectRateLimited(t *testing.T) {
	f := newDefectFixture(t)
	c := f.report("care", "maya", crashText, 5)
	a := f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActDefect, Actor: "web:sam", Surface: "web"})
	f.gh.RateLimit("create", githubfake.TooMany)
	err := f.h.Execute(f.ctx, a.ID)
	var re *bot.RetryError
	if !errors.As(err, &re) || re.After != 17*time.Second {
		t.Fatalf("rate limited: %v, want RetryError after 17s", err)
	}
	if got := f.action(a.ID); got.Status != bot.ActionPending || len(f.gh.Issues("lumio/app")) != 0 {
		t.Fatalf("after the 429: %+v", got)
	}
	f.execute(a)
	if got := f.action(a.ID); got.Status != bot.ActionDone || len(f.gh.Issues("lumio/app")) != 1 {
		t.Fatalf("after the wait: %+v", got)
	}
	// A repository that does not exist fails the action, visibly.
	f.gh.Fail("create", 404)
	c2 := f.report("care", "kim", "lumio hub battery drains overnight", 5)
	a2 := f.do(bot.ActionRequest{CaseID: c2.ID, Kind: bot.ActDefect, Actor: "web:sam", Surface: "web"})
	f.execute(a2)
	if got := f.action(a2.ID); got.Status != bot.ActionFailed || f.lastEvent(c2.ID).Kind != bot.EventActionFail {
		t.Fatalf("404: %+v", got)
	}
}

// The loop: closed → note, drafted follow-up, case open again; once.
func TestIssueClosedTellsTheCase(t *testing.T) {
	f := newDefectFixture(t)
	c := f.report("care", "maya.bsky.social", crashText, 5)
	f.fileDefect(c, "web:sam")
	other := f.report("care", "kim.bsky.social", "lumio app crashes when I open the schedule screen", 5)
	f.fileDefect(other, "web:sam")
	// The first customer's case was resolved meanwhile.
	if _, err := f.db.UpdateCase(f.ctx, c.ID, func(cc *bot.Case) (bot.CaseChange, error) {
		cc.State, cc.DueAt = bot.StateResolved, time.Time{}
		return bot.CaseChange{}, nil
	}); err != nil {
		t.Fatal(err)
	}
	ev := bot.IssueEvent{Tracker: "github", Delivery: "d1", Kind: bot.IssueClosed, Repo: "lumio/app", Numbers: []int{1}, Reason: "completed"}
	if dup, err := f.h.IssueEvent(f.ctx, ev); err != nil || dup {
		t.Fatalf("IssueEvent: dup %v, %v", dup, err)
	}
	if dup, err := f.h.IssueEvent(f.ctx, ev); err != nil || !dup {
		t.Fatalf("redelivery: dup %v, %v", dup, err)
	}
	for _, id := range []int64{c.ID, other.ID} {
		for range 2 { // the job may run twice
			if err := f.h.DefectFixed(f.ctx, bot.Job{Kind: bot.JobDefectFixed, CaseID: id}); err != nil {
				t.Fatal(err)
			}
		}
		_, evs, _ := f.db.Thread(f.ctx, id)
		fixed := 0
		for _, e := range evs {
			if e.Kind == bot.EventDefectFixed {
				fixed++
				if e.Text != "Fixed: lumio/app#1 closed. A follow-up reply is drafted, ready to send." || e.URL != githubfake.HTMLURL("lumio/app", 1) {
					t.Errorf("note %+v", e)
				}
			}
		}
		if fixed != 1 {
			t.Fatalf("case %d: %d fixed notes, want 1", id, fixed)
		}
		sugg, _ := f.db.Suggestions(f.ctx, id)
		if len(sugg) != 1 || sugg[0].Approach != "fixed" || !strings.Contains(sugg[0].Text, "fixed") || bot.Length(sugg[0].Text) > 300 {
			t.Fatalf("suggestions %+v", sugg)
		}
		got, _ := f.db.Case(f.ctx, id)
		if got.State != bot.StateNew || !got.DueAt.Equal(f.now.Add(time.Hour)) {
			t.Fatalf("case %d after the fix: %s due %v", id, got.State, got.DueAt)
		}
		if ls := f.links(id); ls[0].State != bot.LinkFixed || ls[0].Noted != bot.LinkFixed {
			t.Fatalf("link %+v", ls[0])
		}
	}
	// The follow-up is sent like any reply.
	a := f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActReply, Actor: "web:sam", Surface: "web", Suggestion: 1})
	if a.Status != bot.ActionPending || !strings.Contains(a.Text, "Good news") {
		t.Fatalf("reply with the follow-up: %+v", a)
	}
}

func TestIssueClosedNotPlanned(t *testing.T) {
	f := newDefectFixture(t)
	c := f.report("care", "maya", crashText, 5)
	f.fileDefect(c, "web:sam")
	before, _ := f.db.Suggestions(f.ctx, c.ID)
	if _, err := f.h.IssueEvent(f.ctx, bot.IssueEvent{Tracker: "github", Delivery: "d1", Kind: bot.IssueClosed,
		Repo: "lumio/app", Numbers: []int{1}, Reason: "not_planned"}); err != nil {
		t.Fatal(err)
	}
	if err := f.h.DefectFixed(f.ctx, bot.Job{Kind: bot.JobDefectFixed, CaseID: c.ID}); err != nil {
		t.Fatal(err)
	}
	if ev := f.lastEvent(c.ID); ev.Kind != bot.EventDefectFixed || !strings.HasPrefix(ev.Text, "Not planned: lumio/app#1 was closed without a fix") {
		t.Fatalf("note %+v", ev)
	}
	after, _ := f.db.Suggestions(f.ctx, c.ID)
	got, _ := f.db.Case(f.ctx, c.ID)
	if len(after) != len(before) || got.State != bot.StateDefectFiled {
		t.Fatalf("not planned drafted %+v or moved the case to %s", after, got.State)
	}
}

// notify_on: released waits for the release that names the issue.
func TestIssueReleased(t *testing.T) {
	f := newDefectFixture(t)
	c := f.report("product", "maya.bsky.social", "lumio hub firmware keeps rebooting every night", 5)
	f.fileDefect(c, "web:sam")
	if ls := f.links(c.ID); ls[0].Repo != "lumio/firmware" || ls[0].Notify != routing.NotifyReleased {
		t.Fatalf("links %+v", ls)
	}
	if f.gh.Issues("lumio/firmware")[0].Labels[0] != "bug" {
		t.Fatal("the team's labels were not used")
	}
	closed := bot.IssueEvent{Tracker: "github", Delivery: "d1", Kind: bot.IssueClosed, Repo: "lumio/firmware", Numbers: []int{1}, Reason: "completed"}
	if _, err := f.h.IssueEvent(f.ctx, closed); err != nil {
		t.Fatal(err)
	}
	if ls := f.links(c.ID); ls[0].State != bot.LinkClosed || ls[0].Untold() {
		t.Fatalf("after close: %+v", ls[0])
	}
	rel := bot.IssueEvent{Tracker: "github", Delivery: "d2", Kind: bot.IssueReleased, Repo: "lumio/firmware", Numbers: []int{1}, Release: "4.2"}
	if _, err := f.h.IssueEvent(f.ctx, rel); err != nil {
		t.Fatal(err)
	}
	if err := f.h.DefectFixed(f.ctx, bot.Job{Kind: bot.JobDefectFixed, CaseID: c.ID}); err != nil {
		t.Fatal(err)
	}
	if ev := f.lastEvent(c.ID); ev.Text != "Fixed: lumio/firmware#1 released in 4.2. A follow-up reply is drafted, ready to send." {
		t.Fatalf("note %q", ev.Text)
	}
	sugg, _ := f.db.Suggestions(f.ctx, c.ID)
	if len(sugg) != 1 || !strings.Contains(sugg[0].Text, "fixed in 4.2") || !strings.HasPrefix(sugg[0].Text, "@maya.bsky.social") {
		t.Fatalf("follow-up %+v", sugg)
	}
}

// A file_defect route's job claims the action as earshot, with its own
// key; a person's click afterwards is a duplicate.
func TestAutoDefect(t *testing.T) {
	f := newDefectFixture(t)
	c := f.report("care", "maya", crashText, 5)
	if err := f.h.AutoDefect(f.ctx, bot.Job{Kind: bot.JobAutoDefect, CaseID: c.ID}); err != nil {
		t.Fatal(err)
	}
	if err := f.h.AutoDefect(f.ctx, bot.Job{Kind: bot.JobAutoDefect, CaseID: c.ID}); err != nil {
		t.Fatal(err)
	}
	acts, err := f.db.Actions(f.ctx, c.ID)
	if err != nil || len(acts) != 1 {
		t.Fatalf("actions %+v, %v", acts, err)
	}
	a := acts[0]
	if a.Actor != handlers.SystemActor || a.Key != strconv.FormatInt(c.ID, 10)+"/defect/auto" || a.Status != bot.ActionPending {
		t.Fatalf("claimed %+v", a)
	}
	f.execute(a)
	if len(f.gh.Issues("lumio/app")) != 1 {
		t.Fatal("no issue filed")
	}
	if dup := f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActDefect, Actor: "web:sam", Surface: "web"}); dup.Status != bot.ActionSkipped {
		t.Fatalf("person after the rule: %+v", dup)
	}
	if err := f.h.AutoDefect(f.ctx, bot.Job{Kind: bot.JobAutoDefect, CaseID: 9999}); !bot.IsPermanent(err) {
		t.Fatalf("missing case: %v", err)
	}
}

// A team with no tracker keeps the defect on the case, as before.
func TestDefectWithoutTracker(t *testing.T) {
	f := newDefectFixture(t)
	f.rule.Defects = routing.Defects{} // no default tracker
	c := f.report("local", "maya", crashText, 5)
	a := f.fileDefect(c, "web:sam")
	if a.Status != bot.ActionDone || !strings.HasPrefix(a.Result, "Defect recorded: ") || len(f.gh.Requests()) != 0 {
		t.Fatalf("action %+v, %d GitHub requests", a, len(f.gh.Requests()))
	}
}

// Reports of a new problem at once open one issue, not one each.
func TestDefectConcurrentReportsOpenOneIssue(t *testing.T) {
	f := newDefectFixture(t)
	var acts []bot.Action
	for i, who := range []string{"maya", "kim", "lee", "sam"} {
		c := f.report("care", who, crashText+strings.Repeat("!", i), 5)
		acts = append(acts, f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActDefect, Actor: "web:sam", Surface: "web"}))
	}
	errs := make(chan error, len(acts))
	for _, a := range acts {
		go func() { errs <- f.h.Execute(f.ctx, a.ID) }()
	}
	for range acts {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	is := f.gh.Issues("lumio/app")
	if len(is) != 1 || len(is[0].Comments) != 3 {
		t.Fatalf("%d issues, %d comments; want 1 issue with 3 comments", len(is), len(is[0].Comments))
	}
}

// A storm of reports is a count on the issue: a comment for each of the
// first ten, then at 20, 50, 100…; every case is linked.
func TestDefectPlusOneCommentsThinOut(t *testing.T) {
	f := newDefectFixture(t)
	var cases []bot.Case
	for i := range 12 {
		c := f.report("care", "user"+strconv.Itoa(i), crashText, 5)
		f.fileDefect(c, "web:sam")
		cases = append(cases, c)
	}
	is := f.gh.Issues("lumio/app")
	if len(is) != 1 || len(is[0].Comments) != 9 {
		t.Fatalf("%d issues, %d comments; want 1 issue, comments for reports 2 to 10", len(is), len(is[0].Comments))
	}
	for _, c := range cases {
		if ls := f.links(c.ID); len(ls) != 1 || ls[0].Number != 1 {
			t.Fatalf("case %d links %+v", c.ID, ls)
		}
	}
	if ev := f.lastEvent(cases[11].ID); ev.Text != "Linked to lumio/app#1: app crashes (counted among many reports; no comment added)" {
		t.Fatalf("12th report's note %q", ev.Text)
	}
}

// A retry that finds the planned issue gone fails the action, visibly.
func TestDefectResumeOnAGoneIssueFails(t *testing.T) {
	f := newDefectFixture(t)
	c := f.report("care", "maya", crashText, 5)
	a := f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActDefect, Actor: "web:sam", Surface: "web"})
	plan := `plan:{"repo":"lumio/app","terms":["crashes","schedule"],"issue":{"tracker":"github","repo":"lumio/app","number":99}}`
	if err := f.db.FinishAction(f.ctx, a.ID, bot.ActionSending, plan, f.now); err != nil {
		t.Fatal(err)
	}
	f.execute(a)
	if got := f.action(a.ID); got.Status != bot.ActionFailed || f.lastEvent(c.ID).Kind != bot.EventActionFail {
		t.Fatalf("after the retry: %+v", got)
	}
	if f.gh.Count("comment") != 0 || f.gh.Count("create") != 0 {
		t.Fatal("wrote to GitHub")
	}
}

func TestIssueClosedAsDuplicate(t *testing.T) {
	f := newDefectFixture(t)
	c := f.report("care", "maya", crashText, 5)
	f.fileDefect(c, "web:sam")
	if _, err := f.h.IssueEvent(f.ctx, bot.IssueEvent{Tracker: "github", Delivery: "d1", Kind: bot.IssueClosed,
		Repo: "lumio/app", Numbers: []int{1}, Reason: "duplicate"}); err != nil {
		t.Fatal(err)
	}
	if err := f.h.DefectFixed(f.ctx, bot.Job{Kind: bot.JobDefectFixed, CaseID: c.ID}); err != nil {
		t.Fatal(err)
	}
	if ev := f.lastEvent(c.ID); !strings.HasPrefix(ev.Text, "Duplicate: lumio/app#1 was closed as a duplicate") {
		t.Fatalf("note %q", ev.Text)
	}
	if s, _ := f.db.Suggestions(f.ctx, c.ID); len(s) != 0 {
		t.Fatalf("a duplicate drafted %+v", s)
	}
}
