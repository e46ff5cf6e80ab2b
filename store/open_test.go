package store

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
)

func TestSQLitePath(t *testing.T) {
	for _, tc := range []struct {
		url, want string
		wantErr   bool
	}{
		{url: "", want: "earshot.db"},
		{url: "earshot.db", want: "earshot.db"},
		{url: "./data/earshot.db", want: "data/earshot.db"},
		{url: "/var/lib/earshot/earshot.db", want: "/var/lib/earshot/earshot.db"},
		{url: "sqlite://data/e.db", want: "data/e.db"},
		{url: "sqlite:///var/lib/e.db", want: "/var/lib/e.db"},
		{url: "sqlite:e.db", want: "e.db"},
		{url: "SQLITE://e.db", want: "e.db"},
		{url: "file:e.db", want: "e.db"},
		{url: "file:e.db?_pragma=foreign_keys(1)", want: "e.db"},
		{url: "file:///var/lib/e.db", want: "/var/lib/e.db"},
		{url: "file://localhost/var/lib/e.db", want: "/var/lib/e.db"},
		{url: "file://otherhost/e.db", wantErr: true},
		{url: "file:", wantErr: true},
		{url: "sqlite://", wantErr: true},
		{url: ":memory:", wantErr: true},
		{url: "file:e.db?mode=memory&cache=shared", wantErr: true},
	} {
		t.Run(tc.url, func(t *testing.T) {
			got, err := sqlitePath(tc.url)
			if (err != nil) != tc.wantErr {
				t.Fatalf("sqlitePath(%q) error = %v; want error %v", tc.url, err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("sqlitePath(%q) = %q; want %q", tc.url, got, tc.want)
			}
		})
	}
}

func FuzzSQLitePath(f *testing.F) {
	for _, s := range []string{"", "earshot.db", "sqlite:///var/lib/e.db", "file:e.db?mode=ro", "file://localhost/x.db",
		"file://h", "sqlite:", "a?b#c", "/tmp/with space/e.db", "file:%2e%2e/e.db"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, url string) {
		p, err := sqlitePath(url)
		if err != nil {
			return
		}
		if p == "" || strings.ContainsAny(p, "?#") {
			t.Errorf("sqlitePath(%q) = %q", url, p)
		}
		// The DSN keeps the path in the URI's path part.
		dsn := sqliteDSN(p, false)
		path, query, ok := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
		if !ok || strings.Contains(path, "#") || !strings.Contains(query, "_txlock=immediate") {
			t.Errorf("sqliteDSN(%q) = %q", p, dsn)
		}
	})
}

func TestRebind(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT * FROM t WHERE a = ? AND b IN (?, ?)", "SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)"},
		{"SELECT '?' || ?", "SELECT '?' || $1"},
		{`SELECT "we?ird" FROM t WHERE x = ?`, `SELECT "we?ird" FROM t WHERE x = $1`},
		{"SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"},
		{"SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2"},
		{"SELECT 'open ?", "SELECT 'open ?"},
	} {
		if got := rebind(tc.in); got != tc.want {
			t.Errorf("rebind(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzRebind(f *testing.F) {
	for _, s := range []string{"SELECT ?", "INSERT INTO t (a, b) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING id",
		"'?'", `"?"`, "-- ?\n?", "'it''s'?", "?'", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		out := rebind(q)
		if !strings.Contains(q, "?") && out != q {
			t.Errorf("rebind changed %q to %q", q, out)
		}
		if strings.Count(out, "?") > strings.Count(q, "?") {
			t.Errorf("rebind(%q) = %q adds placeholders", q, out)
		}
	})
}

func TestParseMigrationName(t *testing.T) {
	for _, tc := range []struct {
		file    string
		version int
		name    string
		wantErr bool
	}{
		{file: "001_init.sql", version: 1, name: "init"},
		{file: "012_add_index_on_cases.sql", version: 12, name: "add_index_on_cases"},
		{file: "init.sql", wantErr: true},
		{file: "000_zero.sql", wantErr: true},
		{file: "01a_x.sql", wantErr: true},
		{file: "_x.sql", wantErr: true},
		{file: "001_.sql", wantErr: true},
		{file: "001_init.txt", wantErr: true},
	} {
		t.Run(tc.file, func(t *testing.T) {
			m, err := parseMigrationName(tc.file)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error = %v; want error %v", err, tc.wantErr)
			}
			if err == nil && (m.version != tc.version || m.name != tc.name) {
				t.Errorf("= %d %q; want %d %q", m.version, m.name, tc.version, tc.name)
			}
		})
	}
}

func FuzzParseMigrationName(f *testing.F) {
	for _, s := range []string{"001_init.sql", "999999999999999999999_x.sql", "1_a.sql", "-1_a.sql", "+1_a.sql"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, file string) {
		m, err := parseMigrationName(file)
		if err == nil && (m.version <= 0 || m.name == "") {
			t.Errorf("parseMigrationName(%q) = %+v", file, m)
		}
	})
}

