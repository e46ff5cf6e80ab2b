package githubsearch

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/earshothq/earshot/internal/testkit/githubfake"
)

// BenchmarkDecodeSearchPage decodes a full page (100 issues) of search
// results as go-github does and turns it into mentions.
func BenchmarkDecodeSearchPage(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"total_count":100,"incomplete_results":false,"items":[`)
	for i := range 100 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"url":"https://api.github.com/repos/octo/app/issues/%d","repository_url":"https://api.github.com/repos/octo/app","html_url":"https://github.com/octo/app/issues/%d","id":%d,"number":%d,"title":"Crash with Acme SDK 2.%d","user":{"login":"user%d","id":%d},"labels":[{"name":"bug"}],"state":"open","comments":2,"created_at":"2024-05-01T12:00:00Z","updated_at":"2024-05-01T12:00:00Z","closed_at":null,"body":"%s","score":1.0}`,
			i+1, i+1, 4000000+i, i+1, i, i, 1000+i, strings.Repeat("acme crashes on start. ", 40))
	}
	sb.WriteString(`]}`)
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var res gh.IssuesSearchResult
		if err := json.Unmarshal(data, &res); err != nil {
			b.Fatal(err)
		}
		for _, is := range res.Issues {
			if _, _, err := issueMention(is, "earshot-bot"); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func FuzzRepoFromAPIURL(f *testing.F) {
	for _, s := range []string{"https://api.github.com/repos/octo/app", "https://ghe.example/api/v3/repos/a/b", "https://api.github.com/nope", "::"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		owner, repo, err := repoFromAPIURL(s)
		if err == nil && (owner == "" || repo == "" || strings.Contains(owner+repo, "/")) {
			t.Fatalf("%q → %q %q", s, owner, repo)
		}
	})
}

// BenchmarkDiscussionSearchPage is one discussion-search poll of a full
// page (50 discussions, bodies of ~900 bytes) against the fake over
// loopback: the GraphQL query built, sent, executed by the fake's schema,
// decoded by githubv4 and turned into mentions.
func BenchmarkDiscussionSearchPage(b *testing.B) {
	f := githubfake.New(b)
	now := time.Now().UTC()
	for i := range discussionsPerPage {
		f.AddDiscussion(githubfake.DiscussionPost{Repo: "octo/app", Author: fmt.Sprintf("user%d", i),
			Title: fmt.Sprintf("Acme SDK 2.%d logs me out", i), Body: strings.Repeat("acme logs me out every hour. ", 30), CreatedAt: now.Add(-time.Minute)})
	}
	cl, err := NewClient(ClientOptions{Token: githubfake.Token, APIURL: f.URL()})
	if err != nil {
		b.Fatal(err)
	}
	s, err := NewDiscussionSearch(SearchOptions{Client: cl, Query: "acme"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		batch, err := s.Poll(context.Background(), "")
		if err != nil || len(batch.Mentions) != discussionsPerPage {
			b.Fatalf("%d mentions, %v", len(batch.Mentions), err)
		}
	}
}
