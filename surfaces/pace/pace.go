// Package pace keeps a chat surface's posts under its platform's rate
// limits: it waits before a post instead of provoking a 429, stops posting
// to a channel for as long as a 429 asks, and hands a post that would wait
// too long back to the job runner as a bot.RetryError rather than holding a
// worker. Chat platforms limit per channel (Slack about one message a
// second, Discord five per five seconds) and some also per bot (Discord 50
// requests a second), so there is a budget per channel and an optional
// shared one.
package pace

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/earshothq/earshot/bot"
)

// Options configure a Pacer.
type Options struct {
	// Name prefixes errors ("discord: channel 123 is busy…").
	Name string
	// PerSecond and Burst are each channel's budget.
	PerSecond float64
	Burst     int
	// GlobalPerSecond and GlobalBurst, when set, are a budget every channel
	// shares.
	GlobalPerSecond float64
	GlobalBurst     int
	// MaxWait bounds how long one post waits in line.
	MaxWait time.Duration
	Now     func() time.Time
	// Sleep waits d or until ctx ends; tests may replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Pacer paces posts per channel. It is safe for concurrent use.
type Pacer struct {
	name      string
	perSecond rate.Limit
	burst     int
	maxWait   time.Duration
	now       func() time.Time
	sleep     func(ctx context.Context, d time.Duration) error

	mu       sync.Mutex
	global   *rate.Limiter // nil without a shared budget
	until    time.Time     // a global 429 asked everyone to wait until then
	channels map[string]*channelPace
	aliases  map[string]string // "#care" → "C123": one budget per channel however it is named
}

type channelPace struct {
	lim   *rate.Limiter
	until time.Time // a 429 asked us to wait until then
}

// New builds a Pacer; zero options get one post a second, bursts of 4 and
// a 10 s wait at most.
func New(o Options) *Pacer {
	if o.PerSecond <= 0 {
		o.PerSecond = 1
	}
	if o.Burst <= 0 {
		o.Burst = 4
	}
	if o.MaxWait <= 0 {
		o.MaxWait = 10 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleepCtx
	}
	p := &Pacer{
		name:      o.Name,
		perSecond: rate.Limit(o.PerSecond),
		burst:     o.Burst,
		maxWait:   o.MaxWait,
		now:       o.Now,
		sleep:     o.Sleep,
		channels:  map[string]*channelPace{},
		aliases:   map[string]string{},
	}
	if o.GlobalPerSecond > 0 {
		p.global = rate.NewLimiter(rate.Limit(o.GlobalPerSecond), max(o.GlobalBurst, 1))
	}
	return p
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
func (p *Pacer) channel(name string) *channelPace {
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

func (p *Pacer) errorf(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	if p.name != "" {
		err = fmt.Errorf("%s: %w", p.name, err)
	}
	return err
}

// Wait blocks until a message may be posted to channel. It returns a
// *bot.RetryError, at once, when a 429 still holds for the channel (or for
// everyone), or when the wait would be longer than MaxWait.
func (p *Pacer) Wait(ctx context.Context, channel string) error {
	p.mu.Lock()
	cp := p.channel(channel)
	now := p.now()
	until := cp.until
	if p.until.After(until) {
		until = p.until
	}
	if now.Before(until) {
		d := until.Sub(now)
		p.mu.Unlock()
		return &bot.RetryError{After: d, Err: p.errorf("channel %s is rate limited for %s more", channel, d.Round(time.Millisecond))}
	}
	r := cp.lim.ReserveN(now, 1)
	d := r.DelayFrom(now)
	var g *rate.Reservation
	if p.global != nil {
		g = p.global.ReserveN(now, 1)
		d = max(d, g.DelayFrom(now))
	}
	if !r.OK() || (g != nil && !g.OK()) || d > p.maxWait {
		r.CancelAt(now)
		if g != nil {
			g.CancelAt(now)
		}
		p.mu.Unlock()
		return &bot.RetryError{After: d, Err: p.errorf("channel %s is busy: next message in %s", channel, d.Round(time.Millisecond))}
	}
	p.mu.Unlock()
	if d <= 0 {
		return nil
	}
	if err := p.sleep(ctx, d); err != nil {
		at := p.now()
		r.CancelAt(at)
		if g != nil {
			g.CancelAt(at)
		}
		return err
	}
	return nil
}

// SetMaxWait changes how long one post may wait in line.
func (p *Pacer) SetMaxWait(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.maxWait = d
}

// Limited records a 429 for channel: nothing more is posted there until
// after has passed. With global, the platform said the whole bot is
// limited, and every channel waits.
func (p *Pacer) Limited(channel string, after time.Duration, global bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	until := p.now().Add(after)
	if global {
		if until.After(p.until) {
			p.until = until
		}
		return
	}
	cp := p.channel(channel)
	if until.After(cp.until) {
		cp.until = until
	}
}

// Alias makes name (as the rules wrote it) share id's budget.
func (p *Pacer) Alias(name, id string) {
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
