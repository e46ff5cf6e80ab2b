package reddit

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Listing is one page of a Reddit listing (search, /new, /comments,
// /api/info, the inbox): its children newest first, and the fullnames to
// page with.
type Listing struct {
	After    string
	Before   string
	Children []Thing
}

// Thing is a post (t3), a comment (t1) or a message (t4): the fields
// earshot reads, in one struct because the kinds share most of them.
type Thing struct {
	Kind string // t1, t3, t4
	// ID is the base-36 id; Name the fullname (Kind_ID), earshot's
	// ExternalID.
	ID        string
	Name      string
	Subreddit string
	// Title and Selftext are a post's; Body a comment's or message's.
	Title    string
	Selftext string
	Body     string
	Author   string
	// AuthorID is the account's fullname (t2_…), absent for [deleted].
	AuthorID  string
	Permalink string
	// Context is the inbox's link to a comment (it has no permalink there).
	Context   string
	CreatedAt float64 // created_utc, seconds
	// ParentID is what a comment answers (t1_… or t3_…); LinkID the post
	// it belongs to.
	ParentID string
	LinkID   string
}

// Fullname is the thing's fullname, built from Kind and ID when Name is
// absent (the inbox leaves it out of some messages).
func (t Thing) Fullname() string {
	if t.Name != "" {
		return t.Name
	}
	return t.Kind + "_" + t.ID
}

// wireListing is the JSON as Reddit sends it.
type wireListing struct {
	Kind string `json:"kind"`
	Data struct {
		After    *string `json:"after"`
		Before   *string `json:"before"`
		Children []struct {
			Kind string          `json:"kind"`
			Data json.RawMessage `json:"data"`
		} `json:"children"`
	} `json:"data"`
}

type wireThing struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Subreddit  string          `json:"subreddit"`
	Title      string          `json:"title"`
	Selftext   string          `json:"selftext"`
	Body       string          `json:"body"`
	Author     string          `json:"author"`
	AuthorFull string          `json:"author_fullname"`
	Permalink  string          `json:"permalink"`
	Context    string          `json:"context"`
	CreatedUTC json.RawMessage `json:"created_utc"`
	ParentID   *string         `json:"parent_id"`
	LinkID     string          `json:"link_id"`
}

// maxListing bounds what one listing response may weigh: 100 children of
// long posts stay far below it.
const maxListing = 16 << 20

// DecodeListing reads a listing response. Children of kinds earshot does
// not read (subreddits, accounts, "more") are skipped; a child of a known
// kind that lacks an id, or whose fullname disagrees with its kind, is an
// error naming its place, so a format change is seen, not half-read.
func DecodeListing(data []byte) (Listing, error) {
	if len(data) > maxListing {
		return Listing{}, fmt.Errorf("reddit listing: %d bytes is more than %d", len(data), maxListing)
	}
	var w wireListing
	if err := json.Unmarshal(data, &w); err != nil {
		return Listing{}, fmt.Errorf("reddit listing: %w", err)
	}
	if w.Kind != "Listing" {
		return Listing{}, fmt.Errorf("reddit listing: kind %q, want \"Listing\"", clip(w.Kind))
	}
	l := Listing{Children: make([]Thing, 0, len(w.Data.Children))}
	if w.Data.After != nil {
		l.After = *w.Data.After
	}
	if w.Data.Before != nil {
		l.Before = *w.Data.Before
	}
	for _, c := range []string{l.After, l.Before} {
		if c != "" && checkFullname(c) != nil {
			return Listing{}, fmt.Errorf("reddit listing: cursor %q is not a fullname", clip(c))
		}
	}
	for i, c := range w.Data.Children {
		switch c.Kind {
		case "t1", "t3", "t4":
		default:
			continue
		}
		t, err := decodeThing(c.Kind, c.Data)
		if err != nil {
			return Listing{}, fmt.Errorf("reddit listing: child %d (%s): %w", i, c.Kind, err)
		}
		l.Children = append(l.Children, t)
	}
	return l, nil
}

func decodeThing(kind string, data json.RawMessage) (Thing, error) {
	var w wireThing
	if err := json.Unmarshal(data, &w); err != nil {
		return Thing{}, err
	}
	if err := checkID(w.ID); err != nil {
		return Thing{}, err
	}
	if w.Name != "" && w.Name != kind+"_"+w.ID {
		return Thing{}, fmt.Errorf("name %q does not match id %q", clip(w.Name), clip(w.ID))
	}
	created, err := decodeCreated(w.CreatedUTC)
	if err != nil {
		return Thing{}, fmt.Errorf("%s_%s: %w", kind, w.ID, err)
	}
	t := Thing{
		Kind: kind, ID: w.ID, Name: kind + "_" + w.ID, Subreddit: w.Subreddit,
		Title: w.Title, Selftext: w.Selftext, Body: w.Body,
		Author: w.Author, AuthorID: w.AuthorFull, Permalink: w.Permalink, Context: w.Context,
		CreatedAt: created, LinkID: w.LinkID,
	}
	if w.ParentID != nil {
		t.ParentID = *w.ParentID
		if t.ParentID != "" && checkFullname(t.ParentID) != nil {
			return Thing{}, fmt.Errorf("%s: parent_id %q is not a fullname", t.Name, clip(t.ParentID))
		}
	}
	if kind == "t1" && t.ParentID == "" {
		return Thing{}, fmt.Errorf("%s: a comment without parent_id", t.Name)
	}
	return t, nil
}

// decodeCreated reads created_utc, a number of seconds (a float in
// practice; some fixtures carry an integer or a numeric string).
func decodeCreated(raw json.RawMessage) (float64, error) {
	s := strings.TrimSpace(string(raw))
	s = strings.Trim(s, `"`)
	if s == "" || s == "null" {
		return 0, errors.New("no created_utc")
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e11 {
		return 0, fmt.Errorf("created_utc %q is not a time", clip(s))
	}
	return f, nil
}

// checkID accepts Reddit's base-36 ids.
func checkID(id string) error {
	if id == "" {
		return errors.New("no id")
	}
	if len(id) > 13 {
		return fmt.Errorf("id %q is too long", clip(id))
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z') {
			return fmt.Errorf("id %q is not base 36", clip(id))
		}
	}
	return nil
}

// checkFullname accepts kind_id fullnames (t1_…, t3_…, …).
func checkFullname(s string) error {
	kind, id, ok := strings.Cut(s, "_")
	if !ok || len(kind) != 2 || kind[0] != 't' || kind[1] < '1' || kind[1] > '9' {
		return fmt.Errorf("%q is not a fullname (like t3_abc123)", clip(s))
	}
	return checkID(id)
}

// IsFullname reports whether s is a fullname like t3_116yyx6.
func IsFullname(s string) bool { return checkFullname(s) == nil }

// idNumber is a base-36 id as a number: ids grow as things are created,
// so it orders posts (or comments) by age.
func idNumber(fullname string) uint64 {
	_, id, _ := strings.Cut(fullname, "_")
	n, err := strconv.ParseUint(id, 36, 64)
	if err != nil {
		return 0
	}
	return n
}

// clip shortens a value quoted in an error.
func clip(s string) string {
	const n = 40
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
