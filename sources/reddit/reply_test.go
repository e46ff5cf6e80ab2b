package reddit_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/redditfake"
	"github.com/earshothq/earshot/sources/reddit"
)

func replier(t *testing.T, f *redditfake.Fake) *reddit.Replier {
	t.Helper()
	o := options(f)
	o.Username, o.Password = redditfake.Username, redditfake.Password
	return build(t, o).Replier()
}

func TestReplyPostsAComment(t *testing.T) {
	ctx := context.Background()
	f := redditfake.New(t)
	post := f.Post("sysadmin", "bob", "acme down", "")
	ref, err := replier(t, f).Reply(ctx, bot.Mention{ExternalID: post.Fullname()}, "Sorry & thanks, we're on it.")
	if err != nil {
		t.Fatal(err)
	}
	things := f.Things()
	c := things[len(things)-1]
	if ref.ExternalID != c.Fullname() || c.ParentID != post.Fullname() || c.Author != redditfake.Username ||
		c.Body != "Sorry & thanks, we're on it." || ref.URL != "https://www.reddit.com"+c.Permalink() {
		t.Fatalf("ref %+v, comment %+v", ref, c)
	}
	reqs := f.Requests()
	last := reqs[len(reqs)-1]
	if last.Form["api_type"][0] != "json" || !strings.HasPrefix(last.Auth, "Bearer "+redditfake.UserToken) || last.UA != ua {
		t.Errorf("request %+v", last)
	}
}

func TestReplyErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		setup   func(f *redditfake.Fake)
		to      string
		text    string
		check   func(error) bool
		contain string
	}{
		{"ratelimit", func(f *redditfake.Fake) {
			f.RefuseNextComment("RATELIMIT", "you are doing that too much. try again in 9 minutes.", "ratelimit")
		}, "", "hi", func(err error) bool {
			var r *bot.RetryError
			return errors.As(err, &r) && r.After == 10*time.Minute
		}, "RATELIMIT"},
		{"locked", func(f *redditfake.Fake) { f.RefuseNextComment("THREAD_LOCKED", "that thread is locked", "parent") }, "", "hi",
			func(err error) bool {
				var a *bot.AssistedError
				return errors.As(err, &a) && a.Reason == "the thread is locked"
			}, "THREAD_LOCKED"},
		{"archived", func(f *redditfake.Fake) { f.RefuseNextComment("TOO_OLD", "that's a piece of history now", "parent") }, "", "hi",
			func(err error) bool { var a *bot.AssistedError; return errors.As(err, &a) }, "TOO_OLD"},
		{"other envelope error", func(f *redditfake.Fake) { f.RefuseNextComment("SOMETHING_NEW", "no", "") }, "", "hi",
			bot.IsPermanent, "SOMETHING_NEW"},
		{"http 429", func(f *redditfake.Fake) { f.FailNext(http.StatusTooManyRequests) }, "", "hi",
			func(err error) bool { var r *bot.RetryError; return errors.As(err, &r) && r.After == 300*time.Second }, "429"},
		{"http 403", func(f *redditfake.Fake) { f.FailNext(http.StatusForbidden) }, "", "hi",
			func(err error) bool { var a *bot.AssistedError; return errors.As(err, &a) }, "403"},
		{"http 500 may have posted", func(f *redditfake.Fake) { f.FailNext(http.StatusInternalServerError) }, "", "hi",
			func(err error) bool {
				var r *bot.RetryError
				return !bot.IsPermanent(err) && !errors.As(err, &r)
			}, "500"},
		{"not a fullname", func(*redditfake.Fake) {}, "12345", "hi", bot.IsPermanent, `"12345" is not a post or comment fullname`},
		{"empty", func(*redditfake.Fake) {}, "", " ", bot.IsPermanent, "empty text"},
		{"too long", func(*redditfake.Fake) {}, "", strings.Repeat("a", 10001), bot.IsPermanent, "10001 characters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := redditfake.New(t)
			r := replier(t, f)
			post := f.Post("x", "bob", "acme", "")
			// Get a token first, so failures injected hit the comment call.
			if _, _, err := r.FindReply(ctx, bot.Mention{ExternalID: post.Fullname()}, "x"); err != nil {
				t.Fatal(err)
			}
			tc.setup(f)
			to := tc.to
			if to == "" {
				to = post.Fullname()
			}
			_, err := r.Reply(ctx, bot.Mention{ExternalID: to}, tc.text)
			if err == nil || !tc.check(err) || !strings.Contains(err.Error(), tc.contain) {
				t.Fatalf("error %T %v", err, err)
			}
		})
	}
}

func TestNoReplierWithoutAccount(t *testing.T) {
	f := redditfake.New(t)
	if r := build(t, options(f)).Replier(); r != nil {
		t.Fatal("a replier without username and password")
	}
}

func TestFindReply(t *testing.T) {
	ctx := context.Background()
	f := redditfake.New(t)
	r := replier(t, f)
	post := f.Post("x", "bob", "acme", "")
	other := f.Post("x", "cy", "acme", "")
	f.Comment(other.Fullname(), redditfake.Username, "Sorry about that!")
	if _, found, err := r.FindReply(ctx, bot.Mention{ExternalID: post.Fullname()}, "Sorry about that!"); err != nil || found {
		t.Fatalf("found under another post: %v %v", found, err)
	}
	c := f.Comment(post.Fullname(), redditfake.Username, "Sorry about that!")
	ref, found, err := r.FindReply(ctx, bot.Mention{ExternalID: post.Fullname()}, "Sorry about that!\n")
	if err != nil || !found || ref.ExternalID != c.Fullname() {
		t.Fatalf("%+v %v %v", ref, found, err)
	}
}
