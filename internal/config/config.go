// Package config reads earshot's process settings from the environment
// (EARSHOT_*). Teams, routes and reactions live in the rules file instead,
// because they change with the business, not with the deployment.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/kelseyhightower/envconfig"

	"github.com/earshothq/earshot/llm"
)

// Config is every process setting. Field docs are the README's reference.
type Config struct {
	// DatabaseURL is a SQLite file path or a postgres:// URL.
	DatabaseURL string `envconfig:"DATABASE_URL" default:"earshot.db"`
	// HTTPAddr is where the web inbox, webhooks, /healthz and /metrics listen.
	HTTPAddr string `envconfig:"HTTP_ADDR" default:"127.0.0.1:8080"`
	// Rules is the rules file; empty means the embedded example.
	Rules string `envconfig:"RULES"`
	// WebhookSecret signs POST /hooks/mentions; empty disables the endpoint.
	WebhookSecret string `envconfig:"WEBHOOK_SECRET"`
	// WebhookReplyURLs names, per webhook platform, where replies to its
	// mentions are POSTed, signed with WebhookSecret.
	WebhookReplyURLs ReplyURLs `envconfig:"WEBHOOK_REPLY_URLS"`
	// WebToken guards the web inbox; required unless HTTPAddr is loopback.
	WebToken string `envconfig:"WEB_TOKEN"`
	// WebUsers gives people their own web tokens ("alice=tok1,bob=tok2"), so
	// the inbox knows who acts: teams that list members require it.
	WebUsers WebUsers `envconfig:"WEB_USERS"`
	// Sample replays the bundled sample mentions at start: "auto" does so
	// only with the embedded example rules (the first run), so a deployment
	// with its own rules never sees the example brand's mentions.
	Sample string `envconfig:"SAMPLE" default:"auto"`
	// SampleInterval paces the sample so it arrives as if live.
	SampleInterval time.Duration `envconfig:"SAMPLE_INTERVAL" default:"150ms"`
	// Replay is a JSONL file of mentions to replay at start.
	Replay string `envconfig:"REPLAY"`
	// SlackBotToken (xoxb-…) turns the Slack surface on. With SlackAppToken
	// (xapp-…) events come over Socket Mode; otherwise Slack posts them to
	// /slack/events, /slack/interactivity and /slack/commands, signed with
	// SlackSigningSecret.
	SlackBotToken      string `envconfig:"SLACK_BOT_TOKEN"`
	SlackAppToken      string `envconfig:"SLACK_APP_TOKEN"`
	SlackSigningSecret string `envconfig:"SLACK_SIGNING_SECRET"`
	// SlackAPIURL points the Slack client elsewhere (a test double).
	SlackAPIURL string `envconfig:"SLACK_API_URL"`
	// GitHubToken (a token with issues read and write on the defect
	// repositories) turns filing defects in GitHub on; GitHubAPIURL is
	// GitHub Enterprise Server's https://HOST/api/v3/ (or a test double).
	// GitHubWebhookSecret signs POST /hooks/github; empty disables it.
	GitHubToken         string `envconfig:"GITHUB_TOKEN"`
	GitHubAPIURL        string `envconfig:"GITHUB_API_URL"`
	GitHubWebhookSecret string `envconfig:"GITHUB_WEBHOOK_SECRET"`
	// PublicURL is the web inbox's address as people reach it
	// (https://earshot.example.com), for links to cases in issues.
	PublicURL string `envconfig:"PUBLIC_URL"`
	// DiscordToken turns the Discord surface on (see discord.go).
	DiscordToken     string   `envconfig:"DISCORD_TOKEN"`
	DiscordAppID     string   `envconfig:"DISCORD_APP_ID"`
	DiscordGuildIDs  []string `envconfig:"DISCORD_GUILD_IDS"`
	DiscordPublicKey string   `envconfig:"DISCORD_PUBLIC_KEY"`
	// DiscordAPIURL sends Discord's REST calls elsewhere (a test double).
	DiscordAPIURL string `envconfig:"DISCORD_API_URL"`
	// Mastodon watches and answers from a Mastodon account (see mastodon.go).
	Mastodon Mastodon `envconfig:"MASTODON"`
	// Bluesky watches Bluesky and replies there (EARSHOT_BLUESKY_*, see bluesky.go).
	Bluesky Bluesky `envconfig:"BLUESKY"`
	// HackerNews searches Hacker News (EARSHOT_HACKERNEWS_*, see hackernews.go).
	HackerNews HackerNews `envconfig:"HACKERNEWS"`
	// GitHubSearch searches other repositories' issues (EARSHOT_GITHUB_SEARCH_*, see githubsearch.go).
	GitHubSearch GitHubSearch `envconfig:"GITHUB_SEARCH"`
	// Feeds are the RSS/Atom feeds and Google Alerts watched (EARSHOT_FEEDS);
	// FeedsPolling is EARSHOT_FEEDS_INTERVAL and _USER_AGENT (see feeds.go).
	Feeds        FeedList     `envconfig:"FEEDS"`
	FeedsPolling FeedsPolling `envconfig:"FEEDS"`
	// Reddit watches Reddit and replies there (EARSHOT_REDDIT_*, see reddit.go).
	Reddit Reddit `envconfig:"REDDIT"`
	// Meta watches Facebook pages and Instagram accounts and answers there (EARSHOT_META_*, see meta.go).
	Meta Meta `envconfig:"META"`
	// X reads X (Twitter) and replies there (EARSHOT_X_*, see x.go).
	X X `envconfig:"X"`
	// LLM is an OpenAI-compatible model for drafts (EARSHOT_LLM_BASE_URL,
	// _API_KEY, _MODEL, …); without a base URL or key the built-in drafter
	// writes them.
	LLM llm.Config `envconfig:"LLM"`
	// PollConcurrency is how many polled feeds (Reddit, Hacker News,
	// GitHub search, RSS, fallbacks) are read at once.
	PollConcurrency int `envconfig:"POLL_CONCURRENCY" default:"4"`
	// JobWorkers is how many durable jobs run at once per replica.
	JobWorkers int `envconfig:"JOB_WORKERS" default:"32"`
	// TimerInterval is how often each replica fires due SLA and escalation
	// timers; zero is the default (5s).
	TimerInterval time.Duration `envconfig:"TIMER_INTERVAL" default:"5s"`
	// LogLevel is debug, info, warn or error; LogFormat is text or json.
	LogLevel  string `envconfig:"LOG_LEVEL" default:"info"`
	LogFormat string `envconfig:"LOG_FORMAT" default:"text"`
}

