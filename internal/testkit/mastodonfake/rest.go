package mastodonfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rivo/uniseg"
)

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(mustJSON(v))
}

func apiError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// authorized accepts the token as a Bearer header, the access_token query
// parameter or Sec-WebSocket-Protocol, as Mastodon does.
func authorized(r *http.Request) bool {
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		return tok == Token
	}
	return r.URL.Query().Get("access_token") == Token || r.Header.Get("Sec-WebSocket-Protocol") == Token
}

// route names a request for counts and failures: "GET /api/v1/statuses/:id".
func route(r *http.Request) string {
	p := r.URL.Path
	parts := strings.Split(strings.Trim(p, "/"), "/")
	switch {
	case strings.HasPrefix(p, "/api/v1/statuses/") && len(parts) >= 4:
		parts[3] = ":id"
	case strings.HasPrefix(p, "/api/v1/accounts/") && len(parts) == 5 && parts[4] == "statuses":
		parts[3] = ":id"
	case strings.HasPrefix(p, "/api/v1/timelines/tag/") && len(parts) == 5:
		parts[4] = ":tag"
	}
	return r.Method + " /" + strings.Join(parts, "/")
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	rt := route(r)
	f.mu.Lock()
	f.counts[rt]++
	if strings.HasPrefix(r.URL.Path, "/api/v1/streaming") {
		f.mu.Unlock()
		f.serveStream(w, r)
		return
	}
	now := f.now()
	if !f.resetAt.After(now) {
		f.remaining, f.resetAt = f.limit, now.Add(5*time.Minute)
	}
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(f.limit))
	h.Set("X-RateLimit-Reset", f.resetAt.UTC().Format("2006-01-02T15:04:05.000000Z"))
	if f.remaining <= 0 {
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("Retry-After", strconv.Itoa(int(f.resetAt.Sub(now).Seconds())+1))
		f.mu.Unlock()
		apiError(w, http.StatusTooManyRequests, "Too many requests")
		return
	}
	f.remaining--
	h.Set("X-RateLimit-Remaining", strconv.Itoa(f.remaining))
	var fail *failure
	for i := range f.fails {
		if f.fails[i].n > 0 && (f.fails[i].route == rt || f.fails[i].route == "") {
			f.fails[i].n--
			fail = &f.fails[i]
			break
		}
	}
	f.mu.Unlock()
	if fail != nil && !fail.after {
		f.failWith(w, fail.status)
		return
	}
	if !authorized(r) {
		apiError(w, http.StatusUnauthorized, "The access token is invalid")
		return
	}
	if fail != nil {
		f.rest(&discard{header: http.Header{}}, r, rt)
		f.failWith(w, fail.status)
		return
	}
	f.rest(w, r, rt)
}

func (f *Fake) failWith(w http.ResponseWriter, status int) {
	if status == http.StatusTooManyRequests {
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("Retry-After", "1")
		apiError(w, status, "Too many requests")
		return
	}
	apiError(w, status, http.StatusText(status))
}

