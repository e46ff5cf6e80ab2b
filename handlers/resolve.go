package handlers

import (
	"context"

	"github.com/earshothq/earshot/bot"
)

// resolve closes a case the customer is done with. If they write again the
// case reopens (the store does that on a follow-up).
func (h *Handlers) resolve(ctx context.Context, a bot.Action, c bot.Case) error {
	return h.close(ctx, a, c, bot.StateResolved, bot.EventResolved, "Resolved")
}
