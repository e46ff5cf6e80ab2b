package bluesky

import "github.com/earshothq/earshot/sources/followed"

// DefaultRecentThreads is how many URIs a Threads remembers besides the
// store's list: every post the source emitted and every reply we posted.
const DefaultRecentThreads = followed.DefaultRecent

// Threads is the set of posts whose replies and deletions the source must
// not miss: posts in open cases (the store's list, reloaded every minute),
// every post the source emitted, and our replies. The Source and the
// Replier share one, so a customer's answer to our reply is followed even
// before the store's list is reloaded.
type Threads = followed.Set

// NewThreads returns an empty set remembering up to size recent URIs
// (DefaultRecentThreads when size <= 0).
func NewThreads(size int) *Threads { return followed.New(size) }
