package store

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
)

// remindingSLA is an SLA clock of an hour, every hour counting, with
// reminders 30 and 10 minutes before the due time.
type remindingSLA struct{}

func (remindingSLA) Due(start time.Time) time.Time { return start.Add(time.Hour) }

func (remindingSLA) ReminderTimes(start time.Time) []time.Time {
	return []time.Time{start.Add(30 * time.Minute), start.Add(50 * time.Minute)}
}

func withClock(in bot.Incoming) bot.Incoming {
	in.Clock = func(string) bot.SLAClock { return remindingSLA{} }
	return in
}

func (e *env) timers(t *testing.T, caseID int64) []Timer {
	t.Helper()
	ts, err := e.db.Timers(e.ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func (e *env) fire(t *testing.T) int {
	t.Helper()
	n, err := e.db.FireTimers(e.ctx, e.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestTimersFollowTheDueTime(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		opened := e.clk.Now()
		c := e.ingest(t, nil, withClock(routed(mention("bluesky", "1", "fay", "@acme where is my order"), "care")))[0].Cases[0].Case
		if !c.DueAt.Equal(opened.Add(time.Hour)) {
			t.Fatalf("due %s, want an hour after %s", c.DueAt, opened)
		}
		due := c.DueAt.UnixMilli()
		ts := e.timers(t, c.ID)
		want := []bot.Job{
			{Kind: bot.JobSLA, CaseID: c.ID, Step: 1, Due: due},
			{Kind: bot.JobSLA, CaseID: c.ID, Step: 2, Due: due},
			{Kind: bot.JobSLA, CaseID: c.ID, Due: due},
		}
		if got := timerJobs(ts); !slices.Equal(got, want) {
			t.Fatalf("timers %+v, want %+v", got, want)
		}

		// Nothing is due yet; at 30 minutes the first reminder fires, once.
		if n := e.fire(t); n != 0 {
			t.Fatalf("fired %d timers before any was due", n)
		}
		e.clk.Add(30 * time.Minute)
		if n := e.fire(t); n != 1 {
			t.Fatalf("fired %d timers at the first reminder, want 1", n)
		}
		if n := e.fire(t); n != 0 {
			t.Fatalf("fired %d timers again", n)
		}
		jobs := plainJobs(e.jobs(t))
		first := e.timers(t, c.ID)[0]
		if !first.Fired || len(jobs) != 1 || jobs[0].Kind != bot.JobSLA || jobs[0].Step != 1 || jobs[0].Timer != first.ID {
			t.Fatalf("queued %+v from timer %+v", jobs, first)
		}

		// The job's effect consumes the timer; a second run of it changes nothing.
		note := func() (bot.Case, error) {
			return e.db.UpdateCase(e.ctx, c.ID, func(cc *bot.Case) (bot.CaseChange, error) {
				return bot.CaseChange{Events: []bot.Event{{Kind: bot.EventSLAReminder, Text: "Answer due in 30m"}}, FiredTimer: first.ID}, nil
			})
		}
		after, err := note()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := note(); !errors.Is(err, bot.ErrTimerGone) {
			t.Fatalf("second run: %v, want ErrTimerGone", err)
		}
		if again := e.getCase(t, c.ID); again.Rev != after.Rev {
			t.Fatalf("a refused second run changed the case: rev %d → %d", after.Rev, again.Rev)
		}

		// Answering clears the due time: the SLA timers go with it.
		if _, err := e.db.UpdateCase(e.ctx, c.ID, func(cc *bot.Case) (bot.CaseChange, error) {
			cc.State, cc.DueAt = bot.StateAwaitingCustomer, time.Time{}
			return bot.CaseChange{}, nil
		}); err != nil {
			t.Fatal(err)
		}
		if ts := e.timers(t, c.ID); len(ts) != 0 {
			t.Fatalf("timers left after the answer: %+v", ts)
		}

		// The customer writes again: a new due time from now, with its timers.
		e.clk.Add(2 * time.Hour)
		res := e.ingest(t, nil, withClock(bot.Incoming{Mention: reply(mention("bluesky", "2", "fay", "still nothing"), "1")}))
		re := res[0].Cases[0].Case
		if re.State != bot.StateNew || !re.DueAt.Equal(e.clk.Now().Add(time.Hour)) {
			t.Fatalf("reopened case: %s due %s", re.State, re.DueAt)
		}
		if ts := e.timers(t, c.ID); len(ts) != 3 || ts[2].Job.Due != re.DueAt.UnixMilli() {
			t.Fatalf("timers after the follow-up: %+v", ts)
		}

		// Timers set by a change name its events; closing drops them all.
		e.clk.Add(time.Minute)
		if _, err := e.db.UpdateCase(e.ctx, c.ID, func(cc *bot.Case) (bot.CaseChange, error) {
			cc.State = bot.StateEscalated
			return bot.CaseChange{
				Events: []bot.Event{{Kind: bot.EventEscalated}, {Kind: bot.EventPaged, Text: "Paged carol (step 1 of 2)"}},
				Timers: []bot.Timer{{Due: e.clk.Now().Add(15 * time.Minute), Job: bot.Job{Kind: bot.JobEscalation, EventID: -1, Step: 2}}},
			}, nil
		}); err != nil {
			t.Fatal(err)
		}
		_, evs, _ := e.db.Thread(e.ctx, c.ID)
		var escID int64
		for _, ev := range evs {
			if ev.Kind == bot.EventEscalated {
				escID = ev.ID
			}
		}
		ts = e.timers(t, c.ID)
		if i := slices.IndexFunc(ts, func(t Timer) bool { return t.Job.Kind == bot.JobEscalation }); i < 0 || ts[i].Job.EventID != escID {
			t.Fatalf("escalation timer should name event %d: %+v", escID, ts)
		}
		if _, err := e.db.UpdateCase(e.ctx, c.ID, func(cc *bot.Case) (bot.CaseChange, error) {
			cc.State, cc.DueAt = bot.StateResolved, time.Time{}
			return bot.CaseChange{}, nil
		}); err != nil {
			t.Fatal(err)
		}
		if ts := e.timers(t, c.ID); len(ts) != 0 {
			t.Fatalf("timers left on a closed case: %+v", ts)
		}
	})
}

func timerJobs(ts []Timer) []bot.Job {
	out := make([]bot.Job, len(ts))
	for i, t := range ts {
		out[i] = t.Job
	}
	return out
}

// Replicas fire at the same moment: every due timer becomes exactly one job.
func TestFireTimersConcurrently(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		var batch []bot.Incoming
		for i := range 40 {
			batch = append(batch, withClock(routed(mention("bluesky", "m"+string(rune('a'+i%26))+string(rune('a'+i/26)), "u", "@acme help"), "care")))
		}
		res := e.ingest(t, nil, batch...)
		if len(res) != 40 {
			t.Fatal("not 40 cases")
		}
		e.clk.Add(2 * time.Hour) // every reminder and breach is due: 120 timers
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			fired int
		)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := e.db.FireTimers(e.ctx, e.clk.Now())
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				fired += n
				mu.Unlock()
			}()
		}
		wg.Wait()
		jobs := e.jobs(t)
		if fired != 120 || len(jobs) != 120 {
			t.Fatalf("fired %d, queued %d jobs; want 120 of each", fired, len(jobs))
		}
		seen := map[int64]bool{}
		for _, j := range jobs {
			if seen[j.job.Timer] {
				t.Fatalf("timer %d queued twice", j.job.Timer)
			}
			seen[j.job.Timer] = true
		}
	})
}

