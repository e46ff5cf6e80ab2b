package slacksurface

import (
	"strings"

	"github.com/earshothq/earshot/bot"
)

// A post its author deleted is redacted in the store (its text is gone) and
// read back as a tombstone; cards say so instead of quoting nothing.

// quotePost is the card's quote of m, or the deletion notice.
func quotePost(m bot.Mention, limit int) string {
	if m.Deleted {
		return "_" + bot.DeletedText + "_"
	}
	return quote(m.Text, limit)
}

// postLine is m's text on one line (unescaped), or the deletion notice.
func postLine(m bot.Mention) string {
	if m.Deleted {
		return bot.DeletedText
	}
	return strings.Join(strings.Fields(m.Text), " ")
}

// deletedNote is the thread line for a deleted post. Thread lines posted
// before, quoting it, stay in Slack as they were (see the README).
func deletedNote(ev bot.Event) string {
	return ":wastebasket: *" + fit(firstNonEmpty(ev.Actor, "The customer"), 200) + "* deleted a post; earshot no longer keeps or shows its text"
}
