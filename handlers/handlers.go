// Package handlers turns a person's request into an action executed exactly
// once. Every surface (web, Slack, Discord) goes through Do, so the checks
// of who may act and whether it is already done live here, once.
package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/prompts"
)

// Store is what the handlers need from storage. Methods that take a func
// call it inside the transaction: it must not call back into the store.
type Store interface {
	Case(ctx context.Context, id int64) (bot.Case, error)
	Thread(ctx context.Context, caseID int64) ([]bot.Mention, []bot.Event, error)
	Suggestions(ctx context.Context, caseID int64) ([]bot.Suggestion, error)
	// UpdateCase changes a case in one transaction: fn edits c and says what
	// to add (events, jobs). The store bumps Rev and UpdatedAt.
	UpdateCase(ctx context.Context, id int64, fn func(c *bot.Case) (bot.CaseChange, error)) (bot.Case, error)
	// ClaimAction records an attempt. With a.Key set it inserts it unless an
	// action with that key exists, and then also inserts the jobs (with
	// ActionID filled in) in the same transaction; it returns the stored
	// action and whether this call created it. With a.Key empty it just
	// records (denied attempts).
	ClaimAction(ctx context.Context, a bot.Action, jobs []bot.Job) (bot.Action, bool, error)
	Action(ctx context.Context, id int64) (bot.Action, error)
	FinishAction(ctx context.Context, id int64, status bot.ActionStatus, result string, at time.Time) error
	// StartSending moves a pending action to sending; false when another
	// run of the action got there first.
	StartSending(ctx context.Context, id int64, at time.Time) (bool, error)
	// SaveReply records a post we made, so answers to it join the case.
	SaveReply(ctx context.Context, caseID int64, platform string, ref bot.PostRef) error
	// SaveSuggestions replaces the case's drafts and applies change in the
	// same transaction.
	SaveSuggestions(ctx context.Context, caseID int64, s []bot.Suggestion, change bot.CaseChange) error
	// Actions lists every attempt on a case, oldest first.
	Actions(ctx context.Context, caseID int64) ([]bot.Action, error)
	// OfferGesture adds a delight suggestion in one transaction with the
	// coupon code it reserves (see store.OfferGesture).
	OfferGesture(ctx context.Context, caseID int64, pool string, build func(c *bot.Case, code string, poolEmpty bool, have []bot.Suggestion) (*bot.Suggestion, bot.CaseChange, error)) error
}

// Teams looks a team up by name (the rules in force).
type Teams func(name string) (bot.Team, bool)

// Config builds Handlers.
type Config struct {
	Store    Store
	Teams    Teams
	Repliers []bot.Replier
	// Drafter redrafts replies for the regenerate action.
	Drafter bot.Drafter
	// Surfaces are the names of the surfaces whose cards follow every change.
	Surfaces []string
	Logger   *slog.Logger
	Now      func() time.Time
	// Defects files defects in a tracker and closes the loop (defect.go).
	Defects DefectConfig

	// AllTeams lists the teams in force: a mute outside any case (a term)
	// may be set by anyone who may act on some team's cases.
	AllTeams func() []bot.Team
	// Mutes stores mutes set outside a case; nil turns those off.
	Mutes MuteStore
	// MutesChanged is called after a mute is added or ended here (the
	// Decider's snapshot reloads); errors are logged.
	MutesChanged func(ctx context.Context) error
}

// Handlers authorises, deduplicates and executes actions.
type Handlers struct {
	store    Store
	teams    Teams
	repliers map[string]bot.Replier
	drafter  bot.Drafter
	surfaces []string
	log      *slog.Logger
	now      func() time.Time
	execs    map[bot.ActionKind]executor
	defects  DefectConfig
	// templates writes the follow-up when a defect is fixed.
	templates *prompts.Drafter
	repoMu    repoLocks

	allTeams     func() []bot.Team
	mutes        MuteStore
	mutesChanged func(ctx context.Context) error
}

