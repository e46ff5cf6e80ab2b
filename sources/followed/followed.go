// Package followed is the set of posts a source follows on one platform:
// the posts of open cases and our replies (the store's list, reloaded now
// and then) plus every post the process emitted or replied with since, so
// a customer's answer to a reply just sent is recognised at once, before
// the store's list is read again. A source and its replier share one Set.
package followed

import (
	"context"
	"slices"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// DefaultRecent is how many recently added ids a Set remembers besides
// the store's list.
const DefaultRecent = 100_000

// Lister lists the posts earshot follows on a platform (*store.DB).
type Lister interface {
	ThreadPosts(ctx context.Context, platform string) ([]string, error)
}

// Set is safe for concurrent use.
type Set struct {
	mu     sync.RWMutex
	stored map[string]struct{}
	at     time.Time // when stored was read; zero before the first read
	recent *lru.Cache[string, struct{}]
	now    func() time.Time
}

// New returns an empty set remembering up to size recently added ids
// (DefaultRecent when size <= 0).
func New(size int) *Set {
	if size <= 0 {
		size = DefaultRecent
	}
	c, _ := lru.New[string, struct{}](size) // errors only for size <= 0
	return &Set{stored: map[string]struct{}{}, recent: c, now: time.Now}
}

// Add follows id.
func (s *Set) Add(id string) {
	if id != "" {
		s.recent.Add(id, struct{}{})
	}
}

// Has reports whether id is followed.
func (s *Set) Has(id string) bool {
	if id == "" {
		return false
	}
	if s.recent.Contains(id) {
		return true
	}
	s.mu.RLock()
	_, ok := s.stored[id]
	s.mu.RUnlock()
	return ok
}

// SetStored replaces the store's list.
func (s *Set) SetStored(ids []string) {
	m := make(map[string]struct{}, len(ids))
	for _, id := range ids {
		m[id] = struct{}{}
	}
	s.mu.Lock()
	s.stored, s.at = m, s.now()
	s.mu.Unlock()
}

// Stored is the store's list as last read, sorted.
func (s *Set) Stored() []string {
	s.mu.RLock()
	out := make([]string, 0, len(s.stored))
	for id := range s.stored {
		out = append(out, id)
	}
	s.mu.RUnlock()
	slices.Sort(out)
	return out
}

// Len is how many ids are followed (an upper bound: the two parts may overlap).
func (s *Set) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.stored) + s.recent.Len()
}

// Refresh reads the store's list; a failure keeps the previous one.
func (s *Set) Refresh(ctx context.Context, l Lister, platform string) error {
	if l == nil {
		return nil
	}
	ids, err := l.ThreadPosts(ctx, platform)
	if err != nil {
		return err
	}
	s.SetStored(ids)
	return nil
}

// RefreshIfOlder refreshes when the list is older than d (or was never
// read): feeds and webhooks sharing a set read the store once per d
// between them, not once per batch.
func (s *Set) RefreshIfOlder(ctx context.Context, d time.Duration, l Lister, platform string) error {
	s.mu.RLock()
	fresh := !s.at.IsZero() && s.now().Sub(s.at) < d
	s.mu.RUnlock()
	if fresh {
		return nil
	}
	return s.Refresh(ctx, l, platform)
}
