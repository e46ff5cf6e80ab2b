package handlers

import (
	"context"
	"fmt"

	"github.com/earshothq/earshot/bot"
)

// acknowledge says someone has seen an escalation and is on it.
func (h *Handlers) acknowledge(ctx context.Context, a bot.Action, c bot.Case) error {
	_, err := h.store.UpdateCase(ctx, c.ID, func(cc *bot.Case) (bot.CaseChange, error) {
		if cc.Assignee == "" {
			cc.Assignee = a.Actor
		}
		return h.change(a, bot.Event{Kind: bot.EventAcked, Text: "Acknowledged"}, "acknowledged"), nil
	})
	if err != nil {
		return fmt.Errorf("acknowledge case %d: %w", c.ID, err)
	}
	return nil
}
