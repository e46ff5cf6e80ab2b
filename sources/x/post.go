// Package x reads brand mentions from X (Twitter API v2) and answers there:
// the filtered stream as an exclusive bot.Source (its rules kept in step
// with the configured queries), recent search as a poll.Poller that fills
// in while the stream is down or not in the plan, a Replier for POST
// /2/tweets, and a Usage meter that stops reading at the month's cap,
// because X bills every post read.
package x

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/earshothq/earshot/bot"
)

// Platform is the mentions' platform name.
const Platform = "x"

// maxIDBytes bounds a post or user id: X's ids are decimal snowflakes of
// at most 19 digits.
const maxIDBytes = 20

// Post is one post as the v2 API returns it. X renamed "tweet" to "post"
// in its 2026 OpenAPI (referenced_posts, edit_history_post_ids) while the
// documented examples keep the old names; UnmarshalJSON accepts both.
type Post struct {
	ID               string
	Text             string
	AuthorID         string
	CreatedAt        time.Time
	ConversationID   string
	InReplyToUserID  string
	Lang             string
	Referenced       []Reference
	MentionedUserIDs []string
	// Long is the full text of a post longer than 280 characters
	// (note_tweet), when X sent it.
	Long string
}

// Reference is a post this one replies to, quotes or reposts.
type Reference struct {
	Type string `json:"type"` // replied_to, quoted, retweeted
	ID   string `json:"id"`
}

type wirePost struct {
	ID              string      `json:"id"`
	Text            string      `json:"text"`
	AuthorID        string      `json:"author_id"`
	CreatedAt       string      `json:"created_at"`
	ConversationID  string      `json:"conversation_id"`
	InReplyToUserID string      `json:"in_reply_to_user_id"`
	Lang            string      `json:"lang"`
	RefTweets       []Reference `json:"referenced_tweets"`
	RefPosts        []Reference `json:"referenced_posts"`
	Entities        struct {
		Mentions []struct {
			ID       string `json:"id"`
			Username string `json:"username"`
		} `json:"mentions"`
	} `json:"entities"`
	NoteTweet *struct {
		Text string `json:"text"`
	} `json:"note_tweet"`
	NotePost *struct {
		Text string `json:"text"`
	} `json:"note_post"`
}

// UnmarshalJSON reads a post under either naming, and checks what the
// rest of earshot relies on: a plain id and, when present, a valid time.
func (p *Post) UnmarshalJSON(b []byte) error {
	var w wirePost
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	if err := checkID("post id", w.ID); err != nil {
		return err
	}
	*p = Post{ID: w.ID, Text: w.Text, AuthorID: w.AuthorID, ConversationID: w.ConversationID,
		InReplyToUserID: w.InReplyToUserID, Lang: w.Lang, Referenced: w.RefTweets}
	if len(p.Referenced) == 0 {
		p.Referenced = w.RefPosts
	}
	for _, m := range w.Entities.Mentions {
		if m.ID != "" {
			p.MentionedUserIDs = append(p.MentionedUserIDs, m.ID)
		}
	}
	switch {
	case w.NoteTweet != nil:
		p.Long = w.NoteTweet.Text
	case w.NotePost != nil:
		p.Long = w.NotePost.Text
	}
	if w.CreatedAt != "" {
		t, err := time.Parse(time.RFC3339, w.CreatedAt)
		if err != nil {
			return fmt.Errorf("post %s: created_at %q is not an RFC 3339 time", w.ID, clip(w.CreatedAt))
		}
		p.CreatedAt = t
	}
	for _, id := range []struct{ what, v string }{
		{"author_id", w.AuthorID}, {"conversation_id", w.ConversationID}, {"in_reply_to_user_id", w.InReplyToUserID},
	} {
		if id.v != "" {
			if err := checkID("post "+w.ID+" "+id.what, id.v); err != nil {
				return err
			}
		}
	}
	for _, r := range p.Referenced {
		if err := checkID("post "+w.ID+" referenced id", r.ID); err != nil {
			return err
		}
	}
	return nil
}

// RepliesTo is the id of the post this one answers, if any.
func (p Post) RepliesTo() string {
	for _, r := range p.Referenced {
		if r.Type == "replied_to" {
			return r.ID
		}
	}
	return ""
}

// Repost reports whether the post is a plain repost (retweet): its text is
// a clipped copy of another post's, not something its author said.
func (p Post) Repost() bool {
	for _, r := range p.Referenced {
		if r.Type == "retweeted" {
			return true
		}
	}
	return false
}

// User is an expanded author (expansions=author_id).
type User struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Username      string `json:"username"`
	PublicMetrics struct {
		Followers int `json:"followers_count"`
	} `json:"public_metrics"`
}

// Includes are the expanded objects of a response.
type Includes struct {
	Users []User
	Posts []Post
}

