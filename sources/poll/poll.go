// Package poll runs every polling source (Reddit, Hacker News, GitHub search,
// RSS feeds, X or Graph API fallbacks) on one scheduler: jittered intervals
// per feed, back-off on errors and rate limits (Retry-After and the
// platforms' rate-limit headers), cursors saved only once the mentions they
// cover are stored, and a status line per feed.
//
// A platform package implements Poller for each feed it reads and knows
// nothing of the scheduling; the scheduler knows nothing of the platforms.
package poll

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/earshothq/earshot/bot"
)

// Poller reads one feed: a search, a subreddit, an RSS URL.
type Poller interface {
	// Name identifies the feed across restarts and replicas, like
	// "reddit:search:acme" or "rss:https://example.com/feed.xml". Its
	// cursor and status are kept under this name, so it must be stable.
	Name() string
	// Platform is the mentions' platform ("reddit", "hackernews", ...).
	Platform() string
	// Poll fetches what is new after cursor. cursor is "" the first time
	// a feed is polled: the poller then starts from now (at most a short
	// look-back), never from the whole history. Poll makes at most a few
	// requests; when more pages wait, it says so with Batch.More.
	Poll(ctx context.Context, cursor string) (Batch, error)
}

// Batch is one poll's result.
type Batch struct {
	// Mentions are the new posts, oldest first where the platform allows.
	Mentions []bot.Mention
	// Cursor is where the next poll starts. The scheduler saves it only
	// after Mentions are stored; "" keeps the previous cursor.
	Cursor string
	// More says another page is ready: the scheduler polls again at once,
	// within the rate limit, instead of waiting for the next interval.
	More bool
	// Wait, when positive, is the least time before this feed's next
	// request: the rate-limit headers said the budget is spent until then.
	Wait time.Duration
}

// Intervaler is a Poller with its own interval (a platform whose limit is
// stricter than the default, or a feed configured apart).
type Intervaler interface {
	Interval() time.Duration
}

// RateLimitError is a refusal for going too fast (HTTP 429, or 403 with a
// spent rate-limit budget). The scheduler waits After before polling the
// feed again; After is 0 when the platform named no time, and the usual
// back-off applies.
type RateLimitError struct {
	After time.Duration
	Err   error
}

func (e *RateLimitError) Error() string {
	if e.After > 0 {
		return fmt.Sprintf("rate limited, retry after %s: %v", e.After, e.Err)
	}
	return fmt.Sprintf("rate limited: %v", e.Err)
}

func (e *RateLimitError) Unwrap() error { return e.Err }

// RateLimited wraps err as a rate-limit refusal lasting after.
func RateLimited(after time.Duration, err error) error {
	return &RateLimitError{After: after, Err: err}
}

// RetryAfter reports whether err is a rate-limit refusal, and how long it
// asks to wait.
func RetryAfter(err error) (time.Duration, bool) {
	var r *RateLimitError
	if errors.As(err, &r) {
		return r.After, true
	}
	return 0, false
}
