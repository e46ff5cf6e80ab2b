package handlers

import (
	"context"
	"errors"
	"fmt"

	"github.com/earshothq/earshot/bot"
)

// reply sends the chosen or edited text to the customer's latest post
// through the platform's Replier. Without one (no posting API, or no
// credentials) it becomes an assisted reply: the text and the link are in
// the thread for a person to post by hand, and the case moves on as if sent.
func (h *Handlers) reply(ctx context.Context, a bot.Action, c bot.Case) (string, error) {
	text := a.Text
	if a.Suggestion > 0 {
		sugg, err := h.store.Suggestions(ctx, c.ID)
		if err != nil {
			return "", fmt.Errorf("load suggestions: %w", err)
		}
		if a.Suggestion > len(sugg) {
			return "", bot.Permanent(fmt.Errorf("suggestion %d no longer exists", a.Suggestion))
		}
		text = sugg[a.Suggestion-1].Text
	}
	if n, limit := bot.Length(text), bot.ReplyLimit(c.Platform); n > limit {
		return "", bot.Permanent(fmt.Errorf("reply is %d characters, %s allows %d", n, c.Platform, limit))
	}
	to, err := h.latestCustomerMention(ctx, c)
	if err != nil {
		return "", bot.Permanent(err)
	}
	replier, ok := h.repliers[c.Platform]
	if !ok {
		return h.assisted(ctx, a, to, text)
	}
	if err := h.store.FinishAction(ctx, a.ID, bot.ActionSending, "", h.now()); err != nil {
		return "", fmt.Errorf("mark action %d sending: %w", a.ID, err)
	}
	ref, err := replier.Reply(ctx, to, text)
	if err != nil {
		var retry *bot.RetryError
		if errors.As(err, &retry) {
			// The platform refused before posting (rate limit): safe to try again.
			if perr := h.store.FinishAction(ctx, a.ID, bot.ActionPending, err.Error(), h.now()); perr != nil {
				return "", fmt.Errorf("reset action %d: %w", a.ID, perr)
			}
			return "", err
		}
		// Anything else may or may not have posted; never risk a double post.
		return "", bot.Permanent(fmt.Errorf("post reply on %s: %w", c.Platform, err))
	}
	if err := h.store.SaveReply(ctx, c.ID, c.Platform, ref); err != nil {
		return "", fmt.Errorf("record our reply %s: %w", ref.ExternalID, err)
	}
	_, err = h.store.UpdateCase(ctx, c.ID, func(cc *bot.Case) (bot.CaseChange, error) {
		cc.State = bot.StateAwaitingCustomer
		cc.DueAt = zeroTime
		return h.change(bot.Event{Kind: bot.EventReplied, Actor: a.Actor, ActionID: a.ID, Text: text, URL: ref.URL}), nil
	})
	if err != nil {
		return "", fmt.Errorf("update case after reply: %w", err)
	}
	if ref.URL != "" {
		return ref.URL, nil
	}
	return ref.ExternalID, nil
}

func (h *Handlers) assisted(ctx context.Context, a bot.Action, to bot.Mention, text string) (string, error) {
	note := fmt.Sprintf("Posting on %s is done by hand: copy the reply and post it as an answer to %s", to.Platform, linkOr(to))
	_, err := h.store.UpdateCase(ctx, a.CaseID, func(cc *bot.Case) (bot.CaseChange, error) {
		cc.State = bot.StateAwaitingCustomer
		cc.DueAt = zeroTime
		return h.change(bot.Event{Kind: bot.EventAssisted, Actor: a.Actor, ActionID: a.ID, Text: text + "\n\n" + note, URL: to.URL}), nil
	})
	if err != nil {
		return "", fmt.Errorf("update case after assisted reply: %w", err)
	}
	return "assisted: " + note, nil
}

func linkOr(m bot.Mention) string {
	if m.URL != "" {
		return m.URL
	}
	return m.Key()
}
