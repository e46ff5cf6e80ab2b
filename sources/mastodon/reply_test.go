package mastodon_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/mastodonfake"
	"github.com/earshothq/earshot/sources/mastodon"
)

func replier(t *testing.T, fake *mastodonfake.Fake) *mastodon.Source {
	t.Helper()
	s, err := mastodon.New(options(fake))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mentionOf(st mastodonfake.Status) bot.Mention {
	return bot.Mention{Platform: "mastodon", ExternalID: st.ID, URL: st.URL, Author: bot.Author{Handle: st.Account.Acct}}
}

func TestReplyMentionsMirrorsAndDeduplicates(t *testing.T) {
	cases := []struct {
		name, acct, visibility, post, reply, want string
	}{
		{"public, remote author", "ana@social.example", "public", "@lumio my hub is offline",
			"Sorry! Could you send us a DM?", "@ana@social.example Sorry! Could you send us a DM?"},
		{"followers only", "bo", "private", "@lumio hub is dead", "On it.", "@bo On it."},
		{"direct", "cy", "direct", "@lumio my order number is 123", "Thanks, found it.", "@cy Thanks, found it."},
		{"unlisted", "dee", "unlisted", "@lumio hello", "Hi @dee, how can we help?", "Hi @dee, how can we help?"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := mastodonfake.New(t)
			src := replier(t, fake)
			st := fake.Post(mastodonfake.Post{Acct: tc.acct, Text: tc.post, Visibility: tc.visibility})
			ctx := bot.WithReplyMeta(context.Background(), bot.ReplyMeta{CaseID: 7, ActionID: 9, IdempotencyKey: "earshot-action-9"})
			ref, err := src.Reply(ctx, mentionOf(st), tc.reply)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := fake.Status(ref.ExternalID)
			if !ok {
				t.Fatalf("reply %s not on the instance", ref.ExternalID)
			}
			if got.Text != tc.want || got.Visibility != tc.visibility || got.InReplyToID == nil || *got.InReplyToID != st.ID {
				t.Errorf("posted %q (%s) in reply to %v; want %q (%s) in reply to %s", got.Text, got.Visibility, got.InReplyToID, tc.want, tc.visibility, st.ID)
			}
			if got.IdempotencyKey != "earshot-action-9" || ref.URL != got.URL {
				t.Errorf("key %q, url %q; want earshot-action-9 and %s", got.IdempotencyKey, ref.URL, got.URL)
			}
			// The same action again is the same post.
			again, err := src.Reply(ctx, mentionOf(st), tc.reply)
			if err != nil || again != ref {
				t.Errorf("repeat: %v %v, want %v", again, err, ref)
			}
			if n := len(fake.PostedBy("lumio")); n != 1 {
				t.Errorf("%d posts, want 1", n)
			}
		})
	}
}

func TestReplyLimitAsMastodonCounts(t *testing.T) {
	fake := mastodonfake.New(t)
	fake.SetMaxCharacters(60)
	src := replier(t, fake)
	st := fake.Post(mastodonfake.Post{Acct: "ana@social.example", Text: "@lumio help"})
	// "@ana " (a remote mention counts without its domain) + 32 + a link (23) = 60.
	link := "https://lumio.example/support/articles/1234567890/how-to-reset-your-hub"
	fits := strings.Repeat("a", 31) + " " + link
	if _, err := src.Reply(context.Background(), mentionOf(st), fits); err != nil {
		t.Fatalf("a reply of 60 characters as Mastodon counts: %v", err)
	}
	_, err := src.Reply(context.Background(), mentionOf(st), "b"+fits)
	if !bot.IsPermanent(err) || !strings.Contains(err.Error(), "61 characters") {
		t.Errorf("one more: %v, want a permanent error naming 61 characters", err)
	}
	if got := mastodon.CountCharacters("@ana@social.example "+fits, 23); got != 60 {
		t.Errorf("CountCharacters = %d, want 60", got)
	}
}

