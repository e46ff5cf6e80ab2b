package config

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/earshothq/earshot/sources/meta"
)

// Meta is the Facebook pages and Instagram settings (EARSHOT_META_*). It is
// on when at least one page is configured.
type Meta struct {
	// AppSecret (App settings → Basic) signs webhook deliveries; with it
	// set, POST /hooks/meta takes the pages' feed and Instagram changes.
	AppSecret string `envconfig:"APP_SECRET"`
	// VerifyToken is the string typed into the Webhooks product's
	// "Verify token" field; Meta sends it back in the handshake.
	VerifyToken string `envconfig:"VERIFY_TOKEN"`
	// Pages are "page-id:page-access-token" pairs, comma separated.
	Pages MetaPages `envconfig:"PAGES"`
	// InstagramAccounts are "ig-user-id:page-id" pairs: each Instagram
	// professional account is reached with its linked page's token.
	InstagramAccounts MetaAccounts `envconfig:"INSTAGRAM_ACCOUNTS"`
	// Poll lists the page and Instagram account ids read by polling
	// instead of (or besides) webhooks; "all" polls every one.
	Poll []string `envconfig:"POLL"`
	// PollInterval is the time between polls of each feed.
	PollInterval time.Duration `envconfig:"POLL_INTERVAL" default:"2m"`
	// PrivateReplies sends replies privately in Messenger (one per comment,
	// within 7 days) instead of as public comments.
	PrivateReplies bool `envconfig:"PRIVATE_REPLIES"`
	// GraphURL and GraphVersion point the Graph API client (tests use a
	// double).
	GraphURL     string `envconfig:"GRAPH_URL" default:"https://graph.facebook.com"`
	GraphVersion string `envconfig:"GRAPH_VERSION" default:"v21.0"`
}

// On reports whether Meta's sources run.
func (m Meta) On() bool { return len(m.Pages) > 0 }

// Polled reports whether id (a page or account) is polled.
func (m Meta) Polled(id string) bool {
	for _, p := range m.Poll {
		if p == id || p == "all" {
			return true
		}
	}
	return false
}

// MetaPages is EARSHOT_META_PAGES.
type MetaPages []meta.Page

// Decode reads "id:token,id:token". Errors name the entry, never the token.
func (p *MetaPages) Decode(value string) error {
	var out MetaPages
	seen := map[string]bool{}
	for i, pair := range strings.Split(value, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		id, tok, ok := strings.Cut(pair, ":")
		id, tok = strings.TrimSpace(id), strings.TrimSpace(tok)
		switch {
		case !ok || tok == "":
			return fmt.Errorf("entry %d is not page-id:page-access-token", i+1)
		case !digits(id):
			return fmt.Errorf("entry %d: page id %q is not a number", i+1, clipValue(id))
		case seen[id]:
			return fmt.Errorf("page %s is listed twice", id)
		case strings.ContainsAny(tok, " \t\r\n") || strings.HasPrefix(tok, "Bearer"):
			return fmt.Errorf("page %s: the token contains spaces or a \"Bearer\" prefix; give the token alone", id)
		}
		seen[id] = true
		out = append(out, meta.Page{ID: id, Token: tok})
	}
	*p = out
	return nil
}

// MetaAccounts is EARSHOT_META_INSTAGRAM_ACCOUNTS.
type MetaAccounts []meta.Account

// Decode reads "ig-user-id:page-id,…".
func (a *MetaAccounts) Decode(value string) error {
	var out MetaAccounts
	seen := map[string]bool{}
	for i, pair := range strings.Split(value, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		id, page, ok := strings.Cut(pair, ":")
		id, page = strings.TrimSpace(id), strings.TrimSpace(page)
		switch {
		case !ok || !digits(id) || !digits(page):
			return fmt.Errorf("entry %d %q is not ig-user-id:page-id (two numbers)", i+1, clipValue(pair))
		case seen[id]:
			return fmt.Errorf("account %s is listed twice", id)
		}
		seen[id] = true
		out = append(out, meta.Account{ID: id, PageID: page})
	}
	*a = out
	return nil
}

