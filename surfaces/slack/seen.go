package slacksurface

import (
	"sync"
	"time"
)

// Slack redelivers an event it thinks we missed (no 200 within 3 s, a
// dropped socket) for about an hour with the same event_id; we remember ids
// for that long, in a bounded amount of memory.
const (
	eventMemory     = time.Hour
	eventMemorySize = 20000
)

// seenEvents remembers recent event ids so a redelivered event is done once.
// The handlers make each action idempotent anyway; this saves the work and
// keeps a retried "/earshot reply" from answering twice.
type seenEvents struct {
	ttl   time.Duration
	max   int
	now   func() time.Time
	mu    sync.Mutex
	at    map[string]time.Time
	order []string // insertion order, for eviction; live from head on
	head  int
}

func newSeenEvents(ttl time.Duration, max int, now func() time.Time) *seenEvents {
	return &seenEvents{ttl: ttl, max: max, now: now, at: map[string]time.Time{}}
}

// first records id and reports whether it is new. An empty id is always new:
// there is nothing to tell it by.
func (s *seenEvents) first(id string) bool {
	if id == "" {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.expire(now)
	if _, ok := s.at[id]; ok {
		return false
	}
	s.at[id] = now
	s.order = append(s.order, id)
	return true
}

// expire drops ids older than ttl and the oldest beyond max; s.mu is held.
func (s *seenEvents) expire(now time.Time) {
	for s.head < len(s.order) {
		id := s.order[s.head]
		if len(s.order)-s.head < s.max && now.Sub(s.at[id]) < s.ttl {
			break
		}
		delete(s.at, id)
		s.order[s.head] = ""
		s.head++
	}
	// Compact once the dead prefix is the larger part, so each id is
	// copied a bounded number of times.
	if s.head > 64 && s.head > len(s.order)/2 {
		s.order = append([]string(nil), s.order[s.head:]...)
		s.head = 0
	}
}