// SendLease is how long an action stays with the run that started sending
// it. It is longer than a job may run (the store's job timeout, 5 minutes),
// so a run that finds an action still "sending" after it knows the first
// run is gone: it crashed, or timed out, mid-call.
const SendLease = 6 * time.Minute

// executor performs one kind of action. It runs inside a durable job and may
// be retried, so it must be safe to run again after a failure.
type executor func(ctx context.Context, a bot.Action, c bot.Case) error

// New builds Handlers from cfg.
func New(cfg Config) (*Handlers, error) {
	if cfg.Store == nil || cfg.Teams == nil {
		return nil, errors.New("handlers: store and teams are required")
	}
	h := &Handlers{
		store:    cfg.Store,
		teams:    cfg.Teams,
		repliers: map[string]bot.Replier{},
		surfaces: cfg.Surfaces,
		drafter:  cfg.Drafter,
		log:      cfg.Logger,
		now:      cfg.Now,
		defects:  cfg.Defects,

		allTeams:     cfg.AllTeams,
		mutes:        cfg.Mutes,
		mutesChanged: cfg.MutesChanged,
	}
	d, err := prompts.New()
	if err != nil {
		return nil, fmt.Errorf("handlers: %w", err)
	}
	h.templates = d
	for _, r := range cfg.Repliers {
		h.repliers[r.Platform()] = r
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	h.execs = map[bot.ActionKind]executor{
		bot.ActReply:      h.reply,
		bot.ActEscalate:   h.escalate,
		bot.ActAck:        h.acknowledge,
		bot.ActDefect:     h.defect,
		bot.ActClaim:      h.claim,
		bot.ActDismiss:    h.dismiss,
		bot.ActResolve:    h.resolve,
		bot.ActMute:       h.mute,
		bot.ActRegenerate: h.regenerate,
		bot.ActReopen:     h.reopen,
	}
	return h, nil
}

var _ bot.ActionExecutor = (*Handlers)(nil)

// RequestError is a request that names a bad value; surfaces show it as is.
type RequestError struct {
	Field string
	Msg   string
}

func (e *RequestError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Msg) }

