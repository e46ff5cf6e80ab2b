package handlers_test

import (
	"context"
	"errors"
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

const policyYAML = `
teams:
  care:
    members: [alice]
    sla: {first_response: 1h, reminders: [30m, 10m], breach: escalate}
    hours: {zone: Europe/Berlin, days: mon-fri, from: "08:00", to: "20:00"}
    escalation:
      repeat: 1
      steps:
        - notify: [carol, "slack:U024BE7LH"]
          after: 15m
        - notify: ["slack:subteam:S0614TZR7", dana]
          after: 30m
  quiet:
    sla: {first_response: 1h, breach: record}
    escalation: {auto: [], steps: [{notify: [erin]}]}
route:
  name: brand
  any: [lumio]
  team: care
`

// timerFixture is the handlers over a real store with a clock the test
// moves; it fires timers and runs their jobs by hand, as River would.
type timerFixture struct {
	t     *testing.T
	ctx   context.Context
	db    *store.DB
	rules *routing.Rules
	h     *handlers.Handlers
	mu    sync.Mutex
	now   time.Time
}

func newTimerFixture(t *testing.T, start time.Time) *timerFixture {
	t.Helper()
	f := &timerFixture{t: t, ctx: t.Context(), now: start}
	db, err := store.Open(f.ctx, filepath.Join(t.TempDir(), "earshot.db"), store.Options{Now: f.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f.db = db
	if f.rules, err = routing.Parse("rules.yaml", []byte(policyYAML)); err != nil {
		t.Fatal(err)
	}
	f.h, err = handlers.New(handlers.Config{Store: db, Teams: f.rules.Team, Surfaces: []string{"web"}, Now: f.clock})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *timerFixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *timerFixture) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func (f *timerFixture) set(t time.Time) {
	f.mu.Lock()
	f.now = t
	f.mu.Unlock()
}

func (f *timerFixture) open(id, team string, intent bot.Intent) bot.Case {
	f.t.Helper()
	in := bot.Incoming{
		Mention: bot.Mention{Platform: "bluesky", ExternalID: id, Text: "lumio lamp", CreatedAt: f.clock(), Author: bot.Author{Handle: "maya"}},
		Labels:  bot.Labels{Intent: intent}, Teams: []string{team},
		Clock: func(name string) bot.SLAClock {
			t, _ := f.rules.Teams[name]
			return t
		},
	}
	res, err := f.db.Ingest(f.ctx, []bot.Incoming{in}, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return res[0].Cases[0].Case
}

// fire fires due timers and runs the jobs they queued, twice each: a job
// that runs again must not act again. It returns the jobs run.
func (f *timerFixture) fire() []bot.Job {
	f.t.Helper()
	if _, err := f.db.FireTimers(f.ctx, f.clock()); err != nil {
		f.t.Fatal(err)
	}
	ts, err := f.db.Timers(f.ctx, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	var ran []bot.Job
	for _, tm := range ts {
		if !tm.Fired {
			continue
		}
		j := tm.Job
		j.Timer = tm.ID
		for range 2 {
			f.run(j)
		}
		ran = append(ran, j)
	}
	return ran
}

func (f *timerFixture) run(j bot.Job) {
	f.t.Helper()
	var err error
	switch j.Kind {
	case bot.JobSLA:
		err = f.h.SLA(f.ctx, j)
	case bot.JobEscalation:
		err = f.h.Escalation(f.ctx, j)
	}
	if err != nil {
		f.t.Fatalf("run %s: %v", j, err)
	}
	f.executePending(j.CaseID)
}

// executePending runs the action jobs an automatic escalation claimed.
func (f *timerFixture) executePending(caseID int64) {
	f.t.Helper()
	as, err := f.db.Actions(f.ctx, caseID)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, a := range as {
		if a.Status == bot.ActionPending {
			if err := f.h.Execute(f.ctx, a.ID); err != nil {
				f.t.Fatal(err)
			}
		}
	}
}

func (f *timerFixture) thread(caseID int64, kinds ...bot.EventKind) []bot.Event {
	f.t.Helper()
	_, evs, err := f.db.Thread(f.ctx, caseID)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []bot.Event
	for _, ev := range evs {
		for _, k := range kinds {
			if ev.Kind == k {
				out = append(out, ev)
			}
		}
	}
	return out
}

func (f *timerFixture) pages(caseID int64) []string {
	var out []string
	for _, ev := range f.thread(caseID, bot.EventPaged) {
		line, _, _ := strings.Cut(ev.Text, "\n")
		out = append(out, line)
	}
	return out
}

func (f *timerFixture) do(r bot.ActionRequest) {
	f.t.Helper()
	r.Verified = true
	a, err := f.h.Do(f.ctx, r)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.h.Execute(f.ctx, a.ID); err != nil {
		f.t.Fatal(err)
	}
}

var tuesday = time.Date(2026, 1, 6, 10, 0, 0, 0, time.UTC)

func TestEscalationPagesStepByStepUntilAcknowledged(t *testing.T) {
	f := newTimerFixture(t, tuesday)
	c := f.open("p1", "care", bot.IntentComplaint)
	f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActEscalate, Actor: "web:alice", Text: "third kettle this week"})
	want := []string{"Paged carol, slack:U024BE7LH (step 1 of 2, round 1 of 2)"}
	if got := f.pages(c.ID); !equal(got, want) {
		t.Fatalf("pages %q, want %q", got, want)
	}
	if esc := f.thread(c.ID, bot.EventEscalated); len(esc) != 1 || esc[0].Text != "Escalated: third kettle this week" {
		t.Fatalf("escalation events %+v", esc)
	}

	f.advance(14 * time.Minute)
	f.fire()
	if got := f.pages(c.ID); len(got) != 1 {
		t.Fatalf("paged again before step 1's 15 minutes: %q", got)
	}
	f.advance(time.Minute)
	f.fire()
	want = append(want, "Paged slack:subteam:S0614TZR7, dana (step 2 of 2, round 1 of 2)")
	if got := f.pages(c.ID); !equal(got, want) {
		t.Fatalf("pages %q, want %q", got, want)
	}

	f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActAck, Actor: "web:alice"})
	if ack := f.thread(c.ID, bot.EventAcked); len(ack) != 1 || !strings.Contains(ack[0].Text, "paging stopped") {
		t.Fatalf("ack events %+v", ack)
	}
	f.advance(time.Hour)
	f.fire()
	if got := f.pages(c.ID); !equal(got, want) {
		t.Fatalf("paged after the acknowledgement: %q", got)
	}
}

func TestEscalationRepeatsThenStops(t *testing.T) {
	f := newTimerFixture(t, tuesday)
	c := f.open("p1", "care", bot.IntentComplaint)
	f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActEscalate, Actor: "web:alice"})
	for _, wait := range []time.Duration{15 * time.Minute, 30 * time.Minute, 15 * time.Minute, 30 * time.Minute} {
		f.advance(wait)
		f.fire()
	}
	want := []string{
		"Paged carol, slack:U024BE7LH (step 1 of 2, round 1 of 2)",
		"Paged slack:subteam:S0614TZR7, dana (step 2 of 2, round 1 of 2)",
		"Paged carol, slack:U024BE7LH (step 1 of 2, round 2 of 2)",
		"Paged slack:subteam:S0614TZR7, dana (step 2 of 2, round 2 of 2)",
	}
	if got := f.pages(c.ID); !equal(got, want) {
		t.Fatalf("pages %q, want %q", got, want)
	}
	notes := f.thread(c.ID, bot.EventNote)
	if len(notes) != 1 || !strings.Contains(notes[0].Text, "Nobody acknowledged the escalation after 4 pages") {
		t.Fatalf("notes %+v, want one saying paging stopped", notes)
	}
	f.advance(24 * time.Hour)
	if ran := f.fire(); len(ran) != 0 {
		t.Fatalf("jobs after the policy ended: %v", ran)
	}
	if got := f.pages(c.ID); len(got) != 4 {
		t.Fatalf("paged after the policy ended: %q", got)
	}
}

