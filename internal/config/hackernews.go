package config

import (
	"fmt"
	"strings"
	"time"
)

// HackerNews is the Hacker News source's settings (EARSHOT_HACKERNEWS_*).
// It is on when Queries is set; the Algolia API needs no credentials.
type HackerNews struct {
	// Queries are Algolia searches, one feed each ("acme", "\"acme app\"").
	Queries []string `envconfig:"QUERIES"`
	// Interval is the time between polls of each feed.
	Interval time.Duration `envconfig:"INTERVAL" default:"60s"`
	// APIURL is the search API's base (a test double, or a mirror).
	APIURL string `envconfig:"API_URL" default:"https://hn.algolia.com"`
}

// On reports whether the Hacker News source runs.
func (h HackerNews) On() bool { return len(h.Queries) > 0 }

// hackerNewsErrors checks the Hacker News settings, naming the variable.
func (c Config) hackerNewsErrors() []string {
	h := c.HackerNews
	var errs []string
	for i, q := range h.Queries {
		switch {
		case strings.TrimSpace(q) == "":
			errs = append(errs, fmt.Sprintf("EARSHOT_HACKERNEWS_QUERIES: entry %d is empty", i+1))
		case len(q) > 200:
			errs = append(errs, fmt.Sprintf("EARSHOT_HACKERNEWS_QUERIES: entry %d is longer than 200 bytes", i+1))
		}
	}
	if h.On() && (h.Interval < 10*time.Second || h.Interval > 24*time.Hour) {
		errs = append(errs, fmt.Sprintf("EARSHOT_HACKERNEWS_INTERVAL %s is not between 10s and 24h", h.Interval))
	}
	if h.APIURL != "" && !webURL(h.APIURL) {
		errs = append(errs, fmt.Sprintf("EARSHOT_HACKERNEWS_API_URL %q is not an http(s) URL", clipValue(h.APIURL)))
	}
	return errs
}
