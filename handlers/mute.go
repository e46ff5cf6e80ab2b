package handlers

import (
	"context"
	"fmt"
	"strings"

	"github.com/earshothq/earshot/bot"
)

// mute silences an author or a term for a period and closes the case, in
// one step: the case dismissed (if it was open) and the mute recorded. New
// mentions from the author, or with the term, are then stored but open no
// case; a follow-up in a conversation already under way still joins it.
func (h *Handlers) mute(ctx context.Context, a bot.Action, c bot.Case) error {
	spec := a.Mute
	if spec == nil {
		// An action claimed before mutes kept their details: the customer,
		// for the default period.
		var err error
		if spec, err = resolveMute(nil, c); err != nil {
			return bot.Permanent(err)
		}
	}
	m, err := h.newMute(*spec, a.Actor, a.Text)
	if err != nil {
		return bot.Permanent(err)
	}
	text := capitalizeFirst(m.Describe())
	if a.Text != "" {
		text += ": " + a.Text
	}
	_, err = h.store.UpdateCase(ctx, c.ID, func(cc *bot.Case) (bot.CaseChange, error) {
		if cc.State.Open() {
			cc.State = bot.StateDismissed
			cc.DueAt = zeroTime
		}
		ch := h.change(a, bot.Event{Kind: bot.EventMuted, Text: text}, text)
		ch.Mute = &m
		return ch, nil
	})
	if err != nil {
		return fmt.Errorf("mute from case %d: %w", c.ID, err)
	}
	h.reloadMutes(ctx)
	return nil
}

// newMute turns a checked spec into the mute to record, timed from now.
func (h *Handlers) newMute(spec bot.MuteSpec, by, reason string) (bot.Mute, error) {
	d, forever, err := bot.ParsePeriod(spec.Period)
	if err != nil {
		return bot.Mute{}, err
	}
	m := bot.Mute{Kind: spec.Kind, Value: spec.Value, Platform: spec.Platform, By: by, Reason: reason, Created: h.now()}
	if !forever {
		m.Until = m.Created.Add(d)
	}
	return m, nil
}

func (h *Handlers) reloadMutes(ctx context.Context) {
	if h.mutesChanged == nil {
		return
	}
	if err := h.mutesChanged(ctx); err != nil {
		// Other replicas' periodic reload, and this one's, still pick it up.
		h.log.Warn("mutes not reloaded after a change", "error", err)
	}
}

func capitalizeFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
