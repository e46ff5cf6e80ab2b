// Package store keeps earshot's state — mentions, cases, their threads,
// suggestions, actions, card references, source cursors — and its durable
// jobs, in SQLite (the embedded default) or PostgreSQL (several replicas).
// It implements bot.Store. The store logic is written once over a small
// query interface; only opening, locking and migration DDL differ per dialect.
// Jobs are River jobs in the same database, inserted in the same transaction
// as the change that caused them.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/earshothq/earshot/bot"
)

var _ bot.Store = (*DB)(nil)

// Options tune a store. The zero value is fine.
type Options struct {
	Logger *slog.Logger
	// Now is the clock for every time the store writes; default time.Now.
	Now func() time.Time
	// JobWorkers is how many jobs RunJobs works at once; default 32. Jobs
	// mostly wait on remote APIs, and on SQLite (polled, no LISTEN/NOTIFY)
	// throughput is about JobWorkers per JobPollInterval, so few workers
	// starve the queue: 4 workers drained 26 jobs/s, 32 drain about 400.
	JobWorkers int
	// DraftWorkers is how many drafting jobs run at once, in a queue of
	// their own so a slow model never delays a card; default 8.
	DraftWorkers int
	// JobPollInterval is how often RunJobs looks for new jobs; default 50ms
	// for SQLite (which has no LISTEN/NOTIFY), River's default on PostgreSQL
	// (where inserts notify workers and polling is only a fallback).
	JobPollInterval time.Duration
	// ShutdownTimeout is how long RunJobs lets running jobs finish once its
	// context ends before cancelling them; default 10s.
	ShutdownTimeout time.Duration

	// LeaseCheck is how often a held lease (TryLease, PostgreSQL) checks
	// its connection; default 5s.
	LeaseCheck time.Duration

	// backoff replaces River's retry back-off; tests use it to retry fast.
	backoff func(attempt int) time.Duration
}

func (o Options) withDefaults(sqlite bool) Options {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.JobWorkers <= 0 {
		o.JobWorkers = 32
	}
	if o.DraftWorkers <= 0 {
		o.DraftWorkers = 8
	}
	if o.JobPollInterval <= 0 && sqlite {
		o.JobPollInterval = 50 * time.Millisecond
	}
	if o.ShutdownTimeout <= 0 {
		o.ShutdownTimeout = 10 * time.Second
	}
	return o
}

// DB is a bot.Store over SQLite or PostgreSQL. Jobs can be inserted as soon
// as Open returns (an insert-only River client); RunJobs starts a second,
// working River client and stops it when its context ends.
type DB struct {
	be   backend
	opts Options
}

// backend is what differs between the dialects: transactions, the read
// path, River and closing.
type backend interface {
	// withTx runs fn in a write transaction that holds the write lock from
	// its start (SQLite) and can insert River jobs.
	withTx(ctx context.Context, fn func(tx *txn) error) error
	// reader runs queries outside a transaction, on the read pool.
	reader() querier
	runJobs(ctx context.Context, o Options, h bot.JobHandler) error
	close() error
	name() string
}

// txn is one write transaction: the shared queries plus the dialect's job
// insert and row lock.
type txn struct {
	querier
	// forUpdate locks the rows a SELECT reads (PostgreSQL); empty on SQLite,
	// where the transaction already holds the database's one write lock.
	forUpdate  string
	insertJobs func(ctx context.Context, p []river.InsertManyParams) ([]*rivertype.JobInsertResult, error)
}

// Open opens (creating if needed) and migrates the store at url: a SQLite
// path, "file:" or "sqlite://" URL (default "earshot.db"), or a
// "postgres://" / "postgresql://" URL. On PostgreSQL a search_path parameter
// in the URL selects the schema for earshot's and River's tables alike.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	var (
		be  backend
		err error
	)
	if isPostgres(url) {
		opts = opts.withDefaults(false)
		be, err = openPostgres(ctx, url, opts)
	} else {
		opts = opts.withDefaults(true)
		be, err = openSQLite(ctx, url, opts)
	}
	if err != nil {
		return nil, err
	}
	return &DB{be: be, opts: opts}, nil
}

// Close releases the database. RunJobs must have returned.
func (db *DB) Close() error { return db.be.close() }

// Ping checks that the database answers a read (readiness probes). On
// SQLite it uses the read pool, so a long write does not make it fail.
func (db *DB) Ping(ctx context.Context) error {
	var n int
	if err := db.be.reader().queryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		return fmt.Errorf("ping %s store: %w", db.be.name(), err)
	}
	return nil
}

// Dialect is "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.be.name() }

// now is the store's clock at the precision it stores (milliseconds, UTC),
// so what a write returns equals what a later read returns.
func (db *DB) now() time.Time { return db.opts.Now().UTC().Truncate(time.Millisecond) }

func isPostgres(url string) bool {
	u := strings.ToLower(url)
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// ms converts a time to stored milliseconds; the zero time is NULL.
func ms(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// fromMS is the inverse of ms.
func fromMS(v *int64) time.Time {
	if v == nil {
		return time.Time{}
	}
	return time.UnixMilli(*v).UTC()
}

// roundMS is t as it reads back after storing.
func roundMS(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.UnixMilli(t.UnixMilli()).UTC()
}

// nullInt stores 0 as NULL for optional references.
func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func notFound(what string, id any) error {
	return fmt.Errorf("%s %v: %w", what, id, bot.ErrNotFound)
}

// errNoRows reports whether err is "no rows" from either driver (pgx's
// ErrNoRows wraps database/sql's).
func errNoRows(err error) bool { return errors.Is(err, errSQLNoRows) }
