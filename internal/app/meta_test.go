package app_test

import (
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/internal/app"
	"github.com/earshothq/earshot/internal/config"
	"github.com/earshothq/earshot/internal/testkit/metafake"
)

const (
	metaSecret = "meta-app-secret-for-tests"
	metaVerify = "meta-verify-token-for-tests"
	metaPage   = "111"
	metaToken  = "EAAGpage-token-for-tests"
)

// TestMetaConversation is a Facebook conversation end to end through the
// webhook: the handshake, a comment on the page that opens a case, a
// comment the rules do not hear, the reply posted as a comment under the
// customer's, and the customer's answer to it joining the same case.
func TestMetaConversation(t *testing.T) {
	fake := metafake.New()
	defer fake.Close()
	fake.AddPage(metaPage, metaToken)
	dir := t.TempDir()
	cfg := config.Config{
		DatabaseURL: filepath.Join(dir, "e.db"), HTTPAddr: "127.0.0.1:0", Rules: rulesFile(t, dir, careRules), Sample: "false",
		JobWorkers: 4, LogLevel: "info", LogFormat: "text",
		Meta: config.Meta{
			AppSecret: metaSecret, VerifyToken: metaVerify, Pages: config.MetaPages{{ID: metaPage, Token: metaToken}},
			GraphURL: fake.URL, GraphVersion: metafake.Version, PollInterval: 2 * time.Minute,
		},
	}
	srv := serve(t, cfg, app.Options{})
	r := &running{t: t, base: srv.Base}
	hook := srv.Base + "/hooks/meta"

	q := url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {metaVerify}, "hub.challenge": {"8675309"}}
	resp, err := http.Get(hook + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "8675309" {
		t.Fatalf("handshake: %d %q", resp.StatusCode, b)
	}

	now := time.Now().UTC().Truncate(time.Second)
	post := fake.AddPost(metaPage, metaPage, "Lumio", "Meet the new Lumio hub", now.Add(-time.Hour))
	first := fake.AddComment(post, "9", "Ana", "my Lumio hub keeps rebooting", now)
	noise := fake.AddComment(post, "10", "Bo", "nice colours", now)
	deliver := func(changes ...metafake.Change) {
		t.Helper()
		body := metafake.Delivery("page", metaPage, now, changes...)
		eventually(t, "the webhook to take a delivery", func() bool {
			resp, err := metafake.Deliver(http.DefaultClient, hook, metaSecret, body)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode == 200
		})
	}
	deliver(
		metafake.FeedComment("add", post, first, post, "9", "Ana", "my Lumio hub keeps rebooting", now),
		metafake.FeedComment("add", post, noise, post, "10", "Bo", "nice colours", now),
	)
	var caseID int64
	eventually(t, "the case", func() bool {
		c, ok := r.caseOf("facebook", first)
		caseID = c.ID
		return ok
	})

	r.act(caseID, `{"kind":"reply","text":"Sorry Ana, a fix ships Friday."}`)
	var reply string
	eventually(t, "the reply on Facebook", func() bool {
		cs := fake.Comments(first)
		if len(cs) == 1 {
			reply = cs[0].ID
		}
		return len(cs) == 1
	})
	if cs := fake.Comments(first); cs[0].Message != "Sorry Ana, a fix ships Friday." || cs[0].FromID != metaPage {
		t.Errorf("reply %+v", cs[0])
	}

	answer := fake.AddComment(reply, "9", "Ana", "thanks, waiting then", now.Add(time.Minute))
	deliver(
		metafake.FeedComment("add", post, reply, first, metaPage, "Lumio", "Sorry Ana, a fix ships Friday.", now),
		metafake.FeedComment("add", post, answer, reply, "9", "Ana", "thanks, waiting then", now.Add(time.Minute)),
	)
	eventually(t, "the answer in the case", func() bool {
		for _, m := range r.detail(caseID).Mentions {
			if m.ExternalID == answer {
				return true
			}
		}
		return false
	})
	if _, ok := r.caseOf("facebook", noise); ok {
		t.Error("a comment the rules do not hear opened a case")
	}
	if n := len(r.cases()); n != 1 {
		t.Errorf("%d cases, want 1", n)
	}
	for _, req := range fake.Requests() {
		if strings.Contains(req, metaToken) {
			t.Errorf("request %s carries the token", req)
		}
	}
}
