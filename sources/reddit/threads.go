package reddit

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/sources/poll"
)

// threadsPoller watches the tracked posts (open cases' posts and our
// replies) for deletion: GET /api/info, 100 fullnames a request, a few
// requests a poll, rotating. A post its author deleted or the moderators
// removed becomes a tombstone, so earshot redacts it too.
type threadsPoller struct {
	r *Reddit

	mu   sync.Mutex
	next int // where the rotation resumes
}

var (
	_ poll.Poller     = (*threadsPoller)(nil)
	_ poll.Intervaler = (*threadsPoller)(nil)
)

// threadsInterval paces the deletion watch: redaction within minutes is
// enough, and the budget is better spent on new posts.
const threadsInterval = 5 * time.Minute

// infoBatch is /api/info's limit; infoPerPoll bounds a poll's requests.
const (
	infoBatch   = 100
	infoPerPoll = 3
)

func (p *threadsPoller) Name() string            { return "reddit:threads" }
func (p *threadsPoller) Platform() string        { return Platform }
func (p *threadsPoller) Interval() time.Duration { return threadsInterval }

// Poll has no cursor of its own: the store's list of open threads is the
// position.
func (p *threadsPoller) Poll(ctx context.Context, _ string) (poll.Batch, error) {
	if w := p.r.budget.Wait(); w > 0 {
		return poll.Batch{Wait: w}, nil
	}
	p.r.tracked.refresh(ctx)
	ids := slices.DeleteFunc(p.r.tracked.list(), func(id string) bool { return !IsFullname(id) })
	if len(ids) == 0 {
		return poll.Batch{}, nil
	}
	slices.Sort(ids)
	p.mu.Lock()
	start := p.next % len(ids)
	p.mu.Unlock()
	var ms []bot.Mention
	read := 0
	for i := 0; i < infoPerPoll && read < len(ids); i++ {
		var chunk []string
		for j := 0; j < infoBatch && read < len(ids); j++ {
			chunk = append(chunk, ids[(start+read)%len(ids)])
			read++
		}
		l, err := p.r.app.listing(ctx, "/api/info", url.Values{"id": {strings.Join(chunk, ",")}})
		if err != nil {
			if len(ms) == 0 {
				return poll.Batch{}, fmt.Errorf("reddit:threads: %w", err)
			}
			break
		}
		// A tombstone is handed on every round while the post stays
		// listed: whether the last one was stored is not ours to know, and
		// redacting twice is harmless.
		for _, t := range l.Children {
			if t.Gone() {
				ms = append(ms, t.Tombstone())
			}
		}
		if p.r.budget.Wait() > 0 {
			break
		}
	}
	p.mu.Lock()
	p.next = start + read
	p.mu.Unlock()
	return poll.Batch{Mentions: ms, Wait: p.r.budget.Wait()}, nil
}
