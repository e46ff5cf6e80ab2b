package llm

import (
	"fmt"
	"sync"
	"time"
)

// BudgetError says the hourly budget is spent; the built-in drafter answers
// until the hour turns.
type BudgetError struct {
	// Requests or Tokens is the cap that was reached (the other is 0).
	Requests, Tokens int
	// Resets is when the next hour's budget starts.
	Resets time.Time
}

func (e *BudgetError) Error() string {
	if e.Requests > 0 {
		return fmt.Sprintf("LLM budget for this hour is used up (%d requests)", e.Requests)
	}
	return fmt.Sprintf("LLM budget for this hour is used up (%d tokens)", e.Tokens)
}

// budget counts requests and tokens per clock hour. Hours rather than a
// sliding window: "used up until 15:00" is something a team can act on.
type budget struct {
	requests, tokens int // caps; 0 is none
	now              func() time.Time

	mu     sync.Mutex
	hour   time.Time
	reqs   int
	toks   int
	denied int
}

func newBudget(requests, tokens int, now func() time.Time) *budget {
	return &budget{requests: requests, tokens: tokens, now: now}
}

func (b *budget) roll() {
	if h := b.now().Truncate(time.Hour); !h.Equal(b.hour) {
		b.hour, b.reqs, b.toks = h, 0, 0
	}
}

// take spends one request, or says the budget is spent. Tokens are only
// known after the answer, so the token cap stops the call after the one
// that crossed it.
func (b *budget) take() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll()
	switch {
	case b.requests > 0 && b.reqs >= b.requests:
		b.denied++
		return &BudgetError{Requests: b.requests, Resets: b.hour.Add(time.Hour)}
	case b.tokens > 0 && b.toks >= b.tokens:
		b.denied++
		return &BudgetError{Tokens: b.tokens, Resets: b.hour.Add(time.Hour)}
	}
	b.reqs++
	return nil
}

// spend records the tokens an answer used.
func (b *budget) spend(tokens int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll()
	b.toks += tokens
}

// Usage is what the current hour has used.
type Usage struct {
	Requests, Tokens int
	// Denied counts calls refused by the budget this process's lifetime.
	Denied int
}

func (b *budget) usage() Usage {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll()
	return Usage{Requests: b.reqs, Tokens: b.toks, Denied: b.denied}
}
