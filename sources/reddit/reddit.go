// Package reddit reads Reddit through its OAuth API and answers there:
// pollers (for the one polling scheduler) for searches, subreddits' new
// posts and comments, the account's inbox (answers to our replies, u/
// mentions) and the deletion of tracked posts; and a replier that comments
// as the account. Every request shares one rate budget (Budget).
package reddit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/sources/poll"
)

// ThreadLister lists the posts of open cases and our replies on a
// platform (store.DB): answers to them are followed whatever the rules
// hear, and their deletion is passed on.
type ThreadLister interface {
	ThreadPosts(ctx context.Context, platform string) ([]string, error)
}

// Options configure the Reddit pollers and replier.
type Options struct {
	Credentials
	// UserAgent is "<platform>:<app id>:<version> (by /u/<user>)".
	UserAgent string
	// APIURL and AuthURL replace oauth.reddit.com and www.reddit.com (tests).
	APIURL, AuthURL string
	// Queries are searched for (posts; the API has no comment search).
	Queries []string
	// Subreddits are watched whole: new posts and new comments.
	Subreddits []string
	// Deny drops search hits from these subreddits.
	Deny []string
	// Interval is the feeds' polling interval (0: the scheduler's default).
	Interval time.Duration
	// Hears is the bot's route pre-check, for the whole-subreddit feeds.
	Hears func(bot.Mention) bool
	// Threads lists the tracked posts; nil follows none.
	Threads ThreadLister
	// Budget is shared by every request; nil makes one.
	Budget *Budget
	// Transport is the HTTP transport under the User-Agent and token
	// layers (nil: http.DefaultTransport).
	Transport http.RoundTripper
	Logger    *slog.Logger
	Now       func() time.Time
}

// Reddit holds what the feeds and the replier share.
type Reddit struct {
	o       Options
	log     *slog.Logger
	budget  *Budget
	app     *client // app-only token: reading
	user    *client // the account's token: posting, inbox; nil without one
	tracked *tracker
	deny    map[string]bool
}

