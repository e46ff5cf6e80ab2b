// Package githubfake is a fake of the parts of GitHub's REST API earshot
// uses — issues (create, get, list), comments (create, list) and issue
// search — and a sender of signed webhook deliveries. It is written from
// GitHub's documented formats (shared/platform-apis.md §6), not from
// go-github's types, so tests that drive it with go-github check that the
// two agree. Rate limits (primary 403, secondary 403, 429) and failures
// are given on demand; every request is counted.
package githubfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Token is the token the fake accepts (Authorization: Bearer Token).
const Token = "ghp_fake_token_for_tests_0123456789"

// Issue is an issue as the fake keeps it.
type Issue struct {
	Repo        string
	Number      int
	Title, Body string
	Labels      []string
	State       string // "open" or "closed"
	StateReason string
	Comments    []Comment
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Comment is an issue comment.
type Comment struct {
	ID        int64
	Body      string
	CreatedAt time.Time
}

// Limit is a rate limit the fake answers with.
type Limit int

const (
	// Primary is 403 with x-ratelimit-remaining: 0 and the reset time.
	Primary Limit = iota + 1
	// Secondary is 403 with a secondary-rate-limit documentation_url and retry-after.
	Secondary
	// TooMany is 429 with retry-after.
	TooMany
)

type failure struct {
	op     string // "" for any
	status int
	limit  Limit
	after  bool // apply the request, then fail (the caller never hears it worked)
}

// Fake is a running fake GitHub API.
type Fake struct {
	srv *httptest.Server

	mu       sync.Mutex
	issues   map[string][]*Issue // by lower-case repo
	counts   map[string]int
	fails    []failure
	nextID   int64
	now      func() time.Time
	requests []string
}

// New starts a fake; it stops when the test ends.
func New(t testing.TB) *Fake {
	t.Helper()
	f := &Fake{issues: map[string][]*Issue{}, counts: map[string]int{}, nextID: 1000, now: time.Now}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// URL is the API base to give go-github (with the trailing slash).
func (f *Fake) URL() string { return f.srv.URL + "/" }

// HTMLURL is an issue's address on the web, as GitHub returns it.
func HTMLURL(repo string, number int) string {
	return fmt.Sprintf("https://github.com/%s/issues/%d", repo, number)
}

// AddIssue puts an issue in place (an engineer filed it) and returns its number.
func (f *Fake) AddIssue(repo, title, body, state string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.add(repo, title, body, nil, state).Number
}

func (f *Fake) add(repo, title, body string, labels []string, state string) *Issue {
	key := strings.ToLower(repo)
	now := f.now().UTC().Truncate(time.Second)
	is := &Issue{Repo: repo, Number: len(f.issues[key]) + 1, Title: title, Body: body, Labels: labels, State: state,
		CreatedAt: now, UpdatedAt: now}
	f.issues[key] = append(f.issues[key], is)
	return is
}

// Issues returns a copy of repo's issues in number order.
func (f *Fake) Issues(repo string) []Issue {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Issue
	for _, is := range f.issues[strings.ToLower(repo)] {
		c := *is
		c.Comments = slices.Clone(is.Comments)
		out = append(out, c)
	}
	return out
}

// Close closes an issue with a reason ("completed", "not_planned").
func (f *Fake) Close(repo string, number int, reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if is := f.find(repo, number); is != nil {
		is.State, is.StateReason, is.UpdatedAt = "closed", reason, f.now().UTC()
	}
}

// Count is how many requests of op were served: "create", "get", "list",
// "comment", "comments", "search" ("limited" counts rate-limit answers).
func (f *Fake) Count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counts[op]
}

// RateLimit makes the next request of op ("" for any) answer with limit.
func (f *Fake) RateLimit(op string, limit Limit) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fails = append(f.fails, failure{op: op, limit: limit})
}

// Fail makes the next request of op answer with status, without doing it.
func (f *Fake) Fail(op string, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fails = append(f.fails, failure{op: op, status: status})
}

// FailAfter makes the next request of op do what it asks and then answer
// with status, as when GitHub took a request and the answer was lost.
func (f *Fake) FailAfter(op string, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fails = append(f.fails, failure{op: op, status: status, after: true})
}

