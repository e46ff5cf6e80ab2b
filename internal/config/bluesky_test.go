package config

import (
	"os"
	"path/filepath"
	"testing"
)

func TestValidateBluesky(t *testing.T) {
	ok := Config{DatabaseURL: "x.db", HTTPAddr: "127.0.0.1:8080", JobWorkers: 4, LogLevel: "info", LogFormat: "text", Sample: "auto"}
	const pass = "w1x2-y3z4-a5b6-c7d8"
	const mainPassword = "hunter2-my-real-password"
	dict := filepath.Join(t.TempDir(), "dict")
	if err := os.WriteFile(dict, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(*Bluesky)
		want string
	}{
		{"off", func(b *Bluesky) {}, ""},
		{"watch with the defaults", func(b *Bluesky) {
			b.Watch = true
			b.JetstreamURLs = []string{"wss://jetstream1.us-east.bsky.network/subscribe"}
		}, ""},
		{"reply", func(b *Bluesky) { b.Handle, b.AppPassword = "lumio.bsky.social", pass }, ""},
		{"handle with @", func(b *Bluesky) { b.Handle = "@lumio.bsky.social" }, ""},
		{"bad handle", func(b *Bluesky) { b.Handle = "lumio" }, `EARSHOT_BLUESKY_HANDLE "lumio" is not a handle`},
		{"password without handle", func(b *Bluesky) { b.AppPassword = pass }, "EARSHOT_BLUESKY_APP_PASSWORD needs EARSHOT_BLUESKY_HANDLE"},
		{"account password", func(b *Bluesky) { b.Handle, b.AppPassword = "lumio.bsky.social", mainPassword }, "EARSHOT_BLUESKY_APP_PASSWORD is not an app password"},
		{"watch without hosts", func(b *Bluesky) { b.Watch = true }, "EARSHOT_BLUESKY_JETSTREAM_URLS is empty"},
		{"http jetstream", func(b *Bluesky) { b.Watch = true; b.JetstreamURLs = []string{"https://jetstream.example/subscribe"} }, `entry 1 "https://jetstream.example/subscribe" is not a wss:// URL`},
		{"plain http pds", func(b *Bluesky) { b.PDSURL = "http://pds.example" }, "EARSHOT_BLUESKY_PDS_URL"},
		{"loopback appview", func(b *Bluesky) { b.AppViewURL = "http://127.0.0.1:2584" }, ""},
		{"dictionary", func(b *Bluesky) { b.ZstdDictionary = dict }, ""},
		{"missing dictionary", func(b *Bluesky) { b.ZstdDictionary = dict + ".gone" }, "EARSHOT_BLUESKY_ZSTD_DICTIONARY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c.Bluesky)
			checkValidate(t, c, tt.want, pass, mainPassword)
		})
	}
}

func TestBlueskyDefaults(t *testing.T) {
	t.Setenv("EARSHOT_BLUESKY_HANDLE", "lumio.bsky.social")
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	b := c.Bluesky
	if b.Watch || len(b.JetstreamURLs) != 4 || b.PDSURL != "https://bsky.social" || b.AppViewURL != "https://public.api.bsky.app" || b.Handle != "lumio.bsky.social" {
		t.Fatalf("defaults: %+v", b)
	}
}