// Load reads the environment and validates it, naming the offending variable.
func Load() (Config, error) {
	var c Config
	if err := envconfig.Process("earshot", &c); err != nil {
		var pe *envconfig.ParseError
		if errors.As(err, &pe) {
			// ParseError prints the raw value, which may be a secret.
			return Config{}, fmt.Errorf("config: %s: %w", pe.KeyName, pe.Err)
		}
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return c, c.Validate()
}

// Validate checks values that parse but cannot work.
func (c Config) Validate() error {
	var errs []string
	if strings.TrimSpace(c.DatabaseURL) == "" {
		errs = append(errs, "EARSHOT_DATABASE_URL is empty")
	}
	host, port, err := net.SplitHostPort(c.HTTPAddr)
	if err != nil || port == "" {
		errs = append(errs, fmt.Sprintf("EARSHOT_HTTP_ADDR %q is not host:port", c.HTTPAddr))
	} else if !IsLoopback(host) && c.WebToken == "" && len(c.WebUsers) == 0 {
		errs = append(errs, fmt.Sprintf("EARSHOT_WEB_TOKEN is required when EARSHOT_HTTP_ADDR (%q) is not a loopback address", c.HTTPAddr))
	}
	if c.WebToken != "" && len(c.WebToken) < 16 {
		errs = append(errs, "EARSHOT_WEB_TOKEN must be at least 16 characters")
	}
	for _, name := range c.WebUsers.names() {
		if len(c.WebUsers[name]) < 16 {
			errs = append(errs, fmt.Sprintf("EARSHOT_WEB_USERS: the token of %q must be at least 16 characters", name))
		}
	}
	if c.WebhookSecret != "" && len(c.WebhookSecret) < 16 {
		errs = append(errs, "EARSHOT_WEBHOOK_SECRET must be at least 16 characters")
	}
	if len(c.WebhookReplyURLs) > 0 && c.WebhookSecret == "" {
		errs = append(errs, "EARSHOT_WEBHOOK_REPLY_URLS needs EARSHOT_WEBHOOK_SECRET: replies are signed with it")
	}
	errs = append(errs, c.WebhookReplyURLs.check()...)
	switch {
	case c.SlackBotToken != "" && !strings.HasPrefix(c.SlackBotToken, "xoxb-"):
		errs = append(errs, "EARSHOT_SLACK_BOT_TOKEN does not start with xoxb- (a bot token)")
	case c.SlackAppToken != "" && !strings.HasPrefix(c.SlackAppToken, "xapp-"):
		errs = append(errs, "EARSHOT_SLACK_APP_TOKEN does not start with xapp- (an app-level token)")
	case c.SlackBotToken != "" && c.SlackAppToken == "" && c.SlackSigningSecret == "":
		errs = append(errs, "EARSHOT_SLACK_BOT_TOKEN needs EARSHOT_SLACK_APP_TOKEN (Socket Mode) or EARSHOT_SLACK_SIGNING_SECRET (HTTP mode)")
	case c.SlackBotToken == "" && (c.SlackAppToken != "" || c.SlackSigningSecret != ""):
		errs = append(errs, "EARSHOT_SLACK_APP_TOKEN and EARSHOT_SLACK_SIGNING_SECRET need EARSHOT_SLACK_BOT_TOKEN")
	}
	errs = append(errs, c.validateGitHub()...)
	errs = append(errs, c.discordErrors()...)
	errs = append(errs, c.mastodonErrors()...)
	errs = append(errs, c.blueskyErrors()...)
	errs = append(errs, c.hackerNewsErrors()...)
	errs = append(errs, c.gitHubSearchErrors()...)
	errs = append(errs, c.feedsErrors()...)
	errs = append(errs, c.redditErrors()...)
	errs = append(errs, c.metaErrors()...)
	errs = append(errs, c.xErrors()...)
	if c.LLM.Enabled() && strings.TrimSpace(c.LLM.Model) == "" {
		errs = append(errs, "EARSHOT_LLM_MODEL is required when EARSHOT_LLM_BASE_URL or EARSHOT_LLM_API_KEY is set")
	}
	if c.PollConcurrency < 0 || c.PollConcurrency > 64 {
		errs = append(errs, fmt.Sprintf("EARSHOT_POLL_CONCURRENCY is %d; give 1 to 64", c.PollConcurrency))
	}
	if c.JobWorkers < 1 || c.JobWorkers > 256 {
		errs = append(errs, fmt.Sprintf("EARSHOT_JOB_WORKERS %d is not between 1 and 256", c.JobWorkers))
	}
	if _, err := c.Level(); err != nil {
		errs = append(errs, err.Error())
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Sprintf("EARSHOT_LOG_FORMAT %q is not text or json", c.LogFormat))
	}
	if c.Sample != "auto" && c.Sample != "true" && c.Sample != "false" {
		errs = append(errs, fmt.Sprintf("EARSHOT_SAMPLE %q is not auto, true or false", c.Sample))
	}
	if c.TimerInterval < 0 || c.TimerInterval > time.Hour {
		errs = append(errs, fmt.Sprintf("EARSHOT_TIMER_INTERVAL %s is not between 0 (the default, 5s) and 1h", c.TimerInterval))
	}
	if c.SampleInterval < 0 {
		errs = append(errs, fmt.Sprintf("EARSHOT_SAMPLE_INTERVAL %s is negative", c.SampleInterval))
	}
	if len(errs) > 0 {
		return fmt.Errorf("config: %s", strings.Join(errs, "; "))
	}
	return nil
}

