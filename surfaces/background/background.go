// Package background runs the work a chat surface does after it answered
// the platform (Slack's 3-second ack, Discord's interaction deadline): each
// piece bounded in time, a panic logged instead of killing the process, and
// a shutdown that stops taking work and waits for what is running.
package background

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Group is one surface's background work.
type Group struct {
	ctx     context.Context
	timeout time.Duration
	log     *slog.Logger
	name    string // the surface, in log lines

	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

// New runs work under ctx (cancelled by the surface after Close), each
// piece for at most timeout.
func New(ctx context.Context, timeout time.Duration, log *slog.Logger, name string) *Group {
	return &Group{ctx: ctx, timeout: timeout, log: log, name: name}
}

// Go runs work in the background, unless the group is closed: then the
// work is dropped (its request was already answered) and logged.
func (g *Group) Go(work func(ctx context.Context)) {
	if work == nil {
		return
	}
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		g.log.Warn(g.name + ": shutting down; answered work is dropped")
		return
	}
	g.wg.Add(1)
	g.mu.Unlock()
	go func() {
		defer g.wg.Done()
		ctx, cancel := context.WithTimeout(g.ctx, g.timeout)
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				g.log.Error(g.name+": handling an event panicked", "panic", p)
			}
		}()
		work(ctx)
	}()
}

// Close stops taking work and waits for what runs, at most the timeout.
func (g *Group) Close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	done := make(chan struct{})
	go func() { g.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(g.timeout):
	}
}

// Wait waits for the work running now (tests, before they look).
func (g *Group) Wait() { g.wg.Wait() }
