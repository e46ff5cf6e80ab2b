// Package metafake is an httptest double of the parts of Meta's Graph API
// earshot uses (page feed, comments, Instagram media, comments, replies,
// tags, mentions, Messenger private replies), built from the documented
// formats: cursor paging with paging.next, the X-App-Usage and
// X-Business-Use-Case-Usage headers, and error objects
// {"error":{"message","type","code","error_subcode","fbtrace_id"}}. It also
// builds and signs webhook deliveries.
package metafake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// TimeLayout is the Graph API's time format.
const TimeLayout = "2006-01-02T15:04:05-0700"

// Version is the Graph version the fake serves under.
const Version = "v21.0"

// Post is a page feed post.
type Post struct {
	ID, PageID, FromID, FromName, Message string
	Created, Updated                      time.Time
}

// Comment is a Facebook comment; ParentID is the post or comment it answers.
type Comment struct {
	ID, PostID, ParentID, FromID, FromName, Message string
	Created                                         time.Time
}

// Media is an Instagram media of Owner (an IG user id), or of someone
// else tagging an account (TaggedIn).
type Media struct {
	ID, Owner, Username, Caption string
	Created                      time.Time
	TaggedIn                     []string
}

// IGComment is an Instagram comment; ParentID is set for replies.
type IGComment struct {
	ID, MediaID, ParentID, FromID, Username, Text string
	Created                                       time.Time
}

// Message is a private reply the fake took.
type Message struct {
	PageID    string
	Recipient map[string]string
	Text      string
}

// Fail is an error the fake answers with.
type Fail struct {
	Status, Code, Subcode int
	Message               string
}

// Fake is the Graph API double.
type Fake struct {
	*httptest.Server
	// PageSize is the items per page of every list; default 25.
	PageSize int

	mu         sync.Mutex
	seq        int
	tokens     map[string]string // page id → token
	igPage     map[string]string // ig user id → page id
	igName     map[string]string // ig user id → username
	posts      map[string]*Post
	comments   map[string]*Comment
	media      map[string]*Media
	igComments map[string]*IGComment
	messages   []Message
	replied    map[string]bool // private replies sent, per recipient
	fails      map[string][]Fail
	headers    http.Header
	requests   []string
}

// New starts a fake; Close it when done.
func New() *Fake {
	f := &Fake{
		PageSize: 25, seq: 1000,
		tokens: map[string]string{}, igPage: map[string]string{}, igName: map[string]string{},
		posts: map[string]*Post{}, comments: map[string]*Comment{}, media: map[string]*Media{},
		igComments: map[string]*IGComment{}, replied: map[string]bool{}, fails: map[string][]Fail{},
		headers: http.Header{},
	}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	return f
}

// AddPage registers a page and its access token.
func (f *Fake) AddPage(id, token string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens[id] = token
}

// AddAccount registers an Instagram account linked to page.
func (f *Fake) AddAccount(igID, username, pageID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.igPage[igID], f.igName[igID] = pageID, username
}

func (f *Fake) next() string { f.seq++; return strconv.Itoa(f.seq) }

// AddPost adds a post to page's feed, by from (the page itself when
// fromID is the page id); it returns the post id "PAGE_N".
func (f *Fake) AddPost(pageID, fromID, fromName, message string, at time.Time) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := pageID + "_" + f.next()
	f.posts[id] = &Post{ID: id, PageID: pageID, FromID: fromID, FromName: fromName, Message: message, Created: at, Updated: at}
	return id
}

// AddComment answers parent (a post or comment id); it returns "POST_N".
func (f *Fake) AddComment(parentID, fromID, fromName, message string, at time.Time) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.addComment(parentID, fromID, fromName, message, at)
}

func (f *Fake) addComment(parentID, fromID, fromName, message string, at time.Time) string {
	postID := parentID
	if c, ok := f.comments[parentID]; ok {
		postID = c.PostID
	}
	_, short, _ := strings.Cut(postID, "_")
	id := short + "_" + f.next()
	f.comments[id] = &Comment{ID: id, PostID: postID, ParentID: parentID, FromID: fromID, FromName: fromName, Message: message, Created: at}
	if p, ok := f.posts[postID]; ok && at.After(p.Updated) {
		p.Updated = at
	}
	return id
}

// AddMedia adds media owned by igID; tagged lists accounts it tags.
func (f *Fake) AddMedia(owner, username, caption string, at time.Time, tagged ...string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := "179" + f.next()
	f.media[id] = &Media{ID: id, Owner: owner, Username: username, Caption: caption, Created: at, TaggedIn: tagged}
	return id
}

// AddIGComment adds a comment on media (parentID "" for a top-level one).
func (f *Fake) AddIGComment(mediaID, parentID, fromID, username, text string, at time.Time) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.addIGComment(mediaID, parentID, fromID, username, text, at)
}

func (f *Fake) addIGComment(mediaID, parentID, fromID, username, text string, at time.Time) string {
	id := "180" + f.next()
	f.igComments[id] = &IGComment{ID: id, MediaID: mediaID, ParentID: parentID, FromID: fromID, Username: username, Text: text, Created: at}
	return id
}

