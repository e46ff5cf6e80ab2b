package x

import (
	"strings"

	"github.com/earshothq/earshot/bot"
)

// Account is the brand's X account: its posts are ours, and posts that
// mention or answer it are always wanted.
type Account struct {
	UserID string
	Handle string // username, without '@'
}

func (a Account) isUs(userID, username string) bool {
	if a.UserID != "" && userID != "" {
		return userID == a.UserID
	}
	h := strings.TrimPrefix(a.Handle, "@")
	return h != "" && strings.EqualFold(h, username)
}

// filter decides which posts become mentions; the stream and the search
// pollers share its rules.
type filter struct {
	us      Account
	tracker *Tracker
	hears   func(bot.Mention) bool
}

// consider turns a post into a mention, or false when earshot does not
// want it: a repost, our own post outside a followed thread, or a post
// that neither concerns our account, nor follows a thread, nor is heard by
// the rules. always is true for a post matched by the replies rule.
func (f filter) consider(p Post, in Includes, always bool) (bot.Mention, bool) {
	if p.Repost() {
		return bot.Mention{}, false
	}
	m := p.Mention(in, f.us.UserID)
	if !m.Ours && f.us.isUs(m.Author.ID, m.Author.Handle) {
		m.Ours = true
	}
	// An answer in a followed conversation joins its case even when the
	// post it answers (someone else's, in between) is not followed.
	tracked := f.tracker != nil && f.tracker.Has(m.InReplyTo)
	if !tracked && f.tracker != nil && p.ConversationID != "" && p.ConversationID != p.ID && f.tracker.Has(p.ConversationID) {
		if m.InReplyTo == "" {
			m.InReplyTo = p.ConversationID
		} else if !f.tracker.Has(m.InReplyTo) {
			m.InReplyTo = p.ConversationID
		}
		tracked = true
	}
	if m.Ours {
		// Ours only ever extends a case.
		return m, tracked
	}
	if tracked || always || f.mentionsUs(p) {
		return m, true
	}
	if f.hears == nil {
		return m, true
	}
	return m, f.hears(m)
}

func (f filter) mentionsUs(p Post) bool {
	if f.us.UserID == "" {
		return false
	}
	if p.InReplyToUserID == f.us.UserID {
		return true
	}
	for _, id := range p.MentionedUserIDs {
		if id == f.us.UserID {
			return true
		}
	}
	return false
}
