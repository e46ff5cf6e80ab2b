// Package bluesky connects earshot to Bluesky: a Source that watches the
// whole network through Jetstream (every public post, matched by the rules,
// plus follow-ups to tracked conversations and their deletions), and a
// Replier that answers through the account's PDS with an app password.
package bluesky

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// PostCollection is the record type of posts, the only collection watched.
const PostCollection = "app.bsky.feed.post"

// Facet feature types (app.bsky.richtext.facet).
const (
	featureMention = "app.bsky.richtext.facet#mention"
	featureLink    = "app.bsky.richtext.facet#link"
	featureTag     = "app.bsky.richtext.facet#tag"
)

// event is one Jetstream message. Unknown fields are ignored: the v2 server
// adds some (a sequence cursor) to the v1 shape.
type event struct {
	Did      string    `json:"did"`
	TimeUS   int64     `json:"time_us"`
	Kind     string    `json:"kind"`
	Commit   *commit   `json:"commit"`
	Identity *identity `json:"identity"`
}

type commit struct {
	Rev        string          `json:"rev"`
	Operation  string          `json:"operation"`
	Collection string          `json:"collection"`
	RKey       string          `json:"rkey"`
	Record     json.RawMessage `json:"record"`
	CID        string          `json:"cid"`
}

type identity struct {
	Did    string `json:"did"`
	Handle string `json:"handle"`
}

// postRecord is the part of an app.bsky.feed.post record earshot reads.
type postRecord struct {
	Text      string    `json:"text"`
	CreatedAt string    `json:"createdAt"`
	Langs     []string  `json:"langs"`
	Reply     *replyRef `json:"reply"`
	Facets    []facet   `json:"facets"`
}

// strongRef is com.atproto.repo.strongRef: a record at a version.
type strongRef struct {
	URI string `json:"uri"`
	CID string `json:"cid"`
}

type replyRef struct {
	Root   strongRef `json:"root"`
	Parent strongRef `json:"parent"`
}

type facet struct {
	Index    byteSlice `json:"index"`
	Features []feature `json:"features"`
}

type byteSlice struct {
	ByteStart int `json:"byteStart"`
	ByteEnd   int `json:"byteEnd"`
}

type feature struct {
	Type string `json:"$type"`
	Did  string `json:"did,omitempty"`
	URI  string `json:"uri,omitempty"`
	Tag  string `json:"tag,omitempty"`
}

// post is a decoded create (or update) of a post, ready to be matched.
type post struct {
	URI    string
	CID    string
	Did    string
	RKey   string
	TimeUS int64
	Record postRecord
}

// mentions reports whether the post's facets mention did.
func (p *post) mentions(did string) bool {
	for _, f := range p.Record.Facets {
		for _, ft := range f.Features {
			if ft.Type == featureMention && ft.Did == did {
				return true
			}
		}
	}
	return false
}

// createdAt is when the author says they posted, unless that is unreadable
// or later than Jetstream saw it (clients set it freely): then Jetstream's time.
func (p *post) createdAt() time.Time {
	seen := time.UnixMicro(p.TimeUS).UTC()
	t, err := time.Parse(time.RFC3339Nano, p.Record.CreatedAt)
	if err != nil || t.After(seen.Add(time.Minute)) || t.Year() < 2022 {
		return seen
	}
	return t.UTC()
}

// ATURI is the at:// address of a record.
func ATURI(did, collection, rkey string) string {
	return "at://" + did + "/" + collection + "/" + rkey
}

// WebURL is the bsky.app page of a post. It names the author by DID, which
// unlike a handle never changes, so the link keeps working.
func WebURL(did, rkey string) string {
	return "https://bsky.app/profile/" + did + "/post/" + rkey
}

// parseATURI splits at://did/collection/rkey.
func parseATURI(uri string) (did, collection, rkey string, err error) {
	rest, ok := strings.CutPrefix(uri, "at://")
	if !ok {
		return "", "", "", fmt.Errorf("%q is not an at:// URI", uri)
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return "", "", "", fmt.Errorf("%q is not at://<did>/<collection>/<rkey>", uri)
	}
	return parts[0], parts[1], parts[2], nil
}

var errNoTime = errors.New("no time_us")

// decodeEvent reads one Jetstream message. Only what earshot acts on is
// checked: a commit names its repo, collection and record key; a create
// carries a record and its cid.
func decodeEvent(data []byte) (event, error) {
	var ev event
	if err := json.Unmarshal(data, &ev); err != nil {
		return event{}, fmt.Errorf("decode jetstream event: %w", err)
	}
	if ev.TimeUS <= 0 {
		return event{}, fmt.Errorf("jetstream %s event of %q: %w", ev.Kind, ev.Did, errNoTime)
	}
	if ev.Kind == "commit" {
		c := ev.Commit
		switch {
		case c == nil:
			return event{}, fmt.Errorf("jetstream commit event at %d has no commit", ev.TimeUS)
		case ev.Did == "" || c.Collection == "" || c.RKey == "":
			return event{}, fmt.Errorf("jetstream commit at %d: did %q, collection %q, rkey %q: all are required", ev.TimeUS, ev.Did, c.Collection, c.RKey)
		case strings.Contains(ev.Did, "/") || strings.Contains(c.Collection, "/") || strings.Contains(c.RKey, "/"):
			return event{}, fmt.Errorf("jetstream commit at %d: did %q, collection %q, rkey %q: none may contain /", ev.TimeUS, ev.Did, c.Collection, c.RKey)
		}
	}
	return ev, nil
}

// decodePost reads the record of a create or update of a post.
func decodePost(ev *event) (post, error) {
	c := ev.Commit
	p := post{URI: ATURI(ev.Did, c.Collection, c.RKey), CID: c.CID, Did: ev.Did, RKey: c.RKey, TimeUS: ev.TimeUS}
	if len(c.Record) == 0 {
		return post{}, fmt.Errorf("post %s (%s) has no record", p.URI, c.Operation)
	}
	if err := json.Unmarshal(c.Record, &p.Record); err != nil {
		return post{}, fmt.Errorf("post %s: record: %w", p.URI, err)
	}
	return p, nil
}
