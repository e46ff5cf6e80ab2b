package blueskyfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rivo/uniseg"
)

// xrpcHandler answers the XRPC methods earshot calls.
func (f *Fake) xrpcHandler() http.Handler {
	mux := http.NewServeMux()
	route := func(pattern string, h func(w http.ResponseWriter, r *http.Request)) {
		method := pattern[strings.LastIndex(pattern, "/")+1:]
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			f.mu.Lock()
			f.calls[method]++
			f.mu.Unlock()
			h(w, r)
		})
	}
	route("POST /xrpc/com.atproto.server.createSession", f.createSession)
	route("POST /xrpc/com.atproto.server.refreshSession", f.refreshSession)
	route("POST /xrpc/com.atproto.repo.createRecord", f.createRecord)
	route("GET /xrpc/com.atproto.repo.listRecords", f.listRecords)
	route("GET /xrpc/com.atproto.identity.resolveHandle", f.resolveHandle)
	route("GET /xrpc/app.bsky.feed.getPosts", f.getPosts)
	route("GET /xrpc/app.bsky.actor.getProfiles", f.getProfiles)
	return mux
}

func xrpcError(w http.ResponseWriter, status int, name, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": name, "message": msg})
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// sessionLocked issues a token pair for did; f.mu is held.
func (f *Fake) sessionLocked(did string) map[string]any {
	now := f.now()
	access := jwt(did, "com.atproto.access", now.Add(f.opts.AccessTTL))
	refresh := jwt(did, "com.atproto.refresh", now.Add(f.opts.RefreshTTL))
	f.tokens[access] = token{did: did, exp: now.Add(f.opts.AccessTTL)}
	f.tokens[refresh] = token{did: did, refresh: true, exp: now.Add(f.opts.RefreshTTL)}
	a := f.accounts[did]
	return map[string]any{"accessJwt": access, "refreshJwt": refresh, "handle": a.Handle, "did": did,
		"didDoc": map[string]any{"id": did}, "active": true}
}

func (f *Fake) createSession(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Identifier string `json:"identifier"`
		Password   string `json:"password"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Identifier == "" || in.Password == "" {
		xrpcError(w, 400, "InvalidRequest", "identifier and password are required")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	did := in.Identifier
	if d, ok := f.handles[strings.TrimPrefix(in.Identifier, "@")]; ok {
		did = d
	}
	a, ok := f.accounts[did]
	if !ok || a.Password == "" || a.Password != in.Password {
		xrpcError(w, 401, "AuthenticationRequired", "Invalid identifier or password")
		return
	}
	reply(w, f.sessionLocked(did))
}

// bearer finds the token a request carries; f.mu is held.
func (f *Fake) bearerLocked(r *http.Request) (string, token, bool) {
	t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return "", token{}, false
	}
	tok, ok := f.tokens[t]
	return t, tok, ok
}

func (f *Fake) refreshSession(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	raw, tok, ok := f.bearerLocked(r)
	switch {
	case !ok || !tok.refresh || tok.revoked:
		xrpcError(w, 400, "InvalidToken", "Token could not be verified")
		return
	case !f.now().Before(tok.exp):
		xrpcError(w, 400, "ExpiredToken", "Token has expired")
		return
	}
	tok.revoked = true // refresh tokens rotate
	f.tokens[raw] = tok
	reply(w, f.sessionLocked(tok.did))
}

// authLocked checks an access token; it answers the error itself.
func (f *Fake) authLocked(w http.ResponseWriter, r *http.Request) (string, bool) {
	_, tok, ok := f.bearerLocked(r)
	switch {
	case !ok || tok.refresh:
		xrpcError(w, 401, "AuthenticationRequired", "Authentication Required")
		return "", false
	case !f.now().Before(tok.exp):
		xrpcError(w, 400, "ExpiredToken", "Token has expired")
		return "", false
	}
	return tok.did, true
}

func (f *Fake) createRecord(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Repo       string          `json:"repo"`
		Collection string          `json:"collection"`
		Record     json.RawMessage `json:"record"`
		RKey       string          `json:"rkey"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		xrpcError(w, 400, "InvalidRequest", "body: "+err.Error())
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	did, ok := f.authLocked(w, r)
	if !ok {
		return
	}
	if in.Repo != did && f.handles[in.Repo] != did {
		xrpcError(w, 400, "InvalidRequest", fmt.Sprintf("repo %q is not the session's account", in.Repo))
		return
	}
	if in.Collection != Collection {
		xrpcError(w, 400, "InvalidRequest", fmt.Sprintf("collection %q: only posts are faked", in.Collection))
		return
	}
	var rec Record
	if err := json.Unmarshal(in.Record, &rec); err != nil {
		xrpcError(w, 400, "InvalidRequest", "record: "+err.Error())
		return
	}
	if err := f.checkRecordLocked(rec); err != nil {
		xrpcError(w, 400, "InvalidRequest", "Invalid app.bsky.feed.post record: "+err.Error())
		return
	}
	p := f.storeLocked(did, rec)
	f.publishLocked(commitEvent(did, "create", p.RKey, p.CID, rec))
	reply(w, map[string]any{"uri": p.URI, "cid": p.CID, "commit": map[string]string{"cid": p.CID, "rev": p.RKey}, "validationStatus": "valid"})
}

// checkRecordLocked holds a post to the lexicon and to what makes a reply
// show in its thread: both refs, pointing at posts that exist at those
// versions, root being the parent's root.
func (f *Fake) checkRecordLocked(rec Record) error {
	switch {
	case rec.Type != Collection:
		return fmt.Errorf("$type %q", rec.Type)
	case rec.Text == "" && len(rec.Facets) > 0:
		return fmt.Errorf("facets on an empty text")
	case uniseg.GraphemeClusterCount(rec.Text) > 300:
		return fmt.Errorf("text is %d graphemes, more than 300", uniseg.GraphemeClusterCount(rec.Text))
	case len(rec.Text) > 3000:
		return fmt.Errorf("text is %d bytes, more than 3000", len(rec.Text))
	}
	if _, err := time.Parse(time.RFC3339Nano, rec.CreatedAt); err != nil {
		return fmt.Errorf("createdAt %q is not a datetime", rec.CreatedAt)
	}
	if rp := rec.Reply; rp != nil {
		if rp.Root.URI == "" || rp.Root.CID == "" || rp.Parent.URI == "" || rp.Parent.CID == "" {
			return fmt.Errorf("reply needs root and parent, each with uri and cid")
		}
		parent, ok := f.posts[rp.Parent.URI]
		if !ok {
			return fmt.Errorf("reply parent %s does not exist", rp.Parent.URI)
		}
		if parent.CID != rp.Parent.CID {
			return fmt.Errorf("reply parent cid %s is not %s's (%s)", rp.Parent.CID, rp.Parent.URI, parent.CID)
		}
		want := StrongRef{parent.URI, parent.CID}
		if parent.Record.Reply != nil {
			want = parent.Record.Reply.Root
		}
		if rp.Root != want {
			return fmt.Errorf("reply root %+v is not the parent's root %+v", rp.Root, want)
		}
	}
	end := 0
	fs := slices.Clone(rec.Facets)
	slices.SortFunc(fs, func(a, b Facet) int { return a.Index.ByteStart - b.Index.ByteStart })
	for _, fc := range fs {
		s, e := fc.Index.ByteStart, fc.Index.ByteEnd
		if s < end || s >= e || e > len(rec.Text) {
			return fmt.Errorf("facet [%d,%d) is out of the text's %d bytes or overlaps another", s, e, len(rec.Text))
		}
		end = e
		if len(fc.Features) == 0 {
			return fmt.Errorf("facet [%d,%d) has no feature", s, e)
		}
		for _, ft := range fc.Features {
			switch ft["$type"] {
			case "app.bsky.richtext.facet#mention":
				if d, _ := ft["did"].(string); !strings.HasPrefix(d, "did:") {
					return fmt.Errorf("mention facet [%d,%d) did %q", s, e, d)
				}
			case "app.bsky.richtext.facet#link":
				u, _ := ft["uri"].(string)
				if p, err := url.Parse(u); err != nil || p.Scheme == "" {
					return fmt.Errorf("link facet [%d,%d) uri %q", s, e, u)
				}
			case "app.bsky.richtext.facet#tag":
				if t, _ := ft["tag"].(string); t == "" || strings.HasPrefix(t, "#") {
					return fmt.Errorf("tag facet [%d,%d) tag %q", s, e, t)
				}
			default:
				return fmt.Errorf("facet [%d,%d) feature type %v", s, e, ft["$type"])
			}
		}
	}
	return nil
}

func (f *Fake) resolveHandle(w http.ResponseWriter, r *http.Request) {
	h := r.URL.Query().Get("handle")
	f.mu.Lock()
	did, ok := f.handles[h]
	f.mu.Unlock()
	if !ok {
		xrpcError(w, 400, "InvalidRequest", "Unable to resolve handle")
		return
	}
	reply(w, map[string]string{"did": did})
}

func (f *Fake) getPosts(w http.ResponseWriter, r *http.Request) {
	uris := r.URL.Query()["uris"]
	if len(uris) == 0 || len(uris) > 25 {
		xrpcError(w, 400, "InvalidRequest", fmt.Sprintf("uris: %d given, 1 to 25 allowed", len(uris)))
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	views := []map[string]any{}
	for _, u := range uris {
		p, ok := f.posts[u]
		if !ok {
			continue // deleted or unknown posts are left out, as the AppView does
		}
		author := map[string]any{"did": p.DID, "handle": "handle.invalid"}
		if a, ok := f.accounts[p.DID]; ok {
			author["handle"], author["displayName"] = a.Handle, a.Name
		}
		views = append(views, map[string]any{"uri": p.URI, "cid": p.CID, "author": author, "record": p.Record,
			"indexedAt": p.IndexedAt.UTC().Format(time.RFC3339Nano), "replyCount": 0, "repostCount": 0, "likeCount": 0, "quoteCount": 0})
	}
	reply(w, map[string]any{"posts": views})
}

func (f *Fake) getProfiles(w http.ResponseWriter, r *http.Request) {
	actors := r.URL.Query()["actors"]
	if len(actors) == 0 || len(actors) > 25 {
		xrpcError(w, 400, "InvalidRequest", fmt.Sprintf("actors: %d given, 1 to 25 allowed", len(actors)))
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.profileBatches = append(f.profileBatches, len(actors))
	out := []map[string]any{}
	for _, id := range actors {
		did := id
		if d, ok := f.handles[id]; ok {
			did = d
		}
		a, ok := f.accounts[did]
		if !ok {
			continue
		}
		out = append(out, map[string]any{"did": a.DID, "handle": a.Handle, "displayName": a.Name,
			"followersCount": a.Followers, "followsCount": 0, "postsCount": len(f.repos[a.DID])})
	}
	reply(w, map[string]any{"profiles": out})
}

// listRecords lists a repo's posts newest first (reverse=true: oldest
// first), limit 1–100 (default 50), paged by an rkey cursor.
func (f *Fake) listRecords(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 50
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			xrpcError(w, 400, "InvalidRequest", "limit must be 1 to 100")
			return
		}
		limit = n
	}
	if q.Get("collection") != Collection {
		reply(w, map[string]any{"records": []any{}})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	did := q.Get("repo")
	if d, ok := f.handles[did]; ok {
		did = d
	}
	uris := slices.Clone(f.repos[did])
	reverse := q.Get("reverse") == "true"
	if !reverse {
		slices.Reverse(uris)
	}
	cursor := q.Get("cursor")
	out := []map[string]any{}
	next := ""
	for _, u := range uris {
		p, ok := f.posts[u]
		if !ok {
			continue
		}
		if cursor != "" && ((!reverse && p.RKey >= cursor) || (reverse && p.RKey <= cursor)) {
			continue
		}
		if len(out) == limit {
			break
		}
		out = append(out, map[string]any{"uri": p.URI, "cid": p.CID, "value": p.Record})
		next = p.RKey
	}
	resp := map[string]any{"records": out}
	if len(out) == limit {
		resp["cursor"] = next
	}
	reply(w, resp)
}
