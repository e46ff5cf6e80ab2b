package handlers

import (
	"context"
	"fmt"

	"github.com/earshothq/earshot/bot"
)

// acknowledge says someone has seen the case and is on it. On an escalated
// case it stops the policy: a page's job finds the acknowledgement after
// its escalation and pages nobody more.
func (h *Handlers) acknowledge(ctx context.Context, a bot.Action, c bot.Case) error {
	text := "Acknowledged"
	if c.State == bot.StateEscalated {
		_, evs, err := h.store.Thread(ctx, c.ID)
		if err != nil {
			return fmt.Errorf("load thread of case %d: %w", c.ID, err)
		}
		var esc int64
		for _, ev := range evs {
			if ev.Kind == bot.EventEscalated {
				esc = ev.ID
			}
		}
		if _, live := liveEscalation(c, evs, esc); live {
			text = "Acknowledged the escalation; paging stopped"
		}
	}
	_, err := h.store.UpdateCase(ctx, c.ID, func(cc *bot.Case) (bot.CaseChange, error) {
		if cc.Assignee == "" {
			cc.Assignee = a.Actor
		}
		return h.change(a, bot.Event{Kind: bot.EventAcked, Text: text}, text), nil
	})
	if err != nil {
		return fmt.Errorf("acknowledge case %d: %w", c.ID, err)
	}
	return nil
}
