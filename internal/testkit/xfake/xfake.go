// Package xfake is a fake X API v2 for tests, written from the documented
// formats (shared/platform-apis.md §5), not from the client's types: the
// filtered stream (one JSON object per line, "\r\n" keep-alives, one
// connection per app, forced disconnects and stalls, refusals), its rules,
// recent search (since_id, next_token pages, x-rate-limit-* headers, 429s),
// POST /2/tweets (with X's refusals of replies) and GET /2/tweets lookup.
// It can answer with the 2026 "post" field names instead of "tweet" ones.
package xfake

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Credentials the fake accepts.
const (
	AppToken       = "x-fake-app-bearer-AAAAAAAAAAAAAAAAAAAA"
	UserToken      = "x-fake-user-token-BBBBBBBBBBBBBBBBBBBB"
	ConsumerKey    = "x-fake-consumer-key"
	ConsumerSecret = "x-fake-consumer-secret-CCCCCCCC"
	AccessToken    = "1111-x-fake-access-token"
	AccessSecret   = "x-fake-access-secret-DDDDDDDD"
)

// User is an account.
type User struct {
	ID, Name, Username string
	Followers          int
}

// Post is a post the fake holds.
type Post struct {
	ID              string
	Text            string
	AuthorID        string
	CreatedAt       time.Time
	ConversationID  string
	InReplyToUserID string
	ReplyTo         string // replied_to id
	Retweet         string // retweeted id
	Lang            string
	MentionIDs      []string
}

// Refusals of POST /2/tweets, by the id replied to.
const (
	RefuseNotSummoned = "not-summoned"
	RefuseTier        = "tier"
	RefuseRate        = "rate"
	RefuseDuplicate   = "duplicate"
	RefuseServer      = "server"
)

// Reply is a POST /2/tweets the fake accepted or refused.
type Reply struct {
	Text, InReplyTo, Auth string
}

// Fake is the server.
type Fake struct {
	*httptest.Server
	// Me is the brand account replies are posted as.
	Me User

	mu       sync.Mutex
	users    map[string]User
	posts    map[string]Post
	deleted  map[string]bool
	rules    []rule
	ruleSeq  int
	idSeq    int64
	postName bool

	lines      chan string
	drop       chan struct{}
	stall      bool
	keepAlive  time.Duration
	streamRef  *refusal
	connQuery  []string
	connCount  int
	closeConn  chan struct{}
	backfillNo bool

	searchLimit, searchLeft int
	search429               int
	searchReqs              []string

	refuse  map[string]string
	replies []Reply
	auths   []string
}

type rule struct {
	ID, Value, Tag string
}

type refusal struct {
	status int
	body   string
}

// New starts a fake; it closes with the test.
func New(t testing.TB) *Fake {
	f := &Fake{
		Me:    User{ID: "1000", Name: "Acme Support", Username: "acmehelp", Followers: 5000},
		users: map[string]User{}, posts: map[string]Post{}, deleted: map[string]bool{},
		lines: make(chan string, 10_000), drop: make(chan struct{}, 1), keepAlive: 50 * time.Millisecond,
		searchLimit: 450, searchLeft: 450, refuse: map[string]string{},
	}
	f.users[f.Me.ID] = f.Me
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2/tweets/search/stream", f.stream)
	mux.HandleFunc("GET /2/tweets/search/stream/rules", f.listRules)
	mux.HandleFunc("POST /2/tweets/search/stream/rules", f.changeRules)
	mux.HandleFunc("GET /2/tweets/search/recent", f.search)
	mux.HandleFunc("POST /2/tweets", f.create)
	mux.HandleFunc("GET /2/tweets", f.lookup)
	f.Server = httptest.NewServer(mux)
	t.Cleanup(func() {
		f.mu.Lock()
		if f.closeConn != nil {
			close(f.closeConn)
			f.closeConn = nil
		}
		f.mu.Unlock()
		f.Server.CloseClientConnections()
		f.Server.Close()
	})
	return f
}

// AddUser registers an author.
func (f *Fake) AddUser(u User) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users[u.ID] = u
}

// ID returns a new snowflake id for a post created at t.
func (f *Fake) ID(t time.Time) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.newID(t)
}

func (f *Fake) newID(t time.Time) string {
	f.idSeq++
	ms := t.UnixMilli() - 1288834974657
	return strconv.FormatUint(uint64(ms)<<22|uint64(f.idSeq&0x3fffff), 10)
}

// Add stores p (searchable, lookable) without streaming it. An empty ID
// gets one from CreatedAt (now when zero).
func (f *Fake) Add(p Post) Post {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.add(p)
}

func (f *Fake) add(p Post) Post {
	if p.CreatedAt.IsZero() {
		p.CreatedAt = time.Now().UTC()
	}
	if p.ID == "" {
		p.ID = f.newID(p.CreatedAt)
	}
	if p.ConversationID == "" {
		p.ConversationID = p.ID
		if parent, ok := f.posts[p.ReplyTo]; ok {
			p.ConversationID = parent.ConversationID
		}
	}
	f.posts[p.ID] = p
	return p
}

// Stream stores p and sends it on the stream, matched by the rules tagged
// tags.
func (f *Fake) Stream(p Post, tags ...string) Post {
	f.mu.Lock()
	p = f.add(p)
	line := f.envelope(p, tags)
	f.mu.Unlock()
	f.lines <- line
	return p
}

// SendRaw sends one raw line on the stream ("\r\n" appended).
func (f *Fake) SendRaw(line string) { f.lines <- line }

// Delete removes a post: lookups report it missing.
func (f *Fake) Delete(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deleted[id] = true
}

