// Package githubfake is a fake of the parts of GitHub's REST API earshot
// uses — issues (create, get, list), comments (create, list), issue
// search with its created:/updated: qualifiers, sort and paging, and the
// token's user — and a sender of signed webhook deliveries. It is written from
// GitHub's documented formats (shared/platform-apis.md §6), not from
// go-github's types, so tests that drive it with go-github check that the
// two agree. Rate limits (primary 403, secondary 403, 429) and failures
// are given on demand; every request is counted.
package githubfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
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

	graphql "github.com/graph-gophers/graphql-go"
)

// Token is the token the fake accepts (Authorization: Bearer Token).
const Token = "ghp_fake_token_for_tests_0123456789"

// Login is the token's user, the author of what the token posts.
const Login = "earshot-bot"

// Issue is an issue as the fake keeps it.
type Issue struct {
	Repo        string
	Number      int
	Author      string // login; "" is the token's user (Login)
	PullRequest bool
	Locked      bool
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
	Author    string // login; "" is the token's user (Login)
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
	archived map[string]bool
	bodies   map[string]string // op → malformed answer for its next request
	// searchLeft is the search budget left (-1: unlimited, no headers).
	searchLeft  int
	searchReset time.Time

	// GraphQL (graphql.go): discussions by lower-case repo, the points
	// left (-1: unlimited) and the documents received.
	discussions map[string][]*Discussion
	gqlLeft     int
	gqlReset    time.Time
	queries     []string
	schema      *graphql.Schema
}

// New starts a fake; it stops when the test ends.
func New(t testing.TB) *Fake {
	t.Helper()
	f := &Fake{issues: map[string][]*Issue{}, counts: map[string]int{}, nextID: 1000, now: time.Now,
		archived: map[string]bool{}, bodies: map[string]string{}, searchLeft: -1,
		discussions: map[string][]*Discussion{}, gqlLeft: -1}
	f.gqlReset = f.now().Add(time.Hour)
	f.schema = mustSchema(f)
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
// "comment", "comments", "search", "graphql", "graphql_mutation" ("limited"
// counts rate-limit answers).
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

// Post is an issue or pull request someone else opened, for search.
type Post struct {
	Repo, Author, Title, Body string
	PullRequest               bool
	CreatedAt                 time.Time
}

// AddPost puts someone's issue or pull request in place and returns its number.
func (f *Fake) AddPost(p Post) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	is := f.add(p.Repo, p.Title, p.Body, nil, "open")
	is.Author, is.PullRequest = p.Author, p.PullRequest
	if !p.CreatedAt.IsZero() {
		is.CreatedAt, is.UpdatedAt = p.CreatedAt.UTC().Truncate(time.Second), p.CreatedAt.UTC().Truncate(time.Second)
	}
	return is.Number
}

// AddComment adds author's comment to an issue at a time and returns its id.
func (f *Fake) AddComment(repo string, number int, author, body string, at time.Time) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	is := f.find(repo, number)
	if is == nil {
		panic(fmt.Sprintf("githubfake: no issue %s#%d", repo, number))
	}
	f.nextID++
	c := Comment{ID: f.nextID, Author: author, Body: body, CreatedAt: at.UTC().Truncate(time.Second)}
	is.Comments = append(is.Comments, c)
	is.UpdatedAt = c.CreatedAt
	return c.ID
}

// Lock locks an issue's conversation: comments are refused with 403.
func (f *Fake) Lock(repo string, number int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if is := f.find(repo, number); is != nil {
		is.Locked = true
	}
}

// Archive makes a repository read-only: comments are refused with 403.
func (f *Fake) Archive(repo string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.archived[strings.ToLower(repo)] = true
}

// Malformed makes the next request of op answer 200 with body.
func (f *Fake) Malformed(op, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bodies[op] = body
}

