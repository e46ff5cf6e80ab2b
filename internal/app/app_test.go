package app_test

import (
	"bytes"
	"encoding/json"
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
	"github.com/earshothq/earshot/sources/replay"
)

const secret = "a-webhook-secret-for-tests"

// running is one earshot serving on a random loopback port.
type running struct {
	t    *testing.T
	base string
	stop func()
}

func start(t *testing.T, dbPath string) *running {
	t.Helper()
	cfg := config.Config{
		DatabaseURL: dbPath, HTTPAddr: "127.0.0.1:0", WebhookSecret: secret,
		Sample: "true", SampleInterval: 0, JobWorkers: 4, LogLevel: "info", LogFormat: "text",
	}
	srv := serve(t, cfg, app.Options{})
	return &running{t: t, base: srv.Base, stop: srv.Stop}
}

func (r *running) get(path string, v any) {
	r.t.Helper()
	resp, err := http.Get(r.base + path)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		r.t.Fatalf("GET %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		r.t.Fatalf("GET %s: %v", path, err)
	}
}

type caseList struct {
	Cases []bot.Case `json:"cases"`
}

type caseDetail struct {
	Case        bot.Case         `json:"case"`
	Mentions    []bot.Mention    `json:"mentions"`
	Events      []bot.Event      `json:"events"`
	Suggestions []bot.Suggestion `json:"suggestions"`
	Actions     []bot.Action     `json:"actions"`
}

func (r *running) cases() []bot.Case {
	var l caseList
	r.get("/api/cases?state=all&limit=200", &l)
	return l.Cases
}

func (r *running) detail(id int64) caseDetail {
	var d caseDetail
	r.get(fmt.Sprintf("/api/cases/%d", id), &d)
	return d
}

// eventually polls cond; it waits on background jobs, it does not time them.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestDefaultRun is `go run .` in a test: the sample becomes cases with
// drafted replies, a person acts from the inbox's API, the webhook takes a
// signed mention and refuses an unsigned one, and a restart doubles nothing.
func TestDefaultRun(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "earshot.db")
	r := start(t, dbPath)

	var all []bot.Case
	eventually(t, "the sample's cases with suggestions", func() bool {
		all = r.cases()
		if len(all) < 30 {
			return false
		}
		for _, c := range all {
			if c.Labels.Intent != bot.IntentSpam && len(r.detail(c.ID).Suggestions) == 0 {
				return false
			}
		}
		return true
	})
	byTeam := map[string]int{}
	var safety, followed *bot.Case
	for i, c := range all {
		byTeam[c.Team]++
		if c.Team == "safety" {
			safety = &all[i]
		}
		if c.Mentions > 1 {
			followed = &all[i]
		}
	}
	for _, team := range []string{"care", "billing", "safety", "product"} {
		if byTeam[team] == 0 {
			t.Errorf("no case for team %s: %v", team, byTeam)
		}
	}
	if safety == nil || safety.Labels.Urgency != bot.UrgencyCritical {
		t.Fatalf("the safety complaint should be a critical case for the safety team: %+v", safety)
	}
	if followed == nil {
		t.Fatal("no case gathered a follow-up")
	}

	// Reply with the first suggestion from the inbox: once, however many clicks.
	target := all[0]
	body := []byte(`{"kind":"reply","suggestion":1}`)
	for i, want := range []int{http.StatusAccepted, http.StatusOK} {
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/cases/%d/actions", r.base, target.ID), bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", r.base)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("click %d: %s, want %d", i+1, resp.Status, want)
		}
	}
	eventually(t, "the reply to be done", func() bool {
		d := r.detail(target.ID)
		return d.Case.State == bot.StateAwaitingCustomer && len(d.Actions) == 1 && d.Actions[0].Status == bot.ActionDone
	})

	// The signed webhook stores a mention and opens a case; unsigned does nothing.
	before := len(r.cases())
	mention := []byte(`{"platform":"webhook","id":"wh-1","text":"Lumio lamp flickers every evening, any fix?","author":{"handle":"kim"}}`)
	resp, err := http.Post(r.base+"/hooks/mentions", "application/json", bytes.NewReader(mention))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("unsigned webhook: %s, want 401", resp.Status)
	}
	if n := len(r.cases()); n != before {
		t.Fatalf("an unsigned request changed the cases: %d → %d", before, n)
	}
	resp, err = http.DefaultClient.Do(testkit.SignedRequest(t, r.base+"/hooks/mentions", secret, mention, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("signed webhook: %s, want 202", resp.Status)
	}
	if n := len(r.cases()); n != before+1 {
		t.Fatalf("signed webhook: %d cases, want %d", n, before+1)
	}

	var st map[string]any
	r.get("/api/status", &st)
	if st["database"] != "sqlite" || st["pending_jobs"] == nil {
		t.Fatalf("/api/status: %v", st)
	}
	if !strings.Contains(r.metrics(), `earshot_mentions_total{outcome="opened"}`) {
		t.Fatal("/metrics lacks earshot_mentions_total")
	}

	// Restart on the same database: the sample is replayed again, stored once.
	count := len(r.cases())
	r.stop()
	r2 := start(t, dbPath)
	samples := bytes.Count(bytes.TrimSpace(replay.Sample()), []byte("\n")) + 1
	want := fmt.Sprintf(`earshot_mentions_total{outcome="duplicate"} %d`, samples)
	eventually(t, "the sample to be replayed again", func() bool { return strings.Contains(r2.metrics(), want) })
	if n := len(r2.cases()); n != count {
		t.Fatalf("after a restart: %d cases, want %d", n, count)
	}
}

func (r *running) metrics() string {
	r.t.Helper()
	resp, err := http.Get(r.base + "/metrics")
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
