package bot

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Emit hands mentions to the pipeline. It returns once they are stored
// durably (or rejected), so a source may advance its cursor after it returns.
type Emit func(ctx context.Context, ms []Mention) error

// Source yields mentions from one platform until ctx ends.
type Source interface {
	Name() string
	Run(ctx context.Context, emit Emit) error
}

// PostRef identifies a post we made on a platform.
type PostRef struct {
	ExternalID string `json:"id"`
	URL        string `json:"url,omitempty"`
}

// Replier posts an answer to a mention on its platform. Sources that can post
// implement it; the pipeline only calls it after a person's action.
type Replier interface {
	Platform() string
	Reply(ctx context.Context, to Mention, text string) (PostRef, error)
}

// ReplyFinder is a Replier that can look for a reply we may have posted,
// so a reply interrupted by a crash is recorded, not repeated or lost.
type ReplyFinder interface {
	FindReply(ctx context.Context, to Mention, text string) (PostRef, bool, error)
}

// Card is everything a surface needs to render a case.
type Card struct {
	Case        Case
	Team        Team
	First       Mention
	Suggestions []Suggestion
	// Drafts is what the drafter said about the suggestions (origin, why
	// built-in, the model's summary).
	Drafts DraftInfo
	// Links are the issues tracking the case's problem (defect.go).
	Links []CaseLink
}

// Surface shows cards where people work and takes their actions.
type Surface interface {
	Name() string
	// ShowCard posts the card (ref == "") or updates it in place, returning
	// its reference on the surface.
	ShowCard(ctx context.Context, card Card, ref string) (string, error)
	// Note adds a line to the card's thread.
	Note(ctx context.Context, card Card, ref string, ev Event) error
}

// Classifier labels a mention. The built-in one is pure; an LLM one may call out.
type Classifier interface {
	Classify(m Mention) Labels
}

// Suggester drafts replies for a case from its thread (oldest first).
type Suggester interface {
	Suggest(ctx context.Context, c Case, team Team, thread []Mention) ([]Suggestion, error)
}

// ActionExecutor performs a claimed action (the job side of the handlers).
type ActionExecutor interface {
	Execute(ctx context.Context, actionID int64) error
}

// JobKind names durable work.
type JobKind string

const (
	JobCard    JobKind = "card"    // post or update a case's card on one surface
	JobNote    JobKind = "note"    // add an event to the card's thread on one surface
	JobSuggest JobKind = "suggest" // draft suggestions for a case
	JobAction  JobKind = "action"  // execute a claimed action
	// JobEscalation pages step Step of the case's escalation policy unless
	// the escalation (event EventID) was acknowledged meanwhile.
	JobEscalation JobKind = "escalation"
	// JobSLA is an SLA reminder (Step >= 1) or the breach (Step 0) for the
	// due time the job names; a stale one (the case moved on) does nothing.
	JobSLA JobKind = "sla"
	// JobBroadcast posts an event outside the card's thread on one surface
	// (a page of an escalation in the team's escalation channel).
	JobBroadcast JobKind = "broadcast"
)

// Job is one unit of durable work. Jobs with equal fields are the same job:
// the store inserts it at most once while an equal one is pending or done.
type Job struct {
	Kind     JobKind `json:"kind"`
	CaseID   int64   `json:"case_id,omitempty"`
	Surface  string  `json:"surface,omitempty"`
	Rev      int64   `json:"rev,omitempty"`
	EventID  int64   `json:"event_id,omitempty"`
	ActionID int64   `json:"action_id,omitempty"`
	Step     int     `json:"step,omitempty"`
	// Due is the due time (unix milliseconds) an SLA job, or an escalation
	// a breach started, is about.
	Due int64 `json:"due,omitempty"`
	// Timer is the timer that fired the job; its effect consumes it (see
	// CaseChange.FiredTimer), so a job run twice acts once.
	Timer int64 `json:"timer,omitempty"`
}

func (j Job) String() string {
	return fmt.Sprintf("%s case=%d surface=%s rev=%d event=%d action=%d step=%d due=%d timer=%d",
		j.Kind, j.CaseID, j.Surface, j.Rev, j.EventID, j.ActionID, j.Step, j.Due, j.Timer)
}

// JobHandler runs one job. Returning an error retries it with back-off; a
// *RetryError sets the delay; a *PermanentError stops retrying.
type JobHandler func(ctx context.Context, j Job) error

// RetryError asks for a retry after a delay the remote side named (Retry-After).
type RetryError struct {
	After time.Duration
	Err   error
}

func (e *RetryError) Error() string { return fmt.Sprintf("retry after %s: %v", e.After, e.Err) }
func (e *RetryError) Unwrap() error { return e.Err }

// PermanentError marks a failure that retrying cannot fix (bad request, gone).
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent wraps err so the job is not retried.
func Permanent(err error) error { return &PermanentError{Err: err} }

// IsPermanent reports whether err says retrying is pointless.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// AssistedError is a Replier's refusal that a person can get round by
// posting by hand: the platform will not take this reply from the brand's
// account (the author never mentioned it, the API tier forbids replies, a
// private reply's window has passed). Nothing was posted. The action then
// becomes an assisted reply whose note gives Reason, never a silent failure.
type AssistedError struct {
	Reason string
	Err    error
}

func (e *AssistedError) Error() string {
	if e.Err != nil {
		return e.Reason + ": " + e.Err.Error()
	}
	return e.Reason
}

func (e *AssistedError) Unwrap() error { return e.Err }

// Assisted says the reply must be posted by hand, because of reason
// (written for the person who will do it); err is the platform's answer.
func Assisted(reason string, err error) error { return &AssistedError{Reason: reason, Err: err} }
