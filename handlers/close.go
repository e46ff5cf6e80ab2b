package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/earshothq/earshot/bot"
)

var zeroTime time.Time

// dismiss closes a case that needs no answer (noise, spam, not about us).
func (h *Handlers) dismiss(ctx context.Context, a bot.Action, c bot.Case) (string, error) {
	return h.close(ctx, a, c, bot.StateDismissed, bot.EventDismissed, "Dismissed")
}

// resolve closes a case the customer is done with. If they write again the
// case reopens (the store does that on a follow-up).
func (h *Handlers) resolve(ctx context.Context, a bot.Action, c bot.Case) (string, error) {
	return h.close(ctx, a, c, bot.StateResolved, bot.EventResolved, "Resolved")
}

// mute closes the case and says so; muting the author for good comes with
// the rules that can express it.
func (h *Handlers) mute(ctx context.Context, a bot.Action, c bot.Case) (string, error) {
	return h.close(ctx, a, c, bot.StateDismissed, bot.EventMuted, "Muted")
}

func (h *Handlers) close(ctx context.Context, a bot.Action, c bot.Case, state bot.CaseState, kind bot.EventKind, verb string) (string, error) {
	text := verb
	if a.Text != "" {
		text += ": " + a.Text
	}
	_, err := h.store.UpdateCase(ctx, c.ID, func(cc *bot.Case) (bot.CaseChange, error) {
		cc.State = state
		cc.DueAt = zeroTime
		return h.change(bot.Event{Kind: kind, Actor: a.Actor, ActionID: a.ID, Text: text}), nil
	})
	if err != nil {
		return "", fmt.Errorf("%s case %d: %w", verb, c.ID, err)
	}
	return text, nil
}
