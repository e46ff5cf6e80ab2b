package slacksurface

import (
	"github.com/earshothq/earshot/bot"
)

// noteText is the thread line for one event of a case, as escaped mrkdwn.
// Events that come from a public post (follow-ups, our own posts seen
// again) carry the post's author as their actor: that name is public text
// and is only ever escaped, never read as a Slack identity. Events of
// actions carry the person who acted, whose Slack id came from a signed
// event and is shown as a mention.
func noteText(card bot.Card, ev bot.Event) string {
	link := ""
	if u := safeURL(ev.URL); u != "" {
		link = " (<" + u + "|view post>)"
	}
	var s string
	switch ev.Kind {
	case bot.EventFollowUp:
		s = ":speech_balloon: *" + fit(firstNonEmpty(ev.Actor, "The customer"), 200) + "* wrote" + link + ":\n" + quote(ev.Text, 2500)
	case bot.EventOurPost:
		s = ":outbox_tray: Our account posted" + link + ":\n" + quote(ev.Text, 2500)
	case bot.EventOpened:
		s = ":new: Case opened"
	case bot.EventDeleted:
		s = deletedNote(ev)
	case bot.EventReopened:
		s = ":arrows_counterclockwise: The customer wrote again; the case is open again"
		if ev.Actor != "" && ev.MentionID == 0 {
			s = ":leftwards_arrow_with_hook: " + who(ev.Actor) + ": " + fit(firstNonEmpty(ev.Text, "Reopened"), 2500)
		}
	case bot.EventDelight:
		s = ":gift: " + fit(ev.Text, 2500)
	case bot.EventSuggested:
		s = ":memo: " + fit(firstNonEmpty(ev.Text, "New drafts are on the card"), 2500)
	case bot.EventClaimed:
		s = ":eyes: " + who(ev.Actor) + " claimed the case"
	case bot.EventReplied:
		s = ":white_check_mark: " + who(ev.Actor) + " replied" + link + ":\n" + quote(ev.Text, 2500)
	case bot.EventAssisted:
		s = ":raised_hand: " + who(ev.Actor) + " approved a reply to post by hand" + link + ":\n" + quote(ev.Text, 2500)
	case bot.EventEscalated:
		// The handlers name who is paged as identities ("slack:U123"); in this
		// line, and only here, they become mentions so those people are told.
		s = ":rotating_light: " + who(ev.Actor) + ": " + withPages(fit(firstNonEmpty(ev.Text, "Escalated"), 2500))
	case bot.EventAcked:
		s = ":ok_hand: " + who(ev.Actor) + ": " + fit(firstNonEmpty(ev.Text, "Acknowledged"), 2500)
	case bot.EventPaged:
		// The only line where identities become live mentions: the rules
		// file's, for the people an escalation step pages.
		p, ok := bot.ParsePage(ev.Text)
		if !ok {
			s = ":loudspeaker: " + fit(ev.Text, 2500)
			break
		}
		s = ":loudspeaker: " + pageLine(card.Team, p)
	case bot.EventSLAReminder:
		s = ":hourglass_flowing_sand: " + fit(firstNonEmpty(ev.Text, "An answer is due soon"), 2500)
	case bot.EventSLABreach:
		s = ":alarm_clock: " + fit(firstNonEmpty(ev.Text, "The SLA was missed"), 2500)
	case bot.EventDefect:
		s = ":bug: " + who(ev.Actor) + ": " + fit(firstNonEmpty(ev.Text, "Defect filed"), 2500) + link
	case bot.EventDismissed:
		s = ":no_entry_sign: " + who(ev.Actor) + ": " + fit(firstNonEmpty(ev.Text, "Dismissed"), 2500)
	case bot.EventResolved:
		s = ":checkered_flag: " + who(ev.Actor) + ": " + fit(firstNonEmpty(ev.Text, "Resolved"), 2500)
	case bot.EventMuted:
		s = ":mute: " + who(ev.Actor) + ": " + fit(firstNonEmpty(ev.Text, "Muted"), 2500)
	case bot.EventActionFail:
		s = ":warning: " + fit(firstNonEmpty(ev.Text, "An action failed"), 2500)
		if ev.Actor != "" {
			s += " (" + who(ev.Actor) + ")"
		}
	default:
		if ev.Text == "" {
			return ""
		}
		s = ":information_source: " + who(ev.Actor) + ": " + fit(ev.Text, 2500) + link
	}
	return clipEscaped(s, maxFallback)
}