// UsePostNames answers with the 2026 names (referenced_posts, includes.posts).
func (f *Fake) UsePostNames(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.postName = on
}

// Drop closes the current stream connection.
func (f *Fake) Drop() {
	select {
	case f.drop <- struct{}{}:
	default:
	}
}

// Stall stops the keep-alives (and posts) of the stream while on.
func (f *Fake) Stall(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stall = on
}

// RefuseStream makes the stream answer status with body (nil clears it).
func (f *Fake) RefuseStream(status int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if status == 0 {
		f.streamRef = nil
		return
	}
	f.streamRef = &refusal{status, body}
}

// RefuseBackfill makes a connection asking backfill_minutes a 400, as an
// access level without it would.
func (f *Fake) RefuseBackfill(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.backfillNo = on
}

// Connections are the query strings of the stream connections so far.
func (f *Fake) Connections() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.connQuery)
}

// Rules are the stream rules, as value=tag.
func (f *Fake) Rules() map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := map[string]string{}
	for _, r := range f.rules {
		m[r.Value] = r.Tag
	}
	return m
}

// AddRule adds a rule as another tool would.
func (f *Fake) AddRule(value, tag string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ruleSeq++
	f.rules = append(f.rules, rule{ID: strconv.Itoa(1_500_000_000_000_000_000 + f.ruleSeq), Value: value, Tag: tag})
}

// SearchBudget sets the rate-limit window's budget of searches.
func (f *Fake) SearchBudget(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.searchLimit, f.searchLeft = n, n
}

// Search429 makes the next n searches answer 429.
func (f *Fake) Search429(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.search429 = n
}

// Searches are the query strings of the searches so far.
func (f *Fake) Searches() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.searchReqs)
}

// Refuse makes a reply to id fail as kind (Refuse* constants).
func (f *Fake) Refuse(id, kind string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refuse[id] = kind
}

// Replies are the POST /2/tweets requests so far.
func (f *Fake) Replies() []Reply {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.replies)
}

// Auths are the Authorization headers seen, in order.
func (f *Fake) Auths() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.auths)
}

func (f *Fake) appAuth(w http.ResponseWriter, r *http.Request) bool {
	a := r.Header.Get("Authorization")
	f.mu.Lock()
	f.auths = append(f.auths, a)
	f.mu.Unlock()
	if a != "Bearer "+AppToken && a != "Bearer "+UserToken {
		problem(w, http.StatusUnauthorized, "https://api.x.com/2/problems/not-authorized-for-resource", "Unauthorized", "Unauthorized", "")
		return false
	}
	return true
}

// problem writes an RFC 7807 problem.
func problem(w http.ResponseWriter, status int, typ, title, detail, reason string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	p := map[string]any{"type": typ, "title": title, "detail": detail, "status": status}
	if reason != "" {
		p["reason"] = reason
	}
	_ = json.NewEncoder(w).Encode(p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// escape is X's escaping of post text.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// postJSON is p as the API shows it. Caller holds mu.
func (f *Fake) postJSON(p Post) map[string]any {
	m := map[string]any{
		"id": p.ID, "text": escape(p.Text), "author_id": p.AuthorID,
		"created_at": p.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z"), "conversation_id": p.ConversationID,
	}
	hist := "edit_history_tweet_ids"
	refs := "referenced_tweets"
	if f.postName {
		hist, refs = "edit_history_post_ids", "referenced_posts"
	}
	m[hist] = []string{p.ID}
	if p.Lang != "" {
		m["lang"] = p.Lang
	}
	if p.InReplyToUserID != "" {
		m["in_reply_to_user_id"] = p.InReplyToUserID
	}
	var rs []map[string]string
	if p.ReplyTo != "" {
		rs = append(rs, map[string]string{"type": "replied_to", "id": p.ReplyTo})
	}
	if p.Retweet != "" {
		rs = append(rs, map[string]string{"type": "retweeted", "id": p.Retweet})
	}
	if rs != nil {
		m[refs] = rs
	}
	if len(p.MentionIDs) > 0 {
		var ms []map[string]any
		for _, id := range p.MentionIDs {
			u := f.users[id]
			ms = append(ms, map[string]any{"start": 0, "end": len(u.Username) + 1, "username": u.Username, "id": id})
		}
		m["entities"] = map[string]any{"mentions": ms}
	}
	return m
}

func (f *Fake) userJSON(id string) (map[string]any, bool) {
	u, ok := f.users[id]
	if !ok {
		return nil, false
	}
	return map[string]any{"id": u.ID, "name": u.Name, "username": u.Username,
		"public_metrics": map[string]int{"followers_count": u.Followers, "following_count": 10, "tweet_count": 100, "listed_count": 1}}, true
}

func (f *Fake) includes(ps []Post) map[string]any {
	var users []map[string]any
	seen := map[string]bool{}
	for _, p := range ps {
		if seen[p.AuthorID] {
			continue
		}
		seen[p.AuthorID] = true
		if u, ok := f.userJSON(p.AuthorID); ok {
			users = append(users, u)
		}
	}
	if users == nil {
		return nil
	}
	return map[string]any{"users": users}
}

// envelope is a stream line. Caller holds mu.
func (f *Fake) envelope(p Post, tags []string) string {
	var mr []map[string]string
	for _, tag := range tags {
		id := "0"
		for _, r := range f.rules {
			if r.Tag == tag {
				id = r.ID
			}
		}
		mr = append(mr, map[string]string{"id": id, "tag": tag})
	}
	env := map[string]any{"data": f.postJSON(p), "matching_rules": mr}
	if in := f.includes([]Post{p}); in != nil {
		env["includes"] = in
	}
	b, _ := json.Marshal(env)
	return string(b)
}

func idLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
