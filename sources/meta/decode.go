package meta

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/earshothq/earshot/bot"
)

// maxText bounds a post's text; Facebook allows far less than this.
const maxText = 64 << 10

// Delivery is one webhook POST body.
type Delivery struct {
	Object string  `json:"object"`
	Entry  []Entry `json:"entry"`
}

// Entry is one object's changes: a page (ID is the page id) or an
// Instagram account (ID is the IG user id).
type Entry struct {
	ID      string   `json:"id"`
	Time    int64    `json:"time"`
	Changes []Change `json:"changes"`
}

// Change is one field's change; Value's shape depends on Field.
type Change struct {
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
}

// FeedValue is a page feed change (field "feed").
type FeedValue struct {
	Item        string   `json:"item"` // status, post, photo, video, comment, reaction, share…
	Verb        string   `json:"verb"` // add, edited, remove, hide, unhide
	PostID      string   `json:"post_id"`
	CommentID   string   `json:"comment_id"`
	ParentID    string   `json:"parent_id"`
	From        From     `json:"from"`
	Message     string   `json:"message"`
	CreatedTime flexTime `json:"created_time"`
}

// From is the author of a Facebook or Instagram object.
type From struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Username string `json:"username"`
}

// IGCommentValue is an Instagram "comments" change.
type IGCommentValue struct {
	ID       string `json:"id"`
	Text     string `json:"text"`
	ParentID string `json:"parent_id"`
	From     From   `json:"from"`
	Media    struct {
		ID               string `json:"id"`
		MediaProductType string `json:"media_product_type"`
	} `json:"media"`
}

// IGMentionValue is an Instagram "mentions" change: only ids, the text is
// read from the Graph API.
type IGMentionValue struct {
	MediaID   string `json:"media_id"`
	CommentID string `json:"comment_id"`
}

// igMention is a mention to look up, for the account AccountID.
type igMention struct {
	AccountID string
	IGMentionValue
}

// flexTime is a unix time in seconds or a Graph time string: the feed
// field's created_time comes as either.
type flexTime struct{ time.Time }

func (t *flexTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s == "" {
			return nil
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return t.setUnix(n)
		}
		pt, err := graphTime(s)
		if err != nil {
			return err
		}
		t.Time = pt
		return nil
	}
	n, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("created_time %s is not a time", clip(string(b)))
	}
	return t.setUnix(int64(n))
}

func (t *flexTime) setUnix(n int64) error {
	if n < 0 || n > 1<<40 {
		return fmt.Errorf("created_time %d is out of range", n)
	}
	t.Time = time.Unix(n, 0).UTC()
	return nil
}

// decoded is what a delivery yields: mentions ready to filter, and
// Instagram @mentions to look up.
type decoded struct {
	items    []item
	lookups  []igMention
	skipped  int // changes of fields or items we do not read
	platform string
}

// DecodeDelivery parses a webhook body's envelope; decode reads the
// changes. A well-formed change we do not read (reactions, likes, other
// fields) is skipped, a malformed one is an error naming its place.
func DecodeDelivery(body []byte) (Delivery, error) {
	var d Delivery
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&d); err != nil {
		return d, fmt.Errorf("body is not a webhook delivery: %w", err)
	}
	if dec.More() {
		return d, errors.New("body has data after the delivery object")
	}
	switch d.Object {
	case "page", "instagram":
	case "":
		return d, errors.New(`delivery has no "object"`)
	}
	return d, nil
}