func TestReplyFailures(t *testing.T) {
	fake := mastodonfake.New(t)
	src := replier(t, fake)
	st := fake.Post(mastodonfake.Post{Acct: "ana", Text: "@lumio help"})
	gone := fake.Post(mastodonfake.Post{Acct: "ana", Text: "@lumio deleted later"})
	fake.Delete(gone.ID)

	if _, err := src.Reply(context.Background(), mentionOf(gone), "hello"); !bot.IsPermanent(err) {
		t.Errorf("reply to a deleted post: %v, want permanent", err)
	}
	fake.Fail("POST /api/v1/statuses", 429, 1, false)
	var retry *bot.RetryError
	if _, err := src.Reply(context.Background(), mentionOf(st), "hello"); !errors.As(err, &retry) {
		t.Fatalf("429: %v, want a RetryError", err)
	}
	time.Sleep(retry.After) // the instance said when
	fake.Fail("POST /api/v1/statuses", 422, 1, false)
	if _, err := src.Reply(context.Background(), mentionOf(st), "hello"); !bot.IsPermanent(err) {
		t.Errorf("422: %v, want permanent", err)
	}
	if n := len(fake.PostedBy("lumio")); n != 0 {
		t.Fatalf("%d posts after refusals, want 0", n)
	}

	// Posted, but the answer is lost: a retry, which finds the post.
	ctx := bot.WithReplyMeta(context.Background(), bot.ReplyMeta{ActionID: 3, IdempotencyKey: "earshot-action-3"})
	fake.Fail("POST /api/v1/statuses", 502, 1, true)
	if _, err := src.Reply(ctx, mentionOf(st), "We are on it"); !errors.As(err, &retry) || retry.After <= 0 {
		t.Fatalf("lost answer: %v, want a RetryError", err)
	}
	posts := fake.PostedBy("lumio")
	if len(posts) != 1 {
		t.Fatalf("%d posts, want 1", len(posts))
	}
	before := fake.Count("POST /api/v1/statuses")
	ref, err := src.Reply(ctx, mentionOf(st), "We are on it")
	if err != nil || ref.ExternalID != posts[0].ID {
		t.Fatalf("retry: %v %v, want %s", ref, err, posts[0].ID)
	}
	if fake.Count("POST /api/v1/statuses") != before || len(fake.PostedBy("lumio")) != 1 {
		t.Error("the retry posted again")
	}
}

func TestFindReplyAfterACrash(t *testing.T) {
	fake := mastodonfake.New(t)
	st := fake.Post(mastodonfake.Post{Acct: "ana@social.example", Text: "@lumio help"})
	other := fake.Post(mastodonfake.Post{Acct: "bo", Text: "@lumio help too"})
	text := "Sorry about that!\n\nSee https://lumio.example/status/a-very-long-path-that-mastodon-shortens & tell us."
	if _, err := replier(t, fake).Reply(context.Background(), mentionOf(st), text); err != nil {
		t.Fatal(err)
	}
	fresh := replier(t, fake) // the process restarted
	ref, found, err := fresh.FindReply(context.Background(), mentionOf(st), text)
	if err != nil || !found || ref.ExternalID != fake.PostedBy("lumio")[0].ID {
		t.Errorf("FindReply = %v %v %v", ref, found, err)
	}
	for _, tc := range []struct {
		to   bot.Mention
		text string
	}{{mentionOf(other), text}, {mentionOf(st), "Something else"}} {
		if _, found, err := fresh.FindReply(context.Background(), tc.to, tc.text); err != nil || found {
			t.Errorf("FindReply(%s, %q) found %v, %v", tc.to.ExternalID, tc.text, found, err)
		}
	}
}

func TestFollowsThreads(t *testing.T) {
	fake := mastodonfake.New(t)
	fake.Follow("ana")
	th := &threads{}
	o := options(fake)
	o.Threads = th
	o.ContextInterval = 50 * time.Millisecond
	r := start(t, o)
	streaming(t, fake, r, 2)

	// A post in an open case (the store says so) and an answer to it in
	// the home timeline that names no brand.
	old := fake.Post(mastodonfake.Post{Acct: "ana", Text: "my hub broke"})
	th.add(old.ID)
	time.Sleep(150 * time.Millisecond) // the next ThreadPosts
	a := fake.Post(mastodonfake.Post{Acct: "ana", Text: "still broken", InReplyTo: old.ID})

	// A mention, then a stranger answering it under the hashtag.
	m := fake.Post(mastodonfake.Post{Acct: "cy", Text: "@lumio it rattles"})
	eventually(t, "the mention", func() bool { return r.out.has(m.ID) })
	th.add(m.ID) // it opened a case
	b := fake.Post(mastodonfake.Post{Acct: "dee", Text: "mine too #acme", InReplyTo: m.ID})

	// The customer adding to their own post, seen only in its thread.
	c := fake.Post(mastodonfake.Post{Acct: "cy", Text: "update: it stopped", InReplyTo: m.ID})

	// Our answer, written by hand on Mastodon.
	ours := fake.Post(mastodonfake.Post{Text: "@cy sorry, we will call you", InReplyTo: m.ID})
	eventually(t, "every follow-up", func() bool {
		return r.out.has(a.ID) && r.out.has(b.ID) && r.out.has(c.ID) && r.out.has(ours.ID)
	})
	if r.out.has(old.ID) {
		t.Error("the followed post itself was emitted; it names no brand")
	}
	for _, x := range r.out.all() {
		if x.ExternalID == ours.ID && (!x.Ours || x.Author.Handle != "lumio" || x.InReplyTo != m.ID) {
			t.Errorf("our post: %+v", x)
		}
	}
}
