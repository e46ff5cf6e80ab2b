package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver

	"github.com/earshothq/earshot/bot"
)

// DefaultSQLitePath is where the embedded store lives when no URL is given.
const DefaultSQLitePath = "earshot.db"

// sqlitePragmas run on every connection. synchronous=FULL because a mention
// acknowledged to a source (which then advances its cursor) must survive a
// power cut; busy_timeout covers another process (a CLI) holding the lock.
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)"

// sqliteDB has one writer connection, which River's SQLite driver requires
// and which serialises writes without SQLITE_BUSY, and a read-only pool so
// reads (the web inbox) never queue behind a long ingest batch: in WAL mode
// readers see the last commit while a write is in progress.
type sqliteDB struct {
	path   string
	w      *sql.DB
	r      *sql.DB
	insert *river.Client[*sql.Tx]
}

// sqlitePath extracts the file path from the accepted URL forms.
func sqlitePath(url string) (string, error) {
	p := url
	lower := strings.ToLower(p)
	switch {
	case p == "":
		return DefaultSQLitePath, nil
	case strings.HasPrefix(lower, "sqlite://"):
		p = p[len("sqlite://"):]
	case strings.HasPrefix(lower, "sqlite3://"):
		p = p[len("sqlite3://"):]
	case strings.HasPrefix(lower, "sqlite:"):
		p = p[len("sqlite:"):]
	case strings.HasPrefix(lower, "file:"):
		p = p[len("file:"):]
		if strings.HasPrefix(p, "//") {
			// file://host/path: only the local host is meaningful.
			rest := p[2:]
			i := strings.IndexByte(rest, '/')
			if i < 0 {
				return "", fmt.Errorf("sqlite url %q: no path", url)
			}
			if host := rest[:i]; host != "" && host != "localhost" {
				return "", fmt.Errorf("sqlite url %q: host %q is not local", url, host)
			}
			p = rest[i:]
		}
	}
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		if strings.Contains(p[i:], "mode=memory") {
			return "", fmt.Errorf("sqlite url %q: in-memory databases are not supported (the writer and the readers need one file)", url)
		}
		p = p[:i]
	}
	if p == "" {
		return "", fmt.Errorf("sqlite url %q: no path", url)
	}
	if p == ":memory:" {
		return "", fmt.Errorf("sqlite url %q: in-memory databases are not supported (the writer and the readers need one file)", url)
	}
	return filepath.Clean(p), nil
}

// sqliteDSN is the file: URI modernc opens, with our pragmas.
func sqliteDSN(path string, readOnly bool) string {
	// Percent-encode what a file: URI would read as query, fragment or escape.
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	if strings.HasPrefix(esc, "//") {
		esc = "/" + strings.TrimLeft(esc, "/")
	}
	dsn := "file:" + esc + "?" + sqlitePragmas
	if readOnly {
		return dsn + "&mode=ro"
	}
	// BEGIN IMMEDIATE: take the write lock at the start, never upgrade a read
	// lock mid-transaction (which fails with SQLITE_BUSY instead of waiting).
	return dsn + "&_txlock=immediate"
}

func openSQLite(ctx context.Context, url string, o Options) (*sqliteDB, error) {
	path, err := sqlitePath(url)
	if err != nil {
		return nil, err
	}
	w, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	s := &sqliteDB{path: path, w: w}
	fail := func(err error) (*sqliteDB, error) {
		_ = s.close()
		return nil, err
	}
	driver := riversqlite.New(w)
	if err := migrateSQLite(ctx, w, driver, o); err != nil {
		return fail(fmt.Errorf("migrate sqlite %s: %w", path, err))
	}
	// The readers open after the writer made the file and switched it to WAL.
	r, err := sql.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		return fail(fmt.Errorf("open sqlite %s read-only: %w", path, err))
	}
	s.r = r
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	if err := r.PingContext(ctx); err != nil {
		return fail(fmt.Errorf("open sqlite %s read-only: %w", path, err))
	}
	s.insert, err = river.NewClient(driver, riverConfig(o, "", nil, nil))
	if err != nil {
		return fail(fmt.Errorf("river client for %s: %w", path, err))
	}
	return s, nil
}

func (s *sqliteDB) name() string { return "sqlite" }

func (s *sqliteDB) reader() querier { return &sqlQuerier{c: s.r} }

func (s *sqliteDB) withTx(ctx context.Context, fn func(tx *txn) error) (err error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin sqlite transaction: %w", err)
	}
	q := &sqlQuerier{c: tx, tx: tx}
	defer func() {
		q.close()
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	t := &txn{
		querier: q,
		insertJobs: func(ctx context.Context, p []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
			return s.insert.InsertManyTx(ctx, tx, p)
		},
	}
	if err := fn(t); err != nil {
		return err
	}
	// Statements must be closed before commit so none holds the connection.
	q.close()
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit sqlite transaction: %w", err)
	}
	return nil
}

func (s *sqliteDB) runJobs(ctx context.Context, o Options, h bot.JobHandler) error {
	return runRiver(ctx, riversqlite.New(s.w), o, "", true, h)
}

func (s *sqliteDB) close() error {
	var errs []error
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		// Checkpoint so the file is whole without its -wal companion.
		_, _ = s.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		errs = append(errs, s.w.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close sqlite %s: %w", s.path, err)
	}
	return nil
}
