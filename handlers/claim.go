package handlers

import (
	"context"
	"fmt"

	"github.com/earshothq/earshot/bot"
)

// claim makes the actor the case's owner, so others know it is taken.
func (h *Handlers) claim(ctx context.Context, a bot.Action, c bot.Case) error {
	_, err := h.store.UpdateCase(ctx, c.ID, func(cc *bot.Case) (bot.CaseChange, error) {
		cc.Assignee = a.Actor
		if cc.State == bot.StateNew {
			cc.State = bot.StateClaimed
		}
		return h.change(a, bot.Event{Kind: bot.EventClaimed, Text: "Claimed by " + a.Actor}, "claimed by "+a.Actor), nil
	})
	if err != nil {
		return fmt.Errorf("claim case %d: %w", c.ID, err)
	}
	return nil
}
