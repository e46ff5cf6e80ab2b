package bluesky_test

import (
	"context"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/blueskyfake"
	"github.com/earshothq/earshot/sources/bluesky"
)

type threadList []string

func (l threadList) ThreadPosts(_ context.Context, platform string) ([]string, error) {
	if platform != "bluesky" {
		return nil, nil
	}
	return l, nil
}

func mentionFacet(did string, start, end int) blueskyfake.Facet {
	var f blueskyfake.Facet
	f.Index.ByteStart, f.Index.ByteEnd = start, end
	f.Features = []map[string]any{{"$type": "app.bsky.richtext.facet#mention", "did": did}}
	return f
}

// What the source emits besides what the rules hear: follow-ups in tracked
// threads (from the store's list, from what it emitted, by parent or root),
// posts mentioning our account, our own posts, and deletions of tracked posts.
func TestFollowUpsMentionsOursAndDeletions(t *testing.T) {
	f := newFake(t, blueskyfake.Options{})
	must := func(uri, _ string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return uri
	}
	// A case opened before the source started (the store lists it).
	old := must(f.Post(customer.DID, "my Lumio hub is offline", blueskyfake.PostOptions{NoEvent: true}))
	s := newSink()
	src := newSource(t, f, bluesky.Options{Handle: "@" + brand.Handle, ThreadLister: threadList{old}})
	start(t, src, s.emit)
	waitConnected(t, f.Host(0), 1)

	first := must(f.Post(customer.DID, "Lumio lamp flickers", blueskyfake.PostOptions{Langs: []string{"en"}}))
	answer := must(f.Post(other.DID, "same here", blueskyfake.PostOptions{ReplyTo: first}))
	deeper := must(f.Post(customer.DID, "did you fix it?", blueskyfake.PostOptions{ReplyTo: answer}))
	toOld := must(f.Post(customer.DID, "still offline", blueskyfake.PostOptions{ReplyTo: old}))
	unseen := must(f.Post(other.DID, "an answer the stream never showed", blueskyfake.PostOptions{ReplyTo: first, NoEvent: true}))
	underUnseen := must(f.Post(customer.DID, "agreed", blueskyfake.PostOptions{ReplyTo: unseen}))
	elsewhere := must(f.Post(other.DID, "nice weather", blueskyfake.PostOptions{}))
	must(f.Post(customer.DID, "indeed", blueskyfake.PostOptions{ReplyTo: elsewhere}))
	atUs := must(f.Post(other.DID, "hey @support how are you", blueskyfake.PostOptions{Facets: []blueskyfake.Facet{mentionFacet(brand.DID, 4, 12)}}))
	ours := must(f.Post(brand.DID, "Happy Friday everyone", blueskyfake.PostOptions{}))
	if err := f.Delete(first); err != nil {
		t.Fatal(err)
	}
	if err := f.Delete(elsewhere); err != nil {
		t.Fatal(err)
	}
	s.waitFor(t, "our post", func(ms []bot.Mention) bool { return byID(ms)[ours] > 0 })
	f.Rename(customer.DID, "alice.example.com")
	late := must(f.Post(customer.DID, "Lumio support fixed it", blueskyfake.PostOptions{}))

	ms := s.waitFor(t, "every expected mention", func(ms []bot.Mention) bool {
		n := byID(ms)
		return n[late] > 0
	})
	got := map[string]bot.Mention{}
	for _, m := range ms {
		k := m.ExternalID
		if m.Deleted {
			k += "#deleted"
		}
		if _, dup := got[k]; dup {
			t.Errorf("%s emitted twice", k)
		}
		got[k] = m
	}
	for _, tc := range []struct {
		name, id, inReplyTo, handle string
	}{
		{"heard by the rules", first, "", customer.Handle},
		{"answer to an emitted post", answer, first, other.Handle},
		{"answer to an answer", deeper, answer, customer.Handle},
		{"answer in a case from the store", toOld, old, customer.Handle},
		{"answer under an unseen reply joins by the root", underUnseen, first, customer.Handle},
		{"mention of our account", atUs, "", other.Handle},
		{"our own post", ours, "", brand.Handle},
		{"renamed author", late, "", "alice.example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, ok := got[tc.id]
			if !ok {
				t.Fatalf("%s not emitted", tc.id)
			}
			if m.InReplyTo != tc.inReplyTo || m.Author.Handle != tc.handle || m.Platform != "bluesky" {
				t.Errorf("got in_reply_to %q handle %q, want %q %q", m.InReplyTo, m.Author.Handle, tc.inReplyTo, tc.handle)
			}
			if m.URL == "" || m.CreatedAt.IsZero() || m.Author.ID == "" {
				t.Errorf("incomplete: %+v", m)
			}
		})
	}
	if m := got[first]; m.Author.Name != "Alice" || m.Author.Followers != 321 || m.Lang != "en" || m.Text != "Lumio lamp flickers" {
		t.Errorf("first mention %+v", m)
	}
	if _, ok := got[first+"#deleted"]; !ok {
		t.Error("deletion of a tracked post not emitted")
	}
	if _, ok := got[elsewhere+"#deleted"]; ok {
		t.Error("deletion of an untracked post emitted")
	}
	if len(got) != 9 {
		t.Errorf("emitted %d, want 9:%s", len(got), describe(ms))
	}
	for _, n := range f.ProfileBatches() {
		if n > 25 {
			t.Errorf("getProfiles asked for %d actors", n)
		}
	}
	// Every author was looked up once, then cached.
	if n := f.Calls("app.bsky.actor.getProfiles"); n > 3 {
		t.Errorf("%d getProfiles calls for three authors", n)
	}
}

// The store's list is reloaded while running.
func TestThreadListReloaded(t *testing.T) {
	f := newFake(t, blueskyfake.Options{})
	old, _, _ := f.Post(customer.DID, "my Lumio hub is offline", blueskyfake.PostOptions{NoEvent: true})
	list := &reloading{}
	s := newSink()
	start(t, newSource(t, f, bluesky.Options{ThreadLister: list, ThreadsEvery: 10 * time.Millisecond}), s.emit)
	waitConnected(t, f.Host(0), 1)
	list.set(old)
	time.Sleep(50 * time.Millisecond)
	reply, _, _ := f.Post(customer.DID, "still offline", blueskyfake.PostOptions{ReplyTo: old})
	s.waitFor(t, "the follow-up", func(ms []bot.Mention) bool { return byID(ms)[reply] == 1 })
}

type reloading struct {
	memCursors
}

func (r *reloading) set(uri string) { _ = r.SaveCursor(context.Background(), "list", uri) }

func (r *reloading) ThreadPosts(ctx context.Context, _ string) ([]string, error) {
	u, _ := r.Cursor(ctx, "list")
	if u == "" {
		return nil, nil
	}
	return []string{u}, nil
}
