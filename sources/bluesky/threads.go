package bluesky

import (
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"
)

// DefaultRecentThreads is how many URIs a Threads remembers besides the
// store's list: every post the source emitted and every reply we posted.
const DefaultRecentThreads = 100_000

// Threads is the set of posts whose replies and deletions the source must
// not miss: posts in open cases (the store's list, reloaded every minute),
// every post the source emitted, and our replies. The Source and the
// Replier share one, so a customer's answer to our reply is followed even
// before the store's list is reloaded.
type Threads struct {
	mu     sync.RWMutex
	stored map[string]struct{}
	recent *lru.Cache[string, struct{}]
}

// NewThreads returns an empty set remembering up to size recent URIs
// (DefaultRecentThreads when size <= 0).
func NewThreads(size int) *Threads {
	if size <= 0 {
		size = DefaultRecentThreads
	}
	c, _ := lru.New[string, struct{}](size) // errors only for size <= 0
	return &Threads{stored: map[string]struct{}{}, recent: c}
}

// Add tracks uri.
func (t *Threads) Add(uri string) {
	if uri != "" {
		t.recent.Add(uri, struct{}{})
	}
}

// Has reports whether uri is tracked.
func (t *Threads) Has(uri string) bool {
	if uri == "" {
		return false
	}
	t.mu.RLock()
	_, ok := t.stored[uri]
	t.mu.RUnlock()
	return ok || t.recent.Contains(uri)
}

// SetStored replaces the store's list.
func (t *Threads) SetStored(uris []string) {
	m := make(map[string]struct{}, len(uris))
	for _, u := range uris {
		m[u] = struct{}{}
	}
	t.mu.Lock()
	t.stored = m
	t.mu.Unlock()
}

// Len is how many URIs are tracked (an upper bound: the two parts may overlap).
func (t *Threads) Len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.stored) + t.recent.Len()
}
