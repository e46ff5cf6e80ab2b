package handlers

import (
	"context"
	"fmt"
	"strings"

	"github.com/earshothq/earshot/bot"
)

// escalate hands the case to the team's executives and leads: the case turns
// "escalated" and the thread names who is paged, with the person's note.
func (h *Handlers) escalate(ctx context.Context, a bot.Action, c bot.Case) error {
	team, _ := h.teams(c.Team)
	paged := append(append([]string{}, team.Execs...), team.Leads...)
	text := "Escalated"
	if len(paged) > 0 {
		text += " to " + strings.Join(paged, ", ")
	}
	if a.Text != "" {
		text += ": " + a.Text
	}
	_, err := h.store.UpdateCase(ctx, c.ID, func(cc *bot.Case) (bot.CaseChange, error) {
		cc.State = bot.StateEscalated
		return h.change(a, bot.Event{Kind: bot.EventEscalated, Text: text}, text), nil
	})
	if err != nil {
		return fmt.Errorf("escalate case %d: %w", c.ID, err)
	}
	return nil
}
