package config

import (
	"strings"
	"testing"
	"time"
)

const (
	redditSecret   = "s3cr3t-reddit-app-secret"
	redditPassword = "s3cr3t-reddit-password"
	redditUA       = "linux:com.acme.earshot:v1.0 (by /u/acme_care)"
)

func TestValidateReddit(t *testing.T) {
	ok := Config{DatabaseURL: "x.db", HTTPAddr: "127.0.0.1:8080", JobWorkers: 4, LogLevel: "info", LogFormat: "text", Sample: "auto"}
	on := func(c *Config) {
		c.Reddit = Reddit{ClientID: "abcDEF123", Secret: redditSecret, UserAgent: redditUA, Queries: []string{"acme"}, Interval: time.Minute}
	}
	posting := func(c *Config) { on(c); c.Reddit.Username, c.Reddit.Password = "acme_care", redditPassword }
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"off", func(*Config) {}, ""},
		{"reading", on, ""},
		{"posting", func(c *Config) {
			posting(c)
			c.Reddit.Subreddits, c.Reddit.Deny = []string{"r/AcmeUsers", "sysadmin"}, []string{"/r/spam_ville"}
		}, ""},
		{"installed app", func(c *Config) { on(c); c.Reddit.Secret = "" }, ""},
		{"no client id", func(c *Config) { c.Reddit.Queries = []string{"acme"} }, "EARSHOT_REDDIT_* settings need EARSHOT_REDDIT_CLIENT_ID"},
		{"no user agent", func(c *Config) { on(c); c.Reddit.UserAgent = "" }, "EARSHOT_REDDIT_USER_AGENT: empty"},
		{"generic user agent", func(c *Config) { on(c); c.Reddit.UserAgent = "Go-http-client/1.1" }, `EARSHOT_REDDIT_USER_AGENT: "Go-http-client/1.1" is not like`},
		{"nothing watched", func(c *Config) { on(c); c.Reddit.Queries = nil }, "nothing is watched"},
		{"password alone", func(c *Config) { on(c); c.Reddit.Password = redditPassword }, "EARSHOT_REDDIT_USERNAME and EARSHOT_REDDIT_PASSWORD go together"},
		{"posting without secret", func(c *Config) { posting(c); c.Reddit.Secret = "" }, "EARSHOT_REDDIT_USERNAME needs EARSHOT_REDDIT_SECRET"},
		{"u/ prefix", func(c *Config) { posting(c); c.Reddit.Username = "u/acme_care" }, `EARSHOT_REDDIT_USERNAME "u/acme_care" is not a Reddit username`},
		{"bad subreddit", func(c *Config) { on(c); c.Reddit.Subreddits = []string{"ok", "not a sub"} }, `EARSHOT_REDDIT_SUBREDDITS: entry 2: subreddit "not a sub" is not a subreddit name`},
		{"bad deny", func(c *Config) { on(c); c.Reddit.Deny = []string{"r/"} }, `EARSHOT_REDDIT_DENY: entry 1: subreddit "r/"`},
		{"long query", func(c *Config) { on(c); c.Reddit.Queries = []string{strings.Repeat("q", 513)} }, "EARSHOT_REDDIT_QUERIES: entry 1 is empty or longer than 512 bytes"},
		{"interval", func(c *Config) { on(c); c.Reddit.Interval = time.Second }, "EARSHOT_REDDIT_INTERVAL 1s is not between 10s and 24h"},
		{"http api", func(c *Config) { on(c); c.Reddit.APIURL = "http://oauth.reddit.com" }, `EARSHOT_REDDIT_API_URL: "http://oauth.reddit.com" is http`},
		{"loopback api", func(c *Config) {
			on(c)
			c.Reddit.APIURL, c.Reddit.AuthURL = "http://127.0.0.1:9999", "http://127.0.0.1:9999"
		}, ""},
		{"secret with spaces", func(c *Config) { on(c); c.Reddit.Secret = redditSecret + " " }, "EARSHOT_REDDIT_SECRET contains spaces"},
		{"webhook replies too", func(c *Config) {
			posting(c)
			c.WebhookSecret, c.WebhookReplyURLs = strings.Repeat("s", 20), ReplyURLs{"reddit": "https://x.example/r"}
		}, "EARSHOT_WEBHOOK_REPLY_URLS names reddit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.edit(&c)
			checkValidate(t, c, tc.want, redditSecret, redditPassword)
		})
	}
}

func TestRedditFromEnvironment(t *testing.T) {
	t.Setenv("EARSHOT_REDDIT_CLIENT_ID", "abcDEF123")
	t.Setenv("EARSHOT_REDDIT_SECRET", redditSecret)
	t.Setenv("EARSHOT_REDDIT_USERNAME", "acme_care")
	t.Setenv("EARSHOT_REDDIT_PASSWORD", redditPassword)
	t.Setenv("EARSHOT_REDDIT_USER_AGENT", redditUA)
	t.Setenv("EARSHOT_REDDIT_QUERIES", "acme hub,\"acme router\"")
	t.Setenv("EARSHOT_REDDIT_SUBREDDITS", "AcmeUsers")
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	r := c.Reddit
	if !r.On() || !r.ReplyOn() || len(r.Queries) != 2 || r.Interval != time.Minute || r.Subreddits[0] != "AcmeUsers" {
		t.Errorf("loaded %+v", r)
	}
}
