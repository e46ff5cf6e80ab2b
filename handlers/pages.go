package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/earshothq/earshot/bot"
)

var _ bot.TimerJobs = (*Handlers)(nil)

// errMoved says the case changed between reading it and writing to it, so
// what was decided from it may no longer hold; the job reads it again.
var errMoved = errors.New("case changed meanwhile")

// casRetries is how often a timer's job re-reads a case that keeps
// changing under it before leaving it to the job's retry.
const casRetries = 5

// Escalation runs an escalation job: step 0 starts the policy by itself
// (a safety case opened, or an SLA was missed); step n pages the n-th page
// of a running policy, from its timer.
func (h *Handlers) Escalation(ctx context.Context, j bot.Job) error {
	if j.Step == 0 {
		return h.autoEscalate(ctx, j)
	}
	for range casRetries {
		c, err := h.store.Case(ctx, j.CaseID)
		if err != nil {
			return caseErr(j.CaseID, err)
		}
		_, evs, err := h.store.Thread(ctx, c.ID)
		if err != nil {
			return fmt.Errorf("load thread of case %d: %w", c.ID, err)
		}
		esc, live := liveEscalation(c, evs, j.EventID)
		if !live {
			return nil // acknowledged, answered, closed or escalated anew: nothing to page
		}
		team, _ := h.teams(c.Team)
		pol := team.Policy()
		now := h.now()
		_, err = h.store.UpdateCase(ctx, c.ID, func(cc *bot.Case) (bot.CaseChange, error) {
			if cc.Rev != c.Rev {
				return bot.CaseChange{}, errMoved
			}
			ch := bot.CaseChange{FiredTimer: j.Timer}
			if j.Step <= pol.Pages() {
				h.page(&ch, team, j.Step, j.EventID, esc.Text, now)
				return ch, nil
			}
			ch.Events = []bot.Event{{Kind: bot.EventNote, At: now, Actor: bot.SystemActor,
				Text: fmt.Sprintf("Nobody acknowledged the escalation after %d %s; paging stopped. Acknowledge it or answer the case.", pol.Pages(), plural(pol.Pages(), "page"))}}
			for _, s := range h.surfaces {
				ch.Jobs = append(ch.Jobs, bot.Job{Kind: bot.JobNote, Surface: s, EventID: -1})
			}
			return ch, nil
		})
		switch {
		case errors.Is(err, errMoved):
			continue
		case errors.Is(err, bot.ErrTimerGone):
			return nil // this page was made before (the job ran twice)
		case err != nil:
			return fmt.Errorf("page %d of the escalation of case %d: %w", j.Step, c.ID, err)
		}
		return nil
	}
	return fmt.Errorf("page %d of the escalation of case %d: %w", j.Step, j.CaseID, errMoved)
}

// liveEscalation finds the escalation event id and reports whether its
// policy still pages: the case is open and escalated, that escalation is
// the latest, and nobody acknowledged after it.
func liveEscalation(c bot.Case, evs []bot.Event, id int64) (bot.Event, bool) {
	if c.State != bot.StateEscalated {
		return bot.Event{}, false
	}
	var esc bot.Event
	for _, ev := range evs {
		switch {
		case ev.Kind == bot.EventEscalated && ev.ID > esc.ID:
			esc = ev
		case ev.Kind == bot.EventAcked && ev.ID > id:
			return bot.Event{}, false
		}
	}
	return esc, esc.ID == id
}

// autoEscalate escalates a case as earshot itself, through the same
// claimed action a person's click makes: recorded, and done once however
// often the job runs (the action's key names the reason).
func (h *Handlers) autoEscalate(ctx context.Context, j bot.Job) error {
	c, err := h.store.Case(ctx, j.CaseID)
	if err != nil {
		return caseErr(j.CaseID, err)
	}
	team, ok := h.teams(c.Team)
	if !ok || !c.State.Open() || c.State == bot.StateEscalated {
		return nil
	}
	var target, text string
	intent := string(c.Labels.Intent)
	switch {
	case j.Due != 0:
		if !team.BreachEscalates() {
			return nil
		}
		target = "auto:breach:" + strconv.FormatInt(j.Due, 10)
		text = "No first answer within the SLA (" + bot.Span(team.SLA) + ")"
	case team.AutoEscalates(intent):
		target = "auto:" + intent
		text = "Automatic: the mention reads as " + intent
	default:
		return nil // the rules changed since the case opened
	}
	r := bot.ActionRequest{CaseID: c.ID, Kind: bot.ActEscalate, Actor: bot.SystemActor, Text: text, Target: target}
	a := bot.Action{CaseID: c.ID, Kind: r.Kind, Actor: r.Actor, Text: text, At: h.now(), Key: r.Key(), Status: bot.ActionPending}
	if _, _, err := h.store.ClaimAction(ctx, a, []bot.Job{{Kind: bot.JobAction, CaseID: c.ID}}); err != nil {
		return fmt.Errorf("claim automatic escalation of case %d: %w", c.ID, err)
	}
	return nil
}

func caseErr(id int64, err error) error {
	err = fmt.Errorf("load case %d: %w", id, err)
	if errors.Is(err, bot.ErrNotFound) {
		return bot.Permanent(err)
	}
	return err
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
