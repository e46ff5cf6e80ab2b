package redditfake

import (
	"html"
	"net/http"
	"strconv"
	"strings"
)

// listing pages list (newest first) as Reddit does: after=X gives what
// follows X, before=X the page just above it; limit defaults to 25,
// capped at 100; after is null on the last page.
func (f *Fake) listing(w http.ResponseWriter, r *http.Request, list []Thing) {
	q := r.URL.Query()
	limit := 25
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 {
		limit = min(n, 100)
	}
	index := func(name string) int {
		for i, t := range list {
			if t.Fullname() == name {
				return i
			}
		}
		return -1
	}
	start, end := 0, min(limit, len(list))
	switch {
	case q.Get("after") != "":
		i := index(q.Get("after"))
		if i < 0 {
			start, end = 0, 0 // Reddit answers an unknown anchor with nothing
		} else {
			start, end = i+1, min(i+1+limit, len(list))
		}
	case q.Get("before") != "":
		i := index(q.Get("before"))
		if i < 0 {
			start, end = 0, 0
		} else {
			start, end = max(0, i-limit), i
		}
	}
	raw := q.Get("raw_json") == "1"
	children := make([]map[string]any, 0, end-start)
	for _, t := range list[start:end] {
		children = append(children, map[string]any{"kind": t.Kind, "data": thingJSON(t, raw)})
	}
	var after, before any
	if end < len(list) && end > start {
		after = list[end-1].Fullname()
	}
	if start > 0 && end > start {
		before = list[start].Fullname()
	}
	writeJSON(w, http.StatusOK, map[string]any{"kind": "Listing", "data": map[string]any{
		"after": after, "before": before, "dist": len(children), "modhash": "", "geo_filter": "", "children": children,
	}})
}

// thingJSON is a thing as Reddit sends it. Without raw_json=1 Reddit
// HTML-escapes & < > in text fields; so does the fake.
func thingJSON(t Thing, raw bool) map[string]any {
	esc := func(s string) string {
		if raw {
			return s
		}
		return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
	}
	d := map[string]any{
		"id": t.ID, "name": t.Fullname(), "subreddit": t.Subreddit, "subreddit_name_prefixed": "r/" + t.Subreddit,
		"author": t.Author, "permalink": t.Permalink(), "created_utc": float64(t.Created.Unix()), "score": 1,
	}
	if t.Author != "[deleted]" {
		d["author_fullname"] = "t2_" + strconv.FormatUint(uint64(len(t.Author))*7919, 36)
	}
	if t.Kind == "t3" {
		d["title"], d["selftext"] = esc(t.Title), esc(t.Selftext)
		d["url"] = "https://www.reddit.com" + t.Permalink()
		d["is_self"], d["num_comments"], d["over_18"] = true, 0, false
	} else {
		d["body"], d["parent_id"], d["link_id"], d["replies"] = esc(t.Body), t.ParentID, t.LinkID, ""
		d["body_html"] = html.EscapeString(t.Body)
	}
	return d
}

// newestFirst lists the things keep accepts, newest first.
func (f *Fake) newestFirst(keep func(Thing) bool) []Thing {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Thing
	for i := len(f.things) - 1; i >= 0; i-- {
		if keep(*f.things[i]) {
			out = append(out, *f.things[i])
		}
	}
	return out
}

func sameSub(a, b string) bool { return strings.EqualFold(a, b) }

// search is GET /search and /r/{sub}/search: posts only (type=link; the
// API has no comment search), the words of q all in the title or text.
func (f *Fake) search(w http.ResponseWriter, r *http.Request, _ string) {
	q := r.URL.Query()
	if s := q.Get("sort"); s != "" && s != "new" {
		http.Error(w, "the fake sorts by new only", http.StatusBadRequest)
		return
	}
	if typ := q.Get("type"); typ != "" && typ != "link" {
		http.Error(w, "the fake searches links only", http.StatusBadRequest)
		return
	}
	words := strings.Fields(strings.ToLower(q.Get("q")))
	sub := r.PathValue("sub")
	f.listing(w, r, f.newestFirst(func(t Thing) bool {
		if t.Kind != "t3" || (sub != "" && !sameSub(t.Subreddit, sub)) {
			return false
		}
		text := strings.ToLower(t.Title + " " + t.Selftext)
		for _, wd := range words {
			if !strings.Contains(text, wd) {
				return false
			}
		}
		return len(words) > 0
	}))
}

