package store

import (
	"context"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/earshothq/earshot/bot"
)

var _ bot.Leaser = (*DB)(nil)

// defaultLeaseCheck is how often a held PostgreSQL lease checks that its
// connection is alive: how long a replica cut off from the database may
// keep consuming a stream another replica has taken over.
const defaultLeaseCheck = 5 * time.Second

// leasePingTimeout is how long a lease's ping may take before the lease
// counts as lost.
const leasePingTimeout = 10 * time.Second

// TryLease takes the named lease if nobody holds it (bot.Leaser). On
// PostgreSQL it is a session advisory lock on a connection of its own,
// outside the pool: the lock lives exactly as long as that connection, so
// a replica that dies or loses the database loses the lease, and the server
// lets another take it. The connection is pinged every LeaseCheck; a failed
// ping closes Lost. On SQLite, one process owns the file: granted at once.
func (db *DB) TryLease(ctx context.Context, name string) (bot.Lease, bool, error) {
	pg, ok := db.be.(*pgDB)
	if !ok {
		return grantedLease{}, true, nil
	}
	every := db.opts.LeaseCheck
	if every <= 0 {
		every = defaultLeaseCheck
	}
	return pg.tryLease(ctx, name, every)
}

// grantedLease is SQLite's: never lost.
type grantedLease struct{}

func (grantedLease) Lost() <-chan struct{} { return nil }
func (grantedLease) Release()              {}

// leaseKey is the advisory lock key of a lease in one schema: replicas of
// different installations sharing a database (one schema each) do not
// exclude each other.
func leaseKey(schema, name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("earshot lease\x00" + schema + "\x00" + name))
	return int64(h.Sum64())
}

func (p *pgDB) tryLease(ctx context.Context, name string, every time.Duration) (bot.Lease, bool, error) {
	conn, err := pgx.ConnectConfig(ctx, p.pool.Config().ConnConfig.Copy())
	if err != nil {
		return nil, false, fmt.Errorf("lease %q: connect: %w", name, err)
	}
	var (
		schema string
		got    bool
	)
	if err := conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, false, fmt.Errorf("lease %q: read schema: %w", name, err)
	}
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, leaseKey(schema, name)).Scan(&got); err != nil {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, false, fmt.Errorf("lease %q: %w", name, err)
	}
	if !got {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, false, nil
	}
	l := &pgLease{conn: conn, lost: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
	go l.watch(every)
	return l, true, nil
}

// pgLease holds an advisory lock on its own connection. Only watch uses
// the connection once the lock is taken (a pgx.Conn is not safe for
// concurrent use); Release stops watch before closing it.
type pgLease struct {
	conn *pgx.Conn
	lost chan struct{} // closed by watch when the connection fails
	stop chan struct{} // closed by Release
	done chan struct{} // closed when watch returns
	once sync.Once
}

func (l *pgLease) Lost() <-chan struct{} { return l.lost }

func (l *pgLease) watch(every time.Duration) {
	defer close(l.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		// A slow answer is not a lost lease: the lock holds as long as the
		// session does, so only a failed ping (or none in leasePingTimeout)
		// gives it up.
		ctx, cancel := context.WithTimeout(context.Background(), max(every, leasePingTimeout))
		err := l.conn.Ping(ctx)
		cancel()
		if err != nil {
			close(l.lost)
			return
		}
	}
}

// Release closes the connection, which ends the session and its lock.
func (l *pgLease) Release() {
	l.once.Do(func() {
		close(l.stop)
		<-l.done
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = l.conn.Close(ctx)
	})
}
