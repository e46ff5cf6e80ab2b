package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"

	"github.com/earshothq/earshot/bot"
)

const (
	// jobKind is the one River kind: the handler dispatches on bot.Job.Kind.
	jobKind = "earshot"
	// jobMaxAttempts caps retries: with River's attempt⁴-second back-off the
	// last one comes about eleven hours after the first failure.
	jobMaxAttempts = 12
	// maxSnoozes caps RetryError snoozes, which do not count as attempts, so
	// a remote that always says "later" cannot keep a job alive for ever;
	// past it a RetryError counts as an ordinary failure.
	maxSnoozes = 50
	// queueDrafts is the River queue of drafting jobs (JobSuggest).
	queueDrafts = "drafts"
	// jobTimeout bounds one run of a job (a slow model drafting replies).
	jobTimeout = 5 * time.Minute
)

// jobArgs is a bot.Job as River args. Equal jobs encode to equal JSON, so
// River's by-args uniqueness inserts an equal job once while one is pending,
// running or completed (completed rows are kept for River's retention, 24h).
type jobArgs struct {
	bot.Job
}

func (jobArgs) Kind() string { return jobKind }

func (jobArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		MaxAttempts: jobMaxAttempts,
		UniqueOpts:  river.UniqueOpts{ByArgs: true},
	}
}

// jobParams turns jobs into River insert params, dropping repeats: River
// refuses a batch holding one unique key twice, and an equal job is the same
// job anyway.
func jobParams(jobs []bot.Job) []river.InsertManyParams {
	if len(jobs) == 0 {
		return nil
	}
	seen := make(map[bot.Job]bool, len(jobs))
	ps := make([]river.InsertManyParams, 0, len(jobs))
	for _, j := range jobs {
		if seen[j] {
			continue
		}
		seen[j] = true
		p := river.InsertManyParams{Args: jobArgs{j}}
		if j.Kind == bot.JobSuggest {
			// Drafting waits on a model for seconds; in its own queue it can
			// never hold up the cards and notes people are waiting for.
			p.InsertOpts = &river.InsertOpts{Queue: queueDrafts}
		}
		ps = append(ps, p)
	}
	return ps
}

// insertJobs inserts jobs in tx; it reports how many were new (not equal to
// a pending or completed one).
func insertJobs(ctx context.Context, tx *txn, jobs []bot.Job) (int, error) {
	ps := jobParams(jobs)
	if len(ps) == 0 {
		return 0, nil
	}
	res, err := tx.insertJobs(ctx, ps)
	if err != nil {
		return 0, fmt.Errorf("insert %d jobs: %w", len(ps), err)
	}
	n := 0
	for _, r := range res {
		if !r.UniqueSkippedAsDuplicate {
			n++
		}
	}
	return n, nil
}

// riverConfig is the River configuration shared by the insert-only client
// (workers nil) and the working one.
func riverConfig(o Options, schema string, workers *river.Workers, queues map[string]river.QueueConfig) *river.Config {
	return &river.Config{
		Logger:      riverLogger(o.Logger),
		MaxAttempts: jobMaxAttempts,
		Schema:      schema,
		JobTimeout:  jobTimeout,
		// A job whose process died is run again this long after it started
		// (River's default is an hour): longer than a job may run, and than
		// the handlers' send lease, so a live run is never doubled.
		RescueStuckJobsAfter: 2 * jobTimeout,
		Workers:              workers,
		Queues:               queues,
	}
}

// worker runs River jobs with the bot's handler and maps its errors to
// River's outcomes.
type worker struct {
	river.WorkerDefaults[jobArgs]
	h       bot.JobHandler
	backoff func(attempt int) time.Duration
}

func (w *worker) Work(ctx context.Context, j *river.Job[jobArgs]) error {
	var meta struct {
		Snoozes int `json:"snoozes"`
	}
	_ = json.Unmarshal(j.Metadata, &meta) // River's own JSON; absent means none
	return jobOutcome(w.h(ctx, j.Args.Job), meta.Snoozes)
}

func (w *worker) NextRetry(j *river.Job[jobArgs]) time.Time {
	if w.backoff == nil {
		return time.Time{} // River's policy
	}
	return time.Now().Add(w.backoff(j.Attempt))
}

