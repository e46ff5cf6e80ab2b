package bot

import (
	"context"
	"time"
)

// One consumer per stream source: with several replicas on one database,
// each would otherwise read the same stream and race to store the same
// posts. A source marked exclusive runs only on the replica holding its
// lease from the store; the others wait and take over when it goes.

// ExclusiveSource is a Source that one replica at a time may run. Sources
// say so themselves, or are wrapped with Exclusive. It is meant for streams,
// which run until cancelled: one that returns (finished or failed) gives
// its lease up, and another replica then runs it again from its cursor.
type ExclusiveSource interface {
	Source
	Exclusive() bool
}

// Exclusive marks src as a source one replica at a time runs.
func Exclusive(src Source) Source { return exclusiveSource{src} }

type exclusiveSource struct{ Source }

func (exclusiveSource) Exclusive() bool { return true }

// IsExclusive reports whether src must run on one replica at a time.
func IsExclusive(src Source) bool {
	e, ok := src.(ExclusiveSource)
	return ok && e.Exclusive()
}

// Leaser grants named leases that one process at a time holds (the store:
// a PostgreSQL advisory lock; on SQLite, granted at once).
type Leaser interface {
	// TryLease takes the lease if nobody holds it; ok is false when
	// someone does. It does not wait.
	TryLease(ctx context.Context, name string) (l Lease, ok bool, err error)
}

// Lease is a held lease.
type Lease interface {
	// Lost is closed when the lease is lost without Release (the database
	// connection holding it dropped): someone else may hold it now.
	Lost() <-chan struct{}
	// Release gives the lease up; safe to call more than once.
	Release()
}

// DefaultLeaseRetry is how often a replica without a source's lease tries
// to take it: how long a stream may go unread after its replica dies.
const DefaultLeaseRetry = 10 * time.Second

// leaseName is the lease of one source, shared by every replica.
func leaseName(src Source) string { return "source:" + src.Name() }

// runSource runs one source until it finishes, fails or ctx ends; an
// exclusive one only while this replica holds its lease.
func (b *Bot) runSource(ctx context.Context, src Source) {
	leaser, ok := b.store.(Leaser)
	if !IsExclusive(src) || !ok {
		b.log.Info("source started", "source", src.Name())
		b.sourceDone(ctx, src, src.Run(ctx, b.Ingest))
		return
	}
	for {
		lease, got, err := leaser.TryLease(ctx, leaseName(src))
		switch {
		case err != nil && ctx.Err() == nil:
			b.log.Warn("source lease: cannot ask the store; trying again later", "source", src.Name(), "err", err)
		case got:
			if done := b.runLeased(ctx, src, lease); done {
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(b.leaseRetry):
		}
	}
}

// runLeased runs src while lease holds. done is false when the lease was
// lost, and the source should run again once the lease is back.
func (b *Bot) runLeased(ctx context.Context, src Source, lease Lease) (done bool) {
	defer lease.Release()
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-lease.Lost():
			cancel()
		case <-sctx.Done():
		}
	}()
	b.log.Info("source started: this replica holds its lease", "source", src.Name())
	err := src.Run(sctx, b.Ingest)
	select {
	case <-lease.Lost():
		if ctx.Err() == nil {
			b.log.Warn("source lease lost: stopped it; another replica may take over", "source", src.Name())
			return false
		}
	default:
	}
	b.sourceDone(ctx, src, err)
	return true
}

// sourceDone logs how a source ended.
func (b *Bot) sourceDone(ctx context.Context, src Source, err error) {
	switch {
	case err == nil:
		b.log.Info("source finished", "source", src.Name())
	case ctx.Err() != nil:
	default:
		b.log.Error("source stopped", "source", src.Name(), "err", err)
	}
}
