package handlers

import (
	"context"
	"fmt"
	"strings"

	"github.com/earshothq/earshot/bot"
)

// ApproachDelight marks the suggestion that holds a team's thank-you gesture.
const ApproachDelight = "delight"

// afterDone is what follows a done action. It runs again when a job is
// retried after the action was done, so it must be idempotent.
func (h *Handlers) afterDone(ctx context.Context, a bot.Action) error {
	if a.Kind == bot.ActReply || a.Kind == bot.ActResolve {
		return h.delight(ctx, a)
	}
	return nil
}

// delight offers the team's gesture (a coupon code, a link) as one more
// suggestion once a reply or a resolution is done. The code is reserved for
// the case in the same transaction as the suggestion, so it is never given
// to two cases, and the same case gets the same code if offered again. It
// is offered once per action, and not again once it was sent; an empty pool
// is a note on the thread, not a failure.
func (h *Handlers) delight(ctx context.Context, a bot.Action) error {
	c, err := h.store.Case(ctx, a.CaseID)
	if err != nil {
		return fmt.Errorf("load case %d: %w", a.CaseID, err)
	}
	team, ok := h.teams(c.Team)
	if !ok || !team.Delight.Offers(string(a.Kind)) {
		return nil
	}
	d := team.Delight
	_, evs, err := h.store.Thread(ctx, c.ID)
	if err != nil {
		return fmt.Errorf("load thread of case %d: %w", c.ID, err)
	}
	for _, ev := range evs {
		if ev.Kind == bot.EventDelight && ev.ActionID == a.ID {
			return nil // offered after this action already
		}
	}
	actions, err := h.store.Actions(ctx, c.ID)
	if err != nil {
		return fmt.Errorf("load actions of case %d: %w", c.ID, err)
	}
	var sent []string
	for _, x := range actions {
		if x.Kind == bot.ActReply && (x.Status == bot.ActionDone || x.ID == a.ID) {
			sent = append(sent, x.Text)
		}
	}
	pool := d.CouponPool
	err = h.store.OfferGesture(ctx, c.ID, pool, func(cc *bot.Case, code string, empty bool, have []bot.Suggestion) (*bot.Suggestion, bot.CaseChange, error) {
		if empty {
			return nil, h.systemNote(a, fmt.Sprintf("No thank-you gesture offered: coupon pool %q has no code left. Load more with `earshot coupons add %s FILE`.", pool, pool)), nil
		}
		text := d.Render(code)
		for _, s := range sent {
			if (code != "" && strings.Contains(s, code)) || s == text {
				return nil, bot.CaseChange{}, nil // the gesture went out already
			}
		}
		for _, s := range have {
			if s.Approach == ApproachDelight && s.Text == text {
				return nil, bot.CaseChange{}, nil // on the card already
			}
		}
		if n, limit := bot.Length(text), bot.ReplyLimit(cc.Platform); n > limit {
			return nil, h.systemNote(a, fmt.Sprintf("No thank-you gesture offered: it is %d characters and %s allows %d.", n, cc.Platform, limit)), nil
		}
		what := "a link"
		if code != "" {
			what = fmt.Sprintf("coupon %s from pool %q, reserved for this case", code, pool)
		}
		ch := h.systemNote(a, "A thank-you is ready to send as a suggestion ("+what+").")
		return &bot.Suggestion{Text: text, Approach: ApproachDelight, Origin: "delight"}, ch, nil
	})
	if err != nil {
		return fmt.Errorf("offer delight on case %d: %w", c.ID, err)
	}
	return nil
}

// systemNote is a delight event after action a, shown on every surface
// (card redrawn, thread told), by earshot rather than a person; the action
// itself is done already and stays as it is.
func (h *Handlers) systemNote(a bot.Action, text string) bot.CaseChange {
	ch := h.change(a, bot.Event{Kind: bot.EventDelight, Text: text}, "")
	ch.Finish = nil
	ch.Events[0].Actor = ""
	return ch
}
