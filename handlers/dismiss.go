package handlers

import (
	"context"

	"github.com/earshothq/earshot/bot"
)

// dismiss closes a case that needs no answer, keeping why (spam, not about
// us, a duplicate) with the action so the rules can be tuned from it.
func (h *Handlers) dismiss(ctx context.Context, a bot.Action, c bot.Case) error {
	verb := "Dismissed"
	if a.Reason != "" {
		verb += " (" + reasonLabel(a.Reason) + ")"
	}
	return h.close(ctx, a, c, bot.StateDismissed, bot.EventDismissed, verb)
}

// reasonLabel is a reason as the thread shows it.
func reasonLabel(r bot.DismissReason) string {
	switch r {
	case bot.ReasonNotAboutUs:
		return "not about us"
	case "":
		return string(bot.ReasonOther)
	}
	return string(r)
}
