package store

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestLeaseSQLiteGranted(t *testing.T) {
	db := MustOpenSQLite(t, testOptions(newClock()))
	l, ok, err := db.TryLease(t.Context(), "source:bluesky")
	if err != nil || !ok {
		t.Fatalf("TryLease = %v, %v; want granted", ok, err)
	}
	if l.Lost() != nil {
		t.Error("a SQLite lease can be lost")
	}
	l.Release()
	l.Release()
}

func TestLeasePostgres(t *testing.T) {
	url := pgTestURL(t)
	ctx := t.Context()
	opts := testOptions(newClock())
	opts.LeaseCheck = 20 * time.Millisecond
	open := func() *DB {
		db, err := Open(ctx, url, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	a, b := open(), open()
	try := func(db *DB, name string) (*pgLease, bool) {
		t.Helper()
		l, ok, err := db.TryLease(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return nil, false
		}
		return l.(*pgLease), true
	}

	la, ok := try(a, "source:bluesky")
	if !ok {
		t.Fatal("first replica did not get the lease")
	}
	if _, ok := try(b, "source:bluesky"); ok {
		t.Fatal("second replica got a held lease")
	}
	if _, ok := try(a, "source:bluesky"); ok {
		t.Fatal("the same replica got its held lease twice (a second source of the same name)")
	}
	lm, ok := try(b, "source:mastodon")
	if !ok {
		t.Fatal("another source's lease was refused")
	}
	defer lm.Release()

	la.Release()
	lb, ok := try(b, "source:bluesky")
	if !ok {
		t.Fatal("released lease not taken over")
	}

	t.Run("lost connection loses the lease", func(t *testing.T) {
		admin, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close(context.Background())
		if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend($1)`, lb.conn.PgConn().PID()); err != nil {
			t.Fatal(err)
		}
		select {
		case <-lb.Lost():
		case <-time.After(10 * time.Second):
			t.Fatal("lease not lost after its connection was terminated")
		}
		lb.Release()
		la, ok := try(a, "source:bluesky")
		if !ok {
			t.Fatal("lost lease not free for others")
		}
		la.Release()
	})
}

func TestLeaseKey(t *testing.T) {
	if leaseKey("s1", "source:x") == leaseKey("s2", "source:x") || leaseKey("s1", "source:x") == leaseKey("s1", "source:y") {
		t.Error("lease keys collide across schemas or names")
	}
	if leaseKey("s1", "source:x") == migrateLockKey {
		t.Error("a lease shares the migration lock's key")
	}
}
