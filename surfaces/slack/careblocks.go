package slacksurface

import (
	"github.com/slack-go/slack"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/handlers"
)

// dismissReasons are the Dismiss menu's options, in bot.DismissReasons order.
var dismissReasons = []struct {
	reason bot.DismissReason
	label  string
}{
	{bot.ReasonSpam, "Spam"},
	{bot.ReasonNotAboutUs, "Not about us"},
	{bot.ReasonDuplicate, "Duplicate"},
	{bot.ReasonOther, "Other"},
}

// dismissMenu is the card's Dismiss control: picking a reason dismisses
// with it, so the reason is never skipped and costs no extra click.
func dismissMenu(base click) *slack.SelectBlockElement {
	opts := make([]*slack.OptionBlockObject, 0, len(dismissReasons))
	for _, r := range dismissReasons {
		v := base
		v.Reason = string(r.reason)
		opts = append(opts, slack.NewOptionBlockObject(v.encode(), plain(r.label), nil))
	}
	return slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Dismiss as…"), actionDismiss, opts...)
}

// shownSuggestions are the drafts a card shows: all of them while the case
// is open; once it is closed only a thank-you gesture, which is offered
// after a resolution.
func shownSuggestions(card bot.Card) []bot.Suggestion {
	if card.Case.State.Open() {
		return card.Suggestions
	}
	var out []bot.Suggestion
	for _, s := range card.Suggestions {
		if s.Approach == handlers.ApproachDelight {
			out = append(out, s)
		}
	}
	return out
}
