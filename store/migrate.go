package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations
var migrationFS embed.FS

// migration is one embedded NNN_name.sql file.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists a dialect's migrations in version order.
func migrations(dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	var ms []migration
	seen := map[int]string{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		m, err := parseMigrationName(e.Name())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
		if prev, ok := seen[m.version]; ok {
			return nil, fmt.Errorf("%s: %s and %s share version %d", dir, prev, e.Name(), m.version)
		}
		seen[m.version] = e.Name()
		b, err := fs.ReadFile(migrationFS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read %s/%s: %w", dir, e.Name(), err)
		}
		m.sql = string(b)
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// parseMigrationName reads "001_init.sql" as version 1, name "init".
func parseMigrationName(file string) (migration, error) {
	base, ok := strings.CutSuffix(file, ".sql")
	if !ok {
		return migration{}, fmt.Errorf("migration %q: want NNN_name.sql", file)
	}
	num, name, ok := strings.Cut(base, "_")
	if !ok || num == "" || name == "" {
		return migration{}, fmt.Errorf("migration %q: want NNN_name.sql", file)
	}
	for _, c := range num {
		if c < '0' || c > '9' {
			return migration{}, fmt.Errorf("migration %q: version %q is not a number", file, num)
		}
	}
	v, err := strconv.Atoi(num)
	if err != nil || v <= 0 {
		return migration{}, fmt.Errorf("migration %q: version %q is not a positive number", file, num)
	}
	return migration{version: v, name: name}, nil
}

const schemaMigrationsDDL = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    BIGINT NOT NULL PRIMARY KEY,
	name       TEXT   NOT NULL,
	applied_at BIGINT NOT NULL
)`

// applyMigrations applies the missing migrations in one transaction the
// caller has serialised against other processes.
func applyMigrations(ctx context.Context, q querier, dialect string, now time.Time) error {
	ms, err := migrations(dialect)
	if err != nil {
		return err
	}
	if _, err := q.exec(ctx, schemaMigrationsDDL); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	rs, err := q.query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	applied := map[int]bool{}
	for rs.Next() {
		var v int
		if err := rs.Scan(&v); err != nil {
			rs.Close()
			return fmt.Errorf("read schema_migrations: %w", err)
		}
		applied[v] = true
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		if _, err := q.exec(ctx, m.sql); err != nil {
			return fmt.Errorf("apply %s migration %03d_%s: %w", dialect, m.version, m.name, err)
		}
		if _, err := q.exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			m.version, m.name, now.UnixMilli()); err != nil {
			return fmt.Errorf("record %s migration %03d_%s: %w", dialect, m.version, m.name, err)
		}
	}
	return nil
}

// migrateSQLite runs ours and River's migrations in one BEGIN IMMEDIATE
// transaction, which serialises processes starting on one file at once.
// River's MigrateTx is deprecated because some PostgreSQL migrations cannot
// share a transaction; SQLite's DDL is fully transactional, and the one
// transaction is what makes a concurrent start safe here.
func migrateSQLite(ctx context.Context, w *sql.DB, driver riverdriver.Driver[*sql.Tx], o Options) (err error) {
	migrator, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: riverLogger(o.Logger)})
	if err != nil {
		return fmt.Errorf("river migrator: %w", err)
	}
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err := applyMigrations(ctx, &sqlQuerier{c: tx}, "sqlite", o.Now()); err != nil {
		return err
	}
	//nolint:staticcheck // see the function comment
	if _, err := migrator.MigrateTx(ctx, tx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	return tx.Commit()
}

// migrateLockKey is the PostgreSQL advisory lock replicas take while they
// migrate, so two starting at once apply each migration once.
const migrateLockKey int64 = 0x6561727368_6f74 // "earshot"

// migratePostgres runs ours (one transaction) then River's (one transaction
// per version, as River requires) under a session advisory lock.
func migratePostgres(ctx context.Context, pool *pgxpool.Pool, driver riverdriver.Driver[pgx.Tx], schema string, o Options) (err error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrateLockKey); err != nil {
		return fmt.Errorf("take migration lock: %w", err)
	}
	defer func() {
		if _, uerr := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLockKey); uerr != nil {
			// A session lock outlives a failed unlock; drop the connection.
			_ = conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	if err := applyMigrations(ctx, pgQuerier{tx}, "postgres", o.Now()); err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	migrator, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: riverLogger(o.Logger), Schema: schema})
	if err != nil {
		return fmt.Errorf("river migrator: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	return nil
}
