package bluesky

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
)

// maxProfilesPerCall is app.bsky.actor.getProfiles' limit on actors.
const maxProfilesPerCall = 25

// Profile is what a card shows of an author.
type Profile struct {
	Did       string `json:"did"`
	Handle    string `json:"handle"`
	Name      string `json:"displayName"`
	Followers int    `json:"followersCount"`
}

// profiles resolves DIDs to profiles through the AppView, in batches, with
// an expiring LRU cache: authors post again, and follower counts drift
// slowly enough that an hour-old one is fine for a card.
type profiles struct {
	x     *xrpc
	cache *expirable.LRU[string, Profile]
}

func newProfiles(x *xrpc, size int, ttl time.Duration) *profiles {
	return &profiles{x: x, cache: expirable.NewLRU[string, Profile](size, nil, ttl)}
}

// resolve returns the profiles of dids it could find. Failures leave the
// missing ones out: a card without a display name beats a lost mention.
func (p *profiles) resolve(ctx context.Context, dids []string) (map[string]Profile, error) {
	out := make(map[string]Profile, len(dids))
	var missing []string
	seen := map[string]bool{}
	for _, d := range dids {
		if seen[d] {
			continue
		}
		seen[d] = true
		if pr, ok := p.cache.Get(d); ok {
			out[d] = pr
			continue
		}
		missing = append(missing, d)
	}
	var firstErr error
	for len(missing) > 0 {
		n := min(len(missing), maxProfilesPerCall)
		batch := missing[:n]
		missing = missing[n:]
		q := url.Values{}
		for _, d := range batch {
			q.Add("actors", d)
		}
		var resp struct {
			Profiles []Profile `json:"profiles"`
		}
		if err := p.x.get(ctx, p.x.appview, "app.bsky.actor.getProfiles", q, "", &resp); err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("get %d profiles: %w", len(batch), err)
			}
			continue
		}
		for _, pr := range resp.Profiles {
			if pr.Did == "" {
				continue
			}
			p.cache.Add(pr.Did, pr)
			out[pr.Did] = pr
		}
	}
	return out, firstErr
}

// renamed keeps a cached profile's handle current from an identity event;
// authors not cached are left alone, so the firehose does not fill the cache.
func (p *profiles) renamed(did, handle string) {
	if handle == "" {
		return
	}
	if pr, ok := p.cache.Peek(did); ok && pr.Handle != handle {
		pr.Handle = handle
		p.cache.Add(did, pr)
	}
}