var subredditName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_]{1,20}$`)

// CleanSubreddit takes "r/Name", "/r/Name" or "Name" and returns Name, or
// an error naming the value.
func CleanSubreddit(s string) (string, error) {
	n := strings.TrimSpace(s)
	n = strings.TrimPrefix(n, "/")
	n = strings.TrimPrefix(strings.TrimPrefix(n, "r/"), "R/")
	if !subredditName.MatchString(n) {
		return "", fmt.Errorf("subreddit %q is not a subreddit name (letters, digits and _, 2 to 21 characters)", clip(s))
	}
	return n, nil
}

// CheckUserAgent reports what is wrong with a User-Agent, or nil.
func CheckUserAgent(ua string) error {
	if strings.TrimSpace(ua) == "" {
		return errors.New("empty")
	}
	if len(ua) > 256 || strings.ContainsAny(ua, "\r\n") {
		return errors.New("longer than 256 characters or more than one line")
	}
	if strings.Count(ua, ":") < 2 || !strings.Contains(ua, "(by /u/") {
		return fmt.Errorf("%q is not like \"linux:com.example.earshot:v1.0 (by /u/yourname)\"", clip(ua))
	}
	return nil
}

// ParseBaseURL checks an API or auth base URL: https, or http on loopback.
func ParseBaseURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(s), "/"))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("%q is not an http(s) URL", clip(s))
	}
	if u.Scheme == "http" {
		h := u.Hostname()
		if h != "localhost" && h != "127.0.0.1" && h != "::1" {
			return nil, fmt.Errorf("%q is http; use https (http only on loopback)", clip(s))
		}
	}
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// New checks the options and builds the shared parts. No network call.
func New(o Options) (*Reddit, error) {
	if o.ClientID == "" {
		return nil, errors.New("reddit: no client id")
	}
	if err := CheckUserAgent(o.UserAgent); err != nil {
		return nil, fmt.Errorf("reddit: user agent: %w", err)
	}
	if o.APIURL == "" {
		o.APIURL = DefaultAPIURL
	}
	if o.AuthURL == "" {
		o.AuthURL = DefaultAuthURL
	}
	api, err := ParseBaseURL(o.APIURL)
	if err != nil {
		return nil, fmt.Errorf("reddit: api url: %w", err)
	}
	auth, err := ParseBaseURL(o.AuthURL)
	if err != nil {
		return nil, fmt.Errorf("reddit: auth url: %w", err)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Transport == nil {
		o.Transport = http.DefaultTransport
	}
	if o.Budget == nil {
		o.Budget = NewBudget(DefaultReserve, o.Now)
	}
	for i, s := range o.Subreddits {
		if o.Subreddits[i], err = CleanSubreddit(s); err != nil {
			return nil, fmt.Errorf("reddit: subreddits: %w", err)
		}
	}
	deny := map[string]bool{}
	for _, s := range o.Deny {
		n, err := CleanSubreddit(s)
		if err != nil {
			return nil, fmt.Errorf("reddit: deny: %w", err)
		}
		deny[strings.ToLower(n)] = true
	}
	for i, q := range o.Queries {
		if strings.TrimSpace(q) == "" || len(q) > 512 {
			return nil, fmt.Errorf("reddit: query %d is empty or longer than 512 bytes", i+1)
		}
	}
	ua := uaTransport{ua: o.UserAgent, base: o.Transport}
	tokenClient := &http.Client{Transport: ua, Timeout: 30 * time.Second}
	r := &Reddit{
		o: o, log: o.Logger, budget: o.Budget, deny: deny,
		app:     newClient(api, appTokens(o.Credentials, auth, tokenClient), ua, o.Budget, o.Now),
		tracked: &tracker{lister: o.Threads, now: o.Now, log: o.Logger},
	}
	if o.CanPost() {
		r.user = newClient(api, userTokens(o.Credentials, auth, tokenClient), ua, o.Budget, o.Now)
	}
	return r, nil
}

// Budget is the shared request budget.
func (r *Reddit) Budget() *Budget { return r.budget }

// Pollers are the feeds the options ask for: one search per query, new
// posts and new comments per subreddit, and, with the account's
// credentials, its inbox; plus the watch on tracked posts' deletion.
func (r *Reddit) Pollers() []poll.Poller {
	var ps []poll.Poller
	for _, q := range r.o.Queries {
		ps = append(ps, r.feed("search:"+q, "/search", url.Values{"q": {q}, "sort": {"new"}, "type": {"link"}}, feedSearch))
	}
	for _, s := range r.o.Subreddits {
		ps = append(ps, r.feed("new:"+s, "/r/"+s+"/new", nil, feedWhole))
		ps = append(ps, r.feed("comments:"+s, "/r/"+s+"/comments", nil, feedWhole))
	}
	if r.user != nil {
		ps = append(ps, r.feed("inbox", "/message/inbox", nil, feedInbox))
	}
	if r.o.Threads != nil {
		ps = append(ps, &threadsPoller{r: r})
	}
	return ps
}

// tracker caches the tracked posts' fullnames for a minute, and learns our
// replies at once.
type tracker struct {
	lister ThreadLister
	now    func() time.Time
	log    *slog.Logger

	mu  sync.Mutex
	ids map[string]bool
	at  time.Time
}

const trackedTTL = time.Minute

func (t *tracker) refresh(ctx context.Context) {
	if t.lister == nil {
		return
	}
	t.mu.Lock()
	fresh := t.ids != nil && t.now().Sub(t.at) < trackedTTL
	t.mu.Unlock()
	if fresh {
		return
	}
	ids, err := t.lister.ThreadPosts(ctx, Platform)
	if err != nil {
		t.log.Warn("reddit: tracked threads not read", "err", err)
		return
	}
	set := make(map[string]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	// Our replies learnt since are in the store by now: replace the set.
	t.mu.Lock()
	t.ids, t.at = set, t.now()
	t.mu.Unlock()
}

func (t *tracker) has(id string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return id != "" && t.ids[id]
}

func (t *tracker) add(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ids == nil {
		t.ids = map[string]bool{}
	}
	t.ids[id] = true
}

func (t *tracker) list() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]string, 0, len(t.ids))
	for id := range t.ids {
		out = append(out, id)
	}
	return out
}