func (in *Includes) UnmarshalJSON(b []byte) error {
	var w struct {
		Users  []User `json:"users"`
		Tweets []Post `json:"tweets"`
		Posts  []Post `json:"posts"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	in.Users, in.Posts = w.Users, w.Tweets
	if len(in.Posts) == 0 {
		in.Posts = w.Posts
	}
	return nil
}

// user finds an expanded user by id.
func (in Includes) user(id string) (User, bool) {
	for _, u := range in.Users {
		if u.ID == id {
			return u, true
		}
	}
	return User{}, false
}

// Problem is an error object (RFC 7807), inline in a 200 answer or the body
// of a refusal. Legacy errors have Code and Message instead.
type Problem struct {
	Type           string `json:"type"`
	Title          string `json:"title"`
	Detail         string `json:"detail"`
	Reason         string `json:"reason"`
	Status         int    `json:"status"`
	DisconnectType string `json:"disconnect_type"`
	Code           int    `json:"code"`
	Message        string `json:"message"`
	// Value and ResourceID name the item a partial error is about (a
	// looked-up post that is gone).
	Value      string `json:"value"`
	ResourceID string `json:"resource_id"`
}

func (p Problem) String() string {
	var parts []string
	for _, s := range []string{p.Title, p.Detail, p.Reason, p.Message} {
		if s != "" {
			parts = append(parts, clipN(s, 200))
		}
	}
	if p.Code != 0 {
		parts = append(parts, fmt.Sprintf("code %d", p.Code))
	}
	if len(parts) == 0 {
		return "unspecified error"
	}
	return strings.Join(parts, ": ")
}

// StreamMessage is one line of the filtered stream, or one page of search
// or lookup: posts, their expansions, and any inline errors.
type StreamMessage struct {
	Data          []Post
	Includes      Includes
	MatchingRules []struct {
		ID  string `json:"id"`
		Tag string `json:"tag"`
	}
	Errors []Problem
	Meta   Meta
}

// Meta is a search page's position.
type Meta struct {
	NewestID    string `json:"newest_id"`
	OldestID    string `json:"oldest_id"`
	ResultCount int    `json:"result_count"`
	NextToken   string `json:"next_token"`
}

// ErrEmpty says a stream line held no JSON: a keep-alive.
var ErrEmpty = errors.New("keep-alive")

// Decode reads one stream line or one response body. The stream sends one
// post as an object under "data"; search and lookup send an array; both
// are accepted. A blank line (keep-alive) is ErrEmpty.
func Decode(b []byte) (StreamMessage, error) {
	var w struct {
		Data          json.RawMessage `json:"data"`
		Includes      Includes        `json:"includes"`
		MatchingRules []struct {
			ID  string `json:"id"`
			Tag string `json:"tag"`
		} `json:"matching_rules"`
		Errors []Problem `json:"errors"`
		Meta   Meta      `json:"meta"`
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return StreamMessage{}, ErrEmpty
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return StreamMessage{}, fmt.Errorf("x: decode %q: %w", clip(string(b)), err)
	}
	m := StreamMessage{Includes: w.Includes, MatchingRules: w.MatchingRules, Errors: w.Errors, Meta: w.Meta}
	d := strings.TrimSpace(string(w.Data))
	switch {
	case d == "" || d == "null":
	case d[0] == '[':
		if err := json.Unmarshal(w.Data, &m.Data); err != nil {
			return StreamMessage{}, fmt.Errorf("x: decode data: %w", err)
		}
	case d[0] == '{':
		var p Post
		if err := json.Unmarshal(w.Data, &p); err != nil {
			return StreamMessage{}, fmt.Errorf("x: decode data: %w", err)
		}
		m.Data = []Post{p}
	default:
		return StreamMessage{}, fmt.Errorf("x: data is neither a post nor a list of posts: %q", clip(d))
	}
	if m.Meta.NewestID != "" {
		if err := checkID("meta.newest_id", m.Meta.NewestID); err != nil {
			return StreamMessage{}, fmt.Errorf("x: %w", err)
		}
	}
	return m, nil
}

// Mention is p as earshot's Mention, its author filled from includes.
// ourID marks our own posts.
func (p Post) Mention(in Includes, ourID string) bot.Mention {
	text := p.Text
	if p.Long != "" {
		text = p.Long
	}
	m := bot.Mention{
		Platform:   Platform,
		ExternalID: p.ID,
		// X escapes &, < and > in post text; earshot keeps plain text and
		// escapes for each surface itself.
		Text:      html.UnescapeString(text),
		CreatedAt: p.CreatedAt,
		InReplyTo: p.RepliesTo(),
		Author:    bot.Author{ID: p.AuthorID},
		Ours:      ourID != "" && p.AuthorID == ourID,
	}
	if p.Lang != "und" && p.Lang != "zxx" && p.Lang != "qme" && p.Lang != "qst" {
		m.Lang = p.Lang
	}
	u, ok := in.user(p.AuthorID)
	if ok {
		m.Author.Handle, m.Author.Name, m.Author.Followers = u.Username, u.Name, u.PublicMetrics.Followers
	}
	m.URL = PostURL(m.Author.Handle, p.ID)
	return m
}

// PostURL is a post's public address; without the author's username, X's
// own redirect form.
func PostURL(username, id string) string {
	if username == "" {
		return "https://x.com/i/web/status/" + id
	}
	return "https://x.com/" + username + "/status/" + id
}

func checkID(what, id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%s: missing", what)
	case len(id) > maxIDBytes:
		return fmt.Errorf("%s %q: longer than %d digits", what, clip(id), maxIDBytes)
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return fmt.Errorf("%s %q: not a decimal id", what, clip(id))
		}
	}
	return nil
}

func clip(s string) string { return clipN(s, 60) }

func clipN(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
