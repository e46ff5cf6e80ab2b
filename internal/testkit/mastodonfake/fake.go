// Package mastodonfake is a fake Mastodon instance for tests: the REST
// calls earshot makes (verify_credentials, instance, notifications and
// timelines with min_id/since_id/max_id and Link pagination, search,
// statuses create/get/context, account statuses) and the streaming API's
// server-sent-events endpoints (update, notification and delete events,
// ":thump" heartbeats). It is written from Mastodon's documented formats
// (shared/platform-apis.md §2), not from the client's types. It answers
// with X-RateLimit-* headers, honours Idempotency-Key, and fails, limits,
// drops streams or refuses to stream on demand.
package mastodonfake

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Token is the access token the fake accepts.
const Token = "masto-fake-user-token-0123456789abcdef"

// Account is an account as the API shows it.
type Account struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	Acct        string `json:"acct"`
	DisplayName string `json:"display_name"`
	URL         string `json:"url"`
	Followers   int    `json:"followers_count"`
	Following   int    `json:"following_count"`
	Statuses    int    `json:"statuses_count"`
	Bot         bool   `json:"bot"`
	CreatedAt   string `json:"created_at"`
}

// Mention is an account mentioned in a status.
type Mention struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	URL      string `json:"url"`
	Acct     string `json:"acct"`
}

// Tag is a hashtag in a status.
type Tag struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Status is a status as the API shows it.
type Status struct {
	ID                 string    `json:"id"`
	URI                string    `json:"uri"`
	URL                string    `json:"url"`
	CreatedAt          string    `json:"created_at"`
	Account            Account   `json:"account"`
	Content            string    `json:"content"`
	Visibility         string    `json:"visibility"`
	Sensitive          bool      `json:"sensitive"`
	SpoilerText        string    `json:"spoiler_text"`
	MediaAttachments   []any     `json:"media_attachments"`
	Mentions           []Mention `json:"mentions"`
	Tags               []Tag     `json:"tags"`
	Emojis             []any     `json:"emojis"`
	ReblogsCount       int       `json:"reblogs_count"`
	FavouritesCount    int       `json:"favourites_count"`
	RepliesCount       int       `json:"replies_count"`
	InReplyToID        *string   `json:"in_reply_to_id"`
	InReplyToAccountID *string   `json:"in_reply_to_account_id"`
	Reblog             *Status   `json:"reblog"`
	Language           *string   `json:"language"`
	EditedAt           *string   `json:"edited_at"`

	// Text is what was posted, before formatting (not sent).
	Text           string `json:"-"`
	IdempotencyKey string `json:"-"`
}

// Notification is a notification as the API shows it.
type Notification struct {
	ID        string  `json:"id"`
	Type      string  `json:"type"`
	CreatedAt string  `json:"created_at"`
	GroupKey  string  `json:"group_key"`
	Account   Account `json:"account"`
	Status    *Status `json:"status,omitempty"`
}

// Post is a status to put on the fake, as if someone posted it.
type Post struct {
	Acct string // author; the brand account when empty
	Text string // plain text, formatted like Mastodon does (links, mentions, tags)
	// HTML, when set, is the content as is (a remote server's markup).
	HTML        string
	InReplyTo   string
	Visibility  string // public when empty
	SpoilerText string
	Language    string
	CreatedAt   time.Time
	// Boost makes a boost of the status with this id instead.
	Boost string
}

type failure struct {
	route  string
	status int
	after  bool // apply the request, then fail
	n      int
}

// Fake is a running fake instance.
type Fake struct {
	srv *httptest.Server
	// Heartbeat is how often streams send ":thump"; default 200ms.
	Heartbeat time.Duration

	mu        sync.Mutex
	host      string
	nextID    int64
	me        *Account
	accounts  map[string]*Account // by lower-case acct
	statuses  []*Status           // ascending id
	byID      map[string]*Status
	deleted   map[string]bool
	notifs    []*Notification
	follows   map[string]bool // accounts the brand follows (home timeline)
	idem      map[string]string
	subs      map[*sub]bool
	streaming int // 0: on; else the status every stream request gets
	maxChars  int
	counts    map[string]int
	fails     []failure
	limit     int
	remaining int
	resetAt   time.Time
	now       func() time.Time
}