func (f *Fake) rest(w http.ResponseWriter, r *http.Request, rt string) {
	q := r.URL.Query()
	limit := 20
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 {
		limit = n
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	f.mu.Lock()
	defer f.mu.Unlock()
	switch rt {
	case "GET /api/v1/accounts/verify_credentials":
		writeJSON(w, 200, f.me)
	case "GET /api/v2/instance":
		writeJSON(w, 200, map[string]any{
			"domain": "mastodon.example", "title": "Fake Mastodon", "version": "4.3.0",
			"configuration": map[string]any{
				"urls":     map[string]any{"streaming": "ws://" + f.host},
				"statuses": map[string]any{"max_characters": f.maxChars, "max_media_attachments": 4, "characters_reserved_per_url": 23},
			},
		})
	case "GET /api/v1/notifications":
		types := q["types[]"]
		var ns []*Notification
		for _, n := range f.notifs {
			if len(types) == 0 || contains(types, n.Type) {
				ns = append(ns, n)
			}
		}
		out := page(ns, func(n *Notification) string { return n.ID }, q.Get("min_id"), q.Get("max_id"), q.Get("since_id"), min(limit, 80))
		f.link(w, r, out)
		writeJSON(w, 200, nonNil(out))
	case "GET /api/v1/timelines/home":
		f.timeline(w, r, limit, f.inHome)
	case "GET /api/v1/timelines/public":
		f.timeline(w, r, limit, func(s *Status) bool {
			remote := strings.Contains(s.Account.Acct, "@")
			return s.Visibility == "public" && !(q.Get("local") == "true" && remote) && !(q.Get("remote") == "true" && !remote)
		})
	case "GET /api/v1/timelines/tag/:tag":
		tag := strings.ToLower(parts[4])
		f.timeline(w, r, limit, func(s *Status) bool { return s.Visibility == "public" && hasTag(s.Tags, tag) })
	case "GET /api/v2/search":
		if q.Get("type") != "" && q.Get("type") != "statuses" {
			writeJSON(w, 200, map[string]any{"accounts": []any{}, "statuses": []any{}, "hashtags": []any{}})
			return
		}
		needle := strings.ToLower(q.Get("q"))
		var ss []*Status
		for _, s := range f.statuses {
			if s.Reblog == nil && s.Visibility == "public" && strings.Contains(strings.ToLower(s.Text), needle) {
				ss = append(ss, s)
			}
		}
		out := page(ss, func(s *Status) string { return s.ID }, q.Get("min_id"), q.Get("max_id"), "", min(limit, 40))
		writeJSON(w, 200, map[string]any{"accounts": []any{}, "statuses": nonNil(out), "hashtags": []any{}})
	case "GET /api/v1/statuses/:id/context":
		f.context(w, parts[3])
	case "GET /api/v1/statuses/:id":
		s, ok := f.byID[parts[3]]
		if !ok || !f.visible(s) {
			apiError(w, 404, "Record not found")
			return
		}
		writeJSON(w, 200, s)
	case "GET /api/v1/accounts/:id/statuses":
		f.timeline(w, r, limit, func(s *Status) bool {
			return s.Account.ID == parts[3] && f.visible(s) && !(q.Get("exclude_reblogs") == "true" && s.Reblog != nil)
		})
	case "POST /api/v1/statuses":
		f.create(w, r)
	default:
		apiError(w, 404, "Record not found")
	}
}

func (f *Fake) timeline(w http.ResponseWriter, r *http.Request, limit int, keep func(*Status) bool) {
	q := r.URL.Query()
	var ss []*Status
	for _, s := range f.statuses {
		if keep(s) {
			ss = append(ss, s)
		}
	}
	out := page(ss, func(s *Status) string { return s.ID }, q.Get("min_id"), q.Get("max_id"), q.Get("since_id"), min(limit, 40))
	f.link(w, r, out)
	writeJSON(w, 200, nonNil(out))
}

// link sets Mastodon's Link header: next pages to older items, prev to newer.
func (f *Fake) link(w http.ResponseWriter, r *http.Request, out any) {
	var newest, oldest string
	switch v := out.(type) {
	case []*Status:
		if len(v) > 0 {
			newest, oldest = v[0].ID, v[len(v)-1].ID
		}
	case []*Notification:
		if len(v) > 0 {
			newest, oldest = v[0].ID, v[len(v)-1].ID
		}
	}
	if newest == "" {
		return
	}
	base := "http://" + f.host + r.URL.Path
	with := func(k, v string) string {
		q := url.Values{}
		for key, vals := range r.URL.Query() {
			if key != "min_id" && key != "max_id" && key != "since_id" {
				q[key] = vals
			}
		}
		q.Set(k, v)
		return base + "?" + q.Encode()
	}
	w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next", <%s>; rel="prev"`, with("max_id", oldest), with("min_id", newest)))
}

func (f *Fake) context(w http.ResponseWriter, id string) {
	s, ok := f.byID[id]
	if !ok || !f.visible(s) {
		apiError(w, 404, "Record not found")
		return
	}
	anc := []*Status{}
	for p := s; p.InReplyToID != nil; {
		parent, ok := f.byID[*p.InReplyToID]
		if !ok {
			break
		}
		anc = append([]*Status{parent}, anc...)
		p = parent
	}
	// Descendants in thread order: depth first, oldest answer first.
	desc := []*Status{}
	var walk func(id string)
	walk = func(id string) {
		for _, c := range f.statuses {
			if c.InReplyToID != nil && *c.InReplyToID == id && f.visible(c) {
				desc = append(desc, c)
				walk(c.ID)
			}
		}
	}
	walk(id)
	writeJSON(w, 200, map[string]any{"ancestors": anc, "descendants": desc})
}

// create is POST /api/v1/statuses, form or JSON, with Idempotency-Key.
func (f *Fake) create(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Status      string `json:"status"`
		InReplyToID string `json:"in_reply_to_id"`
		Visibility  string `json:"visibility"`
		SpoilerText string `json:"spoiler_text"`
		Language    string `json:"language"`
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			apiError(w, 400, "Invalid JSON: "+err.Error())
			return
		}
	} else {
		_ = r.ParseForm()
		in.Status, in.InReplyToID, in.Visibility = r.PostForm.Get("status"), r.PostForm.Get("in_reply_to_id"), r.PostForm.Get("visibility")
		in.SpoilerText, in.Language = r.PostForm.Get("spoiler_text"), r.PostForm.Get("language")
	}
	key := r.Header.Get("Idempotency-Key")
	if id, ok := f.idem[key]; ok && key != "" {
		if s, ok := f.byID[id]; ok {
			writeJSON(w, 200, s)
			return
		}
	}
	switch in.Visibility {
	case "", "public", "unlisted", "private", "direct":
	default:
		apiError(w, 422, "Validation failed: Visibility is not included in the list")
		return
	}
	if strings.TrimSpace(in.Status) == "" {
		apiError(w, 422, "Validation failed: Text can't be blank")
		return
	}
	if n := Length(in.Status + in.SpoilerText); n > f.maxChars {
		apiError(w, 422, fmt.Sprintf("Validation failed: Text character limit of %d exceeded", f.maxChars))
		return
	}
	if in.InReplyToID != "" {
		if p, ok := f.byID[in.InReplyToID]; !ok || !f.visible(p) {
			apiError(w, 404, "Record not found")
			return
		}
	}
	s, err := f.post(Post{Text: in.Status, InReplyTo: in.InReplyToID, Visibility: in.Visibility, SpoilerText: in.SpoilerText, Language: in.Language})
	if err != nil {
		apiError(w, 422, err.Error())
		return
	}
	s.IdempotencyKey = key
	if key != "" {
		f.idem[key] = s.ID
	}
	writeJSON(w, 200, s)
}

var lengthURL = regexp.MustCompile(`https?://\S+`)
var lengthMention = regexp.MustCompile(`@([A-Za-z0-9_]+)@[A-Za-z0-9.-]+[A-Za-z0-9]`)

// Length counts like Mastodon's StatusLengthValidator: grapheme clusters,
// links as 23 characters, remote mentions without their domain.
func Length(s string) int {
	s = lengthURL.ReplaceAllString(s, strings.Repeat("x", 23))
	s = lengthMention.ReplaceAllString(s, "@$1")
	return uniseg.GraphemeClusterCount(s)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// discard swallows a response whose request is applied but must look
// failed to the caller.
type discard struct{ header http.Header }

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}
