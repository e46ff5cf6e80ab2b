package store

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/earshothq/earshot/bot"
)

// runJobs starts RunJobs with h and returns a stop that cancels it and
// waits for it to return.
func (e *env) runJobs(t *testing.T, h bot.JobHandler) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error, 1)
	go func() { done <- e.db.RunJobs(ctx, h) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("RunJobs: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func (e *env) waitJobs(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(e.ctx, 60*time.Second)
	defer cancel()
	if err := e.db.WaitForJobs(ctx); err != nil {
		t.Fatalf("wait for jobs: %v (jobs: %+v)", err, e.jobs(t))
	}
}

func TestRunJobs(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		c := e.openCase(t, "care", "1")
		var (
			mu    sync.Mutex
			calls = map[string]int{}
		)
		h := func(ctx context.Context, j bot.Job) error {
			mu.Lock()
			calls[j.Surface]++
			n := calls[j.Surface]
			mu.Unlock()
			switch j.Surface {
			case "flaky":
				if n == 1 {
					return errors.New("slack: 500 internal error")
				}
			case "gone":
				return bot.Permanent(errors.New("discord: 404 unknown channel"))
			case "busy":
				if n == 1 {
					return &bot.RetryError{After: 50 * time.Millisecond, Err: errors.New("slack: 429")}
				}
			}
			return nil
		}
		surfaces := []string{"ok", "flaky", "gone", "busy"}
		var jobs []bot.Job
		for _, s := range surfaces {
			jobs = append(jobs, bot.Job{Kind: bot.JobCard, CaseID: c.ID, Surface: s})
		}
		// Inserted before any worker runs: they wait in the database.
		if _, err := e.db.UpdateCase(e.ctx, c.ID, func(*bot.Case) (bot.CaseChange, error) {
			return bot.CaseChange{Jobs: jobs}, nil
		}); err != nil {
			t.Fatal(err)
		}
		if n, err := e.db.PendingJobs(e.ctx); err != nil || n != 4 {
			t.Fatalf("pending = %d, %v; want 4", n, err)
		}
		stop := e.runJobs(t, h)
		e.waitJobs(t)
		stop()

		mu.Lock()
		defer mu.Unlock()
		wantCalls := map[string]int{"ok": 1, "flaky": 2, "gone": 1, "busy": 2}
		for s, n := range wantCalls {
			if calls[s] != n {
				t.Errorf("%s ran %d times; want %d", s, calls[s], n)
			}
		}
		rows := map[string]jobRow{}
		for _, r := range e.jobs(t) {
			rows[r.job.Surface] = r
		}
		for _, tc := range []struct {
			surface, state string
			attempt        int
			snoozed        bool
		}{
			{"ok", "completed", 1, false},
			{"flaky", "completed", 2, false},
			{"gone", "cancelled", 1, false},
			// A snooze honours Retry-After without using up an attempt.
			{"busy", "completed", 1, true},
		} {
			r := rows[tc.surface]
			var meta struct {
				Snoozes int `json:"snoozes"`
			}
			if err := json.Unmarshal([]byte(r.metadata), &meta); err != nil {
				t.Fatalf("%s metadata %q: %v", tc.surface, r.metadata, err)
			}
			if r.state != tc.state || r.attempt != tc.attempt || (meta.Snoozes == 1) != tc.snoozed {
				t.Errorf("%s job = %+v; want state %s, attempt %d, snoozed %v", tc.surface, r, tc.state, tc.attempt, tc.snoozed)
			}
		}
	})
}

func TestRunJobsFinishesRunningJobOnStop(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		c := e.openCase(t, "care", "1")
		started := make(chan struct{})
		var cancelled bool
		h := func(ctx context.Context, j bot.Job) error {
			close(started)
			time.Sleep(100 * time.Millisecond) // still working when the stop arrives
			cancelled = ctx.Err() != nil
			return nil
		}
		if _, err := e.db.UpdateCase(e.ctx, c.ID, func(*bot.Case) (bot.CaseChange, error) {
			return bot.CaseChange{Jobs: []bot.Job{{Kind: bot.JobSuggest, CaseID: c.ID}}}, nil
		}); err != nil {
			t.Fatal(err)
		}
		stop := e.runJobs(t, h)
		select {
		case <-started:
		case <-time.After(60 * time.Second):
			t.Fatal("job never started")
		}
		stop()
		if cancelled {
			t.Error("running job's context was cancelled by a graceful stop")
		}
		if rows := e.jobs(t); len(rows) != 1 || rows[0].state != "completed" {
			t.Errorf("jobs = %+v; want the one completed", rows)
		}
	})
}

func TestJobOutcome(t *testing.T) {
	base := errors.New("boom")
	for _, tc := range []struct {
		name    string
		err     error
		snoozes int
		want    string // "nil", "cancel", "snooze", "retry"
	}{
		{"success", nil, 0, "nil"},
		{"plain", base, 0, "retry"},
		{"permanent", bot.Permanent(base), 0, "cancel"},
		{"wrapped permanent", errors.Join(errors.New("ctx"), bot.Permanent(base)), 0, "cancel"},
		{"retry after", &bot.RetryError{After: time.Second, Err: base}, 0, "snooze"},
		{"retry after, no delay", &bot.RetryError{Err: base}, 0, "retry"},
		{"retry after, too many snoozes", &bot.RetryError{After: time.Second, Err: base}, maxSnoozes, "retry"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := jobOutcome(tc.err, tc.snoozes)
			var (
				kind   string
				cancel *river.JobCancelError
				snooze *river.JobSnoozeError
			)
			switch {
			case got == nil:
				kind = "nil"
			case errors.As(got, &cancel):
				kind = "cancel"
			case errors.As(got, &snooze):
				kind = "snooze"
				if snooze.Duration != time.Second {
					t.Errorf("snooze for %s; want the 1s the remote asked for", snooze.Duration)
				}
			default:
				kind = "retry"
			}
			if kind != tc.want {
				t.Errorf("jobOutcome(%v) = %v (%s); want %s", tc.err, got, kind, tc.want)
			}
		})
	}
}
