package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/earshothq/earshot/bot"
)

// postedPrefix marks, in an action still "sending", that the platform took
// the post: a retry then only finishes the bookkeeping, never posts again.
const postedPrefix = "posted:"

// reply sends the text the person approved to the post they answered,
// through the platform's Replier. Without one (no posting API, or no
// credentials) it becomes an assisted reply: the text and the link are in
// the thread for a person to post by hand, and the case moves on as if sent.
func (h *Handlers) reply(ctx context.Context, a bot.Action, c bot.Case) error {
	if n, limit := bot.Length(a.Text), bot.ReplyLimit(c.Platform); a.Text == "" || n > limit {
		return bot.Permanent(fmt.Errorf("reply is %d characters, %s allows 1 to %d", n, c.Platform, limit))
	}
	to, err := h.mention(ctx, c.ID, a.MentionID)
	if err != nil {
		return bot.Permanent(err)
	}
	replier, ok := h.repliers[c.Platform]
	if !ok {
		return h.assisted(ctx, a, to)
	}
	started, err := h.store.StartSending(ctx, a.ID, h.now())
	if err != nil {
		return fmt.Errorf("mark action %d sending: %w", a.ID, err)
	}
	if !started {
		return nil // another run of this action is sending it, or has
	}
	// The action id names this reply however often the job is retried, so a
	// receiver that deduplicates (the webhook replier's) can.
	meta := bot.ReplyMeta{CaseID: c.ID, ActionID: a.ID, IdempotencyKey: "earshot-action-" + strconv.FormatInt(a.ID, 10)}
	ref, err := replier.Reply(bot.WithReplyMeta(ctx, meta), to, a.Text)
	if err != nil {
		var hand *bot.AssistedError
		if errors.As(err, &hand) {
			// The platform will not take it from us at all: a person posts it.
			return h.assistedBecause(ctx, a, to, hand.Reason)
		}
		var retry *bot.RetryError
		if errors.As(err, &retry) {
			// The platform refused before posting (rate limit): safe to try again.
			if perr := h.store.FinishAction(ctx, a.ID, bot.ActionPending, err.Error(), h.now()); perr != nil {
				return fmt.Errorf("reset action %d: %w", a.ID, perr)
			}
			return err
		}
		if bot.IsPermanent(err) {
			// The platform refused it (bad request, no permission): nothing
			// was posted, and a person may try again once it is fixed.
			return fmt.Errorf("post reply on %s: %w", c.Platform, err)
		}
		// Anything else may or may not have posted; never risk a double post.
		return &unknownOutcome{fmt.Errorf("post reply on %s: %w", c.Platform, err)}
	}
	posted, _ := json.Marshal(ref)
	if err := h.store.FinishAction(ctx, a.ID, bot.ActionSending, postedPrefix+string(posted), h.now()); err != nil {
		return fmt.Errorf("note that action %d posted %s: %w", a.ID, ref.ExternalID, err)
	}
	return h.recordReply(ctx, a, ref)
}

// recordReply is what follows a post the platform took, in one step: our
// post recorded (so answers join the case), the case waiting for the
// customer, the thread told, the action done.
func (h *Handlers) recordReply(ctx context.Context, a bot.Action, ref bot.PostRef) error {
	_, err := h.store.UpdateCase(ctx, a.CaseID, func(cc *bot.Case) (bot.CaseChange, error) {
		awaitCustomer(cc)
		result := ref.URL
		if result == "" {
			result = ref.ExternalID
		}
		ch := h.change(a, bot.Event{Kind: bot.EventReplied, Text: a.Text, URL: ref.URL}, result)
		ch.Reply = &bot.OurPost{Platform: cc.Platform, Ref: ref}
		return ch, nil
	})
	if errors.Is(err, bot.ErrActionFinished) {
		return nil // another run recorded it
	}
	if err != nil {
		return fmt.Errorf("record reply %s of action %d: %w", ref.ExternalID, a.ID, err)
	}
	return nil
}

// reconcile settles a reply found mid-send after a crash: the platform may
// have taken the post before the process died. A Replier that can look for
// our post (bot.ReplyFinder) is asked; found, the reply is recorded as
// sent; otherwise the outcome is unknown and the reply is never repeated.
func (h *Handlers) reconcile(ctx context.Context, a bot.Action, c bot.Case) error {
	const lost = "interrupted while talking to the platform"
	finder, ok := h.repliers[c.Platform].(bot.ReplyFinder)
	if !ok {
		return h.finishUnknown(ctx, a, lost)
	}
	to, err := h.mention(ctx, c.ID, a.MentionID)
	if err != nil {
		return h.finishUnknown(ctx, a, lost)
	}
	ref, found, err := finder.FindReply(ctx, to, a.Text)
	switch {
	case err != nil:
		var retry *bot.RetryError
		if errors.As(err, &retry) {
			return err // ask again later; the action stays "sending"
		}
		return h.finishUnknown(ctx, a, lost+"; looking for the post failed: "+err.Error())
	case found:
		return h.recordReply(ctx, a, ref)
	}
	// Not found is not proof: some platforms show a post seconds later.
	return h.finishUnknown(ctx, a, lost+"; the post was not found on "+c.Platform)
}

// postedRef reads back what reply noted after the platform took the post.
func postedRef(result string) (bot.PostRef, bool) {
	rest, ok := strings.CutPrefix(result, postedPrefix)
	if !ok {
		return bot.PostRef{}, false
	}
	var ref bot.PostRef
	if err := json.Unmarshal([]byte(rest), &ref); err != nil || ref.ExternalID == "" {
		return bot.PostRef{}, false
	}
	return ref, true
}

func (h *Handlers) assisted(ctx context.Context, a bot.Action, to bot.Mention) error {
	return h.assistedBecause(ctx, a, to, "")
}

// assistedBecause turns the reply into an assisted one, saying why when the
// platform refused it (reason) rather than having no posting API.
func (h *Handlers) assistedBecause(ctx context.Context, a bot.Action, to bot.Mention, reason string) error {
	note := fmt.Sprintf("Posting on %s is done by hand: copy the reply and post it as an answer to %s", to.Platform, linkOr(to))
	if reason != "" {
		note = fmt.Sprintf("%s refused the reply (%s). Copy it and post it by hand as an answer to %s", to.Platform, reason, linkOr(to))
	}
	_, err := h.store.UpdateCase(ctx, a.CaseID, func(cc *bot.Case) (bot.CaseChange, error) {
		awaitCustomer(cc)
		return h.change(a, bot.Event{Kind: bot.EventAssisted, Text: a.Text + "\n\n" + note, URL: to.URL}, "assisted: "+note), nil
	})
	if err != nil {
		return fmt.Errorf("update case after assisted reply: %w", err)
	}
	return nil
}

// awaitCustomer is the case after our answer went out: nothing is owed
// until the customer writes again. A closed case stays closed: a thank-you
// sent after resolving does not put it back in the queue.
func awaitCustomer(c *bot.Case) {
	c.DueAt = zeroTime
	if c.State.Open() {
		c.State = bot.StateAwaitingCustomer
	}
}

func linkOr(m bot.Mention) string {
	if m.URL != "" {
		return m.URL
	}
	return m.Key()
}
