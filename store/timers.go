package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/earshothq/earshot/bot"
)

// fireBatch bounds one firing transaction; FireTimers loops until none is due.
const fireBatch = 500

// firedKeep is how long a fired timer whose job never consumed it (the
// case had moved on) is kept before it is swept.
const firedKeep = 24 * time.Hour

var _ bot.TimerStore = (*DB)(nil)

// insertTimers writes timers for case c; an equal pending timer (same job)
// is kept rather than doubled.
func insertTimers(ctx context.Context, tx *txn, caseID int64, ts []bot.Timer) error {
	for _, t := range ts {
		j := t.Job
		j.CaseID, j.Timer = caseID, 0
		if j.Kind == "" || t.Due.IsZero() {
			return fmt.Errorf("case %d: timer needs a job kind and a due time, got %+v", caseID, t)
		}
		if _, err := tx.exec(ctx, `INSERT INTO timers (case_id, kind, due_at, job) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			caseID, string(j.Kind), t.Due.UnixMilli(), mustJSON(j)); err != nil {
			return fmt.Errorf("case %d: set %s timer for %s: %w", caseID, j.Kind, t.Due.UTC().Format(time.RFC3339), err)
		}
	}
	return nil
}

// consumeTimer deletes the timer a job fired from, as part of its effect.
func consumeTimer(ctx context.Context, tx *txn, caseID, id int64) error {
	n, err := tx.exec(ctx, `DELETE FROM timers WHERE id = ? AND case_id = ?`, id, caseID)
	if err != nil {
		return fmt.Errorf("consume timer %d of case %d: %w", id, caseID, err)
	}
	if n == 0 {
		return fmt.Errorf("timer %d of case %d: %w", id, caseID, bot.ErrTimerGone)
	}
	return nil
}

// dropStaleTimers removes the timers a case change makes pointless: all of
// them when the case closes, its SLA timers when its due time moves. Jobs
// already queued from them find them gone and do nothing.
func dropStaleTimers(ctx context.Context, tx *txn, old, c bot.Case) error {
	var err error
	switch {
	case old.State.Open() && !c.State.Open():
		_, err = tx.exec(ctx, `DELETE FROM timers WHERE case_id = ?`, c.ID)
	case !old.DueAt.Equal(c.DueAt):
		_, err = tx.exec(ctx, `DELETE FROM timers WHERE case_id = ? AND kind = ?`, c.ID, string(bot.JobSLA))
	}
	if err != nil {
		return fmt.Errorf("drop stale timers of case %d: %w", c.ID, err)
	}
	return nil
}

// FireTimers queues the job of every timer due at now (by the caller's
// clock) and marks it fired, in one transaction per batch, so a crash either
// fires a timer with its job or not at all. On PostgreSQL the rows are
// claimed FOR UPDATE SKIP LOCKED: replicas firing at once fire each timer
// once. Equal jobs are queued once in any case (River's unique args).
func (db *DB) FireTimers(ctx context.Context, now time.Time) (int, error) {
	total := 0
	for {
		n, err := db.fireTimers(ctx, now, fireBatch)
		total += n
		if err != nil {
			return total, err
		}
		if n < fireBatch {
			return total, nil
		}
	}
}

func (db *DB) fireTimers(ctx context.Context, now time.Time, limit int) (int, error) {
	lock := ""
	if db.be.name() == "postgres" {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	fired := 0
	err := db.be.withTx(ctx, func(tx *txn) error {
		at := now.UnixMilli()
		rs, err := tx.query(ctx, `UPDATE timers SET fired_at = ? WHERE id IN (
			SELECT id FROM timers WHERE fired_at IS NULL AND due_at <= ? ORDER BY due_at, id LIMIT ?`+lock+`)
			RETURNING id, job`, at, at, limit)
		if err != nil {
			return fmt.Errorf("claim due timers: %w", err)
		}
		var jobs []bot.Job
		for rs.Next() {
			var (
				id  int64
				raw string
			)
			if err := rs.Scan(&id, &raw); err != nil {
				rs.Close()
				return fmt.Errorf("claim due timers: %w", err)
			}
			var j bot.Job
			if err := json.Unmarshal([]byte(raw), &j); err != nil {
				rs.Close()
				return fmt.Errorf("timer %d: job %q: %w", id, raw, err)
			}
			j.Timer = id
			jobs = append(jobs, j)
		}
		rs.Close()
		if err := rs.Err(); err != nil {
			return fmt.Errorf("claim due timers: %w", err)
		}
		if _, err := insertJobs(ctx, tx, jobs); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM timers WHERE fired_at IS NOT NULL AND fired_at < ?`,
			now.Add(-firedKeep).UnixMilli()); err != nil {
			return fmt.Errorf("sweep fired timers: %w", err)
		}
		fired = len(jobs)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("fire timers due at %s: %w", now.UTC().Format(time.RFC3339), err)
	}
	return fired, nil
}

// Timer is one stored timer, for tests and operators.
type Timer struct {
	ID    int64
	Due   time.Time
	Job   bot.Job
	Fired bool
}

// Timers lists a case's timers (all cases when caseID is 0), soonest first.
func (db *DB) Timers(ctx context.Context, caseID int64) ([]Timer, error) {
	q := `SELECT id, due_at, job, fired_at FROM timers`
	var args []any
	if caseID != 0 {
		q += ` WHERE case_id = ?`
		args = append(args, caseID)
	}
	rs, err := db.be.reader().query(ctx, q+` ORDER BY due_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list timers: %w", err)
	}
	defer rs.Close()
	var out []Timer
	for rs.Next() {
		var (
			t     Timer
			due   int64
			raw   string
			fired *int64
		)
		if err := rs.Scan(&t.ID, &due, &raw, &fired); err != nil {
			return nil, fmt.Errorf("list timers: %w", err)
		}
		if err := json.Unmarshal([]byte(raw), &t.Job); err != nil {
			return nil, fmt.Errorf("timer %d: job %q: %w", t.ID, raw, err)
		}
		t.Due, t.Fired = fromMS(&due), fired != nil
		out = append(out, t)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("list timers: %w", err)
	}
	return out, nil
}
