package discordsurface

import (
	"github.com/earshothq/earshot/bot"
)

// maxNoteQuote leaves room in a 2,000-character message for the line's
// own words around a quoted post.
const maxNoteQuote = 1700

// noteText is the thread line for one event of a case, as escaped
// markdown, and the users it may ping. Events that come from a public post
// carry the post's author as their actor: that name is public text and is
// only ever escaped, never read as a Discord identity. Events of actions
// carry the person who acted, whose id came from a signed interaction and
// is shown as a mention (which pings no one). Only an escalation pings:
// the people and roles it pages, listed by the handlers as "discord:<id>"
// or "discord:role:<id>", when the team's rules name them.
func noteText(card bot.Card, ev bot.Event) (string, pings) {
	link := ""
	if u := safeURL(ev.URL); u != "" {
		link = " (<" + u + ">)" // angle brackets: a link without a preview
	}
	var s string
	var paged pings
	switch ev.Kind {
	case bot.EventFollowUp:
		s = "💬 **" + fit(firstNonEmpty(ev.Actor, "The customer"), 200) + "** wrote" + link + ":\n" + quote(ev.Text, maxNoteQuote)
	case bot.EventOurPost:
		s = "📤 Our account posted" + link + ":\n" + quote(ev.Text, maxNoteQuote)
	case bot.EventOpened:
		s = "🆕 Case opened"
	case bot.EventDeleted:
		s = deletedNote(ev)
	case bot.EventReopened:
		s = "🔄 The customer wrote again; the case is open again"
	case bot.EventSuggested:
		s = "📝 " + fit(firstNonEmpty(ev.Text, "New drafts are on the card"), maxNoteQuote)
	case bot.EventClaimed:
		s = "👀 " + who(ev.Actor) + " claimed the case"
	case bot.EventReplied:
		s = "✅ " + who(ev.Actor) + " replied" + link + ":\n" + quote(ev.Text, maxNoteQuote)
	case bot.EventAssisted:
		s = "✋ " + who(ev.Actor) + " approved a reply to post by hand" + link + ":\n" + quote(ev.Text, maxNoteQuote)
	case bot.EventEscalated, bot.EventPaged:
		// The handlers name who is paged as identities ("discord:123"); in
		// these lines, and only here, they become mentions that ping.
		var text string
		text, paged = withPages(card.Team, fit(firstNonEmpty(ev.Text, "Escalated"), maxNoteQuote))
		s = "🚨 " + who(ev.Actor) + ": " + text
	case bot.EventAcked:
		s = "🙏 " + who(ev.Actor) + " acknowledged the escalation"
	case bot.EventDefect:
		s = "🐛 " + who(ev.Actor) + ": " + fit(firstNonEmpty(ev.Text, "Defect filed"), maxNoteQuote) + link
	case bot.EventDismissed:
		s = "🚫 " + who(ev.Actor) + ": " + fit(firstNonEmpty(ev.Text, "Dismissed"), maxNoteQuote)
	case bot.EventResolved:
		s = "🏁 " + who(ev.Actor) + ": " + fit(firstNonEmpty(ev.Text, "Resolved"), maxNoteQuote)
	case bot.EventMuted:
		s = "🔇 " + who(ev.Actor) + ": " + fit(firstNonEmpty(ev.Text, "Muted"), maxNoteQuote)
	case bot.EventActionFail:
		s = "⚠️ " + fit(firstNonEmpty(ev.Text, "An action failed"), maxNoteQuote)
		if ev.Actor != "" {
			s += " (" + who(ev.Actor) + ")"
		}
	default:
		if ev.Text == "" {
			return "", pings{}
		}
		s = "ℹ️ " + who(ev.Actor) + ": " + fit(ev.Text, maxNoteQuote) + link
	}
	return clipEscaped(s, maxContent), paged
}
