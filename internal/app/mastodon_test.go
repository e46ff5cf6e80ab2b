package app_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/earshothq/earshot/internal/app"
	"github.com/earshothq/earshot/internal/config"
	"github.com/earshothq/earshot/internal/testkit/mastodonfake"
)

// TestMastodonConversation is a conversation on Mastodon end to end: a
// mention opens a case, a post under a watched hashtag that the rules do
// not hear opens nothing, the reply goes out mirroring the customer's
// visibility and mentioning them, the customer's answer to it and a
// stranger's answer to their post join the same case, and our own post
// made by hand on Mastodon is in the thread as ours.
func TestMastodonConversation(t *testing.T) {
	fake := mastodonfake.New(t)
	dir := t.TempDir()
	cfg := config.Config{
		DatabaseURL: filepath.Join(dir, "e.db"), HTTPAddr: "127.0.0.1:0", Rules: rulesFile(t, dir, careRules), Sample: "false",
		JobWorkers: 4, LogLevel: "info", LogFormat: "text",
		Mastodon: config.Mastodon{Server: fake.URL(), Token: mastodonfake.Token, Hashtags: []string{"acme"}},
	}
	srv := serve(t, cfg, app.Options{})
	r := &running{t: t, base: srv.Base}
	eventually(t, "the user and hashtag streams", func() bool { return fake.Streams() == 2 })

	first := fake.Post(mastodonfake.Post{Acct: "ana@social.example", Visibility: "unlisted",
		Text: "@lumio my Lumio hub keeps rebooting since the update"})
	noise := fake.Post(mastodonfake.Post{Acct: "bo", Text: "lovely sunset #acme"})
	var caseID int64
	eventually(t, "the case", func() bool {
		c, ok := r.caseOf("mastodon", first.ID)
		caseID = c.ID
		return ok
	})
	d := r.detail(caseID)
	if m := d.Mentions[0]; m.Author.Handle != "ana@social.example" || m.URL != first.URL || !strings.HasPrefix(m.Text, "@lumio my Lumio hub") {
		t.Errorf("first mention %+v", m)
	}

	r.act(caseID, `{"kind":"reply","text":"Sorry Ana, a fix ships Friday."}`)
	var reply mastodonfake.Status
	eventually(t, "the reply on Mastodon", func() bool {
		ours := fake.PostedBy("lumio")
		if len(ours) == 1 {
			reply = ours[0]
		}
		return len(ours) == 1
	})
	if reply.Text != "@ana@social.example Sorry Ana, a fix ships Friday." || reply.Visibility != "unlisted" ||
		reply.InReplyToID == nil || *reply.InReplyToID != first.ID || reply.IdempotencyKey == "" {
		t.Errorf("reply %q (%s) in reply to %v, key %q", reply.Text, reply.Visibility, reply.InReplyToID, reply.IdempotencyKey)
	}

	answer := fake.Post(mastodonfake.Post{Acct: "ana@social.example", Text: "@lumio thanks, waiting then", InReplyTo: reply.ID})
	stranger := fake.Post(mastodonfake.Post{Acct: "cy", Text: "same here #acme", InReplyTo: first.ID})
	byHand := fake.Post(mastodonfake.Post{Text: "@ana@social.example we will DM you a tracking link", InReplyTo: answer.ID})
	eventually(t, "the follow-ups in the case", func() bool {
		got := map[string]bool{}
		for _, m := range r.detail(caseID).Mentions {
			got[m.ExternalID] = true
		}
		return got[answer.ID] && got[stranger.ID] && got[byHand.ID]
	})
	for _, m := range r.detail(caseID).Mentions {
		if m.ExternalID == byHand.ID && m.Author.Handle != "lumio" {
			t.Errorf("our post by hand: %+v", m)
		}
	}
	if _, ok := r.caseOf("mastodon", noise.ID); ok {
		t.Error("a post the rules do not hear opened a case")
	}
	if n := len(r.cases()); n != 1 {
		t.Errorf("%d cases, want 1", n)
	}
}

// TestMastodonRestart stops earshot, lets mentions arrive while it is
// down, and starts it again on the same database: the cursors it saved
// bring exactly the missed mentions, each once.
func TestMastodonRestart(t *testing.T) {
	fake := mastodonfake.New(t)
	dir := t.TempDir()
	cfg := config.Config{
		DatabaseURL: filepath.Join(dir, "e.db"), HTTPAddr: "127.0.0.1:0", Rules: rulesFile(t, dir, careRules), Sample: "false",
		JobWorkers: 4, LogLevel: "info", LogFormat: "text",
		Mastodon: config.Mastodon{Server: fake.URL(), Token: mastodonfake.Token, Hashtags: []string{"acme"}},
	}
	srv := serve(t, cfg, app.Options{})
	r := &running{t: t, base: srv.Base}
	eventually(t, "the streams", func() bool { return fake.Streams() == 2 })
	before := fake.Post(mastodonfake.Post{Acct: "ana", Text: "@lumio the Lumio app logs me out"})
	eventually(t, "the first case", func() bool { _, ok := r.caseOf("mastodon", before.ID); return ok })
	srv.Stop()

	down := []mastodonfake.Status{
		fake.Post(mastodonfake.Post{Acct: "bo", Text: "@lumio my Lumio lamp flickers"}),
		fake.Post(mastodonfake.Post{Acct: "cy", Text: "Lumio hub offline again #acme"}),
	}
	srv = serve(t, cfg, app.Options{})
	r = &running{t: t, base: srv.Base}
	eventually(t, "the cases of the mentions made while down", func() bool {
		_, a := r.caseOf("mastodon", down[0].ID)
		_, b := r.caseOf("mastodon", down[1].ID)
		return a && b
	})
	if n := len(r.cases()); n != 3 {
		t.Errorf("%d cases, want 3", n)
	}
	host := strings.TrimPrefix(fake.URL(), "http://")
	for _, feed := range []string{"notifications", "tag:acme"} {
		if c, err := srv.Store.Cursor(srv.Ctx, "mastodon@"+host+":"+feed); err != nil || c == "" {
			t.Errorf("cursor of %s: %q %v", feed, c, err)
		}
	}
	for _, c := range r.cases() {
		if n := len(r.detail(c.ID).Mentions); n != 1 {
			t.Errorf("case %d has %d mentions, want 1", c.ID, n)
		}
	}
}
