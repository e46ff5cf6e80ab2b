package app_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/app"
	"github.com/earshothq/earshot/internal/config"
	"github.com/earshothq/earshot/internal/testkit"
	"github.com/earshothq/earshot/internal/testkit/githubfake"
)

const githubRules = `
brand: {name: Lumio, products: ["Lumio app", "Lumio hub"]}
defects:
  github: {repo: lumio/app, labels: [customer-reported]}
teams:
  care: {}
  product:
    defects: {github: {repo: lumio/firmware, labels: [bug]}}
route:
  name: brand
  any: [lumio]
  team: care
  routes:
    - {name: firmware, any: [firmware], team: product, file_defect: true}
`

const ghSecret = "a-github-webhook-secret-for-tests"

// githubApp runs earshot with GitHub configured against a fake GitHub.
func githubApp(t *testing.T, fake *githubfake.Fake) *running {
	t.Helper()
	dir := t.TempDir()
	rules := rulesFile(t, dir, githubRules)
	cfg := config.Config{
		DatabaseURL: filepath.Join(dir, "e.db"), HTTPAddr: "127.0.0.1:0", Rules: rules, Sample: "false",
		WebhookSecret: secret, JobWorkers: 4, LogLevel: "info", LogFormat: "text",
		GitHubToken: githubfake.Token, GitHubAPIURL: fake.URL(), GitHubWebhookSecret: ghSecret,
		PublicURL: "https://earshot.example.com",
	}
	return &running{t: t, base: serve(t, cfg, app.Options{}).Base}
}

func (r *running) mention(id, handle, text string) bot.Case {
	r.t.Helper()
	body := fmt.Appendf(nil, `{"platform":"bluesky","id":%q,"url":"https://bsky.app/profile/%s/post/%s","text":%q,"author":{"handle":%q,"followers":1240}}`,
		id, handle, id, text, handle)
	// The webhook source answers 503 until the bot runs it.
	eventually(r.t, "the mention "+id+" to be taken", func() bool {
		resp, err := http.DefaultClient.Do(testkit.SignedRequest(r.t, r.base+"/hooks/mentions", secret, body, time.Now()))
		if err != nil {
			r.t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusServiceUnavailable {
			r.t.Fatalf("mention %s: %s", id, resp.Status)
		}
		return resp.StatusCode == http.StatusAccepted
	})
	var c bot.Case
	eventually(r.t, "the case of "+id, func() bool {
		for _, x := range r.cases() {
			if strings.Contains(x.Summary, text[:20]) {
				c = x
				return true
			}
		}
		return false
	})
	return c
}

func (r *running) deliver(event, id string, body []byte, sign bool) int {
	r.t.Helper()
	req := githubfake.Delivery(r.t, r.base+"/hooks/github", ghSecret, event, id, body)
	if !sign {
		req.Header.Del("X-Hub-Signature-256")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// The whole loop through the web inbox: File defect → an issue in GitHub →
// the issue closed → the case told, with the follow-up drafted; and a
// file_defect route filing on its own.
func TestDefectLoopThroughTheInbox(t *testing.T) {
	fake := githubfake.New(t)
	r := githubApp(t, fake)
	c := r.mention("m1", "maya.bsky.social", "Lumio app 4.2.1 crashes every time I open the schedule screen on my iPhone 15 Pro")

	body := []byte(`{"kind":"defect","text":"App crashes on the schedule screen"}`)
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/cases/%d/actions", r.base, c.ID), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", r.base)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("defect action: %s", resp.Status)
	}
	eventually(t, "the defect to be filed", func() bool {
		d := r.detail(c.ID)
		return d.Case.State == bot.StateDefectFiled && len(d.Actions) == 1 && d.Actions[0].Status == bot.ActionDone
	})
	issues := fake.Issues("lumio/app")
	if len(issues) != 1 || issues[0].Title != "App crashes on the schedule screen" ||
		!strings.Contains(issues[0].Body, fmt.Sprintf("[earshot case %d](https://earshot.example.com/cases/%d)", c.ID, c.ID)) ||
		!strings.Contains(issues[0].Body, "| Device | iPhone 15 Pro |") {
		t.Fatalf("issues %+v", issues)
	}
	d := r.detail(c.ID)
	if ev := d.Events[len(d.Events)-1]; ev.Kind != bot.EventDefect || ev.URL != githubfake.HTMLURL("lumio/app", 1) {
		t.Fatalf("thread %+v", ev)
	}

	var withLinks struct {
		Links []bot.CaseLink `json:"links"`
	}
	r.get(fmt.Sprintf("/api/cases/%d", c.ID), &withLinks)
	if len(withLinks.Links) != 1 || withLinks.Links[0].Ref() != "lumio/app#1" || withLinks.Links[0].State != bot.LinkOpen {
		t.Fatalf("links %+v", withLinks.Links)
	}
	page, err := http.Get(fmt.Sprintf("%s/cases/%d", r.base, c.ID))
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if !strings.Contains(string(html), `<a href="https://github.com/lumio/app/issues/1" target="_blank" rel="noopener noreferrer">lumio/app#1</a>`) {
		t.Fatal("the case page does not link the issue")
	}

	// GitHub tells earshot the issue is closed: unsigned is refused, the
	// signed delivery is applied once however often it comes.
	closed := githubfake.IssuesPayload("lumio/app", 1, "closed", "completed")
	if code := r.deliver("issues", "d-1", closed, false); code != http.StatusUnauthorized {
		t.Fatalf("unsigned delivery: %d", code)
	}
	if code := r.deliver("ping", "d-0", githubfake.PingPayload("lumio/app"), true); code != http.StatusOK {
		t.Fatalf("ping: %d", code)
	}
	if code := r.deliver("issues", "d-1", closed, true); code != http.StatusAccepted {
		t.Fatalf("closed: %d", code)
	}
	if code := r.deliver("issues", "d-1", closed, true); code != http.StatusOK {
		t.Fatalf("redelivery: %d", code)
	}
	eventually(t, "the follow-up to be drafted", func() bool {
		d := r.detail(c.ID)
		return len(d.Suggestions) == 1 && d.Suggestions[0].Approach == "fixed"
	})
	d = r.detail(c.ID)
	fixed := 0
	for _, ev := range d.Events {
		if ev.Kind == bot.EventDefectFixed {
			fixed++
		}
	}
	if fixed != 1 || d.Case.State != bot.StateNew || !strings.Contains(d.Suggestions[0].Text, "Good news") {
		t.Fatalf("after the fix: %d notes, state %s, suggestion %q", fixed, d.Case.State, d.Suggestions[0].Text)
	}

	// A file_defect route files for its team's repository as earshot.
	auto := r.mention("m2", "kim.bsky.social", "Lumio hub firmware 3.1 bricked the bulb pairing, nothing connects")
	eventually(t, "the rule's defect", func() bool {
		d := r.detail(auto.ID)
		return d.Case.State == bot.StateDefectFiled && len(d.Actions) == 1 && d.Actions[0].Actor == "earshot"
	})
	if is := fake.Issues("lumio/firmware"); len(is) != 1 || is[0].Labels[0] != "bug" {
		t.Fatalf("firmware issues %+v", is)
	}
}
