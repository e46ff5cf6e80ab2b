package reddit

import (
	"html"
	"math"
	"strings"
	"time"

	"github.com/earshothq/earshot/bot"
)

// Platform is the mentions' platform name.
const Platform = "reddit"

// WebURL is where permalinks point.
const WebURL = "https://www.reddit.com"

// Gone reports whether the thing's text says it was deleted by its author
// ("[deleted]") or removed by the moderators ("[removed]").
func (t Thing) Gone() bool {
	text := t.Body
	if t.Kind == "t3" {
		text = t.Selftext
	}
	switch strings.TrimSpace(text) {
	case "[deleted]", "[removed]":
		return true
	}
	return false
}

// Mention turns the thing into earshot's Mention. ours is the brand's
// account name (without u/), compared without case.
//
// Text is the title and self text of a post, the body of a comment. We ask
// for raw_json=1, yet the entities a listing may still carry (&amp; &lt;
// &gt;, from the www endpoints or old posts) are decoded: the text is data
// that the surfaces escape again on their own terms.
func (t Thing) Mention(ours string) bot.Mention {
	m := bot.Mention{
		Platform:   Platform,
		ExternalID: t.Fullname(),
		CreatedAt:  created(t.CreatedAt),
	}
	switch {
	case t.Permalink != "":
		m.URL = WebURL + t.Permalink
	case t.Context != "":
		path, _, _ := strings.Cut(t.Context, "?")
		m.URL = WebURL + path
	}
	if t.Author != "" && t.Author != "[deleted]" {
		m.Author = bot.Author{ID: t.AuthorID, Handle: "u/" + t.Author}
		m.Ours = ours != "" && strings.EqualFold(t.Author, strings.TrimPrefix(strings.TrimPrefix(ours, "/u/"), "u/"))
	}
	if t.Kind == "t3" {
		title := html.UnescapeString(t.Title)
		self := html.UnescapeString(t.Selftext)
		m.Text = strings.TrimSpace(title + "\n\n" + self)
	} else {
		m.Text = html.UnescapeString(t.Body)
		if t.Kind == "t1" {
			m.InReplyTo = t.ParentID
		}
	}
	return m
}

// Tombstone is the deletion of the thing, for a post earshot keeps.
func (t Thing) Tombstone() bot.Mention {
	return bot.Mention{Platform: Platform, ExternalID: t.Fullname(), Deleted: true}
}

func created(sec float64) time.Time {
	s, frac := math.Modf(sec)
	return time.Unix(int64(s), int64(frac*1e9)).UTC()
}
