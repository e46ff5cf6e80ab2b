// Package bot is earshot's domain: the vocabulary (Mention, Case, Team, Labels,
// Suggestion, Action) and the pipeline that moves a mention from a Source to a
// Case on every Surface. It declares the small interfaces it consumes and imports
// no adapter; main wires the adapters in.
package bot

import (
	"strings"
	"time"

	"github.com/rivo/uniseg"
)

// Author is who wrote a mention, as the platform shows them.
type Author struct {
	ID        string `json:"id,omitempty"`
	Handle    string `json:"handle,omitempty"`
	Name      string `json:"name,omitempty"`
	Followers int    `json:"followers,omitempty"`
}

// Display is the best human label for the author.
func (a Author) Display() string {
	switch {
	case a.Name != "" && a.Handle != "":
		return a.Name + " (@" + strings.TrimPrefix(a.Handle, "@") + ")"
	case a.Handle != "":
		return "@" + strings.TrimPrefix(a.Handle, "@")
	case a.Name != "":
		return a.Name
	}
	return "someone"
}

// Same reports whether a and b are the same person. Without ids or handles
// on both sides they cannot be told apart, and are taken to be the same:
// a sample or webhook post without an author is the customer's.
func (a Author) Same(b Author) bool {
	if a.ID != "" && b.ID != "" {
		return a.ID == b.ID
	}
	ah, bh := strings.TrimPrefix(a.Handle, "@"), strings.TrimPrefix(b.Handle, "@")
	if ah != "" && bh != "" {
		return strings.EqualFold(ah, bh)
	}
	return true
}

// LatestFrom returns the newest post of thread (oldest first) written by
// customer, not by us, and not deleted since: the post a reply answers.
func LatestFrom(thread []Mention, customer Author) (Mention, bool) {
	for i := len(thread) - 1; i >= 0; i-- {
		if !thread[i].Ours && !thread[i].Deleted && customer.Same(thread[i].Author) {
			return thread[i], true
		}
	}
	return Mention{}, false
}

// Mention is one public post, normalised. It is identified by (Platform, ExternalID).
type Mention struct {
	ID         int64     `json:"-"` // store id; 0 until stored
	Platform   string    `json:"platform"`
	ExternalID string    `json:"id"`
	URL        string    `json:"url,omitempty"`
	Author     Author    `json:"author"`
	Text       string    `json:"text"`
	Lang       string    `json:"lang,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	InReplyTo  string    `json:"in_reply_to,omitempty"` // external id of the post it answers, same platform
	// Ours marks a post written by the brand's own account (our replies seen
	// again through a source); they extend a case but never open one.
	Ours bool `json:"-"`
	// Deleted makes the mention a tombstone: its author deleted the post
	// (Platform and ExternalID say which). A source emits it in order with
	// the posts it streams; ingesting it redacts the post's text wherever
	// earshot keeps or shows it. Other fields are ignored.
	Deleted bool `json:"-"`
}

// Key is the identity of a mention across the whole system.
func (m Mention) Key() string { return m.Platform + ":" + m.ExternalID }

// IsReply reports whether the mention answers another post.
func (m Mention) IsReply() bool { return m.InReplyTo != "" }

// Limits of the platforms' reply lengths, in user-perceived characters.
// Unknown platforms get DefaultReplyLimit.
var replyLimits = map[string]int{
	"bluesky":    300,
	"x":          280,
	"twitter":    280,
	"mastodon":   500,
	"threads":    500,
	"reddit":     10000,
	"github":     65536,
	"facebook":   8000,
	"instagram":  2200,
	"hackernews": 4000,
}

// DefaultReplyLimit applies to platforms without a known limit.
const DefaultReplyLimit = 1000

// ReplyLimit is the longest reply, in characters, the platform accepts.
func ReplyLimit(platform string) int {
	if n, ok := replyLimits[strings.ToLower(platform)]; ok {
		return n
	}
	return DefaultReplyLimit
}

// Length counts user-perceived characters (grapheme clusters), the unit
// platforms use for their limits: an emoji with a skin tone is one.
func Length(s string) int { return uniseg.GraphemeClusterCount(s) }
