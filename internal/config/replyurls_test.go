package config

import (
	"strings"
	"testing"
)

func TestReplyURLs(t *testing.T) {
	secret := strings.Repeat("s", 20)
	tests := []struct {
		name, env string
		secret    string
		want      map[string]string
		err       string
	}{
		{"two", "intercom=https://hooks.acme.example/earshot, zendesk=https://zd.acme.example/in?token=abc", secret,
			map[string]string{"intercom": "https://hooks.acme.example/earshot", "zendesk": "https://zd.acme.example/in?token=abc"}, ""},
		{"localhost over http", "dev=http://localhost:9000/replies", secret, map[string]string{"dev": "http://localhost:9000/replies"}, ""},
		{"loopback ip", "dev=http://127.0.0.1:9000/r", secret, map[string]string{"dev": "http://127.0.0.1:9000/r"}, ""},
		{"empty", "", "", map[string]string{}, ""},
		{"http elsewhere", "intercom=http://hooks.acme.example/x?token=TOPSECRET", secret, nil, "intercom: callback URL for hooks.acme.example is http"},
		{"credentials", "intercom=https://bob:TOPSECRET@hooks.acme.example/x", secret, nil, "carries credentials"},
		{"not a url", "intercom=hooks.acme.example", secret, nil, "intercom: callback URL is not an absolute URL"},
		{"ftp", "intercom=ftp://files.acme.example/x", secret, nil, `scheme "ftp" is not https`},
		{"no secret", "intercom=https://hooks.acme.example/x", "", nil, "EARSHOT_WEBHOOK_REPLY_URLS needs EARSHOT_WEBHOOK_SECRET"},
		{"no name", "=https://x.example", secret, nil, "entry 1 is not platform=url"},
		{"no equals", "https://x.example", secret, nil, "entry 1 is not platform=url"},
		{"bad name", "Inter Com=https://x.example", secret, nil, `entry 1: platform "Inter Com"`},
		{"twice", "a=https://x.example,a=https://y.example", secret, nil, `platform "a" is listed twice`},
		{"no url", "a=", secret, nil, `platform "a" has no URL`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r ReplyURLs
			err := r.Decode(tt.env)
			if err == nil {
				c := Config{DatabaseURL: "x.db", HTTPAddr: "127.0.0.1:8080", JobWorkers: 4, LogLevel: "info", LogFormat: "text", Sample: "auto",
					WebhookSecret: tt.secret, WebhookReplyURLs: r}
				err = c.Validate()
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				if strings.Contains(err.Error(), "TOPSECRET") {
					t.Fatalf("error %q echoes a secret from the URL", err)
				}
				return
			}
			if err != nil || len(r) != len(tt.want) {
				t.Fatalf("got %v, %v; want %v", r, err, tt.want)
			}
			for k, v := range tt.want {
				if r[k] != v {
					t.Fatalf("%s = %q, want %q", k, r[k], v)
				}
			}
		})
	}
}

func TestReplyURLsFromEnvironment(t *testing.T) {
	t.Setenv("EARSHOT_WEBHOOK_SECRET", strings.Repeat("s", 20))
	t.Setenv("EARSHOT_WEBHOOK_REPLY_URLS", "intercom=https://hooks.acme.example/earshot")
	c, err := Load()
	if err != nil || c.WebhookReplyURLs["intercom"] != "https://hooks.acme.example/earshot" {
		t.Fatalf("loaded %v, %v", c.WebhookReplyURLs, err)
	}
}

// FuzzReplyURLs: any value decodes or fails without panicking; what
// decodes and validates names well-formed platforms and https (or local
// http) URLs; errors never repeat a URL's query, where tokens live.
func FuzzReplyURLs(f *testing.F) {
	for _, s := range []string{
		"intercom=https://hooks.acme.example/earshot,zendesk=https://zd.acme.example/in?token=TOPSECRET",
		"dev=http://localhost:9000/r", "a=http://evil.example/?k=TOPSECRET", "=,=,", "a==b", "x=https://u:TOPSECRET@h.example",
		"a=https://[::1]:80/x", "a=https://%zz", " , a = https://h.example ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var r ReplyURLs
		err := r.Decode(s)
		if err != nil {
			if strings.Contains(err.Error(), "TOPSECRET") {
				t.Fatalf("decode error echoes a secret: %v", err)
			}
			return
		}
		errs := r.check()
		for _, e := range errs {
			if strings.Contains(e, "TOPSECRET") {
				t.Fatalf("check echoes a secret: %v", e)
			}
		}
		if len(errs) > 0 {
			return
		}
		for name, u := range r {
			if !platformName.MatchString(name) {
				t.Fatalf("accepted platform %q", name)
			}
			if !strings.HasPrefix(strings.ToLower(u), "https://") && !strings.HasPrefix(strings.ToLower(u), "http://") {
				t.Fatalf("accepted URL %q", u)
			}
		}
	})
}
