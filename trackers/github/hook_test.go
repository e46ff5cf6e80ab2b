package github_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/githubfake"
	"github.com/earshothq/earshot/trackers/github"
)

const hookSecret = "a-github-webhook-secret"

// recorder keeps what the hook hands on, once per delivery id.
type recorder struct {
	mu   sync.Mutex
	evs  []bot.IssueEvent
	seen map[string]bool
	err  error
}

func (r *recorder) IssueEvent(_ context.Context, ev bot.IssueEvent) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return false, r.err
	}
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	if r.seen[ev.Delivery] {
		return true, nil
	}
	r.seen[ev.Delivery] = true
	r.evs = append(r.evs, ev)
	return false, nil
}

func newHook(t *testing.T, secret string) (*github.Hook, *recorder) {
	t.Helper()
	rec := &recorder{}
	h, err := github.NewHook(secret, rec, github.HookOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return h, rec
}

func serve(h http.Handler, req *http.Request) int {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code
}

// The test vector of GitHub's "Validating webhook deliveries".
func TestSignatureVector(t *testing.T) {
	const (
		secret = "It's a Secret to Everybody"
		want   = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	)
	body := []byte("Hello, World!")
	if got := githubfake.Signature(secret, body); got != want {
		t.Fatalf("Signature = %s, want %s", got, want)
	}
	h, rec := newHook(t, secret)
	// An event earshot does not act on: the signature is all that is checked.
	req := githubfake.Delivery(t, "/hooks/github", secret, "watch", "d-vector", body)
	req.Header.Set("X-Hub-Signature-256", want)
	if code := serve(h, req); code != http.StatusAccepted {
		t.Fatalf("documented vector: %d, want 202", code)
	}
	req = githubfake.Delivery(t, "/hooks/github", secret, "watch", "d-vector", body)
	req.Header.Set("X-Hub-Signature-256", want[:len(want)-1]+"f")
	if code := serve(h, req); code != http.StatusUnauthorized {
		t.Fatalf("vector with one digit changed: %d, want 401", code)
	}
	if len(rec.evs) != 0 {
		t.Fatalf("recorded %+v", rec.evs)
	}
}

func TestHookRefusesUnverified(t *testing.T) {
	h, rec := newHook(t, hookSecret)
	body := githubfake.IssuesPayload("lumio/app", 412, "closed", "completed")
	cases := map[string]func(r *http.Request){
		"no signature": func(r *http.Request) { r.Header.Del("X-Hub-Signature-256") },
		"wrong secret": func(r *http.Request) {
			r.Header.Set("X-Hub-Signature-256", githubfake.Signature("another secret", body))
		},
		"sha-1 only": func(r *http.Request) {
			r.Header.Del("X-Hub-Signature-256")
			r.Header.Set("X-Hub-Signature", "sha1=0000")
		},
		"garbage":         func(r *http.Request) { r.Header.Set("X-Hub-Signature-256", "sha256=zz") },
		"body changed":    func(r *http.Request) { r.Body = http.NoBody },
		"form, no secret": func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") },
	}
	for name, spoil := range cases {
		t.Run(name, func(t *testing.T) {
			req := githubfake.Delivery(t, "/hooks/github", hookSecret, "issues", "d-"+name, body)
			spoil(req)
			if code := serve(h, req); code != http.StatusUnauthorized {
				t.Fatalf("%d, want 401", code)
			}
		})
	}
	if len(rec.evs) != 0 {
		t.Fatalf("an unverified delivery was recorded: %+v", rec.evs)
	}
	if _, err := github.NewHook("", rec, github.HookOptions{}); err == nil {
		t.Fatal("a hook without a secret was built")
	}
	get := httptest.NewRequest(http.MethodGet, "/hooks/github", nil)
	if code := serve(h, get); code != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %d", code)
	}
}

