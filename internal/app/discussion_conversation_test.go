package app_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/app"
	"github.com/earshothq/earshot/internal/config"
	"github.com/earshothq/earshot/internal/testkit/githubfake"
)

// TestGitHubDiscussionConversation is a conversation in another project's
// GitHub Discussions end to end, through the real scheduler and the
// GraphQL client: a discussion naming the product opens a case, the reply
// goes out as a discussion comment, and the customer's answer under it
// joins the same case.
func TestGitHubDiscussionConversation(t *testing.T) {
	f := githubfake.New(t)
	dir := t.TempDir()
	cfg := config.Config{
		DatabaseURL: filepath.Join(dir, "e.db"), HTTPAddr: "127.0.0.1:0", Rules: rulesFile(t, dir, careRules), Sample: "false",
		JobWorkers: 4, LogLevel: "info", LogFormat: "text",
		GitHubToken: githubfake.Token, GitHubAPIURL: f.URL(),
		GitHubSearch: config.GitHubSearch{Queries: []string{"lumio"}, Interval: 10 * time.Second, Discussions: true},
	}
	srv := serve(t, cfg, app.Options{})
	r := &running{t: t, base: srv.Base}

	n := f.AddDiscussion(githubfake.DiscussionPost{Repo: "octo/home", Author: "maya",
		Title: "Lumio hub bricked after the 2.3 update", Body: "Mine reboots every five minutes.", CreatedAt: time.Now()})
	ext := fmt.Sprintf("octo/home/discussions/%d", n)
	var c bot.Case
	eventually(t, "the discussion's case", func() bool {
		var ok bool
		c, ok = r.caseOf("github", ext)
		return ok
	})
	if m := r.detail(c.ID).Mentions[0]; m.Author.Handle != "maya" || m.URL != githubfake.DiscussionURL("octo/home", n) {
		t.Errorf("mention %+v", m)
	}

	r.act(c.ID, `{"kind":"reply","text":"Sorry Maya, 2.3.1 fixes the reboots: https://lumio.example/status"}`)
	var ours githubfake.DiscussionComment
	eventually(t, "the reply in the discussion", func() bool {
		for _, cm := range f.DiscussionComments("octo/home", n) {
			if cm.Author == githubfake.Login && strings.Contains(cm.Body, "2.3.1 fixes the reboots") {
				ours = cm
				return true
			}
		}
		return false
	})
	if ours.ParentOf() != "" || !strings.Contains(ours.Body, "<!-- earshot:") {
		t.Errorf("our comment %+v", ours)
	}

	answer := f.AddDiscussionComment("octo/home", n, ours.NodeID, "maya", "Updated, all good now. Thanks!", time.Now())
	eventually(t, "the answer in the case", func() bool {
		for _, m := range r.detail(c.ID).Mentions {
			if m.ExternalID == ext+"/comment/"+answer {
				return true
			}
		}
		return false
	})
	if len(r.cases()) != 1 {
		t.Errorf("%d cases, want the one", len(r.cases()))
	}
}
