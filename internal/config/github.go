package config

import (
	"fmt"
	"net/url"
	"strings"
)

// validateGitHub checks the GitHub and public-address settings. Messages
// name the variable, never a token or a secret.
func (c Config) validateGitHub() []string {
	var errs []string
	if c.GitHubToken != "" && strings.TrimSpace(c.GitHubToken) != c.GitHubToken {
		errs = append(errs, "EARSHOT_GITHUB_TOKEN has spaces around it")
	}
	if c.GitHubAPIURL != "" {
		if c.GitHubToken == "" {
			errs = append(errs, "EARSHOT_GITHUB_API_URL needs EARSHOT_GITHUB_TOKEN")
		}
		if !webURL(c.GitHubAPIURL) {
			errs = append(errs, fmt.Sprintf("EARSHOT_GITHUB_API_URL %q is not an http(s) URL", c.GitHubAPIURL))
		}
	}
	if c.GitHubWebhookSecret != "" && len(c.GitHubWebhookSecret) < 16 {
		errs = append(errs, "EARSHOT_GITHUB_WEBHOOK_SECRET must be at least 16 characters")
	}
	if c.PublicURL != "" && !webURL(c.PublicURL) {
		errs = append(errs, fmt.Sprintf("EARSHOT_PUBLIC_URL %q is not an http(s) URL", c.PublicURL))
	}
	return errs
}

// webURL reports whether s is an absolute http(s) address without
// credentials in it.
func webURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil
}

// GitHubOn reports whether defects are filed in GitHub.
func (c Config) GitHubOn() bool { return c.GitHubToken != "" }

// CaseURL is a case's address in the web inbox, or "" without PublicURL.
func (c Config) CaseURL(id int64) string {
	if c.PublicURL == "" {
		return ""
	}
	return fmt.Sprintf("%s/cases/%d", strings.TrimRight(c.PublicURL, "/"), id)
}
