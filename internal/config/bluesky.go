package config

import (
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
)

// Bluesky is the EARSHOT_BLUESKY_* settings: watching the network through
// Jetstream, and replying as the brand's account with an app password.
type Bluesky struct {
	// Watch subscribes to Jetstream. Off by default: `go run .` works offline.
	Watch bool `envconfig:"WATCH" default:"false"`
	// JetstreamURLs are the Jetstream hosts, tried in turn.
	JetstreamURLs []string `envconfig:"JETSTREAM_URLS" default:"wss://jetstream1.us-east.bsky.network/subscribe,wss://jetstream2.us-east.bsky.network/subscribe,wss://jetstream1.us-west.bsky.network/subscribe,wss://jetstream2.us-west.bsky.network/subscribe"`
	// Handle is the brand's account (lumio.bsky.social): mentions of it are
	// always caught, and replies are posted as it with AppPassword.
	Handle      string `envconfig:"HANDLE"`
	AppPassword string `envconfig:"APP_PASSWORD"`
	// PDSURL takes the login and the replies; AppViewURL serves profiles,
	// posts and handles.
	PDSURL     string `envconfig:"PDS_URL" default:"https://bsky.social"`
	AppViewURL string `envconfig:"APPVIEW_URL" default:"https://public.api.bsky.app"`
	// ZstdDictionary is the file of the zstd dictionary Jetstream compresses
	// with; set, the stream is compressed (about a fifth of the bandwidth).
	ZstdDictionary string `envconfig:"ZSTD_DICTIONARY"`
}

// ReplyOn reports whether replies are posted on Bluesky.
func (b Bluesky) ReplyOn() bool { return b.Handle != "" && b.AppPassword != "" }

// appPasswordRE is the shape Bluesky gives app passwords: four groups of four.
var appPasswordRE = regexp.MustCompile(`^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$`)

// handleRE is a domain name, the form of every handle.
var handleRE = regexp.MustCompile(`^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$`)

// blueskyErrors checks the Bluesky settings; messages never echo the password.
func (c Config) blueskyErrors() []string {
	b := c.Bluesky
	var errs []string
	h := strings.TrimPrefix(b.Handle, "@")
	if b.Handle != "" && !handleRE.MatchString(h) {
		errs = append(errs, fmt.Sprintf("EARSHOT_BLUESKY_HANDLE %q is not a handle (a domain name, like lumio.bsky.social)", clipValue(b.Handle)))
	}
	switch {
	case b.AppPassword != "" && b.Handle == "":
		errs = append(errs, "EARSHOT_BLUESKY_APP_PASSWORD needs EARSHOT_BLUESKY_HANDLE (the account it belongs to)")
	case b.AppPassword != "" && !appPasswordRE.MatchString(b.AppPassword):
		errs = append(errs, "EARSHOT_BLUESKY_APP_PASSWORD is not an app password (four groups of four, like abcd-efgh-ijkl-mnop): "+
			"create one in Bluesky under Settings → Privacy and security → App passwords; never use the account's own password")
	}
	if b.Watch {
		if len(b.JetstreamURLs) == 0 {
			errs = append(errs, "EARSHOT_BLUESKY_JETSTREAM_URLS is empty while EARSHOT_BLUESKY_WATCH is on")
		}
		for i, u := range b.JetstreamURLs {
			p, err := url.Parse(strings.TrimSpace(u))
			if err != nil || (p.Scheme != "wss" && p.Scheme != "ws") || p.Host == "" {
				errs = append(errs, fmt.Sprintf("EARSHOT_BLUESKY_JETSTREAM_URLS: entry %d %q is not a wss:// URL", i+1, clipValue(u)))
			}
		}
	}
	for _, v := range []struct{ name, value string }{{"EARSHOT_BLUESKY_PDS_URL", b.PDSURL}, {"EARSHOT_BLUESKY_APPVIEW_URL", b.AppViewURL}} {
		if v.value == "" {
			continue
		}
		p, err := url.Parse(v.value)
		if err != nil || p.Host == "" || p.User != nil || (p.Scheme != "https" && !(p.Scheme == "http" && IsLoopback(p.Hostname()))) {
			errs = append(errs, fmt.Sprintf("%s %q is not an https URL (http only on loopback)", v.name, clipValue(v.value)))
		}
	}
	if b.ZstdDictionary != "" {
		if st, err := os.Stat(b.ZstdDictionary); err != nil || st.IsDir() {
			errs = append(errs, fmt.Sprintf("EARSHOT_BLUESKY_ZSTD_DICTIONARY %q is not a readable file", clipValue(b.ZstdDictionary)))
		}
	}
	return errs
}