// decode turns a delivery into items; now stands in for missing times.
// The entry's object (page or account) is ours: its own posts are Ours.
func decode(d Delivery, now time.Time) (decoded, error) {
	var out decoded
	switch d.Object {
	case "page":
		out.platform = Facebook
	case "instagram":
		out.platform = Instagram
	default:
		out.skipped = len(d.Entry)
		return out, nil
	}
	for i, e := range d.Entry {
		at := now
		switch {
		case e.Time > 0 && e.Time < 1<<35:
			at = time.Unix(e.Time, 0).UTC()
		case e.Time >= 1<<35 && e.Time < 1<<45: // milliseconds (some Instagram deliveries)
			at = time.UnixMilli(e.Time).UTC()
		}
		for j, c := range e.Changes {
			where := fmt.Sprintf("entry %d change %d (%s)", i+1, j+1, clip(c.Field))
			var err error
			switch {
			case d.Object == "page" && c.Field == "feed":
				err = out.feed(e.ID, c.Value, at)
			case d.Object == "instagram" && c.Field == "comments":
				err = out.igComment(e.ID, c.Value, at)
			case d.Object == "instagram" && c.Field == "mentions":
				var v IGMentionValue
				if err = unmarshalValue(c.Value, &v); err == nil {
					if v.MediaID == "" && v.CommentID == "" {
						err = errors.New("mention has neither media_id nor comment_id")
					} else {
						out.lookups = append(out.lookups, igMention{AccountID: e.ID, IGMentionValue: v})
					}
				}
			default:
				out.skipped++
			}
			if err != nil {
				return out, fmt.Errorf("%s: %w", where, err)
			}
		}
	}
	return out, nil
}

func unmarshalValue(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		return errors.New("no value")
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("bad value: %w", err)
	}
	return nil
}

// feed reads one page feed change.
func (out *decoded) feed(pageID string, raw json.RawMessage, at time.Time) error {
	var v FeedValue
	if err := unmarshalValue(raw, &v); err != nil {
		return err
	}
	var id string
	switch v.Item {
	case "comment":
		id = v.CommentID
		if id == "" {
			return errors.New("comment has no comment_id")
		}
	case "status", "post", "photo", "video", "share", "link":
		id = v.PostID
		if id == "" {
			return fmt.Errorf("%s has no post_id", v.Item)
		}
	default:
		out.skipped++ // reactions, likes, events…
		return nil
	}
	if len(v.Message) > maxText {
		return fmt.Errorf("%s %s: message longer than %d bytes", v.Item, clip(id), maxText)
	}
	switch v.Verb {
	case "remove":
		out.items = append(out.items, item{m: bot.Mention{Platform: Facebook, ExternalID: id, Deleted: true}})
		return nil
	case "add":
	default:
		// Edits, hides and unhides: the store keeps the first text it saw.
		out.skipped++
		return nil
	}
	created := v.CreatedTime.Time
	if created.IsZero() {
		created = at
	}
	m := bot.Mention{
		Platform: Facebook, ExternalID: id, Text: v.Message, CreatedAt: created,
		Author: bot.Author{ID: v.From.ID, Name: v.From.Name},
		Ours:   v.From.ID != "" && v.From.ID == pageID,
	}
	it := item{m: m}
	if v.Item == "comment" {
		m.InReplyTo = v.ParentID
		if m.InReplyTo == "" {
			m.InReplyTo = v.PostID
		}
		m.URL = commentURL(v.PostID, id)
		it.m, it.thread = m, nonEmpty(v.ParentID, v.PostID)
	} else {
		it.m.URL = postURL(id)
		it.thread = []string{id}
		if it.m.Ours {
			return nil // the page's own posts open nothing; answers to them are heard on their own
		}
	}
	out.items = append(out.items, it)
	return nil
}

// igComment reads one Instagram comments change.
func (out *decoded) igComment(accountID string, raw json.RawMessage, at time.Time) error {
	var v IGCommentValue
	if err := unmarshalValue(raw, &v); err != nil {
		return err
	}
	if v.ID == "" {
		return errors.New("comment has no id")
	}
	if len(v.Text) > maxText {
		return fmt.Errorf("comment %s: text longer than %d bytes", clip(v.ID), maxText)
	}
	m := bot.Mention{
		Platform: Instagram, ExternalID: v.ID, Text: v.Text, CreatedAt: at,
		Author:    bot.Author{ID: v.From.ID, Handle: v.From.Username},
		InReplyTo: v.ParentID,
		Ours:      v.From.ID != "" && v.From.ID == accountID,
	}
	if m.InReplyTo == "" {
		m.InReplyTo = v.Media.ID
	}
	out.items = append(out.items, item{m: m, thread: nonEmpty(v.ParentID, v.Media.ID)})
	return nil
}

func nonEmpty(ids ...string) []string {
	var out []string
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}