func TestEmbeddedMigrations(t *testing.T) {
	for _, d := range []string{"sqlite", "postgres"} {
		ms, err := migrations(d)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) == 0 || ms[0].version != 1 {
			t.Errorf("%s migrations = %+v", d, ms)
		}
	}
}

// TestReopen: data survives a restart and migrations run once.
func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	ctx := t.Context()
	clk := newClock()
	db, err := Open(ctx, "sqlite://"+path, testOptions(clk))
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.Ingest(ctx, []bot.Incoming{routed(mention("x", "1", "a", "hi @acme"), "care")}, cardPlan)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(ctx, "file:"+path, testOptions(clk))
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	if c, err := db.Case(ctx, res[0].Cases[0].Case.ID); err != nil || c.Team != "care" {
		t.Errorf("case after reopen = %+v, %v", c, err)
	}
	var n int
	want, _ := migrations(db.Dialect())
	if err := db.be.reader().queryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(want) {
		t.Errorf("schema_migrations rows = %d, %v; want %d", n, err, len(want))
	}
	if n, err := db.PendingJobs(ctx); err != nil || n != 1 {
		t.Errorf("pending jobs after reopen = %d, %v; want 1", n, err)
	}
	if err := db.Ping(ctx); err != nil {
		t.Errorf("ping: %v", err)
	}
}

// TestConcurrentOpen: replicas starting at once migrate once, without errors.
func TestConcurrentOpen(t *testing.T) {
	for _, tc := range []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "e.db") }},
		{"postgres", func(t *testing.T) string { return pgTestURL(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := tc.url(t)
			const n = 3
			dbs := make([]*DB, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { dbs[i], errs[i] = Open(t.Context(), url, testOptions(newClock())) })
			}
			wg.Wait()
			for i := range n {
				if errs[i] != nil {
					t.Errorf("open %d: %v", i, errs[i])
					continue
				}
				defer dbs[i].Close()
			}
			if t.Failed() {
				return
			}
			var v int
			want, _ := migrations(dbs[0].Dialect())
			if err := dbs[0].be.reader().queryRow(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&v); err != nil || v != len(want) {
				t.Errorf("schema_migrations rows = %d, %v; want %d", v, err, len(want))
			}
		})
	}
}

// TestSQLiteConnections checks the pragmas on both pools, that readers
// cannot write, and that a read does not wait for a write in progress.
func TestSQLiteConnections(t *testing.T) {
	clk := newClock()
	db := MustOpenSQLite(t, testOptions(clk))
	s := db.be.(*sqliteDB)
	ctx := t.Context()
	for name, pool := range map[string]querier{"writer": &sqlQuerier{c: s.w}, "reader": &sqlQuerier{c: s.r}} {
		for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "2", "busy_timeout": "10000", "foreign_keys": "1"} {
			var got string
			if err := pool.queryRow(ctx, "PRAGMA "+pragma).Scan(&got); err != nil || got != want {
				t.Errorf("%s PRAGMA %s = %q, %v; want %q", name, pragma, got, err, want)
			}
		}
	}
	if _, err := (&sqlQuerier{c: s.r}).exec(ctx, `INSERT INTO cursors (source, cursor, updated_at) VALUES ('x', 'y', 0)`); err == nil {
		t.Error("reader pool accepted a write")
	}

	c := (&env{db: db, clk: clk, ctx: ctx}).openCase(t, "care", "1")
	holding := make(chan struct{})
	release := make(chan struct{})
	writeDone := make(chan error, 1)
	go func() {
		writeDone <- db.be.withTx(ctx, func(tx *txn) error {
			if _, err := tx.exec(ctx, `UPDATE cases SET summary = 'changing' WHERE id = ?`, c.ID); err != nil {
				return err
			}
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	readCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	got, err := db.Case(readCtx, c.ID)
	cancel()
	close(release)
	if err != nil {
		t.Fatalf("read during a write: %v", err)
	}
	if got.Summary != c.Summary {
		t.Errorf("read saw uncommitted summary %q", got.Summary)
	}
	if err := <-writeDone; err != nil {
		t.Fatal(err)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := t.Context()
	opts := testOptions(newClock())
	t.Run("postgres error hides the password", func(t *testing.T) {
		// Port 1 refuses connections at once.
		_, err := Open(ctx, "postgres://earshot:hunter2@127.0.0.1:1/earshot?sslmode=disable&connect_timeout=5", opts)
		if err == nil {
			t.Fatal("no error")
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error leaks the password: %v", err)
		}
		if !strings.Contains(err.Error(), "127.0.0.1") {
			t.Errorf("error does not say where: %v", err)
		}
	})
	t.Run("bad postgres url", func(t *testing.T) {
		_, err := Open(ctx, "postgres://earshot:hunter2@127.0.0.1:notaport/x", opts)
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("err = %v; want an error without the password", err)
		}
	})
	t.Run("sqlite in a missing directory", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "missing", "e.db")
		_, err := Open(ctx, path, opts)
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("err = %v; want one naming %s", err, path)
		}
	})
}
