// Package mastodon is the Source and Replier for one Mastodon account on
// any instance: it streams the account's notifications and home timeline,
// hashtags and optionally the public timeline (server-sent events), falls
// back to polling the REST API when streaming is unavailable, resumes from
// cursors kept in the store, follows the threads earshot is part of, turns
// deletions into tombstones, and posts replies that mirror the customer's
// visibility within the instance's character limit.
package mastodon

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/earshothq/earshot/bot"
)

// Platform is the platform name of every mention this package emits.
const Platform = "mastodon"

// Account is the part of Mastodon's Account entity earshot reads.
type Account struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	Acct        string `json:"acct"`
	DisplayName string `json:"display_name"`
	URL         string `json:"url"`
	Followers   int    `json:"followers_count"`
}

// StatusMention is an account a status mentions.
type StatusMention struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Acct     string `json:"acct"`
	URL      string `json:"url"`
}

// Status is the part of Mastodon's Status entity earshot reads.
type Status struct {
	ID          string          `json:"id"`
	URI         string          `json:"uri"`
	URL         string          `json:"url"`
	CreatedAt   time.Time       `json:"created_at"`
	Account     Account         `json:"account"`
	Content     string          `json:"content"`
	SpoilerText string          `json:"spoiler_text"`
	Visibility  string          `json:"visibility"`
	Language    string          `json:"language"`
	InReplyToID string          `json:"in_reply_to_id"`
	Mentions    []StatusMention `json:"mentions"`
	// Reblog is the boosted status when this one is a boost.
	Reblog *Status `json:"reblog"`
}

// Notification is the part of Mastodon's Notification entity earshot reads.
type Notification struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	Account   Account   `json:"account"`
	Status    *Status   `json:"status"`
}

// Context is GET /api/v1/statuses/:id/context.
type Context struct {
	Ancestors   []Status `json:"ancestors"`
	Descendants []Status `json:"descendants"`
}

// maxIDBytes bounds an id; Mastodon's are 18 digits, other servers'
// (Pleroma, GoToSocial) are longer opaque strings.
const maxIDBytes = 256

// DecodeStatus parses one Status JSON object and checks what earshot needs
// of it. Errors name the field.
func DecodeStatus(data []byte) (Status, error) {
	var s Status
	if err := json.Unmarshal(data, &s); err != nil {
		return Status{}, fmt.Errorf("status: %w", err)
	}
	if err := s.check(); err != nil {
		return Status{}, err
	}
	return s, nil
}

// DecodeNotification parses one Notification JSON object.
func DecodeNotification(data []byte) (Notification, error) {
	var n Notification
	if err := json.Unmarshal(data, &n); err != nil {
		return Notification{}, fmt.Errorf("notification: %w", err)
	}
	if err := checkID("notification id", n.ID); err != nil {
		return Notification{}, err
	}
	if n.Status != nil {
		if err := n.Status.check(); err != nil {
			return Notification{}, fmt.Errorf("notification %s: %w", n.ID, err)
		}
	}
	return n, nil
}

func (s *Status) check() error {
	if err := checkID("status id", s.ID); err != nil {
		return err
	}
	if s.InReplyToID != "" {
		if err := checkID("status "+s.ID+": in_reply_to_id", s.InReplyToID); err != nil {
			return err
		}
	}
	if s.Reblog != nil {
		if err := s.Reblog.check(); err != nil {
			return fmt.Errorf("status %s: reblog: %w", s.ID, err)
		}
	}
	return nil
}

func checkID(what, id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%s: missing", what)
	case len(id) > maxIDBytes:
		return fmt.Errorf("%s: %d bytes, at most %d", what, len(id), maxIDBytes)
	case strings.ContainsAny(id, "/?#% \t\r\n"):
		// Ids go into URL paths (statuses/:id/context).
		return fmt.Errorf("%s %q: not a plain id", what, clip(id))
	}
	return nil
}

// Mention turns a status into earshot's Mention. The text is the content
// as plain text, after the content warning when there is one.
func (s Status) Mention() bot.Mention {
	text := HTMLText(s.Content)
	if cw := strings.TrimSpace(s.SpoilerText); cw != "" {
		text = "CW: " + cw + "\n\n" + text
	}
	url := s.URL
	if url == "" {
		url = s.URI
	}
	return bot.Mention{
		Platform:   Platform,
		ExternalID: s.ID,
		URL:        url,
		Author: bot.Author{
			ID:        s.Account.ID,
			Handle:    s.Account.Acct,
			Name:      s.Account.DisplayName,
			Followers: s.Account.Followers,
		},
		Text:      text,
		Lang:      s.Language,
		CreatedAt: s.CreatedAt,
		InReplyTo: s.InReplyToID,
	}
}

// newer reports whether id a sorts after b. Mastodon's ids are opaque
// strings that happen to sort as numbers when they are digits (snowflakes);
// others are compared as strings, which is how Mastodon-compatible servers
// that use ULIDs or similar sort them too.
func newer(a, b string) bool {
	if b == "" {
		return a != ""
	}
	if digits(a) && digits(b) {
		if len(a) != len(b) {
			return len(a) > len(b)
		}
	}
	return a > b
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