// Do checks that r may happen and claims it. It returns the stored action;
// its Status is "duplicate" when the same action was already claimed (a
// double click, a second tab, a retried event), or when the case is already
// where the action would put it; then nothing more happens.
func (h *Handlers) Do(ctx context.Context, r bot.ActionRequest) (bot.Action, error) {
	if !r.Kind.Valid() {
		return bot.Action{}, &RequestError{Field: "kind", Msg: fmt.Sprintf("unknown action %q", r.Kind)}
	}
	if r.Actor == "" {
		return bot.Action{}, &RequestError{Field: "actor", Msg: "missing"}
	}
	c, err := h.store.Case(ctx, r.CaseID)
	if err != nil {
		return bot.Action{}, fmt.Errorf("case %d: %w", r.CaseID, err)
	}
	a := bot.Action{
		CaseID: c.ID, Kind: r.Kind, Actor: r.Actor, Surface: r.Surface,
		Suggestion: r.Suggestion, Text: r.Text, At: h.now(),
	}
	team, _ := h.teams(c.Team)
	if reason := denial(team, c, r); reason != "" {
		a.Status = bot.ActionDenied
		a.Result = reason
		if _, _, err := h.store.ClaimAction(ctx, a, nil); err != nil {
			return bot.Action{}, fmt.Errorf("record denied action: %w", err)
		}
		h.log.Warn("action denied", "case", c.ID, "kind", r.Kind, "actor", r.Actor, "team", c.Team, "reason", reason)
		return a, fmt.Errorf("%s on case %d: %s: %w", r.Kind, c.ID, reason, bot.ErrForbidden)
	}
	var sugg []bot.Suggestion
	if r.Kind == bot.ActReply && r.Suggestion != 0 {
		if sugg, err = h.store.Suggestions(ctx, c.ID); err != nil {
			return bot.Action{}, fmt.Errorf("load suggestions of case %d: %w", c.ID, err)
		}
	}
	if err := validate(r, c, sugg); err != nil {
		return bot.Action{}, err
	}
	if a.Reason, a.Mute, err = careDetails(r, c); err != nil {
		return bot.Action{}, err
	}
	if alreadyThere(r, c) {
		a.Status = bot.ActionSkipped
		a.Result = fmt.Sprintf("case %d is already %s", c.ID, c.State)
		return a, nil
	}
	if r.Kind == bot.ActReply {
		// Fix what is sent and to which post now: the drafts may be redone and
		// the customer may write again before the job runs, and a person
		// approved this text for that post, nothing else.
		to, err := h.latestCustomerMention(ctx, c)
		if err != nil {
			return bot.Action{}, err
		}
		a.MentionID = to.ID
		if r.Suggestion > 0 {
			a.Text = sugg[r.Suggestion-1].Text
			if sugg[r.Suggestion-1].Approach == ApproachDelight && r.Target == "" {
				// The gesture is a second answer to the post the reply answered.
				r.Target = "m" + strconv.FormatInt(to.ID, 10) + "/" + ApproachDelight
			}
		}
	}
	if r.Target == "" {
		r.Target = defaultTarget(r, c, a)
	}
	a.Key = r.Key()
	a.Status = bot.ActionPending
	stored, created, err := h.store.ClaimAction(ctx, a, []bot.Job{{Kind: bot.JobAction, CaseID: c.ID}})
	if err != nil {
		return bot.Action{}, fmt.Errorf("claim %s on case %d: %w", r.Kind, c.ID, err)
	}
	if !created {
		if stored.Status == bot.ActionUnknown {
			stored.Result = "an earlier attempt may have been posted (" + stored.Result + "); it is never sent twice, so check the platform"
		}
		stored.Status = bot.ActionSkipped
	}
	return stored, nil
}

// denial says why actor may not act on the case, or "" when they may.
// Names a surface cannot vouch for (the web inbox's chosen name) never
// count as a team member's identity.
func denial(team bot.Team, c bot.Case, r bot.ActionRequest) string {
	switch {
	case team.Name == "":
		return fmt.Sprintf("team %q is not in the rules", c.Team)
	case r.Role != nil && !r.Role.Held:
		if r.Role.Reason != "" {
			return r.Role.Reason
		}
		return fmt.Sprintf("%s holds none of team %q's roles", r.Actor, c.Team)
	case r.Role != nil && r.Verified:
		return "" // holds a role the team names on the actor's surface
	case team.Open():
		return ""
	case !r.Verified:
		return fmt.Sprintf("team %q lists its members and %s's identity is not verified", c.Team, r.Actor)
	case !team.MayAct(r.Actor):
		return fmt.Sprintf("%s is not a member of team %q", r.Actor, c.Team)
	}
	return ""
}

// alreadyThere reports whether the case already is where the action would
// put it, so a second tab or a late retry is a duplicate, not a second act.
func alreadyThere(r bot.ActionRequest, c bot.Case) bool {
	switch r.Kind {
	case bot.ActEscalate:
		return c.State == bot.StateEscalated
	case bot.ActDismiss:
		return c.State == bot.StateDismissed
	case bot.ActReopen:
		return c.State.Open()
	case bot.ActResolve:
		return c.State == bot.StateResolved
	case bot.ActClaim:
		return c.Assignee == r.Actor
	case bot.ActDefect:
		return c.State == bot.StateDefectFiled
	}
	return false
}

// defaultTarget decides which repeats of an action are the same action. A
// reply answers one customer post, so a second reply is possible once they
// write again; state changes are keyed on the case revision, so a double
// click is one action and a click after the case moved on is another.
func defaultTarget(r bot.ActionRequest, c bot.Case, a bot.Action) string {
	switch r.Kind {
	case bot.ActReply:
		return "m" + strconv.FormatInt(a.MentionID, 10)
	case bot.ActDefect:
		return "" // one defect per case
	}
	return "r" + strconv.FormatInt(c.Rev, 10)
}

