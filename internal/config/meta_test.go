package config

import (
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/sources/meta"
)

const (
	metaSecret = "meta-app-secret-0123456789"
	metaVerify = "meta-verify-token-abcdef"
	metaToken  = "EAAGm0PX4ZCpsBAPAGEtokenSECRET"
)

func TestValidateMeta(t *testing.T) {
	ok := Config{DatabaseURL: "x.db", HTTPAddr: "127.0.0.1:8080", JobWorkers: 4, LogLevel: "info", LogFormat: "text", Sample: "auto"}
	on := func(c *Config) {
		c.Meta = Meta{
			AppSecret: metaSecret, VerifyToken: metaVerify, Pages: MetaPages{{ID: "111", Token: metaToken}},
			GraphURL: "https://graph.facebook.com", GraphVersion: "v21.0", PollInterval: 2 * time.Minute,
		}
	}
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"off", func(*Config) {}, ""},
		{"webhooks", on, ""},
		{"polling only", func(c *Config) {
			on(c)
			c.Meta.AppSecret, c.Meta.VerifyToken, c.Meta.Poll = "", "", []string{"111"}
		}, ""},
		{"instagram", func(c *Config) {
			on(c)
			c.Meta.InstagramAccounts, c.Meta.Poll = MetaAccounts{{ID: "178414", PageID: "111"}}, []string{"178414"}
		}, ""},
		{"secret without pages", func(c *Config) { c.Meta.AppSecret = metaSecret }, "need EARSHOT_META_PAGES"},
		{"pages without secret or poll", func(c *Config) { on(c); c.Meta.AppSecret, c.Meta.VerifyToken = "", "" }, "EARSHOT_META_PAGES needs EARSHOT_META_APP_SECRET (webhooks) or EARSHOT_META_POLL"},
		{"no verify token", func(c *Config) { on(c); c.Meta.VerifyToken = "" }, "EARSHOT_META_APP_SECRET needs EARSHOT_META_VERIFY_TOKEN"},
		{"short verify token", func(c *Config) { on(c); c.Meta.VerifyToken = "abc" }, "EARSHOT_META_VERIFY_TOKEN must be at least 16"},
		{"short secret", func(c *Config) { on(c); c.Meta.AppSecret = "abc" }, "EARSHOT_META_APP_SECRET is shorter than 16"},
		{"account of unknown page", func(c *Config) { on(c); c.Meta.InstagramAccounts = MetaAccounts{{ID: "178414", PageID: "999"}} }, "account 178414 names page 999"},
		{"poll unknown", func(c *Config) { on(c); c.Meta.Poll = []string{"222"} }, `EARSHOT_META_POLL: "222" is not a page`},
		{"poll interval", func(c *Config) { on(c); c.Meta.Poll, c.Meta.PollInterval = []string{"all"}, time.Second }, "EARSHOT_META_POLL_INTERVAL 1s"},
		{"graph url", func(c *Config) { on(c); c.Meta.GraphURL = "graph.facebook.com" }, `EARSHOT_META_GRAPH_URL "graph.facebook.com" is not`},
		{"graph version", func(c *Config) { on(c); c.Meta.GraphVersion = "21" }, `EARSHOT_META_GRAPH_VERSION "21"`},
		{"webhook replies too", func(c *Config) {
			on(c)
			c.WebhookSecret, c.WebhookReplyURLs = strings.Repeat("s", 20), ReplyURLs{"instagram": "https://x.example/r"}
		}, "EARSHOT_WEBHOOK_REPLY_URLS names instagram"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.edit(&c)
			checkValidate(t, c, tc.want, metaSecret, metaVerify, metaToken)
		})
	}
}

func TestMetaPagesDecode(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		n        int
	}{
		{"111:" + metaToken + ", 222:" + metaToken + "2", "", 2},
		{"", "", 0},
		{"111", "entry 1 is not page-id:page-access-token", 0},
		{"abc:" + metaToken, `page id "abc" is not a number`, 0},
		{"111:" + metaToken + ",111:" + metaToken, "page 111 is listed twice", 0},
		{"111:Bearer " + metaToken, `"Bearer" prefix`, 0},
	} {
		var p MetaPages
		err := p.Decode(tc.in)
		switch {
		case tc.want == "" && (err != nil || len(p) != tc.n):
			t.Errorf("%q: %v, %d pages", tc.in, err, len(p))
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%q: error %v, want %q", tc.in, err, tc.want)
		case err != nil && strings.Contains(err.Error(), metaToken):
			t.Errorf("error echoes the token: %v", err)
		}
	}
	var a MetaAccounts
	if err := a.Decode("178414:111"); err != nil || len(a) != 1 || a[0] != (meta.Account{ID: "178414", PageID: "111"}) {
		t.Errorf("accounts %+v %v", a, err)
	}
	if err := a.Decode("178414"); err == nil {
		t.Error("an account without a page decoded")
	}
}

func TestMetaFromEnvironment(t *testing.T) {
	t.Setenv("EARSHOT_META_APP_SECRET", metaSecret)
	t.Setenv("EARSHOT_META_VERIFY_TOKEN", metaVerify)
	t.Setenv("EARSHOT_META_PAGES", "111:"+metaToken)
	t.Setenv("EARSHOT_META_INSTAGRAM_ACCOUNTS", "178414:111")
	t.Setenv("EARSHOT_META_POLL", "178414")
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	m := c.Meta
	if !m.On() || len(m.Pages) != 1 || m.Pages[0].Token != metaToken || !m.Polled("178414") || m.Polled("111") ||
		m.PollInterval != 2*time.Minute || m.GraphVersion != "v21.0" || m.GraphURL != "https://graph.facebook.com" {
		t.Errorf("loaded %+v", m)
	}
	t.Setenv("EARSHOT_META_PAGES", "111:"+metaToken+",xyz")
	if _, err := Load(); err == nil || strings.Contains(err.Error(), metaToken) {
		t.Errorf("bad pages: %v", err)
	}
}
