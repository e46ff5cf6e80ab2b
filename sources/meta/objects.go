package meta

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/earshothq/earshot/bot"
)

// paging is Graph's cursor-paging block.
type paging struct {
	Cursors struct {
		Before string `json:"before"`
		After  string `json:"after"`
	} `json:"cursors"`
	Next string `json:"next"`
}

// fbPost is a page feed post as GET /{page-id}/feed returns it.
type fbPost struct {
	ID           string `json:"id"`
	Message      string `json:"message"`
	CreatedTime  string `json:"created_time"`
	UpdatedTime  string `json:"updated_time"`
	From         From   `json:"from"`
	PermalinkURL string `json:"permalink_url"`
}

type fbPostPage struct {
	Data   []fbPost `json:"data"`
	Paging paging   `json:"paging"`
}

// fbComment is a comment as GET /{object-id}/comments returns it.
type fbComment struct {
	ID          string `json:"id"`
	Message     string `json:"message"`
	CreatedTime string `json:"created_time"`
	From        From   `json:"from"`
	Parent      *struct {
		ID string `json:"id"`
	} `json:"parent"`
	PermalinkURL string `json:"permalink_url"`
}

type fbCommentPage struct {
	Data   []fbComment `json:"data"`
	Paging paging      `json:"paging"`
}

func checkText(kind, id, text string) error {
	switch {
	case id == "":
		return fmt.Errorf("%s without an id", kind)
	case len(text) > maxText:
		return fmt.Errorf("%s %s: text longer than %d bytes", kind, clip(id), maxText)
	}
	return nil
}

// mention is the post as a mention; the page's own posts are Ours.
func (p fbPost) mention(pageID string) (bot.Mention, error) {
	if err := checkText("post", p.ID, p.Message); err != nil {
		return bot.Mention{}, err
	}
	at, err := graphTime(p.CreatedTime)
	if err != nil {
		return bot.Mention{}, fmt.Errorf("post %s: %w", clip(p.ID), err)
	}
	u := p.PermalinkURL
	if !strings.HasPrefix(u, "https://") {
		u = postURL(p.ID)
	}
	return bot.Mention{
		Platform: Facebook, ExternalID: p.ID, URL: u, Text: p.Message, CreatedAt: at,
		Author: bot.Author{ID: p.From.ID, Name: p.From.Name},
		Ours:   p.From.ID == pageID,
	}, nil
}

// mention is the comment on postID as a mention; it answers its parent
// comment, or the post.
func (c fbComment) mention(pageID, postID string) (item, error) {
	if err := checkText("comment", c.ID, c.Message); err != nil {
		return item{}, err
	}
	at, err := graphTime(c.CreatedTime)
	if err != nil {
		return item{}, fmt.Errorf("comment %s: %w", clip(c.ID), err)
	}
	parent := postID
	if c.Parent != nil && c.Parent.ID != "" {
		parent = c.Parent.ID
	}
	u := c.PermalinkURL
	if !strings.HasPrefix(u, "https://") {
		u = commentURL(postID, c.ID)
	}
	m := bot.Mention{
		Platform: Facebook, ExternalID: c.ID, URL: u, Text: c.Message, CreatedAt: at,
		Author:    bot.Author{ID: c.From.ID, Name: c.From.Name},
		InReplyTo: parent,
		Ours:      c.From.ID != "" && c.From.ID == pageID,
	}
	return item{m: m, thread: nonEmpty(parent, postID)}, nil
}

// igComment is an Instagram comment (GET /{media-id}/comments, replies,
// mentioned_comment).
type igComment struct {
	ID        string `json:"id"`
	Text      string `json:"text"`
	Timestamp string `json:"timestamp"`
	Username  string `json:"username"`
	From      From   `json:"from"`
	ParentID  string `json:"parent_id"`
	Media     struct {
		ID        string `json:"id"`
		Permalink string `json:"permalink"`
	} `json:"media"`
	Replies *struct {
		Data []igComment `json:"data"`
	} `json:"replies"`
}

type igCommentPage struct {
	Data   []igComment `json:"data"`
	Paging paging      `json:"paging"`
}

// mention is the comment as a mention; ourName is the account's username
// (its own comments are Ours).
func (c igComment) mention(accountID, ourName string) (bot.Mention, error) {
	if err := checkText("instagram comment", c.ID, c.Text); err != nil {
		return bot.Mention{}, err
	}
	at, err := graphTime(c.Timestamp)
	if err != nil {
		return bot.Mention{}, fmt.Errorf("instagram comment %s: %w", clip(c.ID), err)
	}
	handle := c.Username
	if handle == "" {
		handle = c.From.Username
	}
	parent := c.ParentID
	if parent == "" {
		parent = c.Media.ID
	}
	ours := (c.From.ID != "" && c.From.ID == accountID) ||
		(ourName != "" && strings.EqualFold(handle, ourName))
	return bot.Mention{
		Platform: Instagram, ExternalID: c.ID, URL: c.Media.Permalink, Text: c.Text, CreatedAt: at,
		Author: bot.Author{ID: c.From.ID, Handle: handle}, InReplyTo: parent, Ours: ours,
	}, nil
}

// igMedia is an Instagram media object (GET /{ig-user-id}/media, /tags,
// mentioned_media).
type igMedia struct {
	ID            string `json:"id"`
	Caption       string `json:"caption"`
	Timestamp     string `json:"timestamp"`
	Username      string `json:"username"`
	Permalink     string `json:"permalink"`
	CommentsCount int    `json:"comments_count"`
}

type igMediaPage struct {
	Data   []igMedia `json:"data"`
	Paging paging    `json:"paging"`
}

// mention is a media where the account is tagged or @mentioned.
func (md igMedia) mention() (bot.Mention, error) {
	if err := checkText("instagram media", md.ID, md.Caption); err != nil {
		return bot.Mention{}, err
	}
	at, err := graphTime(md.Timestamp)
	if err != nil {
		return bot.Mention{}, fmt.Errorf("instagram media %s: %w", clip(md.ID), err)
	}
	if md.Caption == "" {
		return bot.Mention{}, errors.New("instagram media " + clip(md.ID) + " has no caption")
	}
	return bot.Mention{
		Platform: Instagram, ExternalID: md.ID, URL: md.Permalink, Text: md.Caption, CreatedAt: at,
		Author: bot.Author{Handle: md.Username},
	}, nil
}

// window is a poll cursor: the newest creation time seen, and the ids seen
// at exactly that time, so nothing repeats and nothing is skipped when
// several posts share a second.
type window struct {
	T   int64    `json:"t"`
	IDs []string `json:"ids,omitempty"`
}

// after reports whether an object created at t with id is past the cursor.
func (w window) after(t time.Time, id string) bool {
	s := t.Unix()
	if s != w.T {
		return s > w.T
	}
	for _, seen := range w.IDs {
		if seen == id {
			return false
		}
	}
	return true
}

// advance moves the cursor past an object created at t with id.
func (w *window) advance(t time.Time, id string) {
	s := t.Unix()
	switch {
	case s > w.T:
		w.T, w.IDs = s, []string{id}
	case s == w.T:
		w.IDs = append(w.IDs, id)
	}
}