// Safety escalates by itself, as earshot, through a recorded action that
// is executed once however often the job runs — even for a team that
// lists its members.
func TestAutoEscalationIsOneAction(t *testing.T) {
	f := newTimerFixture(t, tuesday)
	c := f.open("p1", "care", bot.IntentSafety)
	for range 3 {
		f.run(bot.Job{Kind: bot.JobEscalation, CaseID: c.ID})
	}
	as, _ := f.db.Actions(f.ctx, c.ID)
	if len(as) != 1 || as[0].Actor != bot.SystemActor || as[0].Kind != bot.ActEscalate || as[0].Status != bot.ActionDone || as[0].Key != "1/escalate/auto:safety" {
		t.Fatalf("actions %+v, want one done automatic escalation", as)
	}
	if esc, pages := f.thread(c.ID, bot.EventEscalated), f.pages(c.ID); len(esc) != 1 || len(pages) != 1 || esc[0].Actor != bot.SystemActor {
		t.Fatalf("escalations %+v pages %q", esc, pages)
	}
	if got, _ := f.db.Case(f.ctx, c.ID); got.State != bot.StateEscalated {
		t.Fatalf("state %s", got.State)
	}
	// A team that turned auto off does not escalate by itself.
	q := f.open("p2", "quiet", bot.IntentSafety)
	f.run(bot.Job{Kind: bot.JobEscalation, CaseID: q.ID})
	if as, _ := f.db.Actions(f.ctx, q.ID); len(as) != 0 {
		t.Fatalf("auto: [] escalated anyway: %+v", as)
	}
}

