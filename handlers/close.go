package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/earshothq/earshot/bot"
)

var zeroTime time.Time

// close ends a case in state with an event of kind, noting the person's text.
func (h *Handlers) close(ctx context.Context, a bot.Action, c bot.Case, state bot.CaseState, kind bot.EventKind, verb string) error {
	text := verb
	if a.Text != "" {
		text += ": " + a.Text
	}
	_, err := h.store.UpdateCase(ctx, c.ID, func(cc *bot.Case) (bot.CaseChange, error) {
		cc.State = state
		cc.DueAt = zeroTime
		return h.change(a, bot.Event{Kind: kind, Text: text}, text), nil
	})
	if err != nil {
		return fmt.Errorf("%s case %d: %w", verb, c.ID, err)
	}
	return nil
}
