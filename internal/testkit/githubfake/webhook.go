package githubfake

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// Signature is the X-Hub-Signature-256 value for body, as GitHub computes
// it: "sha256=" and the hex HMAC-SHA256 of the raw body under the secret.
// It is computed here from the documented format, not by go-github, so a
// receiver is checked against the format rather than against itself.
func Signature(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Delivery is a signed webhook delivery of event with id delivery, as
// GitHub POSTs it (content type application/json). It works with an
// http.Client and with a handler's ServeHTTP alike.
func Delivery(t testing.TB, url, secret, event, delivery string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("githubfake: delivery to %s: %v", url, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "GitHub-Hookshot/044aadd")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", delivery)
	req.Header.Set("X-GitHub-Hook-ID", "292430182")
	req.Header.Set("X-Hub-Signature-256", Signature(secret, body))
	return req
}

func repository(repo string) map[string]any {
	owner, name, _ := strings.Cut(repo, "/")
	return map[string]any{"id": 186853002, "name": name, "full_name": repo, "private": false,
		"owner": map[string]any{"login": owner, "id": 21031067}, "html_url": "https://github.com/" + repo}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// IssuesPayload is an "issues" event payload (action "closed" with
// state_reason "completed" or "not_planned", or "reopened"), shaped as the
// octokit example GitHub documents.
func IssuesPayload(repo string, number int, action, reason string) []byte {
	state, closedAt := "open", any(nil)
	var stateReason any
	if action == "closed" {
		state, closedAt, stateReason = "closed", "2021-07-05T18:07:10Z", reason
	}
	if action == "reopened" {
		stateReason = "reopened"
	}
	return mustJSON(map[string]any{
		"action": action,
		"issue": map[string]any{
			"url":          "https://api.github.com/repos/" + repo + "/issues/" + itoa(number),
			"html_url":     HTMLURL(repo, number),
			"id":           444500041,
			"number":       number,
			"title":        "Spelling error in the README file",
			"user":         map[string]any{"login": "Codertocat", "id": 21031067},
			"labels":       []map[string]any{{"name": "bug"}},
			"state":        state,
			"state_reason": stateReason,
			"comments":     0,
			"created_at":   "2021-07-05T18:05:24Z",
			"updated_at":   "2021-10-11T16:40:56Z",
			"closed_at":    closedAt,
			"body":         "",
		},
		"repository": repository(repo),
		"sender":     map[string]any{"login": "Codertocat", "id": 21031067},
	})
}

// ReleasePayload is a "release" event payload with action "published".
func ReleasePayload(repo, name, tag, body string, prerelease bool) []byte {
	return mustJSON(map[string]any{
		"action": "published",
		"release": map[string]any{
			"url":          "https://api.github.com/repos/" + repo + "/releases/2",
			"html_url":     "https://github.com/" + repo + "/releases/tag/" + tag,
			"id":           2,
			"tag_name":     tag,
			"name":         name,
			"body":         body,
			"draft":        false,
			"prerelease":   prerelease,
			"created_at":   "2019-05-15T15:19:25Z",
			"published_at": "2019-05-15T15:20:53Z",
			"author":       map[string]any{"login": "Codertocat", "id": 21031067},
		},
		"repository": repository(repo),
		"sender":     map[string]any{"login": "Codertocat", "id": 21031067},
	})
}

// PingPayload is the "ping" GitHub sends when a hook is created.
func PingPayload(repo string) []byte {
	return mustJSON(map[string]any{
		"zen":     "Design for failure.",
		"hook_id": 292430182,
		"hook": map[string]any{"type": "Repository", "id": 292430182, "name": "web", "active": true,
			"events": []string{"issues", "release"}, "config": map[string]any{"content_type": "json", "insecure_ssl": "0", "url": "https://earshot.example/hooks/github"}},
		"repository": repository(repo),
		"sender":     map[string]any{"login": "Codertocat", "id": 21031067},
	})
}

func itoa(n int) string { return strings.TrimSpace(string(mustJSON(n))) }
