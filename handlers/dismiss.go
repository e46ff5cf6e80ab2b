package handlers

import (
	"context"

	"github.com/earshothq/earshot/bot"
)

// dismiss closes a case that needs no answer (noise, spam, not about us).
func (h *Handlers) dismiss(ctx context.Context, a bot.Action, c bot.Case) error {
	return h.close(ctx, a, c, bot.StateDismissed, bot.EventDismissed, "Dismissed")
}
