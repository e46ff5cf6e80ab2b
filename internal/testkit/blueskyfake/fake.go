// Package blueskyfake is a fake Bluesky for tests and benchmarks, built from
// the documented formats: Jetstream over a real WebSocket (wantedCollections,
// cursor replay, zstd with a dictionary, dropped connections, hosts that are
// down) and the XRPC calls earshot makes (createSession, refreshSession with
// expiring tokens, createRecord checking the reply refs and facets, getPosts,
// getProfiles, resolveHandle, listRecords), answering errors as
// {"error":"Name","message":"…"}.
//
// Posts made through the fake (Post, or createRecord) are kept, so they can
// be answered and looked up, and published on every Jetstream host, as the
// network would publish them.
package blueskyfake

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"sync"
	"time"
)

// Collection is the post record type.
const Collection = "app.bsky.feed.post"

// Account is a Bluesky account the fake knows.
type Account struct {
	DID       string
	Handle    string
	Name      string
	Followers int
	// Password is the app password createSession accepts; empty refuses logins.
	Password string
}

// StrongRef is a record at a version.
type StrongRef struct {
	URI string `json:"uri"`
	CID string `json:"cid"`
}

// ReplyRef is a post's place in a thread.
type ReplyRef struct {
	Root   StrongRef `json:"root"`
	Parent StrongRef `json:"parent"`
}

// Facet is a rich-text annotation: UTF-8 byte offsets into the text.
type Facet struct {
	Index struct {
		ByteStart int `json:"byteStart"`
		ByteEnd   int `json:"byteEnd"`
	} `json:"index"`
	Features []map[string]any `json:"features"`
}

// Record is an app.bsky.feed.post record.
type Record struct {
	Type      string    `json:"$type"`
	Text      string    `json:"text"`
	CreatedAt string    `json:"createdAt"`
	Langs     []string  `json:"langs,omitempty"`
	Reply     *ReplyRef `json:"reply,omitempty"`
	Facets    []Facet   `json:"facets,omitempty"`
}

// Post is a post the fake holds.
type Post struct {
	URI, CID, DID, RKey string
	Record              Record
	IndexedAt           time.Time
}

// Options tune a Fake; the zero value is the defaults.
type Options struct {
	// AccessTTL is how long an access token lives; default 2h, as Bluesky's.
	AccessTTL time.Duration
	// RefreshTTL is how long a refresh token lives; default 60 days.
	RefreshTTL time.Duration
	// MaxEvents keeps only the newest events for replay (a soak publishes
	// millions); 0 keeps all.
	MaxEvents int
	Now       func() time.Time
}

// Fake is a running fake Bluesky. Call New; Close stops every server.
type Fake struct {
	opts Options
	now  func() time.Time
	xrpc *httptest.Server
	// dict is built at first use: building takes a moment, and most tests
	// never compress.
	dict     []byte
	dictOnce sync.Once

	mu             sync.Mutex
	accounts       map[string]*Account // by DID
	handles        map[string]string   // handle -> DID
	posts          map[string]*Post    // by URI
	repos          map[string][]string // DID -> URIs, oldest first
	log            eventLog
	hosts          []*Host
	tokens         map[string]token
	calls          map[string]int
	profileBatches []int
	clock          int64 // last TID timestamp
}

type token struct {
	did     string
	refresh bool
	exp     time.Time
	revoked bool
}

// New starts a fake with one Jetstream host and the XRPC server.
func New(o Options) *Fake {
	if o.AccessTTL <= 0 {
		o.AccessTTL = 2 * time.Hour
	}
	if o.RefreshTTL <= 0 {
		o.RefreshTTL = 60 * 24 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	f := &Fake{
		opts: o, now: o.Now,
		accounts: map[string]*Account{}, handles: map[string]string{},
		posts: map[string]*Post{}, repos: map[string][]string{},
		tokens: map[string]token{}, calls: map[string]int{},
	}
	f.log.init(o.MaxEvents)
	f.xrpc = httptest.NewServer(f.xrpcHandler())
	f.AddHost()
	return f
}

// Close stops every server.
func (f *Fake) Close() {
	f.mu.Lock()
	hosts := f.hosts
	f.mu.Unlock()
	for _, h := range hosts {
		h.close()
	}
	f.xrpc.Close()
}

// URL is the XRPC server's base URL (PDS and AppView alike).
func (f *Fake) URL() string { return f.xrpc.URL }

// JetstreamURL is the first Jetstream host's subscribe URL.
func (f *Fake) JetstreamURL() string { return f.Host(0).URL }

// ZstdDictionary is the dictionary the fake compresses with.
func (f *Fake) ZstdDictionary() []byte {
	f.dictOnce.Do(func() { f.dict = Dictionary() })
	return f.dict
}

// AddAccount makes an account known (profiles, handles, logins).
func (f *Fake) AddAccount(a Account) {
	f.mu.Lock()
	defer f.mu.Unlock()
	acc := a
	f.accounts[a.DID] = &acc
	f.handles[a.Handle] = a.DID
}

// Calls is how often each XRPC method was called.
func (f *Fake) Calls(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

// ProfileBatches is the number of actors asked for in each getProfiles call.
func (f *Fake) ProfileBatches() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int(nil), f.profileBatches...)
}

