// Package feedfake is a test double of feed servers: RSS 2.0, Atom and
// Google Alerts feeds over httptest, with ETag and Last-Modified
// validators answered by 304, scripted 429/503 refusals, and raw bodies
// for malformed XML.
package feedfake

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// AlertsPath is where the fake serves a Google Alerts feed by default, the
// path shape of https://www.google.com/alerts/feeds/<user>/<alert>.
const AlertsPath = "/alerts/feeds/04175468913983673025/4428013283581841004"

// Request is what the fake saw of one request.
type Request struct {
	Path   string
	Header http.Header
	Status int
}

type feed struct {
	kind        Kind
	title       string
	items       []Item
	raw         []byte // served as is when set
	contentType string
	modified    time.Time
	noETag      bool
	noModified  bool
	fails       []failure
}

type failure struct {
	status     int
	retryAfter string
}

// Fake serves feeds by path.
type Fake struct {
	*httptest.Server
	mu    sync.Mutex
	feeds map[string]*feed
	reqs  []Request
	clock time.Time
}

// New starts a fake, closed when the test ends.
func New(tb testing.TB) *Fake {
	tb.Helper()
	f := &Fake{feeds: map[string]*feed{}, clock: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(f.Close)
	return f
}

// URL is the feed's address at path.
func (f *Fake) URL(path string) string { return f.Server.URL + path }

// Set replaces the feed at path (items newest first).
func (f *Fake) Set(path string, kind Kind, title string, items ...Item) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fd := f.feed(path)
	fd.kind, fd.title, fd.items, fd.raw = kind, title, append([]Item(nil), items...), nil
	fd.modified = f.tick()
}

// Add puts items at the top of the feed at path, as a new post does.
func (f *Fake) Add(path string, items ...Item) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fd := f.feed(path)
	fd.items = append(append([]Item(nil), items...), fd.items...)
	fd.modified = f.tick()
}

// Raw serves body as is at path (malformed XML, HTML error pages).
func (f *Fake) Raw(path, contentType string, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fd := f.feed(path)
	fd.raw, fd.contentType = body, contentType
	fd.modified = f.tick()
}

// Validators turns the feed's ETag and Last-Modified headers on or off
// (both on by default), for servers that send only one or neither.
func (f *Fake) Validators(path string, etag, modified bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fd := f.feed(path)
	fd.noETag, fd.noModified = !etag, !modified
}

// Fail makes the next request for path fail with status (429, 503, 500…)
// and, when retryAfter is not "", a Retry-After header. Calls queue up.
func (f *Fake) Fail(path string, status int, retryAfter string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fd := f.feed(path)
	fd.fails = append(fd.fails, failure{status, retryAfter})
}

// Requests lists the requests seen so far.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.reqs...)
}

func (f *Fake) feed(path string) *feed {
	fd := f.feeds[path]
	if fd == nil {
		fd = &feed{}
		f.feeds[path] = fd
	}
	return fd
}

// tick advances the fake's clock a minute per change, so Last-Modified
// moves on whole seconds as HTTP dates do, without real time passing.
func (f *Fake) tick() time.Time {
	f.clock = f.clock.Add(time.Minute)
	return f.clock
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	status := f.respond(w, r)
	f.reqs = append(f.reqs, Request{Path: r.URL.Path, Header: r.Header.Clone(), Status: status})
}

func (f *Fake) respond(w http.ResponseWriter, r *http.Request) int {
	fd := f.feeds[r.URL.Path]
	if fd == nil {
		http.NotFound(w, r)
		return http.StatusNotFound
	}
	if len(fd.fails) > 0 {
		fl := fd.fails[0]
		fd.fails = fd.fails[1:]
		if fl.retryAfter != "" {
			w.Header().Set("Retry-After", fl.retryAfter)
		}
		http.Error(w, http.StatusText(fl.status), fl.status)
		return fl.status
	}
	body, ctype := fd.raw, fd.contentType
	if body == nil {
		body = Render(fd.kind, fd.title, fd.items)
		ctype = map[Kind]string{RSS: "application/rss+xml; charset=utf-8", Atom: "application/atom+xml; charset=utf-8", Alerts: "text/xml; charset=UTF-8"}[fd.kind]
	}
	sum := sha256.Sum256(body)
	etag := strconv.Quote(hex.EncodeToString(sum[:8]))
	lastMod := fd.modified.UTC().Format(http.TimeFormat)
	if !fd.noETag {
		w.Header().Set("ETag", etag)
	}
	if !fd.noModified {
		w.Header().Set("Last-Modified", lastMod)
	}
	// RFC 9110 §13.2.2: If-None-Match wins; If-Modified-Since only
	// counts without it.
	if inm := r.Header.Get("If-None-Match"); inm != "" && !fd.noETag {
		if inm == etag || inm == "W/"+etag {
			w.WriteHeader(http.StatusNotModified)
			return http.StatusNotModified
		}
	} else if ims := r.Header.Get("If-Modified-Since"); ims != "" && !fd.noModified {
		if t, err := http.ParseTime(ims); err == nil && !fd.modified.Truncate(time.Second).After(t) {
			w.WriteHeader(http.StatusNotModified)
			return http.StatusNotModified
		}
	}
	if ctype != "" {
		w.Header().Set("Content-Type", ctype)
	}
	_, _ = w.Write(body)
	return http.StatusOK
}
