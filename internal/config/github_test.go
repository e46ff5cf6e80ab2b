package config

import (
	"strings"
	"testing"
)

func TestValidateGitHub(t *testing.T) {
	ok := Config{DatabaseURL: "x.db", HTTPAddr: "127.0.0.1:8080", JobWorkers: 4, LogLevel: "info", LogFormat: "text", Sample: "auto"}
	const token = "ghp_secret_token_value_0123456789"
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"token only", func(c *Config) { c.GitHubToken = token }, ""},
		{"enterprise", func(c *Config) { c.GitHubToken = token; c.GitHubAPIURL = "https://ghe.example/api/v3/" }, ""},
		{"api url without token", func(c *Config) { c.GitHubAPIURL = "https://ghe.example/api/v3/" }, "EARSHOT_GITHUB_API_URL needs EARSHOT_GITHUB_TOKEN"},
		{"bad api url", func(c *Config) { c.GitHubToken = token; c.GitHubAPIURL = "ghe.example" }, `EARSHOT_GITHUB_API_URL "ghe.example" is not an http(s) URL`},
		{"api url with credentials", func(c *Config) { c.GitHubToken = token; c.GitHubAPIURL = "https://u:p@ghe.example/" }, "EARSHOT_GITHUB_API_URL"},
		{"token with spaces", func(c *Config) { c.GitHubToken = " " + token }, "EARSHOT_GITHUB_TOKEN has spaces around it"},
		{"short webhook secret", func(c *Config) { c.GitHubWebhookSecret = "secret-short" }, "EARSHOT_GITHUB_WEBHOOK_SECRET must be at least 16"},
		{"webhook secret", func(c *Config) { c.GitHubWebhookSecret = strings.Repeat("s", 32) }, ""},
		{"public url", func(c *Config) { c.PublicURL = "https://earshot.example.com/" }, ""},
		{"bad public url", func(c *Config) { c.PublicURL = "earshot.example.com" }, `EARSHOT_PUBLIC_URL "earshot.example.com"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			checkValidate(t, c, tt.want, token, "secret-short")
		})
	}
}

func TestCaseURL(t *testing.T) {
	if got := (Config{}).CaseURL(7); got != "" {
		t.Errorf("no public URL: %q", got)
	}
	if got := (Config{PublicURL: "https://earshot.example.com/"}).CaseURL(7); got != "https://earshot.example.com/cases/7" {
		t.Errorf("CaseURL = %q", got)
	}
}