// New starts a fake instance with one brand account, @lumio; it stops when
// the test ends.
func New(tb testing.TB) *Fake {
	tb.Helper()
	f := &Fake{
		Heartbeat: 200 * time.Millisecond,
		nextID:    110_000_000_000_000_000,
		accounts:  map[string]*Account{}, byID: map[string]*Status{}, deleted: map[string]bool{},
		follows: map[string]bool{}, idem: map[string]string{}, subs: map[*sub]bool{}, counts: map[string]int{},
		maxChars: 500, limit: 300, now: time.Now,
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	f.host = strings.TrimPrefix(f.srv.URL, "http://")
	f.me = f.addAccount("lumio", "Lumio", 5400)
	tb.Cleanup(f.Close)
	return f
}

// Close drops every stream and stops the server.
func (f *Fake) Close() {
	f.DropStreams()
	f.srv.CloseClientConnections()
	f.srv.Close()
}

// URL is the instance's address (EARSHOT_MASTODON_SERVER).
func (f *Fake) URL() string { return f.srv.URL }

// Me is the brand account the token belongs to.
func (f *Fake) Me() Account {
	f.mu.Lock()
	defer f.mu.Unlock()
	return *f.me
}

// AddAccount makes an account: "name" is local, "name@host" remote.
func (f *Fake) AddAccount(acct, display string, followers int) Account {
	f.mu.Lock()
	defer f.mu.Unlock()
	return *f.addAccount(acct, display, followers)
}

func (f *Fake) addAccount(acct, display string, followers int) *Account {
	if a := f.accounts[strings.ToLower(acct)]; a != nil {
		return a
	}
	user, host, remote := strings.Cut(acct, "@")
	if !remote {
		host = "mastodon.example"
	}
	a := &Account{ID: strconv.Itoa(1 + len(f.accounts)), Username: user, Acct: acct, DisplayName: display,
		URL: "https://" + host + "/@" + user, Followers: followers, CreatedAt: "2022-04-01T00:00:00.000Z"}
	f.accounts[strings.ToLower(acct)] = a
	return a
}

// Follow puts acct's statuses in the brand's home timeline.
func (f *Fake) Follow(acct string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.follows[f.addAccount(acct, "", 0).ID] = true
}

// SetStreaming makes every stream request answer code (404, 501, …); 0
// streams again. Streams already open are not touched (see DropStreams).
func (f *Fake) SetStreaming(code int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.streaming = code
}

// SetMaxCharacters sets configuration.statuses.max_characters.
func (f *Fake) SetMaxCharacters(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.maxChars = n
}

// SetRateLimit sets the requests per 5 minutes and how many are left.
func (f *Fake) SetRateLimit(limit, remaining int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limit, f.remaining, f.resetAt = limit, remaining, f.now().Add(5*time.Minute)
}

// Fail makes the next n requests to route ("POST /api/v1/statuses",
// "GET /api/v1/notifications", …) answer status; with after, the request
// is applied first (the caller never hears it worked).
func (f *Fake) Fail(route string, status, n int, after bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fails = append(f.fails, failure{route: route, status: status, n: n, after: after})
}

// Count is how many requests route got.
func (f *Fake) Count(route string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[route]
}

// Status returns a status by id.
func (f *Fake) Status(id string) (Status, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.byID[id]
	if !ok {
		return Status{}, false
	}
	return *s, true
}

// PostedBy returns acct's statuses, oldest first.
func (f *Fake) PostedBy(acct string) []Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Status
	for _, s := range f.statuses {
		if strings.EqualFold(s.Account.Acct, acct) {
			out = append(out, *s)
		}
	}
	return out
}

