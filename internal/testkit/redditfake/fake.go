// Package redditfake is a fake Reddit for tests, written from Reddit's
// documented formats (shared/platform-apis.md §3), not from the client's
// types: the token endpoint (client_credentials, installed_client and
// password grants, HTTP Basic client auth, the 200-with-"error" refusal),
// listings newest first with after/before/count/limit pagination (search,
// /r/{sub}/new, /r/{sub}/comments, /message/inbox, /api/info,
// /user/{name}/comments), POST /api/comment with the json envelope, and
// the X-Ratelimit-* headers with a budget that runs out into 429s. It
// fails, refuses and sends malformed JSON on demand.
package redditfake

import (
	"encoding/base64"
	"encoding/json"
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

// The credentials the fake accepts.
const (
	ClientID  = "fake-client-id"
	Secret    = "fake-client-secret-0123456789"
	Username  = "acme_care"
	Password  = "fake-password-hunter2-0123"
	AppToken  = "fake-app-token-"  // + a serial number
	UserToken = "fake-user-token-" // + a serial number
)

// Thing is a post (t3) or comment (t1) the fake holds.
type Thing struct {
	Kind      string
	ID        string
	Subreddit string
	Title     string
	Selftext  string
	Body      string
	Author    string
	ParentID  string // comments
	LinkID    string // comments
	Created   time.Time
	// Inbox puts the comment in the account's inbox (a reply to it or a
	// u/ mention).
	Inbox bool
}

// Fullname is kind_id.
func (t Thing) Fullname() string { return t.Kind + "_" + t.ID }

// Permalink is the thing's path on reddit.com.
func (t Thing) Permalink() string {
	if t.Kind == "t3" {
		return fmt.Sprintf("/r/%s/comments/%s/post/", t.Subreddit, t.ID)
	}
	return fmt.Sprintf("/r/%s/comments/%s/post/%s/", t.Subreddit, strings.TrimPrefix(t.LinkID, "t3_"), t.ID)
}

// Request is one request the fake served.
type Request struct {
	Method, Path, UA, Auth string
	Query                  map[string][]string
	Form                   map[string][]string
}

// Fake is a running fake Reddit: both the token endpoint and the API
// (point AuthURL and APIURL at URL()).
type Fake struct {
	srv *httptest.Server

	mu       sync.Mutex
	things   []*Thing // oldest first
	nextID   uint64
	clock    time.Time
	tokens   map[string]string // token → "app" | "user"
	grants   int
	requests []Request

	// Window is the rate budget per window; Remaining what is left of it.
	window, remaining, used int
	reset                   int // X-Ratelimit-Reset (seconds)
	expiresIn               int

	failNext      []int       // statuses to answer the next API calls with
	malformedNext int         // next listings to answer with broken JSON
	refuseNext    [][3]string // envelope errors for the next comments
	missingAfter  bool
	invalidGrant  bool
}

// New starts a fake; it stops with the test.
func New(t testing.TB) *Fake {
	f := &Fake{
		nextID: 36 * 36 * 36 * 36 * 36, clock: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC),
		tokens: map[string]string{}, window: 100, remaining: 100, reset: 300, expiresIn: 3600,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/access_token", f.token)
	mux.HandleFunc("GET /search", f.api(f.search))
	mux.HandleFunc("GET /r/{sub}/search", f.api(f.search))
	mux.HandleFunc("GET /r/{sub}/new", f.api(f.newPosts))
	mux.HandleFunc("GET /r/{sub}/comments", f.api(f.newComments))
	mux.HandleFunc("GET /message/inbox", f.api(f.inbox))
	mux.HandleFunc("GET /api/info", f.api(f.info))
	mux.HandleFunc("GET /user/{name}/comments", f.api(f.userComments))
	mux.HandleFunc("POST /api/comment", f.api(f.comment))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// URL is the fake's base URL.
func (f *Fake) URL() string { return f.srv.URL }

// Now is the fake's clock: the time the next thing is created at.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.clock
}

// Advance moves the clock.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clock = f.clock.Add(d)
}

func (f *Fake) add(t Thing) Thing {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	t.ID = strconv.FormatUint(f.nextID, 36)
	if t.Created.IsZero() {
		t.Created = f.clock
		f.clock = f.clock.Add(time.Second)
	}
	f.things = append(f.things, &t)
	return t
}

// Post creates a post.
func (f *Fake) Post(sub, author, title, selftext string) Thing {
	return f.add(Thing{Kind: "t3", Subreddit: sub, Author: author, Title: title, Selftext: selftext})
}

// PostAt creates a post with a given creation time (search lag, spam
// filter approvals).
func (f *Fake) PostAt(sub, author, title string, at time.Time) Thing {
	return f.add(Thing{Kind: "t3", Subreddit: sub, Author: author, Title: title, Created: at})
}

// Comment answers parent (a t3_ or t1_ fullname). A reply to our account's
// comment lands in its inbox, as on Reddit.
func (f *Fake) Comment(parent, author, body string) Thing {
	p, ok := f.thing(parent)
	if !ok {
		panic("redditfake: no parent " + parent)
	}
	link := p.LinkID
	if p.Kind == "t3" {
		link = p.Fullname()
	}
	return f.add(Thing{Kind: "t1", Subreddit: p.Subreddit, Author: author, Body: body, ParentID: parent, LinkID: link,
		Inbox: strings.EqualFold(p.Author, Username) && !strings.EqualFold(author, Username)})
}

