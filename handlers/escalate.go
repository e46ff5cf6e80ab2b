package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/earshothq/earshot/bot"
)

// escalate starts the team's escalation policy: the case turns "escalated",
// the thread says why, the policy's first step is paged at once, and a
// timer waits for an acknowledgement before the next step (see pages.go).
// A person's click and an automatic escalation both end up here.
func (h *Handlers) escalate(ctx context.Context, a bot.Action, c bot.Case) error {
	team, _ := h.teams(c.Team)
	text := "Escalated"
	if a.Text != "" {
		text += ": " + a.Text
	}
	now := h.now()
	_, err := h.store.UpdateCase(ctx, c.ID, func(cc *bot.Case) (bot.CaseChange, error) {
		// A click and an automatic escalation claimed at once are two
		// actions; the policy starts once.
		if cc.State == bot.StateEscalated {
			return bot.CaseChange{Finish: &bot.ActionOutcome{ActionID: a.ID, Status: bot.ActionSkipped,
				Result: fmt.Sprintf("case %d was already escalated", cc.ID)}}, nil
		}
		cc.State = bot.StateEscalated
		ch := h.change(a, bot.Event{Kind: bot.EventEscalated, Text: text}, text)
		h.page(&ch, team, 1, -1, text, now)
		return ch, nil
	})
	if err != nil {
		return fmt.Errorf("escalate case %d: %w", c.ID, err)
	}
	return nil
}

// page adds the n-th page of team's policy to ch: the event naming whom it
// @-mentions (in the thread and, where a surface has one, the escalation
// channel) and the timer for the next page. esc is the escalation's event:
// its id, or a negative index into ch.Events.
func (h *Handlers) page(ch *bot.CaseChange, team bot.Team, n int, esc int64, reason string, now time.Time) {
	pol := team.Policy()
	step, index, round, ok := pol.Page(n)
	if !ok {
		return
	}
	p := bot.Page{Notify: step.Notify, Step: index + 1, Steps: len(pol.Steps), Round: round, Rounds: pol.Repeat + 1, Reason: reason}
	ch.Events = append(ch.Events, bot.Event{Kind: bot.EventPaged, At: now, Text: p.Text()})
	ev := -int64(len(ch.Events))
	for _, s := range h.surfaces {
		ch.Jobs = append(ch.Jobs, bot.Job{Kind: bot.JobNote, Surface: s, EventID: ev})
		if team.EscalationChannel(s) != "" {
			ch.Jobs = append(ch.Jobs, bot.Job{Kind: bot.JobBroadcast, Surface: s, EventID: ev})
		}
	}
	// The last step's wait ends the policy with a note (page Pages()+1).
	if step.After > 0 {
		ch.Timers = append(ch.Timers, bot.Timer{Due: now.Add(step.After), Job: bot.Job{Kind: bot.JobEscalation, EventID: esc, Step: n + 1}})
	}
}