// SearchBudget makes searches carry GitHub's rate-limit headers for the
// search resource (limit 30 a minute): left requests remain until reset,
// and a search past it is refused as a primary limit.
func (f *Fake) SearchBudget(left int, reset time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.searchLeft, f.searchReset = left, reset
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	// Auth schemes are case-insensitive (RFC 9110 §11.1); GitHub takes
	// "Bearer" and "token".
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if tok != Token || (!strings.EqualFold(scheme, "bearer") && !strings.EqualFold(scheme, "token")) {
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
	case r.Method == http.MethodPost && (p == "/graphql" || p == "/api/graphql"):
		op, handler = "graphql", f.graphqlHandler
		// Mutations are an op of their own, so a test can fail one
		// and not the query before it.
		b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		r.Body = io.NopCloser(bytes.NewReader(b))
		if bytes.Contains(b, []byte(`"query":"mutation`)) {
			op = "graphql_mutation"
		}
	case r.Method == http.MethodGet && p == "/user":
		op, handler = "user", f.user
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
	body, malformed := f.bodies[op]
	delete(f.bodies, op)
	spent := false
	if op == "search" && f.searchLeft >= 0 {
		w.Header().Set("X-RateLimit-Limit", "30")
		w.Header().Set("X-RateLimit-Resource", "search")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(f.searchReset.Unix(), 10))
		if f.searchLeft == 0 {
			spent = true
		} else {
			f.searchLeft--
			w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(f.searchLeft))
			w.Header().Set("X-RateLimit-Used", strconv.Itoa(30-f.searchLeft))
		}
	}
	f.mu.Unlock()
	if spent {
		f.limited(w, Primary)
		return
	}
	if malformed {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write([]byte(body))
		return
	}
	if failing && fl.limit == Primary && op == "graphql" {
		f.limitedGraphQL(w)
		return
	}
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
		if w.Header().Get("X-RateLimit-Reset") == "" {
			w.Header().Set("X-RateLimit-Reset", reset)
			w.Header().Set("X-RateLimit-Resource", "core")
		}
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
	switch {
	case f.archived[strings.ToLower(m[1]+"/"+m[2])]:
		f.mu.Unlock()
		writeJSON(w, http.StatusForbidden, map[string]string{"message": "Repository was archived so is read-only.",
			"documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment"})
		return
	case is != nil && is.Locked:
		f.mu.Unlock()
		writeJSON(w, http.StatusForbidden, map[string]string{"message": "Unable to create comment because issue is locked.",
			"documentation_url": "https://docs.github.com/articles/locking-conversations/"})
		return
	}
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

// search serves GET /search/issues. It honours repo:, -repo:, is:issue,
// is:pr, is:open, is:closed, state:, created: and updated: with >, >=, <,
// <= and an ISO date or time, in: (ignored: title, body and comments are
// always searched), sort=created|updated with order, per_page and page,
// and needs every other term, quoted phrases included, as words of the
// title, body or comments in any case. Without sort, the newest number
// comes first. Queries over 256 characters are refused as GitHub does.
func (f *Fake) search(w http.ResponseWriter, r *http.Request, _ []string) {
	q := r.URL.Query().Get("q")
	if len(q) > 256 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed",
			"errors": []map[string]string{{"message": "The search is longer than 256 characters.", "resource": "Search", "field": "q", "code": "invalid"}}})
		return
	}
	var repo, state, kind string
	var deny []string
	var times []timeQual
	var terms []string
	for _, tok := range splitQuery(q) {
		switch low := strings.ToLower(tok); {
		case strings.HasPrefix(low, "repo:"):
			repo = low[5:]
		case strings.HasPrefix(low, "-repo:"):
			deny = append(deny, low[6:])
		case low == "is:open" || low == "state:open":
			state = "open"
		case low == "is:closed" || low == "state:closed":
			state = "closed"
		case low == "is:issue":
			kind = "issue"
		case low == "is:pr" || low == "is:pull-request":
			kind = "pr"
		case strings.HasPrefix(low, "in:"):
		case strings.HasPrefix(low, "created:") || strings.HasPrefix(low, "updated:"):
			tq, err := parseTimeQual(tok)
			if err != nil {
				writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed",
					"errors": []map[string]string{{"message": err.Error(), "resource": "Search", "field": "q", "code": "invalid"}}})
				return
			}
			times = append(times, tq)
		default:
			terms = append(terms, low)
		}
	}
	f.mu.Lock()
	var sel []*Issue
	for key, list := range f.issues {
		if (repo != "" && key != repo) || slices.Contains(deny, key) {
			continue
		}
		for _, is := range list {
			if (state != "" && is.State != state) || (kind == "pr" && !is.PullRequest) || (kind == "issue" && is.PullRequest) {
				continue
			}
			if matchTimes(is, times) && matches(is, terms) {
				sel = append(sel, is)
			}
		}
	}
	sortIssues(sel, r.URL.Query().Get("sort"), r.URL.Query().Get("order"))
	items := make([]map[string]any, 0, len(sel))
	for _, is := range sel {
		it := issueJSON(is)
		it["score"] = 1.0
		items = append(items, it)
	}
	f.mu.Unlock()
	per, page := 30, 1
	if n, err := strconv.Atoi(r.URL.Query().Get("per_page")); err == nil && n > 0 {
		per = min(n, 100)
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && n > 0 {
		page = n
	}
	total := len(items)
	items = items[min((page-1)*per, total):min(page*per, total)]
	writeJSON(w, http.StatusOK, map[string]any{"total_count": total, "incomplete_results": false, "items": items})
}

