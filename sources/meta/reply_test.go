package meta_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/metafake"
	"github.com/earshothq/earshot/sources/meta"
)

func newReplier(t *testing.T, g *meta.Graph, platform string, private bool) *meta.Replier {
	t.Helper()
	r, err := meta.NewReplier(meta.ReplierOptions{
		Platform: platform, Graph: g, Private: private,
		Pages:    []meta.Page{{ID: pageID, Token: pageToken}, {ID: "222", Token: "EAAGother-SECRET-2"}},
		Accounts: []meta.Account{{ID: "17841400000000009", PageID: "222"}, {ID: igID, PageID: pageID}},
		Now:      func() time.Time { return t0 },
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReplyFacebook(t *testing.T) {
	fake, g := newGraph(t)
	fake.AddPage("222", "EAAGother-SECRET-2")
	post := fake.AddPost(pageID, "9", "Ann", "my kettle leaks", t0)
	c := fake.AddComment(post, "9", "Ann", "still leaks", t0)
	r := newReplier(t, g, "facebook", false)

	to := bot.Mention{Platform: "facebook", ExternalID: c, InReplyTo: post, URL: "https://www.facebook.com/" + post + "?comment_id=1"}
	ref, err := r.Reply(context.Background(), to, "Sorry Ann, we are on it.")
	if err != nil {
		t.Fatal(err)
	}
	got := fake.Comments(c)
	if len(got) != 1 || got[0].ID != ref.ExternalID || got[0].Message != "Sorry Ann, we are on it." || got[0].FromID != pageID {
		t.Fatalf("comments under %s = %+v, ref %+v", c, got, ref)
	}
	if !strings.HasPrefix(ref.URL, "https://www.facebook.com/"+post+"?comment_id=") {
		t.Errorf("ref URL %q", ref.URL)
	}
	// After a crash: the reply is found, not posted again.
	found, ok, err := r.FindReply(context.Background(), to, "Sorry Ann, we are on it.")
	if err != nil || !ok || found.ExternalID != ref.ExternalID {
		t.Errorf("FindReply = %+v %v %v", found, ok, err)
	}
	if _, ok, _ := r.FindReply(context.Background(), to, "another text"); ok {
		t.Error("FindReply found a reply never sent")
	}
	// A visitor post is answered on the post itself.
	if _, err := r.Reply(context.Background(), bot.Mention{Platform: "facebook", ExternalID: post}, "Hi!"); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.Comments(post)); n != 2 {
		t.Errorf("post has %d comments, want 2", n)
	}
}

func TestReplyInstagram(t *testing.T) {
	fake, g := newGraph(t)
	fake.AddPage("222", "EAAGother-SECRET-2")
	fake.AddAccount("17841400000000009", "other", "222")
	media := fake.AddMedia(igID, "acme", "kettle", t0)
	c := fake.AddIGComment(media, "", "555", "ann", "broken", t0)
	r := newReplier(t, g, "instagram", false)
	to := bot.Mention{Platform: "instagram", ExternalID: c, InReplyTo: media}
	// The first account cannot see the comment; the second owns it.
	ref, err := r.Reply(context.Background(), to, "So sorry!")
	if err != nil {
		t.Fatal(err)
	}
	got := fake.IGReplies(c)
	if len(got) != 1 || got[0].ID != ref.ExternalID || got[0].Text != "So sorry!" {
		t.Fatalf("replies = %+v", got)
	}
	found, ok, err := r.FindReply(context.Background(), to, "So sorry!")
	if err != nil || !ok || found.ExternalID != ref.ExternalID {
		t.Errorf("FindReply = %+v %v %v", found, ok, err)
	}
	if n := bot.ReplyLimit("instagram"); n != 2200 {
		t.Errorf("instagram limit %d", n)
	}
	_, err = r.Reply(context.Background(), to, strings.Repeat("a", 2201))
	if !bot.IsPermanent(err) {
		t.Errorf("2201 characters: %v, want permanent", err)
	}
}

func TestPrivateReply(t *testing.T) {
	fake, g := newGraph(t)
	fake.AddPage("222", "EAAGother-SECRET-2")
	post := fake.AddPost(pageID, "9", "Ann", "help", t0)
	c := fake.AddComment(post, "9", "Ann", "my order number is…", t0)
	r := newReplier(t, g, "facebook", true)
	to := bot.Mention{Platform: "facebook", ExternalID: c, InReplyTo: post, CreatedAt: t0.Add(-time.Hour)}
	ref, err := r.Reply(context.Background(), to, "We sent you a message.")
	if err != nil {
		t.Fatal(err)
	}
	msgs := fake.Messages()
	if len(msgs) != 1 || msgs[0].Recipient["comment_id"] != c || msgs[0].PageID != pageID || ref.ExternalID == "" {
		t.Fatalf("messages = %+v, ref %+v", msgs, ref)
	}
	if len(fake.Comments(c)) != 0 {
		t.Error("a private reply also commented in public")
	}
	// Meta takes one private reply per comment: the second is for a person.
	_, err = r.Reply(context.Background(), to, "Again")
	var ae *bot.AssistedError
	if !errors.As(err, &ae) || !strings.Contains(ae.Reason, "7 days") {
		t.Errorf("second private reply: %v, want assisted", err)
	}
	old := to
	old.CreatedAt = t0.Add(-8 * 24 * time.Hour)
	if _, err := r.Reply(context.Background(), old, "late"); !errors.As(err, &ae) {
		t.Errorf("8-day-old comment: %v, want assisted", err)
	}
	if len(fake.Messages()) != 1 {
		t.Error("a refused private reply was sent")
	}
}

func TestReplyErrors(t *testing.T) {
	fake, g := newGraph(t)
	post := fake.AddPost(pageID, "9", "Ann", "help", t0)
	to := bot.Mention{Platform: "facebook", ExternalID: post}
	r := newReplier(t, g, "facebook", false)
	for _, tc := range []struct {
		name string
		fail metafake.Fail
		want func(error) bool
	}{
		{"throttled", metafake.Fail{Code: 613, Message: "Calls to this api have exceeded the rate limit."}, func(err error) bool {
			var re *bot.RetryError
			return errors.As(err, &re) && re.After >= time.Minute
		}},
		{"permission", metafake.Fail{Status: 403, Code: 200, Message: "(#200) Permissions error"}, func(err error) bool {
			var ae *bot.AssistedError
			return errors.As(err, &ae) && strings.Contains(ae.Reason, "pages_manage_engagement")
		}},
		{"token", metafake.Fail{Code: 190, Message: "Error validating access token: Session has expired"}, bot.IsPermanent},
		{"service", metafake.Fail{Status: 500, Code: 2, Message: "Service temporarily unavailable"}, func(err error) bool {
			var re *bot.RetryError
			var ae *bot.AssistedError
			return err != nil && !bot.IsPermanent(err) && !errors.As(err, &re) && !errors.As(err, &ae) // may have posted
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake.FailNext("/comments", tc.fail)
			_, err := r.Reply(context.Background(), to, "hello")
			if !tc.want(err) {
				t.Errorf("got %T %v", err, err)
			}
			for _, secret := range []string{pageToken, appSecret, meta.AppSecretProof(appSecret, pageToken)} {
				if err != nil && strings.Contains(err.Error(), secret) {
					t.Errorf("error %q holds a secret", err)
				}
			}
		})
	}
	if _, err := r.Reply(context.Background(), bot.Mention{Platform: "instagram", ExternalID: "1"}, "hi"); !bot.IsPermanent(err) {
		t.Errorf("wrong platform: %v", err)
	}
	if _, err := r.Reply(context.Background(), bot.Mention{Platform: "facebook", ExternalID: "../me"}, "hi"); !bot.IsPermanent(err) {
		t.Errorf("bad id: %v", err)
	}
}
