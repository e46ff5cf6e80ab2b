package handlers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/earshothq/earshot/bot"
)

// SLA runs an SLA job for the due time j.Due: a reminder (step >= 1) tells
// the thread how much time is left and redraws the card; the breach (step
// 0) records that the due time passed unanswered, so stats count it, and
// starts the team's escalation policy when it says so. A job for a due time
// the case no longer has (answered, reopened, closed) does nothing.
func (h *Handlers) SLA(ctx context.Context, j bot.Job) error {
	for range casRetries {
		c, err := h.store.Case(ctx, j.CaseID)
		if err != nil {
			return caseErr(j.CaseID, err)
		}
		if !c.State.Open() || c.DueAt.IsZero() || c.DueAt.UnixMilli() != j.Due {
			return nil
		}
		team, _ := h.teams(c.Team)
		now := h.now()
		ch := bot.CaseChange{FiredTimer: j.Timer}
		if j.Step > 0 {
			if !now.Before(c.DueAt) {
				return nil // too late to remind: the breach says it
			}
			ch.Events = []bot.Event{{Kind: bot.EventSLAReminder, At: now,
				Text: fmt.Sprintf("Answer due in %s (%s)", bot.Span(team.Left(now, c.DueAt)), dueText(c.DueAt, team))}}
		} else {
			ch.Events = []bot.Event{{Kind: bot.EventSLABreach, At: now,
				Text: fmt.Sprintf("No first answer within the SLA (%s): it was due %s", bot.Span(team.SLA), dueText(c.DueAt, team))}}
			if team.BreachEscalates() {
				ch.Jobs = append(ch.Jobs, bot.Job{Kind: bot.JobEscalation, Due: j.Due})
			}
		}
		for _, s := range h.surfaces {
			ch.Jobs = append(ch.Jobs,
				bot.Job{Kind: bot.JobCard, Surface: s},
				bot.Job{Kind: bot.JobNote, Surface: s, EventID: -1})
		}
		_, err = h.store.UpdateCase(ctx, c.ID, func(cc *bot.Case) (bot.CaseChange, error) {
			if cc.Rev != c.Rev {
				return bot.CaseChange{}, errMoved
			}
			return ch, nil
		})
		switch {
		case errors.Is(err, errMoved):
			continue
		case errors.Is(err, bot.ErrTimerGone):
			return nil
		case err != nil:
			return fmt.Errorf("sla step %d of case %d: %w", j.Step, c.ID, err)
		}
		return nil
	}
	return fmt.Errorf("sla step %d of case %d: %w", j.Step, j.CaseID, errMoved)
}

// dueText is the due time in the team's zone ("Mon 5 Jan 08:50 CET").
func dueText(due time.Time, team bot.Team) string {
	return due.In(team.Clock().Location()).Format("Mon 2 Jan 15:04 MST")
}
