package config

import (
	"strings"
	"testing"
	"time"
)

const (
	xBearer = "AAAAAAAAAAAAAAAAAAAAAx-secret-bearer"
	xUser   = "x-secret-user-token-value"
	xSecret = "x-secret-consumer-secret"
)

func TestValidateX(t *testing.T) {
	ok := Config{DatabaseURL: "x.db", HTTPAddr: "127.0.0.1:8080", JobWorkers: 4, LogLevel: "info", LogFormat: "text", Sample: "auto"}
	on := func(c *Config) {
		c.X = X{BearerToken: xBearer, Queries: XQueries{"acme -is:retweet"}, Handle: "acmehelp", Mode: "auto",
			MonthlyReadCap: 10000, MonthlyWriteCap: 500, SearchInterval: time.Minute, DeletionCheck: 30 * time.Minute, APIURL: "https://api.x.com"}
	}
	oauth1 := func(c *Config) {
		c.X.ConsumerKey, c.X.ConsumerSecret, c.X.AccessToken, c.X.AccessSecret = "ck", xSecret, "1-at", xSecret+"2"
	}
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"off", func(*Config) {}, ""},
		{"on", on, ""},
		{"user token", func(c *Config) { on(c); c.X.UserToken = xUser }, ""},
		{"oauth1", func(c *Config) { on(c); oauth1(c) }, ""},
		{"replies only", func(c *Config) { c.X.UserToken, c.X.Handle = xUser, "@acmehelp" }, ""},
		{"no handle", func(c *Config) { on(c); c.X.Handle = "" }, "EARSHOT_X_HANDLE is required"},
		{"bad handle", func(c *Config) { on(c); c.X.Handle = "acme.help" }, `EARSHOT_X_HANDLE "acme.help" is not an X username`},
		{"bad user id", func(c *Config) { on(c); c.X.UserID = "acme" }, `EARSHOT_X_USER_ID "acme"`},
		{"queries without token", func(c *Config) { c.X.Queries, c.X.Handle = XQueries{"acme"}, "acmehelp" }, "EARSHOT_X_QUERIES needs EARSHOT_X_BEARER_TOKEN"},
		{"long query", func(c *Config) { on(c); c.X.Queries = XQueries{"ok", strings.Repeat("a", 513)} }, "EARSHOT_X_QUERIES: entry 2: query"},
		{"mode", func(c *Config) { on(c); c.X.Mode = "firehose" }, `EARSHOT_X_MODE "firehose" is not auto, stream or search`},
		{"backfill", func(c *Config) { on(c); c.X.BackfillMinutes = 10 }, "EARSHOT_X_BACKFILL_MINUTES 10 is not between 0 and 5"},
		{"caps", func(c *Config) { on(c); c.X.MonthlyReadCap = -1 }, "EARSHOT_X_MONTHLY_READ_CAP -1 is negative"},
		{"interval", func(c *Config) { on(c); c.X.SearchInterval = time.Second }, "EARSHOT_X_SEARCH_INTERVAL 1s"},
		{"deletions", func(c *Config) { on(c); c.X.DeletionCheck = time.Second }, "EARSHOT_X_DELETION_CHECK 1s"},
		{"api url", func(c *Config) { on(c); c.X.APIURL = "http://api.x.com" }, "EARSHOT_X_API_URL:"},
		{"bearer prefix", func(c *Config) { on(c); c.X.BearerToken = "Bearer " + xBearer }, `EARSHOT_X_BEARER_TOKEN contains spaces or a "Bearer" prefix`},
		{"partial oauth1", func(c *Config) { on(c); c.X.ConsumerKey, c.X.ConsumerSecret = "ck", xSecret },
			"missing EARSHOT_X_ACCESS_TOKEN, EARSHOT_X_ACCESS_SECRET"},
		{"both user credentials", func(c *Config) { on(c); oauth1(c); c.X.UserToken = xUser }, "EARSHOT_X_USER_TOKEN and the OAuth 1.0a keys are both set"},
		{"webhook replies too", func(c *Config) {
			on(c)
			c.X.UserToken = xUser
			c.WebhookSecret, c.WebhookReplyURLs = strings.Repeat("s", 20), ReplyURLs{"x": "https://x.example/r"}
		}, "EARSHOT_WEBHOOK_REPLY_URLS names x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.edit(&c)
			checkValidate(t, c, tc.want, xBearer, xUser, xSecret)
		})
	}
}

func TestXFromEnvironment(t *testing.T) {
	t.Setenv("EARSHOT_X_BEARER_TOKEN", xBearer)
	t.Setenv("EARSHOT_X_QUERIES", "acme OR \"acme app\" -is:retweet; lumio, the app\n")
	t.Setenv("EARSHOT_X_HANDLE", "acmehelp")
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	x := c.X
	if len(x.Queries) != 2 || x.Queries[1] != "lumio, the app" || x.Mode != "auto" || x.MonthlyReadCap != 10000 ||
		x.MonthlyWriteCap != 500 || x.SearchInterval != time.Minute || x.DeletionCheck != 30*time.Minute ||
		x.APIURL != "https://api.x.com" || !x.ReadOn() || x.ReplyOn() {
		t.Fatalf("%+v", x)
	}
}
