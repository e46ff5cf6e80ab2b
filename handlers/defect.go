package handlers

import (
	"context"
	"fmt"

	"github.com/earshothq/earshot/bot"
)

// defect records that the customer's problem is a product defect. With no
// tracker configured the defect is kept in the case, titled, so engineering
// can pick it up from the inbox.
func (h *Handlers) defect(ctx context.Context, a bot.Action, c bot.Case) error {
	title := a.Text
	if title == "" {
		title = c.Summary
	}
	text := "Defect recorded: " + title
	_, err := h.store.UpdateCase(ctx, c.ID, func(cc *bot.Case) (bot.CaseChange, error) {
		cc.State = bot.StateDefectFiled
		return h.change(a, bot.Event{Kind: bot.EventDefect, Text: text}, text), nil
	})
	if err != nil {
		return fmt.Errorf("file defect for case %d: %w", c.ID, err)
	}
	return nil
}
