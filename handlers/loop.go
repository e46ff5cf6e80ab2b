package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/prompts"
	"github.com/earshothq/earshot/routing"
)

// SystemActor is who acts when the rules, not a person, ask for an action.
const SystemActor = "earshot"

// autoTarget keys a rule's defect apart from a person's on the same case.
const autoTarget = "auto"

// errUntold ends a transaction that found nothing left to tell.
var errUntold = errors.New("nothing to tell")

// IssueEvent applies what a tracker says happened to issues (the webhook),
// once per delivery: the links to those issues move on in the same
// transaction as the delivery is recorded, and each case with news gets a
// durable job that tells its thread and drafts the follow-up. dup reports
// a delivery already applied.
func (h *Handlers) IssueEvent(ctx context.Context, ev bot.IssueEvent) (bool, error) {
	if h.defects.Links == nil {
		return false, errors.New("issue event: no link store configured")
	}
	_, dup, err := h.defects.Links.RecordIssueEvent(ctx, ev, func(l bot.CaseLink) (bot.CaseLink, []bot.Job) {
		after := l.Next(ev)
		if !after.Untold() {
			return after, nil
		}
		return after, []bot.Job{{Kind: bot.JobDefectFixed, CaseID: l.CaseID}}
	})
	return dup, err
}

// DefectFixed is the bot.JobDefectFixed job: for each of the case's links
// with untold news, one transaction writes a thread note ("Fixed:
// lumio/app#412 closed — release 4.2"), the drafted follow-up as the
// case's suggestion, the case back where the reply can be sent, and the
// link marked told. An issue closed as not planned or as a duplicate gets
// a different note and no draft.
//
// Where the case goes: a case that was waiting (defect filed, replied,
// awaiting the customer) or resolved is open again — "new", or "claimed"
// when someone owns it — with an answer due within the team's SLA, because
// the customer is owed the news. An escalated, claimed or new case keeps
// its state. A dismissed case is left dismissed: the note and the draft are
// there if someone looks.
func (h *Handlers) DefectFixed(ctx context.Context, j bot.Job) error {
	if h.defects.Links == nil {
		return bot.Permanent(errors.New("defect fixed: no link store configured"))
	}
	links, err := h.defects.Links.CaseLinks(ctx, j.CaseID)
	if err != nil {
		return fmt.Errorf("read links of case %d: %w", j.CaseID, err)
	}
	for _, l := range links {
		if !l.Untold() {
			continue
		}
		if err := h.tellFixed(ctx, j.CaseID, l); err != nil {
			return err
		}
	}
	return nil
}

func (h *Handlers) tellFixed(ctx context.Context, caseID int64, link bot.CaseLink) error {
	_, err := h.defects.Links.UpdateCaseLink(ctx, caseID, link, func(cc *bot.Case, l *bot.CaseLink) (bot.CaseChange, error) {
		if !l.Untold() {
			return bot.CaseChange{}, errUntold // told meanwhile by a job for a later delivery
		}
		l.Noted = l.State
		ev := bot.Event{Kind: bot.EventDefectFixed, Actor: SystemActor, Text: fixedNote(*l), URL: l.URL, At: h.now()}
		ch := bot.CaseChange{Events: []bot.Event{ev}}
		for _, s := range h.surfaces {
			ch.Jobs = append(ch.Jobs,
				bot.Job{Kind: bot.JobCard, Surface: s},
				bot.Job{Kind: bot.JobNote, Surface: s, EventID: -1})
		}
		if l.State == bot.LinkNotPlanned || l.State == bot.LinkDuplicate {
			return ch, nil
		}
		draft, err := h.followUp(*cc, *l)
		if err != nil {
			return bot.CaseChange{}, err
		}
		ch.Suggestions = []bot.Suggestion{{Rank: 1, Text: draft.Text, Approach: draft.Approach, Origin: "builtin"}}
		// The card's word on the old drafts (a model's summary, a fallback
		// note) no longer describes what is there.
		ch.Drafts = &bot.DraftInfo{Origin: "builtin", Note: "Follow-up drafted because " + l.Ref() + " was fixed."}
		h.reopenForNews(cc)
		return ch, nil
	})
	if errors.Is(err, errUntold) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("tell case %d about %s: %w", caseID, link.Ref(), err)
	}
	return nil
}

