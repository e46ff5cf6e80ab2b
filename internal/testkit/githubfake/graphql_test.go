package githubfake

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func gqlPost(t *testing.T, f *Fake, query string, vars map[string]any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, f.URL()+"graphql", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// The schema answers the queries GitHub's documentation shows, and
// refuses a field GitHub does not have.
func TestGraphQLSchema(t *testing.T) {
	f := New(t)
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	n := f.AddDiscussion(DiscussionPost{Repo: "octo/app", Author: "alice", Title: "Acme keeps logging me out", Body: "since 2.1", CreatedAt: at})
	top := f.AddDiscussionComment("octo/app", n, "", "bob", "same here", at.Add(time.Minute))
	f.AddDiscussionComment("octo/app", n, top, "alice", "any fix?", at.Add(2*time.Minute))
	out := gqlPost(t, f, `query($q: String!) { search(query: $q, type: DISCUSSION, first: 10) {
		discussionCount pageInfo { hasNextPage endCursor }
		nodes { ... on Discussion { id number title url createdAt author { login ... on User { name } } repository { nameWithOwner }
			comments(last: 10) { nodes { id body replyTo { id } replies(first: 10) { nodes { body author { login } } } } } } } } }`,
		map[string]any{"q": "acme created:>=2026-11-20T00:00:00Z sort:created-asc"})
	raw, _ := json.Marshal(out)
	for _, want := range []string{`"discussionCount":1`, `"number":1`, `"nameWithOwner":"octo/app"`, `"createdAt":"2026-11-20T10:00:00Z"`, `"body":"any fix?"`, `"name":"Alice"`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("answer lacks %s: %s", want, raw)
		}
	}
	bad := gqlPost(t, f, `{ search(query: "acme", type: DISCUSSION, first: 1) { nodes { ... on Discussion { nosuchfield } } } }`, nil)
	if bad["errors"] == nil {
		t.Errorf("an unknown field was taken: %v", bad)
	}
	big := gqlPost(t, f, `{ search(query: "acme", type: DISCUSSION, first: 101) { discussionCount } }`, nil)
	if raw, _ := json.Marshal(big); !strings.Contains(string(raw), "exceeds the `first` limit of 100") {
		t.Errorf("first: 101 taken: %s", raw)
	}
}