func TestHookEvents(t *testing.T) {
	h, rec := newHook(t, hookSecret)
	send := func(event, id string, body []byte) int {
		return serve(h, githubfake.Delivery(t, "/hooks/github", hookSecret, event, id, body))
	}
	if code := send("ping", "d-0", githubfake.PingPayload("lumio/app")); code != http.StatusOK {
		t.Fatalf("ping: %d", code)
	}
	if code := send("issues", "d-1", githubfake.IssuesPayload("Lumio/App", 412, "closed", "completed")); code != http.StatusAccepted {
		t.Fatalf("closed: %d", code)
	}
	if code := send("issues", "d-1", githubfake.IssuesPayload("Lumio/App", 412, "closed", "completed")); code != http.StatusOK {
		t.Fatalf("redelivery: %d, want 200", code)
	}
	send("issues", "d-2", githubfake.IssuesPayload("lumio/app", 413, "closed", "not_planned"))
	send("issues", "d-3", githubfake.IssuesPayload("lumio/app", 413, "reopened", ""))
	if code := send("issues", "d-4", githubfake.IssuesPayload("lumio/app", 413, "labeled", "")); code != http.StatusAccepted {
		t.Fatalf("labeled: %d", code)
	}
	send("release", "d-5", githubfake.ReleasePayload("lumio/app", "4.2", "v4.2.0",
		"## Fixes\n- Schedule screen crash (#412, lumio/app#7)\n- https://github.com/lumio/app/issues/9\n- lumio/other#5 and https://github.com/lumio/other/issues/6\n- &#1; #412 again", false))
	send("release", "d-6", githubfake.ReleasePayload("lumio/app", "4.3 beta", "v4.3.0-beta", "#412", true))
	send("release", "d-7", githubfake.ReleasePayload("lumio/app", "", "v4.2.1", "no issue named", false))
	send("release", "d-8", githubfake.ReleasePayload("lumio/app", "", "v4.2.2", "Fixes #10", false))
	want := []bot.IssueEvent{
		{Tracker: "github", Delivery: "d-1", Kind: bot.IssueClosed, Repo: "lumio/app", Numbers: []int{412}, Reason: "completed"},
		{Tracker: "github", Delivery: "d-2", Kind: bot.IssueClosed, Repo: "lumio/app", Numbers: []int{413}, Reason: "not_planned"},
		{Tracker: "github", Delivery: "d-3", Kind: bot.IssueReopened, Repo: "lumio/app", Numbers: []int{413}},
		{Tracker: "github", Delivery: "d-5", Kind: bot.IssueReleased, Repo: "lumio/app", Numbers: []int{412, 7, 9}, Release: "4.2"},
		{Tracker: "github", Delivery: "d-8", Kind: bot.IssueReleased, Repo: "lumio/app", Numbers: []int{10}, Release: "v4.2.2"},
	}
	for i := range rec.evs {
		rec.evs[i].At = want[0].At
	}
	if !reflect.DeepEqual(rec.evs, want) {
		t.Fatalf("recorded\n%+v\nwant\n%+v", rec.evs, want)
	}

	// A store failure is a 500: GitHub shows it and the delivery can be sent again.
	rec.err = errors.New("database is down")
	if code := send("issues", "d-9", githubfake.IssuesPayload("lumio/app", 1, "closed", "completed")); code != http.StatusInternalServerError {
		t.Fatalf("store down: %d", code)
	}
	// Signed nonsense is a bad request, not a crash.
	rec.err = nil
	if code := send("issues", "d-10", []byte(`{"action":"closed","issue":"x"}`)); code != http.StatusBadRequest {
		t.Fatalf("malformed: %d", code)
	}
	big := bytes.Repeat([]byte("x"), 6<<20)
	if code := send("issues", "d-11", big); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("too large: %d", code)
	}
}

func TestIssueRefs(t *testing.T) {
	cases := []struct {
		text string
		want []int
	}{
		{"Fixes #12 and #13, #12 again", []int{12, 13}},
		{"lumio/app#4 LUMIO/APP#5 lumio/hub#6", []int{4, 5}},
		{"https://github.com/lumio/app/issues/8 https://github.com/lumio/app/pull/9", []int{8}},
		{"color #fff, &#35;3, a#1, #0, issue#2", nil},
		{"(#7)", []int{7}},
	}
	for _, c := range cases {
		if got := github.IssueRefs("lumio/app", c.text); !reflect.DeepEqual(got, c.want) {
			t.Errorf("IssueRefs(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

// FuzzParseEvent: any signed payload is an event, ignored, or an error;
// never a panic, and an event always names its repository and issues.
func FuzzParseEvent(f *testing.F) {
	f.Add("issues", githubfake.IssuesPayload("lumio/app", 412, "closed", "completed"))
	f.Add("issues", githubfake.IssuesPayload("lumio/app", 413, "reopened", ""))
	f.Add("release", githubfake.ReleasePayload("lumio/app", "4.2", "v4.2", "Fixes #1, lumio/app#2, https://github.com/lumio/app/issues/3", false))
	f.Add("ping", githubfake.PingPayload("lumio/app"))
	f.Add("issues", []byte(`{"action":"closed","issue":{"number":-1},"repository":{"full_name":""}}`))
	f.Add("release", []byte(`{"action":"published","release":{"body":"#99999999999"},"repository":{"full_name":"a/b"}}`))
	f.Fuzz(func(t *testing.T, kind string, payload []byte) {
		ev, ok, err := github.ParseEvent(kind, payload)
		if err != nil && ok {
			t.Fatal("ok with an error")
		}
		if !ok {
			return
		}
		if ev.Repo == "" || len(ev.Numbers) == 0 || len(ev.Numbers) > 200 {
			t.Fatalf("event %+v", ev)
		}
		for _, n := range ev.Numbers {
			if n <= 0 {
				t.Fatalf("issue number %d", n)
			}
		}
	})
}