// validate checks r's values against the case and its suggestions.
func validate(r bot.ActionRequest, c bot.Case, sugg []bot.Suggestion) error {
	switch r.Kind {
	case bot.ActReply:
		if r.Suggestion == 0 && r.Text == "" {
			return &RequestError{Field: "text", Msg: "a reply needs a suggestion number or text"}
		}
		if r.Suggestion != 0 {
			if r.Suggestion < 0 || r.Suggestion > len(sugg) {
				return &RequestError{Field: "suggestion", Msg: fmt.Sprintf("case %d has %d suggestions, not %d", c.ID, len(sugg), r.Suggestion)}
			}
		}
		if n, limit := bot.Length(r.Text), bot.ReplyLimit(c.Platform); n > limit {
			return &RequestError{Field: "text", Msg: fmt.Sprintf("%d characters, %s allows %d", n, c.Platform, limit)}
		}
	case bot.ActRegenerate:
		if !c.State.Open() {
			return &RequestError{Field: "kind", Msg: fmt.Sprintf("case %d is %s; reopen it to draft again", c.ID, c.State)}
		}
		if n := bot.Length(r.Text); n > bot.MaxInstruction {
			return &RequestError{Field: "text", Msg: fmt.Sprintf("instruction is %d characters, at most %d", n, bot.MaxInstruction)}
		}
	case bot.ActEscalate, bot.ActDefect, bot.ActDismiss, bot.ActMute, bot.ActReopen:
		if bot.Length(r.Text) > 2000 {
			return &RequestError{Field: "text", Msg: "longer than 2000 characters"}
		}
	}
	return nil
}

// Execute performs a claimed action; it is the job side of Do. Each
// executor records the action done in the same transaction as its effect on
// the case, so a retried job finds it done. An action found mid-flight after
// a crash is not repeated but marked failed with an outcome to check by hand.
func (h *Handlers) Execute(ctx context.Context, id int64) error {
	a, err := h.store.Action(ctx, id)
	if err != nil {
		if errors.Is(err, bot.ErrNotFound) {
			return bot.Permanent(fmt.Errorf("action %d: %w", id, err))
		}
		return fmt.Errorf("load action %d: %w", id, err)
	}
	c, err := h.store.Case(ctx, a.CaseID)
	if err != nil {
		return fmt.Errorf("load case %d: %w", a.CaseID, err)
	}
	switch a.Status {
	case bot.ActionPending:
	case bot.ActionSending:
		if a.Kind == bot.ActDefect {
			return h.resumeDefect(ctx, a, c)
		}
		if ref, ok := postedRef(a.Result); ok {
			// Posted; only the bookkeeping was cut short.
			if err := h.recordReply(ctx, a, ref); err != nil {
				return err
			}
			return h.afterDone(ctx, a)
		}
		// Another run may still be talking to the platform; once the lease
		// is over that run is surely gone (its job timed out) and the
		// outcome is settled here.
		if left := a.DoneAt.Add(SendLease).Sub(h.now()); left > 0 {
			return &bot.RetryError{After: left, Err: fmt.Errorf("action %d is being sent by another run", a.ID)}
		}
		return h.reconcile(ctx, a, c)
	case bot.ActionDone:
		// A retried job: what follows a done action may not have happened.
		return h.afterDone(ctx, a)
	default:
		return nil // failed or denied: nothing left to do
	}
	exec, ok := h.execs[a.Kind]
	if !ok {
		return h.fail(ctx, a, fmt.Sprintf("unknown action %q", a.Kind))
	}
	if err := exec(ctx, a, c); err != nil {
		var unknown *unknownOutcome
		switch {
		case errors.Is(err, bot.ErrActionFinished):
			return nil // another run of this action finished it first

		case errors.As(err, &unknown):
			return h.finishUnknown(ctx, a, unknown.Error())
		case !bot.IsPermanent(err):
			return err // the job retries with back-off
		}
		return h.fail(ctx, a, err.Error())
	}
	return h.afterDone(ctx, a)
}