// Delete makes the thing's text "[deleted]" (its author deleted it), or
// "[removed]" when removed is true (the moderators did).
func (f *Fake) Delete(fullname string, removed bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, t := range f.things {
		if t.Fullname() == fullname {
			text := "[deleted]"
			if removed {
				text = "[removed]"
			} else {
				t.Author = "[deleted]"
			}
			if t.Kind == "t3" {
				t.Selftext = text
			} else {
				t.Body = text
			}
		}
	}
}

func (f *Fake) thing(fullname string) (Thing, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, t := range f.things {
		if t.Fullname() == fullname {
			return *t, true
		}
	}
	return Thing{}, false
}

// Things lists what the fake holds, oldest first.
func (f *Fake) Things() []Thing {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Thing, len(f.things))
	for i, t := range f.things {
		out[i] = *t
	}
	return out
}

// SetBudget sets the rate budget left in this window and the reset.
func (f *Fake) SetBudget(remaining, reset int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.remaining, f.used, f.reset = remaining, f.window-remaining, reset
}

// SetTokenLifetime sets expires_in of the tokens granted from now.
func (f *Fake) SetTokenLifetime(seconds int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.expiresIn = seconds
}

// FailNext answers the next API calls with these statuses.
func (f *Fake) FailNext(statuses ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failNext = append(f.failNext, statuses...)
}

// MalformedNext answers the next n API calls with broken JSON.
func (f *Fake) MalformedNext(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.malformedNext = n
}

// RefuseNextComment answers the next POST /api/comment with an envelope
// error [code, message, field].
func (f *Fake) RefuseNextComment(code, message, field string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refuseNext = append(f.refuseNext, [3]string{code, message, field})
}

// RefuseGrants answers token requests with HTTP 200 {"error":"invalid_grant"}.
func (f *Fake) RefuseGrants(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.invalidGrant = on
}

// Grants counts the tokens granted.
func (f *Fake) Grants() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.grants
}

// Requests lists the requests served, token requests included.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

func (f *Fake) record(r *http.Request) {
	_ = r.ParseForm()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, Request{
		Method: r.Method, Path: r.URL.Path, UA: r.UserAgent(), Auth: r.Header.Get("Authorization"),
		Query: r.URL.Query(), Form: r.PostForm,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// token is POST /api/v1/access_token.
func (f *Fake) token(w http.ResponseWriter, r *http.Request) {
	f.record(r)
	id, secret, ok := basicAuth(r)
	if !ok || id != ClientID {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "Unauthorized", "error": 401})
		return
	}
	f.mu.Lock()
	refuse, life := f.invalidGrant, f.expiresIn
	f.mu.Unlock()
	kind := ""
	switch r.PostForm.Get("grant_type") {
	case "client_credentials":
		if secret == Secret {
			kind = "app"
		}
	case "https://oauth.reddit.com/grants/installed_client":
		if secret == "" && len(r.PostForm.Get("device_id")) >= 20 {
			kind = "app"
		}
	case "password":
		if secret == Secret && r.PostForm.Get("username") == Username && r.PostForm.Get("password") == Password {
			kind = "user"
		} else if secret == Secret {
			refuse = true
		}
	default:
		writeJSON(w, http.StatusOK, map[string]any{"error": "unsupported_grant_type"})
		return
	}
	if refuse {
		writeJSON(w, http.StatusOK, map[string]any{"error": "invalid_grant"})
		return
	}
	if kind == "" {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "Unauthorized", "error": 401})
		return
	}
	f.mu.Lock()
	f.grants++
	tok := AppToken
	if kind == "user" {
		tok = UserToken
	}
	tok += strconv.Itoa(f.grants)
	f.tokens[tok] = kind
	f.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "bearer", "expires_in": life, "scope": "*"})
}

func basicAuth(r *http.Request) (string, string, bool) {
	h, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Basic ")
	if !ok {
		return "", "", false
	}
	b, err := base64.StdEncoding.DecodeString(h)
	if err != nil {
		return "", "", false
	}
	id, secret, ok := strings.Cut(string(b), ":")
	return id, secret, ok
}

// api wraps an endpoint with what every API call gets: bearer check,
// the rate budget and its headers, injected failures.
func (f *Fake) api(h func(w http.ResponseWriter, r *http.Request, kind string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.record(r)
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		f.mu.Lock()
		kind := f.tokens[tok]
		if kind == "" {
			f.mu.Unlock()
			writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "Unauthorized", "error": 401})
			return
		}
		limited := f.remaining <= 0
		if !limited {
			f.remaining--
			f.used++
		}
		w.Header().Set("X-Ratelimit-Used", strconv.Itoa(f.used))
		w.Header().Set("X-Ratelimit-Remaining", strconv.Itoa(f.remaining)+".0")
		w.Header().Set("X-Ratelimit-Reset", strconv.Itoa(f.reset))
		var fail int
		if len(f.failNext) > 0 {
			fail, f.failNext = f.failNext[0], f.failNext[1:]
		}
		malformed := f.malformedNext > 0
		if malformed {
			f.malformedNext--
		}
		f.mu.Unlock()
		switch {
		case limited:
			writeJSON(w, http.StatusTooManyRequests, map[string]any{"message": "Too Many Requests", "error": 429})
		case fail != 0:
			if fail == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "7")
			}
			writeJSON(w, fail, map[string]any{"message": http.StatusText(fail), "error": fail})
		case malformed:
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"id": `))
		default:
			h(w, r, kind)
		}
	}
}
