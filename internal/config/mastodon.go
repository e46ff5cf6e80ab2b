package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/earshothq/earshot/sources/mastodon"
)

// Mastodon is the Mastodon source's settings (EARSHOT_MASTODON_*). It is
// on when Server and Token are both set.
type Mastodon struct {
	// Server is the instance the brand account lives on (https://host).
	Server string `envconfig:"SERVER"`
	// Token is the account's access token (read:statuses,
	// read:notifications, write:statuses; read:search for Keywords).
	Token string `envconfig:"TOKEN"`
	// Hashtags are watched through hashtag streams or tag timelines.
	Hashtags []string `envconfig:"HASHTAGS"`
	// Keywords are searched for with the search API.
	Keywords []string `envconfig:"KEYWORDS"`
	// Public streams the public timeline through the rules: local, remote
	// or all; empty for none.
	Public string `envconfig:"PUBLIC"`
	// Polling never streams (an instance whose streaming API is blocked).
	Polling bool `envconfig:"POLLING"`
	// PollInterval is the time between polls (and keyword searches); zero
	// is the default.
	PollInterval time.Duration `envconfig:"POLL_INTERVAL" default:"30s"`
	// ContextInterval is how often the threads of open cases are read for
	// answers that mention no one; 0 turns it off.
	ContextInterval time.Duration `envconfig:"CONTEXT_INTERVAL" default:"5m"`
}

// On reports whether the Mastodon source runs.
func (m Mastodon) On() bool { return m.Server != "" && m.Token != "" }

// mastodonErrors checks the Mastodon settings, naming the variable and
// never echoing the token.
func (c Config) mastodonErrors() []string {
	m := c.Mastodon
	var errs []string
	switch {
	case m.Server != "" && m.Token == "":
		errs = append(errs, "EARSHOT_MASTODON_SERVER needs EARSHOT_MASTODON_TOKEN (Preferences → Development → your application → access token)")
	case m.Server == "" && m.Token != "":
		errs = append(errs, "EARSHOT_MASTODON_TOKEN needs EARSHOT_MASTODON_SERVER (the instance, like https://mastodon.social)")
	case m.Server == "" && (len(m.Hashtags) > 0 || len(m.Keywords) > 0 || m.Public != ""):
		errs = append(errs, "EARSHOT_MASTODON_HASHTAGS, _KEYWORDS and _PUBLIC need EARSHOT_MASTODON_SERVER and EARSHOT_MASTODON_TOKEN")
	}
	if m.Server != "" {
		if _, err := mastodon.ParseServer(m.Server); err != nil {
			errs = append(errs, "EARSHOT_MASTODON_SERVER: "+strings.TrimPrefix(err.Error(), "mastodon "))
		}
	}
	if m.Token != "" && (strings.ContainsAny(m.Token, " \t\r\n") || strings.HasPrefix(m.Token, "Bearer")) {
		errs = append(errs, "EARSHOT_MASTODON_TOKEN contains spaces or a \"Bearer\" prefix; give the token alone")
	}
	for i, h := range m.Hashtags {
		if _, err := mastodon.CleanTag(h); err != nil {
			errs = append(errs, fmt.Sprintf("EARSHOT_MASTODON_HASHTAGS: entry %d: %s", i+1, strings.TrimPrefix(err.Error(), "mastodon ")))
		}
	}
	for i, k := range m.Keywords {
		if len(k) > 200 {
			errs = append(errs, fmt.Sprintf("EARSHOT_MASTODON_KEYWORDS: entry %d is longer than 200 bytes", i+1))
		}
	}
	switch m.Public {
	case "", "local", "remote", "all":
	default:
		errs = append(errs, fmt.Sprintf("EARSHOT_MASTODON_PUBLIC %q is not local, remote or all (or empty)", clipValue(m.Public)))
	}
	if m.PollInterval != 0 && (m.PollInterval < 5*time.Second || m.PollInterval > time.Hour) {
		errs = append(errs, fmt.Sprintf("EARSHOT_MASTODON_POLL_INTERVAL %s is not between 5s and 1h", m.PollInterval))
	}
	if m.ContextInterval != 0 && (m.ContextInterval < 30*time.Second || m.ContextInterval > 24*time.Hour) {
		errs = append(errs, fmt.Sprintf("EARSHOT_MASTODON_CONTEXT_INTERVAL %s is not 0 (off) or between 30s and 24h", m.ContextInterval))
	}
	if c.WebhookReplyURLs["mastodon"] != "" && m.On() {
		errs = append(errs, "EARSHOT_WEBHOOK_REPLY_URLS names mastodon, which EARSHOT_MASTODON_TOKEN already answers; remove one")
	}
	return errs
}
