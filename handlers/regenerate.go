package handlers

import (
	"context"
	"fmt"

	"github.com/earshothq/earshot/bot"
)

// regenerate drafts the case's replies again, past any cached answer,
// following the person's instruction when there is one. The new drafts
// replace the card's in one step with the action being done; what the
// drafter said (a fallback, dropped drafts) shows on the card.
func (h *Handlers) regenerate(ctx context.Context, a bot.Action, c bot.Case) error {
	if h.drafter == nil {
		return bot.Permanent(fmt.Errorf("no drafter configured"))
	}
	mentions, _, err := h.store.Thread(ctx, c.ID)
	if err != nil {
		return fmt.Errorf("load thread of case %d: %w", c.ID, err)
	}
	team, _ := h.teams(c.Team)
	d, err := h.drafter.DraftReplies(ctx, c, team, mentions, bot.DraftRequest{Fresh: true, Instruction: a.Text})
	if err != nil {
		return fmt.Errorf("redraft case %d: %w", c.ID, err)
	}
	kept := bot.FitDrafts(c, d.Suggestions)
	text := fmt.Sprintf("Drafts regenerated (%d)", len(kept))
	if a.Text != "" {
		text += ": " + a.Text
	}
	ch := h.change(a, bot.Event{Kind: bot.EventRegenerated, Text: text}, text)
	info := d.Info
	info.At, info.Instruction = h.now(), a.Text
	ch.Drafts = &info
	if err := h.store.SaveSuggestions(ctx, c.ID, kept, ch); err != nil {
		return fmt.Errorf("save regenerated drafts of case %d: %w", c.ID, err)
	}
	return nil
}
