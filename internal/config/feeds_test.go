package config

import (
	"strings"
	"testing"
	"time"
)

const feedToken = "s3cr3t-feed-token-value"

func TestFeedListDecode(t *testing.T) {
	var l FeedList
	err := l.Decode(" https://blog.example.com/feed.xml , alerts=https://www.google.com/alerts/feeds/04175468913983673025/4428013283581841004,https://x.example/rss?a=b&token=" + feedToken + ",")
	if err != nil {
		t.Fatal(err)
	}
	want := FeedList{
		{URL: "https://blog.example.com/feed.xml"},
		{Name: "alerts", URL: "https://www.google.com/alerts/feeds/04175468913983673025/4428013283581841004"},
		{URL: "https://x.example/rss?a=b&token=" + feedToken},
	}
	if len(l) != len(want) {
		t.Fatalf("got %+v", l)
	}
	for i := range want {
		if l[i] != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, l[i], want[i])
		}
	}
	if err := l.Decode("=https://x.example/rss"); err == nil || !strings.Contains(err.Error(), "entry 1 has an empty name") {
		t.Errorf("empty name: %v", err)
	}
}

func TestValidateFeeds(t *testing.T) {
	ok := Config{DatabaseURL: "x.db", HTTPAddr: "127.0.0.1:8080", JobWorkers: 4, LogLevel: "info", LogFormat: "text", Sample: "auto"}
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"off", func(*Config) {}, ""},
		{"on", func(c *Config) {
			c.Feeds = FeedList{{URL: "https://blog.example.com/feed.xml"}, {Name: "alerts", URL: "https://www.google.com/alerts/feeds/1/2"}}
			c.FeedsPolling = FeedsPolling{Interval: 5 * time.Minute, UserAgent: "acme-listener/1.0"}
		}, ""},
		{"not http", func(c *Config) {
			c.Feeds = FeedList{{URL: "https://a.example/rss"}, {URL: "ftp://u:" + feedToken + "@a.example/rss?k=" + feedToken}}
		}, "EARSHOT_FEEDS: entry 2: feed URL ftp://REDACTED@a.example/rss?k=REDACTED is not http or https"},
		{"no host", func(c *Config) { c.Feeds = FeedList{{URL: "blog.example.com/feed"}} }, "EARSHOT_FEEDS: entry 1: feed URL blog.example.com/feed is not http or https"},
		{"same after redaction", func(c *Config) {
			c.Feeds = FeedList{{URL: "https://a.example/rss?token=one-" + feedToken}, {URL: "https://a.example/rss?token=two-" + feedToken}}
		}, "EARSHOT_FEEDS: entry 2: https://a.example/rss?token=REDACTED is also entry 1; remove one, or name them"},
		{"named apart", func(c *Config) {
			c.Feeds = FeedList{{Name: "one", URL: "https://a.example/rss?token=1" + feedToken}, {Name: "two", URL: "https://a.example/rss?token=2" + feedToken}}
		}, ""},
		{"duplicate name", func(c *Config) {
			c.Feeds = FeedList{{Name: "news", URL: "https://a.example/rss"}, {Name: "news", URL: "https://b.example/rss"}}
		}, `EARSHOT_FEEDS: entry 2: name "news" is also entry 1's`},
		{"bad name", func(c *Config) { c.Feeds = FeedList{{Name: "a<b>", URL: "https://a.example/rss"}} }, `name "a<b>" is not`},
		{"interval", func(c *Config) { c.FeedsPolling.Interval = 10 * time.Second }, "EARSHOT_FEEDS_INTERVAL 10s is not between 1m and 24h"},
		{"user agent", func(c *Config) { c.FeedsPolling.UserAgent = "a\nb" }, "EARSHOT_FEEDS_USER_AGENT has control characters"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.edit(&c)
			checkValidate(t, c, tc.want, feedToken)
		})
	}
}

func TestLoadFeeds(t *testing.T) {
	t.Setenv("EARSHOT_FEEDS", "blog=https://blog.example.com/feed.xml,https://www.google.com/alerts/feeds/1/2")
	t.Setenv("EARSHOT_FEEDS_INTERVAL", "10m")
	t.Setenv("EARSHOT_FEEDS_USER_AGENT", "acme/1")
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Feeds) != 2 || c.Feeds[0].Name != "blog" || c.FeedsPolling.Interval != 10*time.Minute || c.FeedsPolling.UserAgent != "acme/1" {
		t.Fatalf("feeds %+v polling %+v", c.Feeds, c.FeedsPolling)
	}
	t.Setenv("EARSHOT_FEEDS", "")
	t.Setenv("EARSHOT_FEEDS_INTERVAL", "")
	t.Setenv("EARSHOT_FEEDS_INTERVAL", "soon")
	if _, err := Load(); err == nil || !strings.Contains(err.Error(), "EARSHOT_FEEDS_INTERVAL") {
		t.Fatalf("bad interval: %v", err)
	}
}