func digits(s string) bool {
	return s != "" && len(s) <= 32 && strings.Trim(s, "0123456789") == ""
}

// metaErrors checks the Meta settings, naming the variable and never
// echoing the app secret, verify token or page tokens.
func (c Config) metaErrors() []string {
	m := c.Meta
	var errs []string
	pages := map[string]bool{}
	for _, p := range m.Pages {
		pages[p.ID] = true
	}
	accounts := map[string]bool{}
	for _, a := range m.InstagramAccounts {
		accounts[a.ID] = true
		if !pages[a.PageID] {
			errs = append(errs, fmt.Sprintf("EARSHOT_META_INSTAGRAM_ACCOUNTS: account %s names page %s, which EARSHOT_META_PAGES does not list (its token reaches the account)", a.ID, a.PageID))
		}
	}
	switch {
	case !m.On() && (m.AppSecret != "" || m.VerifyToken != "" || len(m.InstagramAccounts) > 0 || len(m.Poll) > 0):
		errs = append(errs, "EARSHOT_META_APP_SECRET, _VERIFY_TOKEN, _INSTAGRAM_ACCOUNTS and _POLL need EARSHOT_META_PAGES (page-id:page-access-token)")
	case m.On() && m.AppSecret == "" && len(m.Poll) == 0:
		errs = append(errs, "EARSHOT_META_PAGES needs EARSHOT_META_APP_SECRET (webhooks) or EARSHOT_META_POLL (polling), or both")
	}
	if m.AppSecret != "" && m.VerifyToken == "" {
		errs = append(errs, "EARSHOT_META_APP_SECRET needs EARSHOT_META_VERIFY_TOKEN: Meta's webhook handshake sends it back")
	}
	if m.VerifyToken != "" && len(m.VerifyToken) < 16 {
		errs = append(errs, "EARSHOT_META_VERIFY_TOKEN must be at least 16 characters")
	}
	if m.AppSecret != "" && (len(m.AppSecret) < 16 || strings.ContainsAny(m.AppSecret, " \t\r\n")) {
		errs = append(errs, "EARSHOT_META_APP_SECRET is shorter than 16 characters or contains spaces (App settings → Basic → App secret)")
	}
	for _, p := range m.Poll {
		if p != "all" && !pages[p] && !accounts[p] {
			errs = append(errs, fmt.Sprintf("EARSHOT_META_POLL: %q is not a page of EARSHOT_META_PAGES, an account of EARSHOT_META_INSTAGRAM_ACCOUNTS, or \"all\"", clipValue(p)))
		}
	}
	if len(m.Poll) > 0 && (m.PollInterval < 30*time.Second || m.PollInterval > time.Hour) {
		errs = append(errs, fmt.Sprintf("EARSHOT_META_POLL_INTERVAL %s is not between 30s and 1h", m.PollInterval))
	}
	if u, err := url.Parse(m.GraphURL); m.GraphURL != "" && (err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "") {
		errs = append(errs, fmt.Sprintf("EARSHOT_META_GRAPH_URL %q is not an http(s) URL", clipValue(m.GraphURL)))
	}
	if _, err := meta.NewGraph("", m.GraphVersion, "", nil, nil); err != nil {
		errs = append(errs, fmt.Sprintf("EARSHOT_META_GRAPH_VERSION %q is not like v21.0", clipValue(m.GraphVersion)))
	}
	for _, platform := range []string{meta.Facebook, meta.Instagram} {
		if c.WebhookReplyURLs[platform] != "" && m.On() {
			errs = append(errs, fmt.Sprintf("EARSHOT_WEBHOOK_REPLY_URLS names %s, which EARSHOT_META_PAGES already answers; remove one", platform))
		}
	}
	return errs
}