// A person's click and the automatic escalation, claimed before either
// ran, start the policy once.
func TestEscalationClaimedTwiceStartsOnce(t *testing.T) {
	f := newTimerFixture(t, tuesday)
	c := f.open("p1", "care", bot.IntentSafety)
	a, err := f.h.Do(f.ctx, bot.ActionRequest{CaseID: c.ID, Kind: bot.ActEscalate, Actor: "web:alice", Verified: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.h.Escalation(f.ctx, bot.Job{Kind: bot.JobEscalation, CaseID: c.ID}); err != nil {
		t.Fatal(err)
	}
	if err := f.h.Execute(f.ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	f.executePending(c.ID)
	if esc, pages := f.thread(c.ID, bot.EventEscalated), f.pages(c.ID); len(esc) != 1 || len(pages) != 1 {
		t.Fatalf("escalations %+v pages %q, want one of each", esc, pages)
	}
	as, _ := f.db.Actions(f.ctx, c.ID)
	if len(as) != 2 || as[1].Status != bot.ActionSkipped {
		t.Fatalf("actions %+v, want the second one marked a duplicate", as)
	}
}

// A case opened on Friday at 19:50 with a 1h SLA in 08:00-20:00 business
// hours is due on Monday at 08:50; the weekend reminds nobody, Monday
// reminds at 08:20 and 08:40, and at 08:50 the breach is recorded and the
// policy starts.
func TestSLAWithBusinessHours(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	friday := time.Date(2026, 1, 2, 19, 50, 0, 0, berlin)
	f := newTimerFixture(t, friday)
	c := f.open("p1", "care", bot.IntentComplaint)
	if want := time.Date(2026, 1, 5, 8, 50, 0, 0, berlin); !c.DueAt.Equal(want) {
		t.Fatalf("due %s, want Monday 08:50", c.DueAt.In(berlin))
	}
	f.advance(24 * time.Hour) // Saturday evening
	if ran := f.fire(); len(ran) != 0 {
		t.Fatalf("timers fired on the weekend: %v", ran)
	}
	f.set(time.Date(2026, 1, 5, 8, 20, 0, 0, berlin))
	f.fire()
	rem := f.thread(c.ID, bot.EventSLAReminder)
	if len(rem) != 1 || rem[0].Text != "Answer due in 30m (Mon 5 Jan 08:50 CET)" {
		t.Fatalf("reminders %+v", rem)
	}
	f.advance(20 * time.Minute)
	f.fire()
	if rem := f.thread(c.ID, bot.EventSLAReminder); len(rem) != 2 || !strings.HasPrefix(rem[1].Text, "Answer due in 10m") {
		t.Fatalf("reminders %+v", rem)
	}
	f.advance(10 * time.Minute)
	f.fire()
	breach := f.thread(c.ID, bot.EventSLABreach)
	if len(breach) != 1 || !strings.Contains(breach[0].Text, "within the SLA (1h)") {
		t.Fatalf("breaches %+v", breach)
	}
	// The breach queued the policy's start (a River job in production).
	f.run(bot.Job{Kind: bot.JobEscalation, CaseID: c.ID, Due: c.DueAt.UnixMilli()})
	as, _ := f.db.Actions(f.ctx, c.ID)
	if len(as) != 1 || !strings.HasPrefix(as[0].Text, "No first answer within the SLA") || as[0].Status != bot.ActionDone {
		t.Fatalf("actions %+v, want the breach's escalation", as)
	}
	if pages := f.pages(c.ID); len(pages) != 1 {
		t.Fatalf("pages %q", pages)
	}
}

// An SLA job for a due time the case no longer has does nothing; so does
// one for a team that only records breaches, beyond recording.
func TestStaleSLAJobsDoNothing(t *testing.T) {
	f := newTimerFixture(t, tuesday)
	c := f.open("p1", "care", bot.IntentComplaint)
	f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActReply, Actor: "web:alice", Text: "On it!"})
	if ts, _ := f.db.Timers(f.ctx, c.ID); len(ts) != 0 {
		t.Fatalf("timers left after the answer: %+v", ts)
	}
	f.run(bot.Job{Kind: bot.JobSLA, CaseID: c.ID, Due: c.DueAt.UnixMilli()})
	if got := f.thread(c.ID, bot.EventSLABreach, bot.EventSLAReminder); len(got) != 0 {
		t.Fatalf("a stale SLA job wrote %+v", got)
	}

	q := f.open("p2", "quiet", bot.IntentComplaint)
	f.advance(2 * time.Hour)
	f.fire()
	if got := f.thread(q.ID, bot.EventSLABreach); len(got) != 1 {
		t.Fatalf("breach not recorded: %+v", got)
	}
	f.run(bot.Job{Kind: bot.JobEscalation, CaseID: q.ID, Due: q.DueAt.UnixMilli()})
	if as, _ := f.db.Actions(f.ctx, q.ID); len(as) != 0 {
		t.Fatalf("breach: record escalated anyway: %+v", as)
	}
}

// A timer's job that runs while the case is changing re-reads it and acts
// on what is true at commit.
func TestPageIsNotLostToAConcurrentChange(t *testing.T) {
	f := newTimerFixture(t, tuesday)
	c := f.open("p1", "care", bot.IntentComplaint)
	f.do(bot.ActionRequest{CaseID: c.ID, Kind: bot.ActEscalate, Actor: "web:alice"})
	f.advance(15 * time.Minute)
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f.db.SaveSuggestions(f.ctx, c.ID, []bot.Suggestion{{Text: "Sorry!"}}, bot.CaseChange{}); err != nil && !errors.Is(err, context.Canceled) {
				t.Error(err)
			}
		}()
	}
	f.fire()
	wg.Wait()
	if got := f.pages(c.ID); len(got) != 2 {
		t.Fatalf("pages %q, want steps 1 and 2 once each", got)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
