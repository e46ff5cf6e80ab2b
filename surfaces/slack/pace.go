package slacksurface

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/earshothq/earshot/bot"
)

// pacer keeps posts to each channel under Slack's limit (about one message
// a second per channel, short bursts allowed) by waiting before a post
// instead of provoking a 429, and stops posting to a channel for as long as
// a 429's Retry-After asks.
type pacer struct {
	perSecond rate.Limit
	burst     int
	// maxWait bounds how long one post waits in line: past it the job is
	// handed back with a RetryError rather than holding a worker.
	maxWait time.Duration
	now     func() time.Time
	sleep   func(ctx context.Context, d time.Duration) error

	mu       sync.Mutex
	channels map[string]*channelPace
	aliases  map[string]string // "#care" → "C123": one budget per channel however it is named
}

type channelPace struct {
	lim   *rate.Limiter
	until time.Time // a 429 asked us to wait until then
}

func newPacer(perSecond float64, burst int, maxWait time.Duration, now func() time.Time) *pacer {
	return &pacer{
		perSecond: rate.Limit(perSecond),
		burst:     burst,
		maxWait:   maxWait,
		now:       now,
		sleep:     sleepCtx,
		channels:  map[string]*channelPace{},
		aliases:   map[string]string{},
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// channel returns the pace of a channel; p.mu must be held.
func (p *pacer) channel(name string) *channelPace {
	if id, ok := p.aliases[name]; ok {
		name = id
	}
	cp, ok := p.channels[name]
	if !ok {
		cp = &channelPace{lim: rate.NewLimiter(p.perSecond, p.burst)}
		p.channels[name] = cp
	}
	return cp
}

// wait blocks until a message may be posted to channel.
func (p *pacer) wait(ctx context.Context, channel string) error {
	p.mu.Lock()
	cp := p.channel(channel)
	now := p.now()
	if now.Before(cp.until) {
		d := cp.until.Sub(now)
		p.mu.Unlock()
		return &bot.RetryError{After: d, Err: fmt.Errorf("slack: channel %s is rate limited for %s more", channel, d.Round(time.Millisecond))}
	}
	r := cp.lim.ReserveN(now, 1)
	d := r.DelayFrom(now)
	if !r.OK() || d > p.maxWait {
		r.CancelAt(now)
		p.mu.Unlock()
		return &bot.RetryError{After: d, Err: fmt.Errorf("slack: channel %s is busy: next message in %s", channel, d.Round(time.Millisecond))}
	}
	p.mu.Unlock()
	if d <= 0 {
		return nil
	}
	if err := p.sleep(ctx, d); err != nil {
		r.CancelAt(p.now())
		return err
	}
	return nil
}

// limited records a 429 from Slack for channel.
func (p *pacer) limited(channel string, after time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cp := p.channel(channel)
	if until := p.now().Add(after); until.After(cp.until) {
		cp.until = until
	}
}

// alias makes name (as the rules wrote it) share id's budget.
func (p *pacer) alias(name, id string) {
	if name == id || name == "" || id == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.aliases[name]; ok {
		return
	}
	if cp, ok := p.channels[name]; ok {
		if _, taken := p.channels[id]; !taken {
			p.channels[id] = cp
		}
		delete(p.channels, name)
	}
	p.aliases[name] = id
}
