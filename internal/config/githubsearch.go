package config

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// GitHubSearch is the GitHub search source's settings
// (EARSHOT_GITHUB_SEARCH_*). It uses EARSHOT_GITHUB_TOKEN and
// EARSHOT_GITHUB_API_URL, the token defects are filed with, and is on
// when Queries is set.
type GitHubSearch struct {
	// Queries are GitHub issue searches, one feed each ("acme in:title,body").
	Queries []string `envconfig:"QUERIES"`
	// Interval is the time between polls of each feed (search allows 30
	// requests a minute per token).
	Interval time.Duration `envconfig:"INTERVAL" default:"60s"`
	// Deny lists repositories left out: "owner/name" or "owner/*".
	Deny []string `envconfig:"DENY"`
	// Discussions searches discussions with each query too (GraphQL),
	// except queries limited to issues or pull requests.
	Discussions bool `envconfig:"DISCUSSIONS" default:"true"`
}

// On reports whether the GitHub search source runs.
func (g GitHubSearch) On() bool { return len(g.Queries) > 0 }

var denyRE = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/(?:\*|[A-Za-z0-9._-]{1,100})$`)

// gitHubSearchErrors checks the GitHub search settings, naming the
// variable and never echoing the token.
func (c Config) gitHubSearchErrors() []string {
	g := c.GitHubSearch
	var errs []string
	if g.On() && c.GitHubToken == "" {
		errs = append(errs, "EARSHOT_GITHUB_SEARCH_QUERIES needs EARSHOT_GITHUB_TOKEN (a token that can read public issues and comment)")
	}
	for i, q := range g.Queries {
		switch {
		case strings.TrimSpace(q) == "":
			errs = append(errs, fmt.Sprintf("EARSHOT_GITHUB_SEARCH_QUERIES: entry %d is empty", i+1))
		case len(q) > 200:
			errs = append(errs, fmt.Sprintf("EARSHOT_GITHUB_SEARCH_QUERIES: entry %d is longer than 200 bytes (GitHub takes 256 with the date earshot adds)", i+1))
		case strings.Contains(strings.ToLower(q), "created:") || strings.Contains(strings.ToLower(q), "sort:"):
			errs = append(errs, fmt.Sprintf("EARSHOT_GITHUB_SEARCH_QUERIES: entry %d %q sets created: or sort:, which earshot sets itself", i+1, clipValue(q)))
		}
	}
	if g.On() && (g.Interval < 10*time.Second || g.Interval > 24*time.Hour) {
		errs = append(errs, fmt.Sprintf("EARSHOT_GITHUB_SEARCH_INTERVAL %s is not between 10s and 24h", g.Interval))
	}
	for i, d := range g.Deny {
		if !denyRE.MatchString(strings.TrimSpace(d)) {
			errs = append(errs, fmt.Sprintf("EARSHOT_GITHUB_SEARCH_DENY: entry %d %q is not owner/name or owner/*", i+1, clipValue(d)))
		}
	}
	return errs
}
