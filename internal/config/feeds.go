package config

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/earshothq/earshot/sources/feeds"
)

// Feed is one watched feed: an RSS, Atom or JSON feed, or a Google Alerts
// feed (https://www.google.com/alerts/feeds/<user>/<alert>).
type Feed struct {
	// Name labels the feed in logs and status instead of its URL; optional.
	Name string
	// URL may hold credentials (user:pass@host, ?token=…): they are sent
	// to the feed's server and never shown.
	URL string
}

// FeedList is EARSHOT_FEEDS: comma-separated URLs, each optionally named
// ("blog=https://blog.example.com/feed.xml"). A comma inside a URL is
// written %2C.
type FeedList []Feed

// Decode reads the list. Its errors name the entry's position, never its
// URL, which may hold a token.
func (l *FeedList) Decode(value string) error {
	var out FeedList
	for i, entry := range strings.Split(value, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		f := Feed{URL: entry}
		// name=url: the name holds no ':' or '/', so a URL's own "=" (in
		// its query) is never taken for one.
		if name, rest, ok := strings.Cut(entry, "="); ok && !strings.ContainsAny(name, ":/") {
			f.Name, f.URL = strings.TrimSpace(name), strings.TrimSpace(rest)
			if f.Name == "" {
				return fmt.Errorf("entry %d has an empty name before '='", i+1)
			}
		}
		out = append(out, f)
	}
	*l = out
	return nil
}

// FeedsPolling is how feeds are read (EARSHOT_FEEDS_*).
type FeedsPolling struct {
	// Interval is the time between two polls of a feed. Google Alerts
	// refreshes its feeds every few minutes at best, and an unchanged feed
	// costs a 304. Zero is the default.
	Interval time.Duration `envconfig:"INTERVAL" default:"5m"`
	// UserAgent is sent to the feeds' servers; empty is earshot's own.
	UserAgent string `envconfig:"USER_AGENT"`
}

// feedsErrors checks the feed settings, naming the variable, the entry's
// position and the feed (its URL redacted), never a credential.
func (c Config) feedsErrors() []string {
	var errs []string
	names, urls := map[string]int{}, map[string]int{}
	for i, f := range c.Feeds {
		n := i + 1
		if f.Name != "" {
			if strings.IndexFunc(f.Name, func(r rune) bool {
				return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("-_. ", r)
			}) >= 0 || len(f.Name) > 64 {
				errs = append(errs, fmt.Sprintf("EARSHOT_FEEDS: entry %d: name %q is not 1-64 letters, digits, spaces or -_.", n, clipValue(f.Name)))
			} else if prev, dup := names[f.Name]; dup {
				errs = append(errs, fmt.Sprintf("EARSHOT_FEEDS: entry %d: name %q is also entry %d's", n, f.Name, prev))
			}
			names[f.Name] = n
		}
		u, err := feeds.ParseFeedURL(f.URL)
		if err != nil {
			errs = append(errs, fmt.Sprintf("EARSHOT_FEEDS: entry %d: %v", n, err))
			continue
		}
		// Two unnamed feeds whose URLs differ only in a redacted token
		// would share a poller name, and so a cursor.
		key := f.Name
		if key == "" {
			key = feeds.Redact(u)
		}
		if prev, dup := urls[key]; dup && f.Name == "" {
			errs = append(errs, fmt.Sprintf("EARSHOT_FEEDS: entry %d: %s is also entry %d; remove one, or name them (name=url)", n, key, prev))
		}
		urls[key] = n
	}
	p := c.FeedsPolling
	if p.Interval != 0 && (p.Interval < time.Minute || p.Interval > 24*time.Hour) {
		errs = append(errs, fmt.Sprintf("EARSHOT_FEEDS_INTERVAL %s is not between 1m and 24h", p.Interval))
	}
	if strings.IndexFunc(p.UserAgent, unicode.IsControl) >= 0 || len(p.UserAgent) > 256 {
		errs = append(errs, "EARSHOT_FEEDS_USER_AGENT has control characters or is longer than 256 bytes")
	}
	return errs
}
