package app_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/app"
	"github.com/earshothq/earshot/internal/config"
	"github.com/earshothq/earshot/internal/testkit/xfake"
)

// TestXConversation is a conversation on X end to end: a post mentioning
// the brand arrives on the filtered stream and opens a case; the reply goes
// out as a reply with the user's credential; the customer's answer to it
// joins the same case; and a reply X refuses (the author never mentioned
// the account) becomes an assisted reply that says why.
func TestXConversation(t *testing.T) {
	f := xfake.New(t)
	maya := xfake.User{ID: "2001", Name: "Maya", Username: "maya", Followers: 120}
	f.AddUser(maya)
	dir := t.TempDir()
	cfg := config.Config{
		DatabaseURL: filepath.Join(dir, "e.db"), HTTPAddr: "127.0.0.1:0", Rules: rulesFile(t, dir, careRules), Sample: "false",
		JobWorkers: 4, LogLevel: "info", LogFormat: "text",
		X: config.X{BearerToken: xfake.AppToken, UserToken: xfake.UserToken, Queries: config.XQueries{"lumio"},
			Mode: "auto", Handle: f.Me.Username, UserID: f.Me.ID, SearchInterval: time.Minute, APIURL: f.URL},
	}
	srv := serve(t, cfg, app.Options{})
	r := &running{t: t, base: srv.Base}
	eventually(t, "the stream", func() bool { return len(f.Connections()) > 0 })

	first := f.Stream(xfake.Post{Text: "@acmehelp my Lumio hub died after the update", AuthorID: maya.ID,
		MentionIDs: []string{f.Me.ID}, CreatedAt: time.Now()})
	var c bot.Case
	eventually(t, "the case", func() bool {
		var ok bool
		c, ok = r.caseOf("x", first.ID)
		return ok
	})
	d := r.detail(c.ID)
	if m := d.Mentions[0]; m.Author.Handle != "maya" || m.Author.Followers != 120 || !strings.HasSuffix(m.URL, "/status/"+first.ID) {
		t.Errorf("first mention %+v", m)
	}

	r.act(c.ID, `{"kind":"reply","text":"Sorry Maya, a fix ships Friday: https://lumio.example/status"}`)
	eventually(t, "the reply on X", func() bool { return len(f.Replies()) == 1 })
	if rep := f.Replies()[0]; rep.InReplyTo != first.ID || !strings.Contains(rep.Text, "a fix ships Friday") {
		t.Fatalf("reply %+v", rep)
	}
	var ourID string
	eventually(t, "the reply recorded", func() bool {
		for _, e := range r.detail(c.ID).Events {
			if e.Kind == bot.EventReplied && e.URL != "" {
				ourID = e.URL[strings.LastIndex(e.URL, "/")+1:]
			}
		}
		return ourID != ""
	})

	answer := f.Stream(xfake.Post{Text: "@acmehelp thanks, waiting then", AuthorID: maya.ID, ReplyTo: ourID,
		ConversationID: first.ID, InReplyToUserID: f.Me.ID, MentionIDs: []string{f.Me.ID}, CreatedAt: time.Now()})
	eventually(t, "the answer in the case", func() bool {
		for _, m := range r.detail(c.ID).Mentions {
			if m.ExternalID == answer.ID {
				return true
			}
		}
		return false
	})

	// X refuses replies to people who never mentioned the account.
	other := f.Stream(xfake.Post{Text: "Lumio support never answers anyone", AuthorID: maya.ID, CreatedAt: time.Now()})
	f.Refuse(other.ID, xfake.RefuseNotSummoned)
	var c2 bot.Case
	eventually(t, "the second case", func() bool {
		var ok bool
		c2, ok = r.caseOf("x", other.ID)
		return ok
	})
	r.act(c2.ID, `{"kind":"reply","text":"We are here, Maya: what happened?"}`)
	eventually(t, "the refused reply turned assisted", func() bool {
		for _, e := range r.detail(c2.ID).Events {
			if e.Kind == bot.EventAssisted && strings.Contains(e.Text, "x refused the reply") {
				return true
			}
		}
		return false
	})
}
