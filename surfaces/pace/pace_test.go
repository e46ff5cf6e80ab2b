package pace

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
)

// clock is a fake time whose sleeps advance it, so pacing is checked
// without waiting.
type clock struct {
	mu    sync.Mutex
	t     time.Time
	slept []time.Duration
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	c.slept = append(c.slept, d)
	return ctx.Err()
}

func newPacer(o Options) (*Pacer, *clock) {
	c := &clock{t: time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)}
	o.Now, o.Sleep = c.now, c.sleep
	return New(o), c
}

func TestBurstThenPaced(t *testing.T) {
	p, c := newPacer(Options{Name: "discord", PerSecond: 1, Burst: 3})
	ctx := t.Context()
	for i := range 5 {
		if err := p.Wait(ctx, "123"); err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
	}
	if len(c.slept) != 2 || c.slept[0] != time.Second || c.slept[1] != time.Second {
		t.Fatalf("slept %v, want two one-second waits after a burst of 3", c.slept)
	}
	// Another channel has its own budget.
	if err := p.Wait(ctx, "456"); err != nil || len(c.slept) != 2 {
		t.Fatalf("other channel: %v, slept %v", err, c.slept)
	}
}

func TestLongWaitHandedBack(t *testing.T) {
	p, _ := newPacer(Options{Name: "discord", PerSecond: 0.1, Burst: 1, MaxWait: 2 * time.Second})
	ctx := t.Context()
	if err := p.Wait(ctx, "123"); err != nil {
		t.Fatal(err)
	}
	err := p.Wait(ctx, "123")
	var re *bot.RetryError
	if !errors.As(err, &re) || re.After != 10*time.Second {
		t.Fatalf("err %v, want a RetryError after 10s", err)
	}
	if got := err.Error(); got != "retry after 10s: discord: channel 123 is busy: next message in 10s" {
		t.Fatalf("error %q", got)
	}
	// The refused post did not use up the budget.
	p2, c := newPacer(Options{PerSecond: 0.1, Burst: 1, MaxWait: 20 * time.Second})
	_ = p2.Wait(ctx, "x")
	if err := p2.Wait(ctx, "x"); err != nil || len(c.slept) != 1 || c.slept[0] != 10*time.Second {
		t.Fatalf("within MaxWait: %v, slept %v", err, c.slept)
	}
}

func TestLimitedChannelWaitsOutRetryAfter(t *testing.T) {
	p, c := newPacer(Options{Name: "discord", PerSecond: 10, Burst: 10})
	ctx := t.Context()
	p.Limited("123", 3*time.Second, false)
	var re *bot.RetryError
	if err := p.Wait(ctx, "123"); !errors.As(err, &re) || re.After != 3*time.Second {
		t.Fatalf("err %v, want a RetryError after 3s", err)
	}
	if err := p.Wait(ctx, "456"); err != nil {
		t.Fatalf("another channel is not limited: %v", err)
	}
	c.mu.Lock()
	c.t = c.t.Add(3 * time.Second)
	c.mu.Unlock()
	if err := p.Wait(ctx, "123"); err != nil {
		t.Fatalf("after Retry-After: %v", err)
	}
	// A global 429 stops every channel.
	p.Limited("123", time.Second, true)
	if err := p.Wait(ctx, "789"); !errors.As(err, &re) || re.After != time.Second {
		t.Fatalf("global limit: %v", err)
	}
}

func TestGlobalBudgetShared(t *testing.T) {
	p, c := newPacer(Options{PerSecond: 100, Burst: 100, GlobalPerSecond: 2, GlobalBurst: 2})
	ctx := t.Context()
	for _, ch := range []string{"a", "b", "c", "d"} {
		if err := p.Wait(ctx, ch); err != nil {
			t.Fatal(err)
		}
	}
	if len(c.slept) != 2 {
		t.Fatalf("slept %v: four channels share a budget of 2/s with bursts of 2", c.slept)
	}
}

func TestAliasSharesBudget(t *testing.T) {
	p, c := newPacer(Options{PerSecond: 1, Burst: 1})
	ctx := t.Context()
	_ = p.Wait(ctx, "#care")
	p.Alias("#care", "C123")
	_ = p.Wait(ctx, "C123")
	_ = p.Wait(ctx, "#care")
	if len(c.slept) != 2 {
		t.Fatalf("slept %v: #care and C123 are one channel", c.slept)
	}
}

func TestCancelledWaitGivesBackItsTurn(t *testing.T) {
	p, _ := newPacer(Options{PerSecond: 1, Burst: 1})
	ctx, cancel := context.WithCancel(t.Context())
	_ = p.Wait(ctx, "x")
	cancel()
	if err := p.Wait(ctx, "x"); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}
