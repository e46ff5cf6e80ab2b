package config

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestLoadDefaults(t *testing.T) {
	for _, k := range []string{"DATABASE_URL", "HTTP_ADDR", "RULES", "WEBHOOK_SECRET", "WEB_TOKEN", "SAMPLE", "LOG_LEVEL"} {
		t.Setenv("EARSHOT_"+k, "") // restores the outer value after the test
		os.Unsetenv("EARSHOT_" + k)
	}
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "earshot.db" || c.HTTPAddr != "127.0.0.1:8080" || c.JobWorkers != 32 || c.TimerInterval != 5*time.Second {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestValidate(t *testing.T) {
	ok := Config{DatabaseURL: "x.db", HTTPAddr: "127.0.0.1:8080", JobWorkers: 4, LogLevel: "info", LogFormat: "text", Sample: "auto"}
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"ok", func(*Config) {}, ""},
		{"public without token", func(c *Config) { c.HTTPAddr = "0.0.0.0:8080" }, `EARSHOT_WEB_TOKEN is required when EARSHOT_HTTP_ADDR ("0.0.0.0:8080")`},
		{"public with token", func(c *Config) { c.HTTPAddr = "0.0.0.0:8080"; c.WebToken = strings.Repeat("k", 20) }, ""},
		{"ipv6 loopback", func(c *Config) { c.HTTPAddr = "[::1]:8080" }, ""},
		{"short token", func(c *Config) { c.WebToken = "abc" }, "EARSHOT_WEB_TOKEN must be at least 16"},
		{"bad addr", func(c *Config) { c.HTTPAddr = "8080" }, `EARSHOT_HTTP_ADDR "8080" is not host:port`},
		{"bad level", func(c *Config) { c.LogLevel = "loud" }, `EARSHOT_LOG_LEVEL "loud"`},
		{"bad format", func(c *Config) { c.LogFormat = "xml" }, `EARSHOT_LOG_FORMAT "xml"`},
		{"workers", func(c *Config) { c.JobWorkers = 0 }, "EARSHOT_JOB_WORKERS 0"},
		{"bad sample", func(c *Config) { c.Sample = "yes" }, `EARSHOT_SAMPLE "yes"`},
		{"short secret", func(c *Config) { c.WebhookSecret = "s" }, "EARSHOT_WEBHOOK_SECRET must be at least 16"},
		{"timer interval", func(c *Config) { c.TimerInterval = -time.Second }, "EARSHOT_TIMER_INTERVAL -1s"},
		{"slow timers", func(c *Config) { c.TimerInterval = 2 * time.Hour }, "EARSHOT_TIMER_INTERVAL 2h0m0s"},
		{"discord", func(c *Config) {
			c.DiscordToken, c.DiscordAppID, c.DiscordGuildIDs = "MTE.discord.token", "1234567890123456789", []string{"987654321098765432"}
			c.DiscordPublicKey = strings.Repeat("ab", 32)
		}, ""},
		{"discord without app id", func(c *Config) { c.DiscordToken = "MTE.discord.token" }, "EARSHOT_DISCORD_TOKEN needs EARSHOT_DISCORD_APP_ID"},
		{"discord Bot prefix", func(c *Config) { c.DiscordToken, c.DiscordAppID = "Bot MTE.x", "1234567890123456789" }, `starts with "Bot "`},
		{"discord app id", func(c *Config) { c.DiscordToken, c.DiscordAppID = "MTE.x", "earshot" }, `EARSHOT_DISCORD_APP_ID "earshot" is not a Discord id`},
		{"discord guild", func(c *Config) {
			c.DiscordToken, c.DiscordAppID, c.DiscordGuildIDs = "MTE.x", "1234567890123456789", []string{"987654321098765432", "my server"}
		}, `EARSHOT_DISCORD_GUILD_IDS: entry 2 "my server"`},
		{"discord key", func(c *Config) {
			c.DiscordToken, c.DiscordAppID, c.DiscordPublicKey = "MTE.x", "1234567890123456789", "xyz"
		}, "EARSHOT_DISCORD_PUBLIC_KEY is not 64 hex"},
		{"discord parts without token", func(c *Config) { c.DiscordAppID = "1234567890123456789" }, "need EARSHOT_DISCORD_TOKEN"},
		{"discord api url", func(c *Config) {
			c.DiscordToken, c.DiscordAppID, c.DiscordAPIURL = "MTE.x", "1234567890123456789", "ftp://x"
		}, "EARSHOT_DISCORD_API_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			err := c.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestErrorsNeverEchoSecrets(t *testing.T) {
	c := Config{DatabaseURL: "x", HTTPAddr: "127.0.0.1:1", JobWorkers: 1, LogLevel: "info", LogFormat: "text", Sample: "auto", WebToken: "tok-short", WebhookSecret: "sec-short"}
	err := c.Validate()
	if err == nil || strings.Contains(err.Error(), "tok-short") || strings.Contains(err.Error(), "sec-short") {
		t.Fatalf("error must reject short secrets without echoing them: %v", err)
	}
}

func TestDiscordErrorsNeverEchoTheToken(t *testing.T) {
	c := Config{DatabaseURL: "x", HTTPAddr: "127.0.0.1:1", JobWorkers: 1, LogLevel: "info", LogFormat: "text", Sample: "auto",
		DiscordToken: "Bot secret-discord-token value"}
	err := c.Validate()
	if err == nil || strings.Contains(err.Error(), "secret-discord-token") {
		t.Fatalf("error must reject the token without echoing it: %v", err)
	}
}

func TestSampleOn(t *testing.T) {
	tests := []struct {
		sample, rules string
		want          bool
	}{
		{"auto", "", true},
		{"auto", "earshot.yaml", false},
		{"true", "earshot.yaml", true},
		{"false", "", false},
	}
	for _, tt := range tests {
		if got := (Config{Sample: tt.sample, Rules: tt.rules}).SampleOn(); got != tt.want {
			t.Errorf("Sample=%s Rules=%q: %v, want %v", tt.sample, tt.rules, got, tt.want)
		}
	}
}

func TestWebUsers(t *testing.T) {
	t.Setenv("EARSHOT_WEB_USERS", "alice=alice-token-0123456789, bob=bob-token-0123456789")
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if c.WebUsers["alice"] != "alice-token-0123456789" || c.WebUsers["bob"] != "bob-token-0123456789" {
		t.Fatalf("users %v", c.WebUsers)
	}
	for _, bad := range []struct{ value, want string }{
		{"alice:secret-value-1", "entry 1 is not name=token"},
		{"alice=", `"alice" has no token`},
		{"alice=short-secret", `token of "alice" must be at least 16`},
		{"a=secret-value-123456,a=secret-value-123456", `"a" is listed twice`},
	} {
		t.Setenv("EARSHOT_WEB_USERS", bad.value)
		_, err := Load()
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: %v, want %q", bad.value, err, bad.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%q: error echoes the token: %v", bad.value, err)
		}
	}
}
