package config

import (
	"strings"
	"testing"
	"time"
)

func TestValidateHackerNewsAndGitHubSearch(t *testing.T) {
	base := Config{DatabaseURL: "x.db", HTTPAddr: "127.0.0.1:8080", JobWorkers: 4, LogLevel: "info", LogFormat: "text", Sample: "auto",
		HackerNews: HackerNews{Interval: time.Minute, APIURL: "https://hn.algolia.com"}, GitHubSearch: GitHubSearch{Interval: time.Minute}}
	const token = "ghp_secretsecretsecret0123456789"
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"off", func(c *Config) {}, ""},
		{"hn on", func(c *Config) { c.HackerNews.Queries = []string{"acme", `"acme app"`} }, ""},
		{"hn empty query", func(c *Config) { c.HackerNews.Queries = []string{"acme", " "} }, "EARSHOT_HACKERNEWS_QUERIES: entry 2 is empty"},
		{"hn fast", func(c *Config) { c.HackerNews.Queries, c.HackerNews.Interval = []string{"a"}, time.Second }, "EARSHOT_HACKERNEWS_INTERVAL 1s"},
		{"hn bad url", func(c *Config) { c.HackerNews.APIURL = "ftp://x" }, `EARSHOT_HACKERNEWS_API_URL "ftp://x"`},
		{"gh on", func(c *Config) {
			c.GitHubToken, c.GitHubSearch.Queries, c.GitHubSearch.Deny = token, []string{"acme in:title,body"}, []string{"acme/app", "spam-org/*"}
		}, ""},
		{"gh no token", func(c *Config) { c.GitHubSearch.Queries = []string{"acme"} }, "EARSHOT_GITHUB_SEARCH_QUERIES needs EARSHOT_GITHUB_TOKEN"},
		{"gh created", func(c *Config) { c.GitHubToken, c.GitHubSearch.Queries = token, []string{"acme created:>2024-01-01"} }, "sets created: or sort:"},
		{"gh long", func(c *Config) { c.GitHubToken, c.GitHubSearch.Queries = token, []string{strings.Repeat("a", 201)} }, "entry 1 is longer than 200 bytes"},
		{"gh bad deny", func(c *Config) { c.GitHubSearch.Deny = []string{"just-a-name"} }, `EARSHOT_GITHUB_SEARCH_DENY: entry 1 "just-a-name"`},
		{"gh slow", func(c *Config) {
			c.GitHubToken, c.GitHubSearch.Queries, c.GitHubSearch.Interval = token, []string{"a"}, 48*time.Hour
		}, "EARSHOT_GITHUB_SEARCH_INTERVAL 48h0m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			tt.edit(&c)
			checkValidate(t, c, tt.want, token)
		})
	}
}

func TestHackerNewsAndGitHubSearchFromEnv(t *testing.T) {
	t.Setenv("EARSHOT_HACKERNEWS_QUERIES", "acme,acme app")
	t.Setenv("EARSHOT_GITHUB_SEARCH_QUERIES", "acme in:title")
	t.Setenv("EARSHOT_GITHUB_SEARCH_DENY", "acme/app")
	t.Setenv("EARSHOT_GITHUB_TOKEN", "ghp_secretsecretsecret0123456789")
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.HackerNews.Queries) != 2 || c.HackerNews.Interval != time.Minute || c.HackerNews.APIURL != "https://hn.algolia.com" {
		t.Errorf("hackernews = %+v", c.HackerNews)
	}
	if !c.GitHubSearch.On() || c.GitHubSearch.Interval != time.Minute || c.GitHubSearch.Deny[0] != "acme/app" || !c.GitHubSearch.Discussions {
		t.Errorf("github search = %+v", c.GitHubSearch)
	}
}