func (f *Fake) newPosts(w http.ResponseWriter, r *http.Request, _ string) {
	sub := r.PathValue("sub")
	f.listing(w, r, f.newestFirst(func(t Thing) bool { return t.Kind == "t3" && sameSub(t.Subreddit, sub) }))
}

func (f *Fake) newComments(w http.ResponseWriter, r *http.Request, _ string) {
	sub := r.PathValue("sub")
	f.listing(w, r, f.newestFirst(func(t Thing) bool { return t.Kind == "t1" && (sub == "all" || sameSub(t.Subreddit, sub)) }))
}

// inbox is GET /message/inbox: the account's comment replies (user token).
func (f *Fake) inbox(w http.ResponseWriter, r *http.Request, kind string) {
	if kind != "user" {
		writeJSON(w, http.StatusForbidden, map[string]any{"message": "Forbidden", "error": 403})
		return
	}
	f.listing(w, r, f.newestFirst(func(t Thing) bool { return t.Inbox }))
}

// info is GET /api/info?id=fullname,… in the order asked.
func (f *Fake) info(w http.ResponseWriter, r *http.Request, _ string) {
	ids := strings.Split(r.URL.Query().Get("id"), ",")
	if len(ids) > 100 {
		http.Error(w, "too many ids", http.StatusBadRequest)
		return
	}
	var list []Thing
	for _, id := range ids {
		if t, ok := f.thing(id); ok {
			list = append(list, t)
		}
	}
	f.listing(w, r, list)
}

func (f *Fake) userComments(w http.ResponseWriter, r *http.Request, _ string) {
	name := r.PathValue("name")
	f.listing(w, r, f.newestFirst(func(t Thing) bool { return t.Kind == "t1" && strings.EqualFold(t.Author, name) }))
}

// comment is POST /api/comment: the user token posts as Username.
func (f *Fake) comment(w http.ResponseWriter, r *http.Request, kind string) {
	if kind != "user" {
		writeJSON(w, http.StatusForbidden, map[string]any{"message": "Forbidden", "error": 403})
		return
	}
	errs := func(code, msg, field string) {
		writeJSON(w, http.StatusOK, map[string]any{"json": map[string]any{"errors": [][]string{{code, msg, field}}}})
	}
	f.mu.Lock()
	var refuse *[3]string
	if len(f.refuseNext) > 0 {
		refuse = &f.refuseNext[0]
		f.refuseNext = f.refuseNext[1:]
	}
	f.mu.Unlock()
	if refuse != nil {
		errs(refuse[0], refuse[1], refuse[2])
		return
	}
	if r.PostForm.Get("api_type") != "json" {
		http.Error(w, "api_type=json expected", http.StatusBadRequest)
		return
	}
	parent, text := r.PostForm.Get("thing_id"), r.PostForm.Get("text")
	p, ok := f.thing(parent)
	switch {
	case !ok:
		errs("NO_THING_ID", "that thing does not exist", "parent")
		return
	case strings.TrimSpace(text) == "":
		errs("NO_TEXT", "we need something here", "text")
		return
	case p.Body == "[deleted]" || p.Selftext == "[deleted]":
		errs("DELETED_COMMENT", "that comment has been deleted", "parent")
		return
	}
	c := f.Comment(parent, Username, text)
	d := thingJSON(c, true)
	writeJSON(w, http.StatusOK, map[string]any{"json": map[string]any{"errors": []any{},
		"data": map[string]any{"things": []any{map[string]any{"kind": "t1", "data": d}}}}})
}
