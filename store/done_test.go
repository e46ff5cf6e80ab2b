package store

import (
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
)

// notingPlan is cardPlan with bot.planJobs' notes for further events.
func notingPlan(r bot.IngestResult) []bot.Job {
	jobs := cardPlan(r)
	for _, t := range r.Cases {
		for _, ev := range t.Also {
			jobs = append(jobs, bot.Job{Kind: bot.JobNote, CaseID: t.Case.ID, Surface: "web", EventID: ev.ID})
		}
	}
	return jobs
}

func TestIngestCustomerDone(t *testing.T) {
	for _, tc := range []struct {
		name   string
		state  bot.CaseState
		author string
		done   string
		want   bot.CaseState
	}{
		{"awaiting customer, closing remark", bot.StateAwaitingCustomer, "fay", "thanks, that fixed it", bot.StateResolved},
		{"replied, closing remark", bot.StateReplied, "fay", "perfect, thank you", bot.StateResolved},
		{"resolved stays resolved", bot.StateResolved, "fay", "cheers, all good", bot.StateResolved},
		{"awaiting customer, anything else reopens", bot.StateAwaitingCustomer, "fay", "", bot.StateNew},
		{"resolved, anything else reopens", bot.StateResolved, "fay", "", bot.StateNew},
		{"still owed an answer: thanks change nothing", bot.StateClaimed, "fay", "thanks, that fixed it", bot.StateClaimed},
		{"new: thanks change nothing", bot.StateNew, "fay", "thanks, that fixed it", bot.StateNew},
		{"someone else's thanks", bot.StateAwaitingCustomer, "lurker", "thanks, that fixed it", bot.StateAwaitingCustomer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			e := &env{db: MustOpenSQLite(t, testOptions(clk)), clk: clk, ctx: t.Context()}
			c := e.ingest(t, nil, withClock(routed(mention("x", "1", "fay", "@acme refund?"), "care")))[0].Cases[0].Case
			if _, err := e.db.UpdateCase(e.ctx, c.ID, func(c *bot.Case) (bot.CaseChange, error) {
				c.State = tc.state
				if !tc.state.Open() || tc.state == bot.StateAwaitingCustomer {
					c.DueAt = time.Time{}
				}
				return bot.CaseChange{}, nil
			}); err != nil {
				t.Fatal(err)
			}
			clk.Add(time.Minute)
			in := withClock(bot.Incoming{Mention: reply(mention("x", "2", tc.author, "the customer's words"), "1"),
				SLA: map[string]time.Duration{"care": time.Hour}})
			in.Labels.Done = tc.done
			r := e.ingest(t, notingPlan, in)[0]
			touch := r.Cases[0]
			if touch.Case.State != tc.want {
				t.Fatalf("state = %s; want %s", touch.Case.State, tc.want)
			}
			if got := e.getCase(t, c.ID); got.State != tc.want || got.Rev != touch.Case.Rev {
				t.Errorf("stored case = %+v; returned %+v", got, touch.Case)
			}
			resolvedNow := tc.want == bot.StateResolved && tc.state != bot.StateResolved
			if !resolvedNow {
				if len(touch.Also) != 0 {
					t.Errorf("also = %+v; want none", touch.Also)
				}
				return
			}
			if !touch.Case.DueAt.IsZero() {
				t.Errorf("resolved case still due at %s", touch.Case.DueAt)
			}
			if len(touch.Also) != 1 || touch.Also[0].Kind != bot.EventResolved || !strings.Contains(touch.Also[0].Text, tc.done) ||
				strings.Contains(touch.Also[0].Text, "customer's words") || touch.Also[0].MentionID != 0 {
				t.Errorf("also = %+v; want one resolved event naming the phrase, not quoting the post", touch.Also)
			}
			if ts := e.timers(t, c.ID); len(ts) != 0 {
				t.Errorf("timers left on a resolved case: %+v", ts)
			}
			// Noted: the follow-up and the resolution.
			var notes []int64
			for _, j := range plainJobs(e.jobs(t)) {
				if j.Kind == bot.JobNote {
					notes = append(notes, j.EventID)
				}
			}
			if len(notes) != 2 || notes[0] != touch.Event.ID || notes[1] != touch.Also[0].ID {
				t.Errorf("note jobs for events %v; want %d and %d", notes, touch.Event.ID, touch.Also[0].ID)
			}
		})
	}
}