// jobOutcome maps a handler's error: Permanent cancels the job, a
// RetryError snoozes it for the delay the remote side named (without using
// up an attempt), anything else is retried with back-off.
func jobOutcome(err error, snoozes int) error {
	if err == nil {
		return nil
	}
	if bot.IsPermanent(err) {
		return river.JobCancel(err)
	}
	var re *bot.RetryError
	if errors.As(err, &re) && re.After > 0 && snoozes < maxSnoozes {
		return river.JobSnooze(re.After)
	}
	return err
}

// runRiver works jobs until ctx ends, then stops River: running jobs get
// o.ShutdownTimeout to finish before their contexts are cancelled.
func runRiver[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], o Options, schema string, pollOnly bool, h bot.JobHandler) error {
	if h == nil {
		return errors.New("run jobs: nil handler")
	}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely[jobArgs](workers, &worker{h: h, backoff: o.backoff}); err != nil {
		return fmt.Errorf("run jobs: %w", err)
	}
	cfg := riverConfig(o, schema, workers, map[string]river.QueueConfig{
		river.QueueDefault: {MaxWorkers: o.JobWorkers},
		queueDrafts:        {MaxWorkers: o.DraftWorkers},
	})
	cfg.PollOnly = pollOnly
	cfg.SoftStopTimeout = o.ShutdownTimeout
	if o.JobPollInterval > 0 {
		cfg.FetchPollInterval = o.JobPollInterval
		cfg.FetchCooldown = min(o.JobPollInterval, river.FetchCooldownDefault)
	}
	client, err := river.NewClient(driver, cfg)
	if err != nil {
		return fmt.Errorf("run jobs: %w", err)
	}
	// Start on a context that outlives ctx so stopping is ours to sequence.
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("run jobs: start river: %w", err)
	}
	<-ctx.Done()
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.ShutdownTimeout+5*time.Second)
	defer cancel()
	if err := client.Stop(stopCtx); err != nil {
		// Soft stop overran: cancel running jobs and wait a little more.
		hardCtx, hardCancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer hardCancel()
		if err := client.StopAndCancel(hardCtx); err != nil {
			return fmt.Errorf("run jobs: stop river: %w", err)
		}
	}
	return nil
}

// RunJobs works durable jobs with h until ctx ends, then lets running jobs
// finish (Options.ShutdownTimeout) and returns nil. Jobs inserted while it
// is not running wait in the database.
func (db *DB) RunJobs(ctx context.Context, h bot.JobHandler) error {
	return db.be.runJobs(ctx, db.opts, h)
}

// pendingStates are River states of jobs not yet finished for good.
const pendingJobsQuery = `SELECT count(*) FROM river_job WHERE state IN ('available', 'scheduled', 'retryable', 'running', 'pending')`

// PendingJobs counts jobs not yet completed, cancelled or discarded.
func (db *DB) PendingJobs(ctx context.Context) (int, error) {
	var n int
	if err := db.be.reader().queryRow(ctx, pendingJobsQuery).Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending jobs: %w", err)
	}
	return n, nil
}

// WaitForJobs waits until no job is pending (a RunJobs elsewhere must be
// working them) or ctx ends.
func (db *DB) WaitForJobs(ctx context.Context) error {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		n, err := db.PendingJobs(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for %d pending jobs: %w", n, ctx.Err())
		case <-t.C:
		}
	}
}

// quietHandler passes on only records at or above min: River reports job
// counts at info level every few seconds, which drowns earshot's own logs.
type quietHandler struct {
	slog.Handler
	min slog.Level
}

func (h quietHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h quietHandler) WithAttrs(a []slog.Attr) slog.Handler {
	return quietHandler{h.Handler.WithAttrs(a), h.min}
}

func (h quietHandler) WithGroup(name string) slog.Handler {
	return quietHandler{h.Handler.WithGroup(name), h.min}
}

// riverLogger is the logger River and its migrator get.
func riverLogger(l *slog.Logger) *slog.Logger {
	return slog.New(quietHandler{l.Handler(), slog.LevelWarn})
}
