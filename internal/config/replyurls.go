package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/earshothq/earshot/sources/webhook"
)

// ReplyURLs maps a webhook platform ("intercom", "zendesk": the platform
// field of mentions sent to /hooks/mentions) to the callback URL its replies
// are POSTed to, signed.
type ReplyURLs map[string]string

var platformName = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,39}$`)

// Decode reads "intercom=https://…,zendesk=https://…". A comma inside a URL
// must be written %2C. Errors name the entry's position or platform, never
// the URL, which may carry a token.
func (r *ReplyURLs) Decode(value string) error {
	m := ReplyURLs{}
	for i, pair := range strings.Split(value, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		name, u, ok := strings.Cut(pair, "=")
		name, u = strings.TrimSpace(name), strings.TrimSpace(u)
		switch {
		case !ok || name == "":
			return fmt.Errorf("entry %d is not platform=url", i+1)
		case !platformName.MatchString(name):
			return fmt.Errorf("entry %d: platform %q: want lower-case letters, digits, '.', '-' and '_'", i+1, clipName(name))
		case u == "":
			return fmt.Errorf("platform %q has no URL", name)
		case m[name] != "":
			return fmt.Errorf("platform %q is listed twice", name)
		}
		m[name] = u
	}
	*r = m
	return nil
}

// check returns a problem per bad URL, naming the platform and host only.
func (r ReplyURLs) check() []string {
	var errs []string
	for _, name := range r.platforms() {
		if err := webhook.CheckCallbackURL(r[name]); err != nil {
			errs = append(errs, fmt.Sprintf("EARSHOT_WEBHOOK_REPLY_URLS: %s: %v", name, err))
		}
	}
	return errs
}

func (r ReplyURLs) platforms() []string {
	names := make([]string, 0, len(r))
	for n := range r {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func clipName(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
