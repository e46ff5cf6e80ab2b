package config

import (
	"strings"
	"testing"
	"time"
)

const mastoToken = "s3cr3t-mastodon-token-value"

func TestValidateMastodon(t *testing.T) {
	ok := Config{DatabaseURL: "x.db", HTTPAddr: "127.0.0.1:8080", JobWorkers: 4, LogLevel: "info", LogFormat: "text", Sample: "auto"}
	on := func(c *Config) { c.Mastodon.Server, c.Mastodon.Token = "mastodon.social", mastoToken }
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"off", func(*Config) {}, ""},
		{"on", func(c *Config) {
			on(c)
			c.Mastodon.Hashtags, c.Mastodon.Keywords, c.Mastodon.Public = []string{"#Lumio", "lumio_hub", ""}, []string{"lumio hub"}, "local"
			c.Mastodon.PollInterval, c.Mastodon.ContextInterval = 30*time.Second, 5*time.Minute
		}, ""},
		{"server without token", func(c *Config) { c.Mastodon.Server = "https://mastodon.social" }, "EARSHOT_MASTODON_SERVER needs EARSHOT_MASTODON_TOKEN"},
		{"token without server", func(c *Config) { c.Mastodon.Token = mastoToken }, "EARSHOT_MASTODON_TOKEN needs EARSHOT_MASTODON_SERVER"},
		{"tags without account", func(c *Config) { c.Mastodon.Hashtags = []string{"lumio"} }, "EARSHOT_MASTODON_HASHTAGS, _KEYWORDS and _PUBLIC need"},
		{"http server", func(c *Config) { on(c); c.Mastodon.Server = "http://mastodon.social" }, "EARSHOT_MASTODON_SERVER: server mastodon.social is http"},
		{"loopback http", func(c *Config) { on(c); c.Mastodon.Server = "http://127.0.0.1:3000" }, ""},
		{"bearer", func(c *Config) { on(c); c.Mastodon.Token = "Bearer " + mastoToken }, `EARSHOT_MASTODON_TOKEN contains spaces or a "Bearer" prefix`},
		{"bad tag", func(c *Config) { on(c); c.Mastodon.Hashtags = []string{"lumio", "lumio-hub"} }, `EARSHOT_MASTODON_HASHTAGS: entry 2: hashtag "lumio-hub": '-' is not allowed`},
		{"public", func(c *Config) { on(c); c.Mastodon.Public = "federated" }, `EARSHOT_MASTODON_PUBLIC "federated" is not local, remote or all`},
		{"poll", func(c *Config) { on(c); c.Mastodon.PollInterval = time.Second }, "EARSHOT_MASTODON_POLL_INTERVAL 1s is not between 5s and 1h"},
		{"context", func(c *Config) { on(c); c.Mastodon.ContextInterval = time.Second }, "EARSHOT_MASTODON_CONTEXT_INTERVAL 1s"},
		{"webhook replies too", func(c *Config) {
			on(c)
			c.WebhookSecret, c.WebhookReplyURLs = strings.Repeat("s", 20), ReplyURLs{"mastodon": "https://x.example/r"}
		}, "EARSHOT_WEBHOOK_REPLY_URLS names mastodon"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.edit(&c)
			checkValidate(t, c, tc.want, mastoToken)
		})
	}
}

func TestMastodonFromEnvironment(t *testing.T) {
	t.Setenv("EARSHOT_MASTODON_SERVER", "https://mastodon.social")
	t.Setenv("EARSHOT_MASTODON_TOKEN", mastoToken)
	t.Setenv("EARSHOT_MASTODON_HASHTAGS", "lumio,LumioHub")
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	m := c.Mastodon
	if !m.On() || len(m.Hashtags) != 2 || m.PollInterval != 30*time.Second || m.ContextInterval != 5*time.Minute || m.Polling {
		t.Errorf("loaded %+v", m)
	}
}
