// Package hackernews reads Hacker News through the Algolia HN Search API
// (hn.algolia.com/api/v1): one poll.Poller per search query, newest items
// sliced by creation time, and one that follows the comments under the
// stories of open cases. Hacker News has no write API, so there is no
// Replier: replies become assisted ones that link the item.
package hackernews

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/earshothq/earshot/bot"
)

// Platform is the mentions' platform name.
const Platform = "hackernews"

// ItemURL is an item's page on Hacker News.
func ItemURL(id string) string { return "https://news.ycombinator.com/item?id=" + id }

// Hit is one search result as Algolia returns it (algolia/hn-search
// app/models/item.rb). Fields a kind of item lacks are null.
type Hit struct {
	ObjectID    string   `json:"objectID"`
	CreatedAtI  int64    `json:"created_at_i"`
	CreatedAt   string   `json:"created_at"`
	Author      string   `json:"author"`
	Title       *string  `json:"title"`
	URL         *string  `json:"url"`
	StoryText   *string  `json:"story_text"`
	CommentText *string  `json:"comment_text"`
	StoryID     *int64   `json:"story_id"`
	ParentID    *int64   `json:"parent_id"`
	Tags        []string `json:"_tags"`
}

// Page is one answer of /search or /search_by_date.
type Page struct {
	Hits        []Hit `json:"hits"`
	Page        int   `json:"page"`
	NbHits      int   `json:"nbHits"`
	NbPages     int   `json:"nbPages"`
	HitsPerPage int   `json:"hitsPerPage"`
}

// Decode reads a search answer. A hit without an item id or a creation
// time cannot be placed or told apart from others, so it is an error
// naming the hit rather than a post silently dropped or misdated.
func Decode(data []byte) (Page, error) {
	var p Page
	if err := json.Unmarshal(data, &p); err != nil {
		return Page{}, fmt.Errorf("hackernews: decode search answer: %w", err)
	}
	if p.Hits == nil {
		return Page{}, fmt.Errorf("hackernews: search answer has no \"hits\" array (starts %q)", clip(string(data), 80))
	}
	for i, h := range p.Hits {
		if _, err := strconv.ParseUint(h.ObjectID, 10, 63); err != nil {
			return Page{}, fmt.Errorf("hackernews: hit %d: objectID %q is not an item number", i, clip(h.ObjectID, 40))
		}
		if h.CreatedAtI <= 0 {
			return Page{}, fmt.Errorf("hackernews: hit %d (item %s): created_at_i %d is not a time", i, h.ObjectID, h.CreatedAtI)
		}
	}
	return p, nil
}

// Mention turns a hit into a mention: a story is its title with its text
// or link; a comment is its text and answers its parent.
func (h Hit) Mention() bot.Mention {
	m := bot.Mention{
		Platform:   Platform,
		ExternalID: h.ObjectID,
		URL:        ItemURL(h.ObjectID),
		Author:     bot.Author{Handle: h.Author},
		CreatedAt:  time.Unix(h.CreatedAtI, 0).UTC(),
	}
	if h.CommentText != nil && !h.isStory() {
		m.Text = HTMLText(*h.CommentText)
		if h.ParentID != nil && *h.ParentID > 0 {
			m.InReplyTo = strconv.FormatInt(*h.ParentID, 10)
		}
		return m
	}
	var parts []string
	if h.Title != nil && strings.TrimSpace(*h.Title) != "" {
		parts = append(parts, strings.TrimSpace(*h.Title))
	}
	if h.StoryText != nil {
		if t := HTMLText(*h.StoryText); t != "" {
			parts = append(parts, t)
		}
	}
	if h.URL != nil && strings.TrimSpace(*h.URL) != "" {
		parts = append(parts, strings.TrimSpace(*h.URL))
	}
	m.Text = strings.Join(parts, "\n\n")
	return m
}

// isStory says whether the hit is a story (or poll) rather than a comment:
// the tags say so; without tags, a comment is what has comment text.
func (h Hit) isStory() bool {
	for _, t := range h.Tags {
		switch t {
		case "comment":
			return false
		case "story", "poll", "pollopt", "job":
			return true
		}
	}
	return h.CommentText == nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