// A fired timer whose job never consumed it (the case moved on) is swept
// a day later.
func TestFiredTimersAreSwept(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		c := e.openCase(t, "care", "1")
		e.clk.Add(time.Hour)
		if n := e.fire(t); n != 1 {
			t.Fatalf("fired %d, want the breach", n)
		}
		e.clk.Add(25 * time.Hour)
		e.fire(t)
		if ts := e.timers(t, c.ID); len(ts) != 0 {
			t.Fatalf("fired timer not swept: %+v", ts)
		}
	})
}

// BenchmarkFireTimers fires 10,000 due timers (each a queued job).
//
//	go test ./store -run '^$' -bench FireTimers -benchtime 1x
func BenchmarkFireTimers(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		clk := newClock()
		db := MustOpenSQLite(b, testOptions(clk))
		e := &env{db: db, clk: clk, ctx: b.Context()}
		for i := range 20 {
			batch := make([]bot.Incoming, 500)
			for k := range batch {
				batch[k] = routed(mention("bluesky", fmt.Sprint(i, "-", k), "u", "@acme help"), "care")
			}
			if _, err := e.db.Ingest(e.ctx, batch, nil); err != nil {
				b.Fatal(err)
			}
		}
		clk.Add(2 * time.Hour)
		b.StartTimer()
		n, err := db.FireTimers(e.ctx, clk.Now())
		if err != nil || n != 10000 {
			b.Fatalf("fired %d, %v", n, err)
		}
	}
}
