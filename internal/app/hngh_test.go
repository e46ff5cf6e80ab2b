package app

import (
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/earshothq/earshot/internal/config"
	"github.com/earshothq/earshot/routing"
)

func TestWireHackerNewsAndGitHubSearch(t *testing.T) {
	d := sourceDeps{log: slog.New(slog.DiscardHandler), now: time.Now}
	for _, w := range []func(sourceDeps) (sourceParts, error){wireHackerNews, wireGitHubSearch} {
		if p, err := w(d); err != nil || len(p.pollers)+len(p.repliers)+len(p.sources) != 0 {
			t.Fatalf("off: %+v %v", p, err)
		}
	}
	d.cfg.HackerNews = config.HackerNews{Queries: []string{"acme", "acme app"}, Interval: time.Minute, APIURL: "http://127.0.0.1:1"}
	d.cfg.GitHubToken = "ghp_x"
	d.cfg.GitHubAPIURL = "http://127.0.0.1:1/"
	d.cfg.GitHubSearch = config.GitHubSearch{Queries: []string{"acme", "acme is:pr"}, Interval: time.Minute, Discussions: true}
	hn, err := wireHackerNews(d)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range hn.pollers {
		names = append(names, p.Name())
	}
	if want := []string{"hackernews:search:acme", "hackernews:search:acme app", "hackernews:threads"}; !slices.Equal(names, want) || len(hn.repliers) != 0 {
		t.Fatalf("hackernews feeds %v, repliers %d", names, len(hn.repliers))
	}
	gh, err := wireGitHubSearch(d)
	if err != nil {
		t.Fatal(err)
	}
	names = nil
	for _, p := range gh.pollers {
		names = append(names, p.Name())
	}
	// A pull-request query gets no discussion feed.
	if want := []string{"github:search:acme", "github:discussions:acme", "github:search:acme is:pr", "github:threads"}; !slices.Equal(names, want) ||
		len(gh.repliers) != 1 || gh.repliers[0].Platform() != "github" {
		t.Fatalf("github search feeds %v, repliers %d", names, len(gh.repliers))
	}
}

func TestDefectReposAreDenied(t *testing.T) {
	r := &routing.Rules{Teams: map[string]*routing.Team{"care": {}, "app": {Defects: routing.Defects{GitHub: routing.GitHubTarget{Repo: "acme/app"}}}}}
	r.Defects.GitHub.Repo = "acme/defects"
	got := defectRepos(r)
	slices.Sort(got)
	if want := []string{"acme/app", "acme/defects", "acme/defects"}; !slices.Equal(got, want) {
		t.Fatalf("defect repos %v, want %v", got, want)
	}
}
