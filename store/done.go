package store

import (
	"context"
	"fmt"
	"time"

	"github.com/earshothq/earshot/bot"
)

// waitsForCustomer are the states in which a customer's closing remark
// ("thanks, that fixed it") ends the conversation: we answered and wait for
// them. A resolved case stays resolved (a thank-you after the fact is not a
// new question); any other open state still owes them an answer, so their
// thanks changes nothing there.
func waitsForCustomer(s bot.CaseState) bool {
	return s == bot.StateAwaitingCustomer || s == bot.StateReplied || s == bot.StateResolved
}

// customerDone resolves c (already bumped, holding the follow-up) because
// the customer's follow-up reads as a closing remark matching phrase. The
// event names why, quoting the phrase of classify's table, never the post
// (whose text a deletion must be able to take back). A person can reopen.
func customerDone(ctx context.Context, tx *txn, old bot.Case, c *bot.Case, phrase string, now time.Time) ([]bot.Event, error) {
	if c.State == bot.StateResolved {
		return nil, nil // already closed: the thanks joins the thread, nothing more
	}
	c.State = bot.StateResolved
	c.DueAt = time.Time{}
	text := fmt.Sprintf("The customer's reply reads as a closing remark (%q): resolved. Reopen the case if they still need us.", phrase)
	ev, err := insertEvent(ctx, tx, c.ID, bot.Event{Kind: bot.EventResolved, Text: text}, now)
	if err != nil {
		return nil, err
	}
	return []bot.Event{ev}, dropStaleTimers(ctx, tx, old, *c)
}