func (f *Fake) find(repo string, number int) *Issue {
	for _, is := range f.issues[strings.ToLower(repo)] {
		if is.Number == number {
			return is
		}
	}
	return nil
}

// takeFailure removes and returns the first failure planned for op.
func (f *Fake) takeFailure(op string) (failure, bool) {
	for i, fl := range f.fails {
		if fl.op == "" || fl.op == op {
			f.fails = slices.Delete(f.fails, i, i+1)
			return fl, true
		}
	}
	return failure{}, false
}

var (
	issuesPath   = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/issues$`)
	issuePath    = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/issues/(\d+)$`)
	commentsPath = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/issues/(\d+)/comments$`)
)

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+Token {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
		return
	}
	var (
		op      string
		handler func(w http.ResponseWriter, r *http.Request, m []string)
		m       []string
	)
	p := r.URL.Path
	switch {
	case r.Method == http.MethodGet && p == "/search/issues":
		op, handler = "search", f.search
	case r.Method == http.MethodPost && issuesPath.MatchString(p):
		op, handler, m = "create", f.create, issuesPath.FindStringSubmatch(p)
	case r.Method == http.MethodGet && issuesPath.MatchString(p):
		op, handler, m = "list", f.list, issuesPath.FindStringSubmatch(p)
	case r.Method == http.MethodGet && issuePath.MatchString(p):
		op, handler, m = "get", f.get, issuePath.FindStringSubmatch(p)
	case r.Method == http.MethodPost && commentsPath.MatchString(p):
		op, handler, m = "comment", f.comment, commentsPath.FindStringSubmatch(p)
	case r.Method == http.MethodGet && commentsPath.MatchString(p):
		op, handler, m = "comments", f.comments, commentsPath.FindStringSubmatch(p)
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	f.mu.Lock()
	f.counts[op]++
	f.requests = append(f.requests, r.Method+" "+r.URL.RequestURI())
	fl, failing := f.takeFailure(op)
	f.mu.Unlock()
	if failing && fl.limit != 0 {
		f.limited(w, fl.limit)
		return
	}
	if failing && !fl.after {
		writeJSON(w, fl.status, map[string]string{"message": http.StatusText(fl.status)})
		return
	}
	if failing {
		handler(httptest.NewRecorder(), r, m)
		writeJSON(w, fl.status, map[string]string{"message": http.StatusText(fl.status)})
		return
	}
	handler(w, r, m)
}

// Requests lists the requests served ("GET /search/issues?q=…").
func (f *Fake) Requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

func (f *Fake) limited(w http.ResponseWriter, l Limit) {
	f.mu.Lock()
	f.counts["limited"]++
	f.mu.Unlock()
	reset := strconv.FormatInt(f.now().Add(90*time.Second).Unix(), 10)
	switch l {
	case Primary:
		w.Header().Set("X-RateLimit-Limit", "5000")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Used", "5000")
		w.Header().Set("X-RateLimit-Reset", reset)
		w.Header().Set("X-RateLimit-Resource", "core")
		writeJSON(w, http.StatusForbidden, map[string]string{
			"message":           "API rate limit exceeded for user ID 1.",
			"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-rate-limits",
		})
	case Secondary:
		w.Header().Set("Retry-After", "42")
		writeJSON(w, http.StatusForbidden, map[string]string{
			"message":           "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
			"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
		})
	default:
		w.Header().Set("Retry-After", "17")
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"message": "Too Many Requests"})
	}
}

type issueReq struct {
	Title  *string  `json:"title"`
	Body   *string  `json:"body"`
	Labels []string `json:"labels"`
}

func (f *Fake) create(w http.ResponseWriter, r *http.Request, m []string) {
	var req issueReq
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Title == nil || strings.TrimSpace(*req.Title) == "" {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed",
			"errors": []map[string]string{{"resource": "Issue", "code": "missing_field", "field": "title"}}})
		return
	}
	body := ""
	if req.Body != nil {
		body = *req.Body
	}
	f.mu.Lock()
	is := f.add(m[1]+"/"+m[2], *req.Title, body, req.Labels, "open")
	out := issueJSON(is)
	f.mu.Unlock()
	writeJSON(w, http.StatusCreated, out)
}

func (f *Fake) get(w http.ResponseWriter, r *http.Request, m []string) {
	n, _ := strconv.Atoi(m[3])
	f.mu.Lock()
	is := f.find(m[1]+"/"+m[2], n)
	var out map[string]any
	if is != nil {
		out = issueJSON(is)
	}
	f.mu.Unlock()
	if is == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// list serves GET /repos/o/r/issues with state, sort=created, direction,
// since (updated at or after), per_page and page.
func (f *Fake) list(w http.ResponseWriter, r *http.Request, m []string) {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	var since time.Time
	if s := q.Get("since"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": "Validation Failed: since"})
			return
		}
		since = t
	}
	f.mu.Lock()
	var sel []*Issue
	for _, is := range f.issues[strings.ToLower(m[1]+"/"+m[2])] {
		if (state == "all" || is.State == state) && !is.UpdatedAt.Before(since) {
			sel = append(sel, is)
		}
	}
	if q.Get("direction") != "asc" {
		slices.Reverse(sel)
	}
	items := make([]map[string]any, 0, len(sel))
	for _, is := range sel {
		items = append(items, issueJSON(is))
	}
	f.mu.Unlock()
	writePage(w, r, items)
}

func (f *Fake) comment(w http.ResponseWriter, r *http.Request, m []string) {
	n, _ := strconv.Atoi(m[3])
	var req struct {
		Body *string `json:"body"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Body == nil || *req.Body == "" {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": "Validation Failed: body"})
		return
	}
	f.mu.Lock()
	is := f.find(m[1]+"/"+m[2], n)
	var out map[string]any
	if is != nil {
		f.nextID++
		c := Comment{ID: f.nextID, Body: *req.Body, CreatedAt: f.now().UTC().Truncate(time.Second)}
		is.Comments = append(is.Comments, c)
		is.UpdatedAt = c.CreatedAt
		out = commentJSON(is, c)
	}
	f.mu.Unlock()
	if is == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

