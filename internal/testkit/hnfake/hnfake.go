// Package hnfake is a fake of the Algolia HN Search API (hn.algolia.com/
// api/v1): search_by_date with query, tags (ANDed, ORed in parentheses),
// numericFilters on created_at_i, hitsPerPage and page, Algolia's paging
// depth of 1,000 hits, and items/:id. It is written from the documented
// formats (shared/platform-apis.md §4). Failures (429 with Retry-After,
// 5xx, malformed answers) are given on demand; requests are recorded.
package hnfake

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Item is a story or a comment as the fake keeps it.
type Item struct {
	ID        int64
	Story     bool
	Author    string
	CreatedAt time.Time
	Title     string // stories
	URL       string // stories
	Text      string // HTML: story_text or comment_text
	Parent    int64  // comments
	StoryID   int64  // comments
}

// Fake is a running fake API.
type Fake struct {
	srv *httptest.Server

	mu       sync.Mutex
	items    []Item
	nextID   int64
	fails    []failure
	requests []string
	// Hidden items are kept but not yet searchable (Algolia's indexing lag).
	hidden map[int64]bool
}

type failure struct {
	status     int
	retryAfter string
	body       string
}

// New starts a fake; it stops when the test ends.
func New(t testing.TB) *Fake {
	f := &Fake{nextID: 40_000_000, hidden: map[int64]bool{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// URL is the API base (scheme://host, no /api/v1).
func (f *Fake) URL() string { return f.srv.URL }

// AddStory adds a story and returns its id.
func (f *Fake) AddStory(author, title, url, text string, at time.Time) int64 {
	return f.Add(Item{Story: true, Author: author, Title: title, URL: url, Text: text, CreatedAt: at})
}

// AddComment adds a comment answering parent and returns its id.
func (f *Fake) AddComment(author, text string, parent int64, at time.Time) int64 {
	f.mu.Lock()
	story := parent
	for _, it := range f.items {
		if it.ID == parent && !it.Story {
			story = it.StoryID
		}
	}
	f.mu.Unlock()
	return f.Add(Item{Author: author, Text: text, Parent: parent, StoryID: story, CreatedAt: at})
}

// Add adds an item (ID 0 takes the next id) and returns its id.
func (f *Fake) Add(it Item) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	if it.ID == 0 {
		f.nextID++
		it.ID = f.nextID
	}
	f.items = append(f.items, it)
	return it.ID
}

// Hide keeps an item out of searches until Show, as Algolia does for a
// while after an item is made.
func (f *Fake) Hide(id int64) { f.mu.Lock(); f.hidden[id] = true; f.mu.Unlock() }

// Show makes a hidden item searchable.
func (f *Fake) Show(id int64) { f.mu.Lock(); delete(f.hidden, id); f.mu.Unlock() }

// Fail makes the next request answer status with body.
func (f *Fake) Fail(status int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fails = append(f.fails, failure{status: status, body: body})
}

// RateLimit makes the next request answer 429 with Retry-After (if not "").
func (f *Fake) RateLimit(retryAfter string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fails = append(f.fails, failure{status: http.StatusTooManyRequests, retryAfter: retryAfter,
		body: `{"message":"Too many requests","status":429}`})
}

// Malformed makes the next request answer 200 with body.
func (f *Fake) Malformed(body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fails = append(f.fails, failure{status: http.StatusOK, body: body})
}

// Requests lists the requests served ("/api/v1/search_by_date?…").
func (f *Fake) Requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

var itemPath = regexp.MustCompile(`^/api/v1/items/(\d+)$`)

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.URL.RequestURI())
	var fl *failure
	if len(f.fails) > 0 {
		fl = &f.fails[0]
		f.fails = f.fails[1:]
	}
	f.mu.Unlock()
	if fl != nil {
		if fl.retryAfter != "" {
			w.Header().Set("Retry-After", fl.retryAfter)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(fl.status)
		_, _ = w.Write([]byte(fl.body))
		return
	}
	switch {
	case r.Method != http.MethodGet:
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "Not Found", "status": 404})
	case r.URL.Path == "/api/v1/search_by_date":
		f.search(w, r)
	case itemPath.MatchString(r.URL.Path):
		id, _ := strconv.ParseInt(itemPath.FindStringSubmatch(r.URL.Path)[1], 10, 64)
		f.item(w, id)
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"message": "Not Found", "status": 404})
	}
}

func (f *Fake) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	filters, err := parseNumeric(q.Get("numericFilters"))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": err.Error(), "status": 400})
		return
	}
	tags := parseTags(q.Get("tags"))
	words := wordRE.FindAllString(strings.ToLower(q.Get("query")), -1)
	hpp := 20
	if n, err := strconv.Atoi(q.Get("hitsPerPage")); err == nil && n > 0 {
		hpp = min(n, 1000)
	}
	page, _ := strconv.Atoi(q.Get("page"))
	f.mu.Lock()
	var sel []Item
	for _, it := range f.items {
		if !f.hidden[it.ID] && filters.match(it.CreatedAt.Unix()) && tags.match(itemTags(it)) && matchWords(it, words) {
			sel = append(sel, it)
		}
	}
	f.mu.Unlock()
	slices.SortStableFunc(sel, func(a, b Item) int {
		if c := b.CreatedAt.Unix() - a.CreatedAt.Unix(); c != 0 {
			return int(c)
		}
		return int(b.ID - a.ID)
	})
	nbHits := len(sel)
	reachable := min(nbHits, 1000) // paginationLimitedTo
	nbPages := int(math.Ceil(float64(reachable) / float64(hpp)))
	from := min(page*hpp, reachable)
	to := min(from+hpp, reachable)
	hits := make([]map[string]any, 0, to-from)
	for _, it := range sel[from:to] {
		hits = append(hits, hitJSON(it))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"hits": hits, "page": page, "nbHits": nbHits, "nbPages": nbPages, "hitsPerPage": hpp,
		"exhaustiveNbHits": true, "processingTimeMS": 1, "query": q.Get("query"), "params": r.URL.RawQuery,
	})
}