// unknownOutcome is an executor's error after an external call that may
// have taken effect: the action is never repeated.
type unknownOutcome struct{ err error }

func (e *unknownOutcome) Error() string { return e.err.Error() }
func (e *unknownOutcome) Unwrap() error { return e.err }

// fail records a failed action and tells the thread, in one step. The
// action is known not to have happened, so a person may try it again.
func (h *Handlers) fail(ctx context.Context, a bot.Action, msg string) error {
	return h.finish(ctx, a, bot.ActionFailed, fmt.Sprintf("%s failed: %s", a.Kind, msg), msg)
}

// finishUnknown records an action that may or may not have happened.
func (h *Handlers) finishUnknown(ctx context.Context, a bot.Action, msg string) error {
	return h.finish(ctx, a, bot.ActionUnknown,
		fmt.Sprintf("%s may or may not have gone through: %s. It will not be repeated; check the platform.", a.Kind, msg), msg)
}

func (h *Handlers) finish(ctx context.Context, a bot.Action, status bot.ActionStatus, note, msg string) error {
	_, err := h.store.UpdateCase(ctx, a.CaseID, func(c *bot.Case) (bot.CaseChange, error) {
		ch := h.change(a, bot.Event{Kind: bot.EventActionFail, Text: note}, msg)
		ch.Finish.Status = status
		return ch, nil
	})
	if errors.Is(err, bot.ErrActionFinished) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("record failure of action %d: %w", a.ID, err)
	}
	h.log.Warn("action failed", "action", a.ID, "case", a.CaseID, "kind", a.Kind, "reason", msg)
	return nil
}

// change is the case change that completes action a: its event, shown on
// every surface (card re-rendered, event noted in the thread), and the
// action marked done with result, all in one transaction.
func (h *Handlers) change(a bot.Action, ev bot.Event, result string) bot.CaseChange {
	ev.At, ev.Actor, ev.ActionID = h.now(), a.Actor, a.ID
	ch := bot.CaseChange{
		Events: []bot.Event{ev},
		Finish: &bot.ActionOutcome{ActionID: a.ID, Status: bot.ActionDone, Result: result},
	}
	for _, s := range h.surfaces {
		ch.Jobs = append(ch.Jobs,
			bot.Job{Kind: bot.JobCard, Surface: s},
			bot.Job{Kind: bot.JobNote, Surface: s, EventID: -1})
	}
	return ch
}

// latestCustomerMention is the post a reply answers: the customer's newest
// post in the thread. Someone else answering under it is not the customer;
// only when no post can be told apart by author does any post not ours do.
func (h *Handlers) latestCustomerMention(ctx context.Context, c bot.Case) (bot.Mention, error) {
	ms, _, err := h.store.Thread(ctx, c.ID)
	if err != nil {
		return bot.Mention{}, fmt.Errorf("load thread of case %d: %w", c.ID, err)
	}
	if m, ok := bot.LatestFrom(ms, c.Customer); ok {
		return m, nil
	}
	return bot.Mention{}, fmt.Errorf("case %d has no customer post: %w", c.ID, bot.ErrNotFound)
}

// mention finds a post of the case's thread by id.
func (h *Handlers) mention(ctx context.Context, caseID, id int64) (bot.Mention, error) {
	ms, _, err := h.store.Thread(ctx, caseID)
	if err != nil {
		return bot.Mention{}, fmt.Errorf("load thread of case %d: %w", caseID, err)
	}
	for _, m := range ms {
		if m.ID == id {
			return m, nil
		}
	}
	return bot.Mention{}, fmt.Errorf("post %d of case %d: %w", id, caseID, bot.ErrNotFound)
}