// Post puts a status on the instance, notifies and streams it, and
// returns it.
func (f *Fake) Post(p Post) Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, err := f.post(p)
	if err != nil {
		panic(err) // a test's own mistake
	}
	return *s
}

func (f *Fake) post(p Post) (*Status, error) {
	author := f.me
	if p.Acct != "" {
		author = f.addAccount(p.Acct, "", 0)
	}
	if p.Visibility == "" {
		p.Visibility = "public"
	}
	created := p.CreatedAt
	if created.IsZero() {
		created = f.now()
	}
	f.nextID++
	id := strconv.FormatInt(f.nextID, 10)
	host := "mastodon.example"
	if _, h, ok := strings.Cut(author.Acct, "@"); ok {
		host = h
	}
	s := &Status{
		ID: id, URI: fmt.Sprintf("https://%s/users/%s/statuses/%s", host, author.Username, id),
		URL:       fmt.Sprintf("https://%s/@%s/%s", host, author.Username, id),
		CreatedAt: created.UTC().Format("2006-01-02T15:04:05.000Z"), Account: *author,
		Visibility: p.Visibility, SpoilerText: p.SpoilerText, Sensitive: p.SpoilerText != "",
		MediaAttachments: []any{}, Mentions: []Mention{}, Tags: []Tag{}, Emojis: []any{}, Text: p.Text,
	}
	if p.Boost != "" {
		orig, ok := f.byID[p.Boost]
		if !ok {
			return nil, fmt.Errorf("boost of unknown status %s", p.Boost)
		}
		c := *orig
		s.Reblog = &c
	} else if p.HTML != "" {
		s.Content = p.HTML
	} else {
		s.Content = f.format(p.Text, s)
	}
	if p.Language != "" {
		s.Language = &p.Language
	}
	if p.InReplyTo != "" {
		parent, ok := f.byID[p.InReplyTo]
		if !ok {
			return nil, errNotFound
		}
		s.InReplyToID, s.InReplyToAccountID = &parent.ID, &parent.Account.ID
		parent.RepliesCount++
	}
	f.statuses = append(f.statuses, s)
	f.byID[id] = s
	author.Statuses++
	f.distribute(s)
	return s, nil
}

// Delete removes a status and streams its deletion.
func (f *Fake) Delete(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st, ok := f.byID[id]
	if !ok {
		return
	}
	f.distributeDelete(st)
	delete(f.byID, id)
	f.deleted[id] = true
	f.statuses = slices.DeleteFunc(f.statuses, func(s *Status) bool { return s.ID == id })
	f.notifs = slices.DeleteFunc(f.notifs, func(n *Notification) bool { return n.Status != nil && n.Status.ID == id })
}

// distributeDelete streams a deletion where the status was streamed, as
// Mastodon's RemoveStatusService does: the home of who had it and of the
// accounts it mentions, its hashtags, the public timelines.
func (f *Fake) distributeDelete(s *Status) {
	fr := frame{event: "delete", data: []byte(s.ID)}
	if f.inHome(s) || hasMention(s.Mentions, f.me.ID) {
		f.push("user", "", fr)
	}
	if s.Visibility != "public" {
		return
	}
	for _, t := range s.Tags {
		f.push("hashtag", t.Name, fr)
	}
	f.push("public", "", fr)
	if strings.Contains(s.Account.Acct, "@") {
		f.push("public:remote", "", fr)
	} else {
		f.push("public:local", "", fr)
	}
}

var errNotFound = fmt.Errorf("not found")

// visibleTo reports whether the brand account can see s.
func (f *Fake) visible(s *Status) bool {
	switch s.Visibility {
	case "public", "unlisted":
		return true
	}
	if s.Account.ID == f.me.ID {
		return true
	}
	for _, m := range s.Mentions {
		if m.ID == f.me.ID {
			return true
		}
	}
	return s.Visibility == "private" && f.follows[s.Account.ID]
}
