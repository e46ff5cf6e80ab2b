package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/earshothq/earshot/sources/reddit"
)

// Reddit is the Reddit source's settings (EARSHOT_REDDIT_*). It is on
// when ClientID and UserAgent are set and something is watched; with
// Username and Password (a "script" app) it also replies.
type Reddit struct {
	// ClientID and Secret are the app's (reddit.com/prefs/apps). An
	// installed app has no secret: it reads, but cannot reply.
	ClientID string `envconfig:"CLIENT_ID"`
	Secret   string `envconfig:"SECRET"`
	// Username and Password are the brand account's, a developer of the
	// script app: earshot then comments as it and reads its inbox.
	Username string `envconfig:"USERNAME"`
	Password string `envconfig:"PASSWORD"`
	// UserAgent is "<platform>:<app id>:<version> (by /u/<user>)".
	UserAgent string `envconfig:"USER_AGENT"`
	// Queries are searched for (posts); Subreddits watched whole (new
	// posts and comments, through the rules); Deny drops search hits
	// from these subreddits.
	Queries    []string `envconfig:"QUERIES"`
	Subreddits []string `envconfig:"SUBREDDITS"`
	Deny       []string `envconfig:"DENY"`
	// Interval is each feed's polling interval.
	Interval time.Duration `envconfig:"INTERVAL" default:"60s"`
	// APIURL and AuthURL replace https://oauth.reddit.com and
	// https://www.reddit.com (a test double).
	APIURL  string `envconfig:"API_URL"`
	AuthURL string `envconfig:"AUTH_URL"`
}

// On reports whether the Reddit source runs.
func (r Reddit) On() bool { return r.ClientID != "" }

// ReplyOn reports whether earshot comments on Reddit itself.
func (r Reddit) ReplyOn() bool {
	return r.On() && r.Secret != "" && r.Username != "" && r.Password != ""
}

// redditErrors checks the Reddit settings, naming the variable and never
// echoing the secret or the password.
func (c Config) redditErrors() []string {
	r := c.Reddit
	var errs []string
	if !r.On() {
		if r.Secret != "" || r.Username != "" || r.Password != "" || len(r.Queries) > 0 || len(r.Subreddits) > 0 {
			errs = append(errs, "EARSHOT_REDDIT_* settings need EARSHOT_REDDIT_CLIENT_ID (reddit.com/prefs/apps → your app, under its name)")
		}
		return errs
	}
	if err := reddit.CheckUserAgent(r.UserAgent); err != nil {
		errs = append(errs, "EARSHOT_REDDIT_USER_AGENT: "+err.Error()+`; Reddit limits generic agents: use "<platform>:<app id>:<version> (by /u/<user>)"`)
	}
	if len(r.Queries) == 0 && len(r.Subreddits) == 0 && r.Username == "" {
		errs = append(errs, "EARSHOT_REDDIT_CLIENT_ID is set but nothing is watched: set EARSHOT_REDDIT_QUERIES, EARSHOT_REDDIT_SUBREDDITS or EARSHOT_REDDIT_USERNAME (its inbox)")
	}
	switch {
	case (r.Username == "") != (r.Password == ""):
		errs = append(errs, "EARSHOT_REDDIT_USERNAME and EARSHOT_REDDIT_PASSWORD go together (the account that replies)")
	case r.Username != "" && r.Secret == "":
		errs = append(errs, "EARSHOT_REDDIT_USERNAME needs EARSHOT_REDDIT_SECRET: only a \"script\" app (which has a secret) may post as its account")
	}
	if r.Username != "" && !validRedditUser(r.Username) {
		errs = append(errs, fmt.Sprintf("EARSHOT_REDDIT_USERNAME %q is not a Reddit username (3 to 20 letters, digits, _ or -; no u/)", clipValue(r.Username)))
	}
	if strings.ContainsAny(r.ClientID, " \t\r\n:") {
		errs = append(errs, "EARSHOT_REDDIT_CLIENT_ID contains spaces or a colon; give the id alone")
	}
	if strings.ContainsAny(r.Secret, " \t\r\n") {
		errs = append(errs, "EARSHOT_REDDIT_SECRET contains spaces; give the secret alone")
	}
	for i, q := range r.Queries {
		if strings.TrimSpace(q) == "" || len(q) > 512 {
			errs = append(errs, fmt.Sprintf("EARSHOT_REDDIT_QUERIES: entry %d is empty or longer than 512 bytes", i+1))
		}
	}
	for _, list := range []struct {
		name string
		subs []string
	}{{"EARSHOT_REDDIT_SUBREDDITS", r.Subreddits}, {"EARSHOT_REDDIT_DENY", r.Deny}} {
		for i, s := range list.subs {
			if _, err := reddit.CleanSubreddit(s); err != nil {
				errs = append(errs, fmt.Sprintf("%s: entry %d: %v", list.name, i+1, err))
			}
		}
	}
	if r.Interval != 0 && (r.Interval < 10*time.Second || r.Interval > 24*time.Hour) {
		errs = append(errs, fmt.Sprintf("EARSHOT_REDDIT_INTERVAL %s is not between 10s and 24h", r.Interval))
	}
	for _, u := range []struct{ name, v string }{{"EARSHOT_REDDIT_API_URL", r.APIURL}, {"EARSHOT_REDDIT_AUTH_URL", r.AuthURL}} {
		if u.v == "" {
			continue
		}
		if _, err := reddit.ParseBaseURL(u.v); err != nil {
			errs = append(errs, u.name+": "+err.Error())
		}
	}
	if c.WebhookReplyURLs["reddit"] != "" && r.ReplyOn() {
		errs = append(errs, "EARSHOT_WEBHOOK_REPLY_URLS names reddit, which EARSHOT_REDDIT_USERNAME already answers; remove one")
	}
	return errs
}

func validRedditUser(u string) bool {
	if len(u) < 3 || len(u) > 20 {
		return false
	}
	for _, r := range u {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}