// Comments lists the Facebook comments whose parent is id, oldest first.
func (f *Fake) Comments(parentID string) []Comment {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Comment
	for _, c := range f.comments {
		if c.ParentID == parentID {
			out = append(out, *c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// IGReplies lists the Instagram replies to a comment (or, for a media id,
// its top-level comments).
func (f *Fake) IGReplies(id string) []IGComment {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []IGComment
	for _, c := range f.igComments {
		if c.ParentID == id || (c.ParentID == "" && c.MediaID == id) {
			out = append(out, *c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Messages are the private replies taken.
func (f *Fake) Messages() []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Message(nil), f.messages...)
}

// FailNext makes the next request whose path ends with suffix fail.
func (f *Fake) FailNext(suffix string, fl Fail) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fails[suffix] = append(f.fails[suffix], fl)
}

// SetHeader adds a header to every answer (X-App-Usage, …).
func (f *Fake) SetHeader(name, value string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.headers.Set(name, value)
}

// Requests are the method and path of every request, in order.
func (f *Fake) Requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, fl Fail) {
	if fl.Status == 0 {
		fl.Status = http.StatusBadRequest
	}
	if fl.Message == "" {
		fl.Message = "fake error"
	}
	typ := "OAuthException"
	if fl.Code == 1 || fl.Code == 2 {
		typ = "FacebookApiException"
	}
	writeJSON(w, fl.Status, map[string]any{"error": map[string]any{
		"message": fl.Message, "type": typ, "code": fl.Code, "error_subcode": fl.Subcode, "fbtrace_id": "AbCdEfFake",
	}})
}

var fieldExpansion = regexp.MustCompile(`^mentioned_(comment|media)\.(comment_id|media_id)\((\d+)\)`)

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.Method+" "+r.URL.Path)
	for k, vs := range f.headers {
		w.Header()[k] = vs
	}
	if r.URL.Query().Has("access_token") {
		writeError(w, Fail{Code: 100, Message: "fake: tokens go in the Authorization header"})
		return
	}
	for suffix, fls := range f.fails {
		if len(fls) > 0 && strings.HasSuffix(r.URL.Path, suffix) {
			f.fails[suffix] = fls[1:]
			writeError(w, fls[0])
			return
		}
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/"+Version+"/")
	if !ok {
		writeError(w, Fail{Status: 400, Code: 2500, Message: "Unknown path components"})
		return
	}
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	page := ""
	for id, t := range f.tokens {
		if t == token {
			page = id
		}
	}
	if page == "" {
		writeError(w, Fail{Status: 400, Code: 190, Message: "Invalid OAuth access token."})
		return
	}
	parts := strings.Split(rest, "/")
	obj, edge := parts[0], ""
	if len(parts) == 2 {
		edge = parts[1]
	}
	if len(parts) > 2 || obj == "" {
		writeError(w, Fail{Code: 2500, Message: "Unknown path components"})
		return
	}
	if !f.owns(page, obj) {
		writeError(w, Fail{Code: 100, Subcode: 33, Message: "Unsupported request - object does not exist or cannot be loaded due to missing permissions"})
		return
	}
	switch {
	case r.Method == http.MethodGet && edge == "feed":
		f.feed(w, r, obj)
	case edge == "comments" && f.isFacebook(obj):
		if r.Method == http.MethodPost {
			f.postComment(w, r, obj, page)
			return
		}
		f.fbComments(w, r, obj)
	case r.Method == http.MethodGet && edge == "media":
		f.mediaList(w, r, func(m *Media) bool { return m.Owner == obj })
	case r.Method == http.MethodGet && edge == "tags":
		f.mediaList(w, r, func(m *Media) bool { return contains(m.TaggedIn, obj) })
	case edge == "comments" || edge == "replies":
		if r.Method == http.MethodPost {
			f.postIGComment(w, r, obj, edge)
			return
		}
		f.igList(w, r, obj, edge)
	case r.Method == http.MethodPost && edge == "messages":
		f.message(w, r, obj)
	case r.Method == http.MethodGet && edge == "" && f.igPage[obj] != "":
		f.igUser(w, r, obj)
	default:
		writeError(w, Fail{Code: 100, Message: "Unsupported " + r.Method + " request."})
	}
}

// owns says whether page's token reaches obj.
func (f *Fake) owns(page, obj string) bool {
	if pid, ok := f.igPage[obj]; ok {
		return pid == page
	}
	if obj == page {
		return true
	}
	if p, ok := f.posts[obj]; ok {
		return p.PageID == page
	}
	if c, ok := f.comments[obj]; ok {
		return f.posts[c.PostID] != nil && f.posts[c.PostID].PageID == page
	}
	if m, ok := f.media[obj]; ok {
		return f.igPage[m.Owner] == page
	}
	if c, ok := f.igComments[obj]; ok {
		m := f.media[c.MediaID]
		return m != nil && f.igPage[m.Owner] == page
	}
	return false
}

func (f *Fake) isFacebook(obj string) bool {
	_, p := f.posts[obj]
	_, c := f.comments[obj]
	return p || c
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// pageOut slices items (already in order) at the "after" cursor and
// writes {"data":[...],"paging":{...}}.
func (f *Fake) pageOut(w http.ResponseWriter, r *http.Request, items []any) {
	size := f.PageSize
	if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n > 0 && n < size {
		size = n
	}
	start := 0
	if a := r.URL.Query().Get("after"); a != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(a, "c"))
		if err != nil || n < 0 || n > len(items) {
			writeError(w, Fail{Code: 100, Message: "Invalid after cursor"})
			return
		}
		start = n
	}
	end := min(start+size, len(items))
	out := map[string]any{"data": items[start:end]}
	if len(items) > 0 {
		pg := map[string]any{"cursors": map[string]string{"before": "c" + strconv.Itoa(start), "after": "c" + strconv.Itoa(end)}}
		if end < len(items) {
			q := r.URL.Query()
			q.Set("after", "c"+strconv.Itoa(end))
			q.Set("access_token", "EAAnever-follow-this") // Graph puts one in its links
			pg["next"] = f.URL + r.URL.Path + "?" + q.Encode()
		}
		out["paging"] = pg
	}
	writeJSON(w, http.StatusOK, out)
}

func fbFrom(id, name string) map[string]string { return map[string]string{"id": id, "name": name} }

func (f *Fake) feed(w http.ResponseWriter, r *http.Request, page string) {
	var ps []*Post
	for _, p := range f.posts {
		if p.PageID == page {
			ps = append(ps, p)
		}
	}
	sort.Slice(ps, func(i, j int) bool {
		if !ps[i].Created.Equal(ps[j].Created) {
			return ps[i].Created.After(ps[j].Created)
		}
		return ps[i].ID > ps[j].ID
	})
	items := make([]any, len(ps))
	for i, p := range ps {
		items[i] = map[string]any{
			"id": p.ID, "message": p.Message, "created_time": p.Created.UTC().Format(TimeLayout),
			"updated_time": p.Updated.UTC().Format(TimeLayout), "from": fbFrom(p.FromID, p.FromName),
			"permalink_url": "https://www.facebook.com/" + p.ID,
		}
	}
	f.pageOut(w, r, items)
}

func (f *Fake) fbComments(w http.ResponseWriter, r *http.Request, obj string) {
	stream := r.URL.Query().Get("filter") == "stream"
	var cs []*Comment
	for _, c := range f.comments {
		if c.ParentID == obj || (stream && c.PostID == obj) {
			cs = append(cs, c)
		}
	}
	newest := r.URL.Query().Get("order") == "reverse_chronological"
	sort.Slice(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if newest {
			a, b = b, a
		}
		if !a.Created.Equal(b.Created) {
			return a.Created.Before(b.Created)
		}
		return a.ID < b.ID
	})
	items := make([]any, len(cs))
	for i, c := range cs {
		m := map[string]any{
			"id": c.ID, "message": c.Message, "created_time": c.Created.UTC().Format(TimeLayout),
			"from": fbFrom(c.FromID, c.FromName),
		}
		if c.ParentID != c.PostID {
			m["parent"] = map[string]string{"id": c.ParentID}
		}
		items[i] = m
	}
	f.pageOut(w, r, items)
}

// body reads a JSON or form body.
func body(r *http.Request) (map[string]any, error) {
	out := map[string]any{}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&out)
		return out, err
	}
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	for k := range r.PostForm {
		out[k] = r.PostForm.Get(k)
	}
	return out, nil
}