func sortIssues(sel []*Issue, by, order string) {
	key := func(is *Issue) int64 { return int64(is.Number) }
	switch by {
	case "created":
		key = func(is *Issue) int64 { return is.CreatedAt.Unix() }
	case "updated":
		key = func(is *Issue) int64 { return is.UpdatedAt.Unix() }
	}
	slices.SortStableFunc(sel, func(a, b *Issue) int {
		c := cmpInt(key(a), key(b))
		if c == 0 {
			c = cmpInt(a.CreatedAt.UnixNano()+int64(a.Number), b.CreatedAt.UnixNano()+int64(b.Number))
		}
		if by == "" || order != "asc" {
			return -c
		}
		return c
	})
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// timeQual is a created: or updated: qualifier.
type timeQual struct {
	field, op string
	at        time.Time
}

func parseTimeQual(tok string) (timeQual, error) {
	field, rest, _ := strings.Cut(tok, ":")
	op := ""
	for _, o := range []string{">=", "<=", ">", "<"} {
		if strings.HasPrefix(rest, o) {
			op, rest = o, rest[len(o):]
			break
		}
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, rest); err == nil {
			return timeQual{field: strings.ToLower(field), op: op, at: t}, nil
		}
	}
	return timeQual{}, fmt.Errorf("invalid date %q in %s qualifier", rest, field)
}

func matchTimes(is *Issue, qs []timeQual) bool {
	for _, q := range qs {
		t := is.CreatedAt
		if q.field == "updated" {
			t = is.UpdatedAt
		}
		ok := true
		switch q.op {
		case ">":
			ok = t.After(q.at)
		case ">=":
			ok = !t.Before(q.at)
		case "<":
			ok = t.Before(q.at)
		case "<=":
			ok = !t.After(q.at)
		default:
			ok = t.Format("2006-01-02") == q.at.Format("2006-01-02")
		}
		if !ok {
			return false
		}
	}
	return true
}

// user serves GET /user: the token's user.
func (f *Fake) user(w http.ResponseWriter, _ *http.Request, _ []string) {
	writeJSON(w, http.StatusOK, map[string]any{"login": Login, "id": 1, "type": "User"})
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
	out := map[string]any{
		"url":            fmt.Sprintf("%s/issues/%d", api, is.Number),
		"repository_url": api,
		"html_url":       HTMLURL(is.Repo, is.Number),
		"id":             int64(is.Number) + 4_000_000,
		"number":         is.Number,
		"title":          is.Title,
		"body":           is.Body,
		"user":           userJSON(is.Author),
		"labels":         labels,
		"locked":         is.Locked,
		"state":          is.State,
		"state_reason":   reason,
		"comments":       len(is.Comments),
		"created_at":     is.CreatedAt.Format(time.RFC3339),
		"updated_at":     is.UpdatedAt.Format(time.RFC3339),
		"closed_at":      closedAt,
	}
	if is.PullRequest {
		out["pull_request"] = map[string]any{
			"url":      fmt.Sprintf("%s/pulls/%d", api, is.Number),
			"html_url": fmt.Sprintf("https://github.com/%s/pull/%d", is.Repo, is.Number),
		}
		out["html_url"] = fmt.Sprintf("https://github.com/%s/pull/%d", is.Repo, is.Number)
	}
	return out
}

func userJSON(login string) map[string]any {
	if login == "" || login == Login {
		return map[string]any{"login": Login, "id": 1, "type": "User"}
	}
	return map[string]any{"login": login, "id": 1000 + len(login), "type": "User"}
}

func commentJSON(is *Issue, c Comment) map[string]any {
	return map[string]any{
		"id":         c.ID,
		"html_url":   fmt.Sprintf("%s#issuecomment-%d", HTMLURL(is.Repo, is.Number), c.ID),
		"issue_url":  fmt.Sprintf("https://api.github.com/repos/%s/issues/%d", is.Repo, is.Number),
		"body":       c.Body,
		"user":       userJSON(c.Author),
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
