package store

import (
	"context"
	"fmt"
	"regexp"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/earshothq/earshot/bot"
)

// pgDB is a pgx pool shared by reads, writes and River. Several replicas may
// use one database: rows a transaction reads to change are locked FOR UPDATE,
// and River claims jobs with SKIP LOCKED.
type pgDB struct {
	pool   *pgxpool.Pool
	schema string // River's schema; "" follows search_path
	insert *river.Client[pgx.Tx]
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func openPostgres(ctx context.Context, url string, o Options) (*pgDB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx redacts the password from the URL it quotes.
		return nil, fmt.Errorf("parse postgres url: %w", err)
	}
	where := fmt.Sprintf("postgres %s:%d/%s", cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database)
	// River qualifies its tables with Config.Schema, and its notification
	// topics too, so replicas in different schemas do not hear each other.
	schema := ""
	if sp := cfg.ConnConfig.RuntimeParams["search_path"]; identRE.MatchString(sp) {
		schema = sp
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", where, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open %s: %w", where, err)
	}
	p := &pgDB{pool: pool, schema: schema}
	driver := riverpgxv5.New(pool)
	if err := migratePostgres(ctx, pool, driver, schema, o); err != nil {
		pool.Close()
		return nil, fmt.Errorf("migrate %s: %w", where, err)
	}
	p.insert, err = river.NewClient(driver, riverConfig(o, schema, nil, nil))
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("river client for %s: %w", where, err)
	}
	return p, nil
}

func (p *pgDB) name() string { return "postgres" }

func (p *pgDB) reader() querier { return pgQuerier{p.pool} }

func (p *pgDB) withTx(ctx context.Context, fn func(tx *txn) error) (err error) {
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin postgres transaction: %w", err)
	}
	defer func() {
		if err != nil {
			// The request's context may be the reason for the failure;
			// rollback still has to reach the server.
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	t := &txn{
		querier:   pgQuerier{tx},
		forUpdate: " FOR UPDATE",
		insertJobs: func(ctx context.Context, params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
			return p.insert.InsertManyTx(ctx, tx, params)
		},
	}
	if err := fn(t); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit postgres transaction: %w", err)
	}
	return nil
}

func (p *pgDB) runJobs(ctx context.Context, o Options, h bot.JobHandler) error {
	return runRiver(ctx, riverpgxv5.New(p.pool), o, p.schema, false, h)
}

func (p *pgDB) close() error {
	p.pool.Close()
	return nil
}