func (f *Fake) postComment(w http.ResponseWriter, r *http.Request, parent, page string) {
	b, err := body(r)
	msg, _ := b["message"].(string)
	if err != nil || msg == "" {
		writeError(w, Fail{Code: 100, Message: "(#100) The parameter message is required"})
		return
	}
	id := f.addComment(parent, page, "The Page", msg, time.Now())
	writeJSON(w, http.StatusOK, map[string]string{"id": id})
}

func (f *Fake) message(w http.ResponseWriter, r *http.Request, page string) {
	b, err := body(r)
	if err != nil {
		writeError(w, Fail{Code: 100, Message: "bad body"})
		return
	}
	rec, _ := b["recipient"].(map[string]any)
	msg, _ := b["message"].(map[string]any)
	text, _ := msg["text"].(string)
	if len(rec) != 1 || text == "" {
		writeError(w, Fail{Code: 100, Message: "(#100) recipient and message.text are required"})
		return
	}
	recipient := map[string]string{}
	for k, v := range rec {
		s, _ := v.(string)
		recipient[k] = s
	}
	key := fmt.Sprint(recipient)
	if f.replied[key] {
		writeError(w, Fail{Code: 10, Subcode: 2018278, Message: "(#10) This message is sent outside of allowed window."})
		return
	}
	f.replied[key] = true
	f.messages = append(f.messages, Message{PageID: page, Recipient: recipient, Text: text})
	writeJSON(w, http.StatusOK, map[string]string{"recipient_id": "PSID" + f.next(), "message_id": "m_" + f.next()})
}