// SampleOn reports whether the bundled sample is replayed at start.
func (c Config) SampleOn() bool {
	return c.Sample == "true" || (c.Sample == "auto" && c.Rules == "")
}

// Level is the parsed log level.
func (c Config) Level() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return 0, fmt.Errorf("EARSHOT_LOG_LEVEL %q is not debug, info, warn or error", c.LogLevel)
	}
	return l, nil
}

// IsLoopback reports whether host only accepts connections from this machine.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Usage prints the variables envconfig knows, for --help.
func Usage() string {
	var b strings.Builder
	_ = envconfig.Usagef("earshot", &Config{}, &b, "  {{range .}}{{usage_key .}}\t{{usage_default .}}\n{{end}}")
	return b.String()
}

// WebUsers maps a person's name to their own web token.
type WebUsers map[string]string

// Decode reads "name=token,name=token". Errors name the entry's position or
// name, never a token.
func (u *WebUsers) Decode(value string) error {
	m := WebUsers{}
	for i, pair := range strings.Split(value, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		name, tok, ok := strings.Cut(pair, "=")
		name = strings.TrimSpace(name)
		switch {
		case !ok || name == "":
			return fmt.Errorf("entry %d is not name=token", i+1)
		case tok == "":
			return fmt.Errorf("%q has no token", name)
		case m[name] != "":
			return fmt.Errorf("%q is listed twice", name)
		}
		m[name] = tok
	}
	*u = m
	return nil
}

func (u WebUsers) names() []string {
	names := make([]string, 0, len(u))
	for n := range u {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
