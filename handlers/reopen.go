package handlers

import (
	"context"
	"fmt"

	"github.com/earshothq/earshot/bot"
)

// reopen puts a resolved or dismissed case back in the queue: claimed if
// someone owns it, else new, with the team's SLA running again from now.
func (h *Handlers) reopen(ctx context.Context, a bot.Action, c bot.Case) error {
	team, _ := h.teams(c.Team)
	_, err := h.store.UpdateCase(ctx, c.ID, func(cc *bot.Case) (bot.CaseChange, error) {
		text := "Reopened"
		if a.Text != "" {
			text += ": " + a.Text
		}
		if cc.State.Open() {
			// Reopened meanwhile (the customer wrote again): nothing to change.
			return h.change(a, bot.Event{Kind: bot.EventNote, Text: fmt.Sprintf("Reopen: case %d was already %s", cc.ID, cc.State)}, "already open"), nil
		}
		cc.State = bot.StateNew
		if cc.Assignee != "" {
			cc.State = bot.StateClaimed
		}
		// Due within the team's working hours, with its reminder and breach
		// timers, as if the customer had just written.
		var timers []bot.Timer
		cc.DueAt = zeroTime
		if team.Name != "" && team.SLA > 0 {
			cc.DueAt, timers = bot.SLATimers(team, h.now())
		}
		ch := h.change(a, bot.Event{Kind: bot.EventReopened, Text: text}, text)
		ch.Timers = timers
		return ch, nil
	})
	if err != nil {
		return fmt.Errorf("reopen case %d: %w", c.ID, err)
	}
	return nil
}