func (f *Fake) comments(w http.ResponseWriter, r *http.Request, m []string) {
	n, _ := strconv.Atoi(m[3])
	var since time.Time
	if s := r.URL.Query().Get("since"); s != "" {
		since, _ = time.Parse(time.RFC3339, s)
	}
	f.mu.Lock()
	is := f.find(m[1]+"/"+m[2], n)
	items := []map[string]any{}
	if is != nil {
		for _, c := range is.Comments {
			if !c.CreatedAt.Before(since) {
				items = append(items, commentJSON(is, c))
			}
		}
	}
	f.mu.Unlock()
	if is == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
		return
	}
	writePage(w, r, items)
}

// search serves GET /search/issues. It honours repo:, is:issue, is:pr,
// is:open, is:closed, state: and in: (ignored: title and body are always
// searched), and needs every other term, quoted phrases included, as
// words of the title or body in any case. Queries over 256 characters are
// refused as GitHub refuses them.
func (f *Fake) search(w http.ResponseWriter, r *http.Request, _ []string) {
	q := r.URL.Query().Get("q")
	if len(q) > 256 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed",
			"errors": []map[string]string{{"message": "The search is longer than 256 characters.", "resource": "Search", "field": "q", "code": "invalid"}}})
		return
	}
	var repo, state string
	var terms []string
	for _, tok := range splitQuery(q) {
		switch low := strings.ToLower(tok); {
		case strings.HasPrefix(low, "repo:"):
			repo = low[5:]
		case low == "is:open" || low == "state:open":
			state = "open"
		case low == "is:closed" || low == "state:closed":
			state = "closed"
		case low == "is:issue" || strings.HasPrefix(low, "in:"):
		case low == "is:pr" || low == "is:pull-request":
			state = "none" // the fake holds no pull requests
		default:
			terms = append(terms, low)
		}
	}
	f.mu.Lock()
	items := []map[string]any{}
	for key, list := range f.issues {
		if repo != "" && key != repo {
			continue
		}
		for _, is := range list {
			if state != "" && is.State != state {
				continue
			}
			if matches(is, terms) {
				it := issueJSON(is)
				it["score"] = 1.0
				items = append(items, it)
			}
		}
	}
	f.mu.Unlock()
	slices.SortFunc(items, func(a, b map[string]any) int { return b["number"].(int) - a["number"].(int) })
	per := 30
	if n, err := strconv.Atoi(r.URL.Query().Get("per_page")); err == nil && n > 0 {
		per = min(n, 100)
	}
	total := len(items)
	items = items[:min(per, len(items))]
	writeJSON(w, http.StatusOK, map[string]any{"total_count": total, "incomplete_results": false, "items": items})
}