// fixedNote is the thread's line about what became of the issue.
func fixedNote(l bot.CaseLink) string {
	switch l.State {
	case bot.LinkNotPlanned:
		return fmt.Sprintf("Not planned: %s was closed without a fix. No follow-up is drafted: tell the customer what happens instead.", l.Ref())
	case bot.LinkDuplicate:
		return fmt.Sprintf("Duplicate: %s was closed as a duplicate of another issue, which this case does not follow. No follow-up is drafted: see the issue for the one that tracks the fix.", l.Ref())
	case bot.LinkReleased:
		return fmt.Sprintf("Fixed: %s released in %s. A follow-up reply is drafted, ready to send.", l.Ref(), l.Release)
	}
	s := "Fixed: " + l.Ref() + " closed"
	if l.Release != "" {
		s += " — release " + l.Release
	}
	return s + ". A follow-up reply is drafted, ready to send."
}

// followUp drafts "this is fixed in 4.2 — thanks for telling us" for the
// case's customer, within the platform's limit.
func (h *Handlers) followUp(c bot.Case, l bot.CaseLink) (prompts.Draft, error) {
	var b routing.Brand
	if h.defects.Brand != nil {
		b = h.defects.Brand()
	}
	return h.templates.Fixed(prompts.FixedInput{
		Brand: prompts.Brand{Name: b.Name, Tone: b.Tone, SignOff: b.SignOff, SupportURL: b.SupportURL,
			Hours: b.Hours, Phone: b.Phone, Links: b.Links, Do: b.Do, Dont: b.Dont},
		Platform: c.Platform, Limit: bot.ReplyLimit(c.Platform),
		Handle: c.Customer.Handle, Name: c.Customer.Name,
		Product: c.Labels.Product, Problem: c.Labels.Problem, Release: l.Release,
	})
}

// reopenForNews puts a case where the follow-up can be sent (see DefectFixed).
func (h *Handlers) reopenForNews(c *bot.Case) {
	switch c.State {
	case bot.StateDismissed:
		return
	case bot.StateDefectFiled, bot.StateReplied, bot.StateAwaitingCustomer, bot.StateResolved:
		c.State = bot.StateNew
		if c.Assignee != "" {
			c.State = bot.StateClaimed
		}
	}
	if c.DueAt.IsZero() {
		if team, ok := h.teams(c.Team); ok && team.SLA > 0 {
			c.DueAt = h.now().Add(team.SLA)
		}
	}
}

// AutoDefect is the bot.JobAutoDefect job: a file_defect route opened the
// case, so a defect action is claimed for it as earshot, with its own key
// (a person's "File defect" on the same case is another key, and finds the
// case linked). It then runs like any other action.
func (h *Handlers) AutoDefect(ctx context.Context, j bot.Job) error {
	c, err := h.store.Case(ctx, j.CaseID)
	if err != nil {
		if errors.Is(err, bot.ErrNotFound) {
			return bot.Permanent(err)
		}
		return fmt.Errorf("load case %d: %w", j.CaseID, err)
	}
	if !c.State.Open() || c.State == bot.StateDefectFiled {
		return nil
	}
	r := bot.ActionRequest{CaseID: c.ID, Kind: bot.ActDefect, Actor: SystemActor, Surface: "rules", Target: autoTarget}
	a := bot.Action{CaseID: c.ID, Kind: bot.ActDefect, Actor: SystemActor, Surface: "rules", At: h.now(),
		Key: r.Key(), Status: bot.ActionPending}
	if _, _, err := h.store.ClaimAction(ctx, a, []bot.Job{{Kind: bot.JobAction, CaseID: c.ID}}); err != nil {
		return fmt.Errorf("claim the rules' defect on case %d: %w", c.ID, err)
	}
	h.log.Info("defect claimed by rule", "case", c.ID, "key", r.Key(), "rules", strconv.Quote(fmt.Sprint(c.Rules)))
	return nil
}