func (f *Fake) item(w http.ResponseWriter, id int64) {
	f.mu.Lock()
	var found *Item
	for i := range f.items {
		if f.items[i].ID == id {
			it := f.items[i]
			found = &it
		}
	}
	f.mu.Unlock()
	if found == nil {
		writeJSON(w, http.StatusNotFound, map[string]any{"error": "Not Found", "status": 404})
		return
	}
	out := map[string]any{
		"id": found.ID, "created_at": found.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z"),
		"created_at_i": found.CreatedAt.Unix(), "author": found.Author, "text": found.Text,
		"children": []any{}, "options": []any{},
	}
	if found.Story {
		out["type"], out["title"], out["url"], out["story_id"], out["parent_id"] = "story", found.Title, found.URL, found.ID, nil
	} else {
		out["type"], out["story_id"], out["parent_id"], out["title"] = "comment", found.StoryID, found.Parent, nil
	}
	writeJSON(w, http.StatusOK, out)
}

func itemTags(it Item) []string {
	if it.Story {
		return []string{"story", "author_" + it.Author, "story_" + strconv.FormatInt(it.ID, 10)}
	}
	return []string{"comment", "author_" + it.Author, "story_" + strconv.FormatInt(it.StoryID, 10)}
}

func hitJSON(it Item) map[string]any {
	h := map[string]any{
		"created_at":   it.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z"),
		"created_at_i": it.CreatedAt.Unix(),
		"author":       it.Author,
		"objectID":     strconv.FormatInt(it.ID, 10),
		"_tags":        itemTags(it),
		"updated_at":   it.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"),
	}
	if it.Story {
		h["title"], h["url"], h["points"], h["num_comments"] = it.Title, nilIf(it.URL), 1, 0
		h["story_text"], h["comment_text"], h["parent_id"], h["story_id"] = nilIf(it.Text), nil, nil, it.ID
	} else {
		h["title"], h["url"], h["points"], h["num_comments"], h["story_text"] = nil, nil, nil, nil, nil
		h["comment_text"], h["parent_id"], h["story_id"] = it.Text, it.Parent, it.StoryID
		h["story_title"], h["story_url"] = "story "+strconv.FormatInt(it.StoryID, 10), nil
	}
	return h
}

func nilIf(s string) any {
	if s == "" {
		return nil
	}
	return s
}

var wordRE = regexp.MustCompile(`[\p{L}\p{N}]+`)

// matchWords needs every query word as a word of the title, text or URL
// (Algolia also matches prefixes and typos; the fake does not).
func matchWords(it Item, words []string) bool {
	have := map[string]bool{}
	for _, w := range wordRE.FindAllString(strings.ToLower(it.Title+" "+it.Text+" "+it.URL), -1) {
		have[w] = true
	}
	for _, w := range words {
		if !have[w] {
			return false
		}
	}
	return true
}

// tagFilter is an AND of ORs.
type tagFilter [][]string

func parseTags(s string) tagFilter {
	var out tagFilter
	for _, part := range splitTop(s) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if strings.HasPrefix(part, "(") && strings.HasSuffix(part, ")") {
			out = append(out, strings.Split(part[1:len(part)-1], ","))
		} else {
			out = append(out, []string{part})
		}
	}
	return out
}

// splitTop splits on commas outside parentheses.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func (t tagFilter) match(have []string) bool {
	for _, any := range t {
		ok := false
		for _, want := range any {
			if slices.Contains(have, strings.TrimSpace(want)) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

type numFilter struct {
	op string
	v  int64
}

type numFilters []numFilter

var numRE = regexp.MustCompile(`^created_at_i(<=|>=|<|>|=)(-?\d+)$`)

func parseNumeric(s string) (numFilters, error) {
	var out numFilters
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		m := numRE.FindStringSubmatch(part)
		if m == nil {
			return nil, fmt.Errorf("invalid numericFilters %q", part)
		}
		v, _ := strconv.ParseInt(m[2], 10, 64)
		out = append(out, numFilter{m[1], v})
	}
	return out, nil
}

func (fs numFilters) match(ts int64) bool {
	for _, f := range fs {
		ok := false
		switch f.op {
		case "<":
			ok = ts < f.v
		case "<=":
			ok = ts <= f.v
		case ">":
			ok = ts > f.v
		case ">=":
			ok = ts >= f.v
		case "=":
			ok = ts == f.v
		}
		if !ok {
			return false
		}
	}
	return true
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