// splitQuery splits on spaces, keeping "quoted phrases" whole.
func splitQuery(q string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range q {
		switch {
		case r == '"':
			quoted = !quoted
		case r == ' ' && !quoted:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

var wordRE = regexp.MustCompile(`[\p{L}\p{N}]+`)

// matches reports whether every term's words occur, in order, in the
// issue's title, body or comments (GitHub also stems; the fake does not).
func matches(is *Issue, terms []string) bool {
	text := is.Title + "\n" + is.Body
	for _, c := range is.Comments {
		text += "\n" + c.Body
	}
	words := wordRE.FindAllString(strings.ToLower(text), -1)
	joined := " " + strings.Join(words, " ") + " "
	for _, t := range terms {
		tw := wordRE.FindAllString(t, -1)
		if len(tw) == 0 {
			continue
		}
		if !strings.Contains(joined, " "+strings.Join(tw, " ")+" ") {
			return false
		}
	}
	return true
}

func issueJSON(is *Issue) map[string]any {
	labels := []map[string]any{}
	for i, l := range is.Labels {
		labels = append(labels, map[string]any{"id": i + 1, "name": l, "color": "d73a4a"})
	}
	var closedAt, reason any
	if is.State == "closed" {
		closedAt = is.UpdatedAt.Format(time.RFC3339)
		reason = is.StateReason
	}
	api := "https://api.github.com/repos/" + is.Repo
	return map[string]any{
		"url":            fmt.Sprintf("%s/issues/%d", api, is.Number),
		"repository_url": api,
		"html_url":       HTMLURL(is.Repo, is.Number),
		"id":             int64(is.Number) + 4_000_000,
		"number":         is.Number,
		"title":          is.Title,
		"body":           is.Body,
		"user":           map[string]any{"login": "earshot-bot", "id": 1},
		"labels":         labels,
		"state":          is.State,
		"state_reason":   reason,
		"comments":       len(is.Comments),
		"created_at":     is.CreatedAt.Format(time.RFC3339),
		"updated_at":     is.UpdatedAt.Format(time.RFC3339),
		"closed_at":      closedAt,
	}
}

func commentJSON(is *Issue, c Comment) map[string]any {
	return map[string]any{
		"id":         c.ID,
		"html_url":   fmt.Sprintf("%s#issuecomment-%d", HTMLURL(is.Repo, is.Number), c.ID),
		"issue_url":  fmt.Sprintf("https://api.github.com/repos/%s/issues/%d", is.Repo, is.Number),
		"body":       c.Body,
		"user":       map[string]any{"login": "earshot-bot", "id": 1},
		"created_at": c.CreatedAt.Format(time.RFC3339),
		"updated_at": c.CreatedAt.Format(time.RFC3339),
	}
}

// writePage serves one page of items with GitHub's Link header.
func writePage(w http.ResponseWriter, r *http.Request, items []map[string]any) {
	q := r.URL.Query()
	per := 30
	if n, err := strconv.Atoi(q.Get("per_page")); err == nil && n > 0 {
		per = min(n, 100)
	}
	page := 1
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 0 {
		page = n
	}
	from := min((page-1)*per, len(items))
	to := min(from+per, len(items))
	if to < len(items) {
		next := *r.URL
		nq := next.Query()
		nq.Set("page", strconv.Itoa(page+1))
		next.RawQuery = nq.Encode()
		u := url.URL{Scheme: "http", Host: r.Host, Path: next.Path, RawQuery: next.RawQuery}
		w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next"`, u.String()))
	}
	writeJSON(w, http.StatusOK, items[from:to])
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
