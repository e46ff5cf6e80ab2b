package store

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/pgtest"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func testOptions(clk *clock) Options {
	return Options{
		Logger:          slog.New(slog.DiscardHandler),
		Now:             clk.Now,
		JobPollInterval: 20 * time.Millisecond,
		ShutdownTimeout: 2 * time.Second,
		backoff:         func(int) time.Duration { return 10 * time.Millisecond },
	}
}

// MustOpenSQLite opens a fresh SQLite store in a temporary directory.
func MustOpenSQLite(tb testing.TB, opts Options) *DB {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "earshot.db")
	db, err := Open(context.Background(), path, opts)
	if err != nil {
		tb.Fatalf("open sqlite: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	return db
}

// MustOpenPostgres opens a store in a fresh schema of the database named by
// EARSHOT_TEST_DATABASE_URL, dropped when the test ends; it skips without it.
func MustOpenPostgres(tb testing.TB, opts Options) *DB {
	tb.Helper()
	db, err := Open(context.Background(), pgTestURL(tb), opts)
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	return db
}

// pgTestURL is a fresh schema's URL, or a skip without PostgreSQL.
func pgTestURL(tb testing.TB) string { return pgtest.URL(tb) }

// env is one store under test with its clock.
type env struct {
	db  *DB
	clk *clock
	ctx context.Context
}

// eachDialect runs fn against SQLite and, when configured, PostgreSQL.
func eachDialect(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	for _, d := range []struct {
		name string
		open func(testing.TB, Options) *DB
	}{
		{"sqlite", MustOpenSQLite},
		{"postgres", MustOpenPostgres},
	} {
		t.Run(d.name, func(t *testing.T) {
			clk := newClock()
			db := d.open(t, testOptions(clk))
			fn(t, &env{db: db, clk: clk, ctx: context.Background()})
		})
	}
}

// mention builds a realistic customer mention.
func mention(platform, id, handle, text string) bot.Mention {
	return bot.Mention{
		Platform:   platform,
		ExternalID: id,
		URL:        fmt.Sprintf("https://%s.example/%s/%s", platform, handle, id),
		Author:     bot.Author{ID: "uid-" + handle, Handle: handle, Name: "Name " + handle, Followers: 120},
		Text:       text,
		Lang:       "en",
		CreatedAt:  time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
	}
}

func routed(m bot.Mention, teams ...string) bot.Incoming {
	sla := map[string]time.Duration{}
	for _, t := range teams {
		sla[t] = time.Hour
	}
	return bot.Incoming{
		Mention: m,
		Labels:  bot.Labels{Sentiment: bot.Negative, Intent: bot.IntentComplaint, Urgency: bot.UrgencyNormal},
		Teams:   teams,
		Rules:   []string{"complaints"},
		SLA:     sla,
	}
}

func reply(m bot.Mention, to string) bot.Mention {
	m.InReplyTo = to
	return m
}

func (e *env) ingest(t *testing.T, plan bot.JobPlan, batch ...bot.Incoming) []bot.IngestResult {
	t.Helper()
	res, err := e.db.Ingest(e.ctx, batch, plan)
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	if len(res) != len(batch) {
		t.Fatalf("ingest returned %d results for %d mentions", len(res), len(batch))
	}
	return res
}

func (e *env) getCase(t *testing.T, id int64) bot.Case {
	t.Helper()
	c, err := e.db.Case(e.ctx, id)
	if err != nil {
		t.Fatalf("case %d: %v", id, err)
	}
	return c
}

// jobRow is a River job as the tests inspect it.
type jobRow struct {
	job      bot.Job
	state    string
	attempt  int
	metadata string
}

func (e *env) jobs(t *testing.T) []jobRow {
	t.Helper()
	q := `SELECT args::text, state::text, attempt, metadata::text FROM river_job ORDER BY id`
	if e.db.Dialect() == "sqlite" {
		// River keeps SQLite JSON as binary JSONB.
		q = `SELECT json(args), state, attempt, json(metadata) FROM river_job ORDER BY id`
	}
	rs, err := e.db.be.reader().query(e.ctx, q)
	if err != nil {
		t.Fatalf("list jobs: %v", err)
	}
	defer rs.Close()
	var out []jobRow
	for rs.Next() {
		var (
			args string
			r    jobRow
		)
		if err := rs.Scan(&args, &r.state, &r.attempt, &r.metadata); err != nil {
			t.Fatalf("scan job: %v", err)
		}
		if err := json.Unmarshal([]byte(args), &r.job); err != nil {
			t.Fatalf("job args %s: %v", args, err)
		}
		out = append(out, r)
	}
	if err := rs.Err(); err != nil {
		t.Fatalf("list jobs: %v", err)
	}
	return out
}

func plainJobs(rows []jobRow) []bot.Job {
	out := make([]bot.Job, len(rows))
	for i, r := range rows {
		out[i] = r.job
	}
	return out
}
