package meta_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/metafake"
	"github.com/earshothq/earshot/sources/meta"
)

type countingThreads struct {
	ids   []string
	calls atomic.Int32
}

func (c *countingThreads) ThreadPosts(context.Context, string) ([]string, error) {
	c.calls.Add(1)
	return c.ids, nil
}

// The webhook, the pollers and the repliers share one followed set: the
// store's list is read once a minute at most, not per delivery, and a
// reply we post is followed at once, so the customer's answer to it is
// kept before the store lists the reply.
func TestFollowedSetShared(t *testing.T) {
	lister := &countingThreads{}
	followed := meta.NewFollowed(lister)
	h := newHook(t, meta.Options{
		Threads: lister, Followed: followed,
		Hears: func(m bot.Mention) bool { return strings.Contains(strings.ToLower(m.Text), "acme") },
	})
	g, err := meta.NewGraph(h.fake.URL, "", appSecret, h.fake.Client(), nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := meta.NewReplier(meta.ReplierOptions{Platform: "facebook", Graph: g, Followed: followed,
		Pages: []meta.Page{{ID: pageID, Token: pageToken}}, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	post := h.fake.AddPost(pageID, "9", "Ann", "my Acme kettle leaks", t0)
	ref, err := r.Reply(context.Background(), bot.Mention{Platform: "facebook", ExternalID: post}, "Sorry Ann, we are on it.")
	if err != nil {
		t.Fatal(err)
	}

	for i, c := range []metafake.Change{
		metafake.FeedComment("add", post, "500_1", post, "10", "Bob", "nice weather", t0),    // not heard, not followed
		metafake.FeedComment("add", post, "500_2", ref.ExternalID, "9", "Ann", "thanks", t0), // answers our reply
	} {
		body := metafake.Delivery("page", pageID, t0, c)
		if status, msg := h.post(t, body, metafake.Signature(appSecret, body)); status != 200 {
			t.Fatalf("delivery %d: %d %s", i, status, msg)
		}
	}
	got := h.sink.got()
	if len(got) != 1 || got[0].ExternalID != "500_2" || got[0].InReplyTo != ref.ExternalID {
		t.Fatalf("emitted %+v, want the answer to our reply only", got)
	}
	// newHook's readiness probes and the two deliveries: one read of the store.
	if n := lister.calls.Load(); n != 1 {
		t.Fatalf("the store's list was read %d times", n)
	}
}