// Get returns a post by URI.
func (f *Fake) Get(uri string) (Post, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.posts[uri]
	if !ok {
		return Post{}, false
	}
	return *p, true
}

// PostsBy returns an account's posts, oldest first.
func (f *Fake) PostsBy(did string) []Post {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Post
	for _, u := range f.repos[did] {
		if p, ok := f.posts[u]; ok {
			out = append(out, *p)
		}
	}
	return out
}

// PostOptions shape a post made with Post.
type PostOptions struct {
	// ReplyTo is the URI of the post answered; it must be known to the fake.
	ReplyTo string
	Langs   []string
	Facets  []Facet
	// CreatedAt defaults to now.
	CreatedAt time.Time
	// NoEvent keeps the post off Jetstream (it was made before the stream).
	NoEvent bool
	// Ephemeral publishes the post without keeping it (soaks and benchmarks
	// publish millions that are never answered).
	Ephemeral bool
}

// Post makes a post by did (which need not be a known account) and
// publishes it on Jetstream. It returns the post's URI and CID.
func (f *Fake) Post(did, text string, o PostOptions) (uri, cid string, err error) {
	rec := Record{Type: Collection, Text: text, Langs: o.Langs, Facets: o.Facets}
	created := o.CreatedAt
	if created.IsZero() {
		created = f.now()
	}
	rec.CreatedAt = created.UTC().Format("2006-01-02T15:04:05.000Z")
	f.mu.Lock()
	defer f.mu.Unlock()
	if o.ReplyTo != "" {
		parent, ok := f.posts[o.ReplyTo]
		if !ok {
			return "", "", fmt.Errorf("blueskyfake: reply to unknown post %s", o.ReplyTo)
		}
		ref := ReplyRef{Parent: StrongRef{parent.URI, parent.CID}, Root: StrongRef{parent.URI, parent.CID}}
		if parent.Record.Reply != nil {
			ref.Root = parent.Record.Reply.Root
		}
		rec.Reply = &ref
	}
	if o.Ephemeral {
		rkey := f.tidLocked()
		raw, _ := json.Marshal(rec)
		cid := cidOf(raw)
		f.publishLocked(commitEvent(did, "create", rkey, cid, rec))
		return "at://" + did + "/" + Collection + "/" + rkey, cid, nil
	}
	p := f.storeLocked(did, rec)
	if !o.NoEvent {
		f.publishLocked(commitEvent(did, "create", p.RKey, p.CID, rec))
	}
	return p.URI, p.CID, nil
}

// storeLocked keeps a new post; f.mu is held.
func (f *Fake) storeLocked(did string, rec Record) *Post {
	rkey := f.tidLocked()
	raw, _ := json.Marshal(rec)
	p := &Post{URI: "at://" + did + "/" + Collection + "/" + rkey, CID: cidOf(raw), DID: did, RKey: rkey, Record: rec, IndexedAt: f.now()}
	f.posts[p.URI] = p
	f.repos[did] = append(f.repos[did], p.URI)
	return p
}

// Delete deletes a post and publishes the delete on Jetstream.
func (f *Fake) Delete(uri string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.posts[uri]
	if !ok {
		return fmt.Errorf("blueskyfake: delete of unknown post %s", uri)
	}
	delete(f.posts, uri)
	f.publishLocked(map[string]any{"did": p.DID, "kind": "commit", "commit": map[string]any{
		"rev": f.tidLocked(), "operation": "delete", "collection": Collection, "rkey": p.RKey}})
	return nil
}

// Rename changes an account's handle and publishes the identity event.
func (f *Fake) Rename(did, handle string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a, ok := f.accounts[did]; ok {
		delete(f.handles, a.Handle)
		a.Handle = handle
		f.handles[handle] = did
	}
	f.publishLocked(map[string]any{"did": did, "kind": "identity", "identity": map[string]any{
		"did": did, "handle": handle, "seq": 1, "time": f.now().UTC().Format(time.RFC3339Nano)}})
}

func commitEvent(did, op, rkey, cid string, rec Record) map[string]any {
	return map[string]any{"did": did, "kind": "commit", "commit": map[string]any{
		"rev": rkey, "operation": op, "collection": Collection, "rkey": rkey, "record": rec, "cid": cid}}
}
