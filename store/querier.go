package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

var errSQLNoRows = sql.ErrNoRows

// querier is the part of a connection, pool or transaction the store logic
// uses, so it is written once for database/sql (SQLite) and pgx (PostgreSQL).
// Queries use ? placeholders.
type querier interface {
	exec(ctx context.Context, q string, args ...any) (int64, error)
	query(ctx context.Context, q string, args ...any) (rows, error)
	queryRow(ctx context.Context, q string, args ...any) row
}

type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

type row interface {
	Scan(dest ...any) error
}

// sqlConn is what *sql.DB and *sql.Tx share.
type sqlConn interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// sqlQuerier runs queries on database/sql. In a transaction it prepares each
// distinct statement once: a batch of 500 mentions runs the same handful of
// statements thousands of times, and parsing them each time would dominate.
type sqlQuerier struct {
	c     sqlConn
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (s *sqlQuerier) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := s.stmts[q]; ok {
		return st, nil
	}
	st, err := s.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if s.stmts == nil {
		s.stmts = make(map[string]*sql.Stmt)
	}
	s.stmts[q] = st
	return st, nil
}

func (s *sqlQuerier) exec(ctx context.Context, q string, args ...any) (int64, error) {
	var (
		res sql.Result
		err error
	)
	if s.tx != nil {
		var st *sql.Stmt
		if st, err = s.stmt(ctx, q); err != nil {
			return 0, err
		}
		res, err = st.ExecContext(ctx, args...)
	} else {
		res, err = s.c.ExecContext(ctx, q, args...)
	}
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (s *sqlQuerier) query(ctx context.Context, q string, args ...any) (rows, error) {
	var (
		r   *sql.Rows
		err error
	)
	if s.tx != nil {
		var st *sql.Stmt
		if st, err = s.stmt(ctx, q); err != nil {
			return nil, err
		}
		r, err = st.QueryContext(ctx, args...)
	} else {
		r, err = s.c.QueryContext(ctx, q, args...)
	}
	if err != nil {
		return nil, err
	}
	return sqlRows{r}, nil
}

func (s *sqlQuerier) queryRow(ctx context.Context, q string, args ...any) row {
	if s.tx != nil {
		st, err := s.stmt(ctx, q)
		if err != nil {
			return errRow{err}
		}
		return st.QueryRowContext(ctx, args...)
	}
	return s.c.QueryRowContext(ctx, q, args...)
}

// close releases the prepared statements; the transaction has ended.
func (s *sqlQuerier) close() {
	for _, st := range s.stmts {
		_ = st.Close()
	}
	s.stmts = nil
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { _ = r.Rows.Close() }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// pgConn is what *pgxpool.Pool, *pgxpool.Conn and pgx.Tx share.
type pgConn interface {
	Exec(ctx context.Context, q string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, q string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, q string, args ...any) pgx.Row
}

// pgQuerier runs queries on pgx, which caches prepared statements per
// connection by itself.
type pgQuerier struct{ c pgConn }

func (p pgQuerier) exec(ctx context.Context, q string, args ...any) (int64, error) {
	tag, err := p.c.Exec(ctx, rebind(q), args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (p pgQuerier) query(ctx context.Context, q string, args ...any) (rows, error) {
	return p.c.Query(ctx, rebind(q), args...)
}

func (p pgQuerier) queryRow(ctx context.Context, q string, args ...any) row {
	return p.c.QueryRow(ctx, rebind(q), args...)
}

// rebind turns ? placeholders into PostgreSQL's $1..$n, leaving quoted
// strings, quoted identifiers and comments alone.
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(q) && q[j] != c {
				j++
			}
			if j >= len(q) {
				b.WriteString(q[i:])
				return b.String()
			}
			b.WriteString(q[i : j+1])
			i = j
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				b.WriteString(q[i:])
				return b.String()
			}
			b.WriteString(q[i : i+j])
			i += j - 1
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
