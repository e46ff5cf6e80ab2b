package handlers

import (
	"context"

	"github.com/earshothq/earshot/bot"
)

// mute closes the case and says so; muting the author for good comes with
// the rules that can express it.
func (h *Handlers) mute(ctx context.Context, a bot.Action, c bot.Case) error {
	return h.close(ctx, a, c, bot.StateDismissed, bot.EventMuted, "Muted")
}
