package bot

import (
	"context"
	"time"
)

// Incoming is a mention after routing and classification, ready to store.
type Incoming struct {
	Mention Mention
	Labels  Labels
	// Teams that get a case for this mention, in routing order; empty when no
	// rule matched (the mention is stored, and joins a case only as a follow-up).
	Teams []string
	Rules []string // names of the routes that matched
	// Excluded says which global exclusion kept the mention out, if any.
	Excluded string
	// SLA per team name: how long until an answer is due when a case opens or
	// the customer writes again, every hour counting. Zero means no due time.
	SLA map[string]time.Duration
	// Clock, when set and it knows the team, replaces SLA: the due time
	// counts the team's business hours only, and reminders get timers.
	Clock func(team string) SLAClock
	// Urgency holds a team's own urgency where its policy differs from the
	// classifier's default (see routing.UrgencyPolicy).
	Urgency map[string]Urgency
}

// LabelsFor is the labels a case for team starts with.
func (in Incoming) LabelsFor(team string) Labels {
	l := in.Labels
	if u, ok := in.Urgency[team]; ok {
		l.Urgency = u
	}
	return l
}

// ClockFor is the SLA clock of a case for team.
func (in Incoming) ClockFor(team string) SLAClock {
	if in.Clock != nil {
		if c := in.Clock(team); c != nil {
			return c
		}
	}
	return FixedSLA(in.SLA[team])
}

// IngestOutcome says what storing one Incoming did.
type IngestOutcome string

const (
	OutcomeDuplicate IngestOutcome = "duplicate" // (platform, id) already stored; nothing changed
	OutcomeStored    IngestOutcome = "stored"    // stored, no case (unrouted, not a follow-up)
	OutcomeOpened    IngestOutcome = "opened"    // opened at least one new case
	OutcomeExtended  IngestOutcome = "extended"  // joined at least one existing case as a follow-up
)

// CaseTouch is one case an ingested mention opened or extended.
type CaseTouch struct {
	Case   Case  // after the change
	Opened bool  // true: new case; false: follow-up joined an existing case
	Event  Event // the thread event written (opened or follow_up)
	// Also are further events the mention caused, each noted on the
	// surfaces (the case resolved by the customer's closing remark).
	Also []Event
}

// IngestResult is the outcome for one Incoming, in input order.
type IngestResult struct {
	MentionID int64
	Outcome   IngestOutcome
	Cases     []CaseTouch
}

// JobPlan turns what ingesting one mention did into durable jobs; the store
// inserts them in the same transaction as the mention.
type JobPlan func(r IngestResult) []Job

// CaseFilter selects cases for lists.
type CaseFilter struct {
	Team   string
	States []CaseState
	// BeforeID pages backwards: only cases with ID < BeforeID (0: from the newest).
	BeforeID int64
	Limit    int // 0 means 50
}

// CaseChange is what an update adds besides the case's new fields.
type CaseChange struct {
	Events []Event
	// Jobs are inserted in the same transaction. A job may leave Rev and
	// EventID zero: the store fills Rev with the case's new revision and
	// EventID with the id of the event of the same index in Events when
	// Job.EventID is negative (-1 = Events[0], -2 = Events[1], ...).
	Jobs []Job
	// Finish, when set, records an action's outcome in the same transaction,
	// so an action's effect on the case and its being done are one step: a
	// retried job finds it done and does not do it again.
	Finish *ActionOutcome
	// Reply, when set, records a post we made in the same transaction, so an
	// answer to it joins the case.
	Reply *OurPost
	// Drafts, when set, replaces what the card says about the case's drafts.
	Drafts *DraftInfo
	// Suggestions, when not empty, replace the case's suggestions (a
	// follow-up drafted with the change), ranked in order when Rank is 0.
	Suggestions []Suggestion
	// Timers are inserted in the same transaction; each fires its job at
	// its due time. Job.CaseID and a negative Job.EventID are filled in as
	// for Jobs. A change that moves the case's due time drops its pending
	// SLA timers; one that closes the case drops all of them.
	Timers []Timer
	// FiredTimer, when set, is the timer whose job makes this change: it is
	// consumed in the same transaction, and when it is already gone (done
	// before, or dropped) the update fails with ErrTimerGone and changes
	// nothing.
	FiredTimer int64
	// Mute, when set, is recorded in the same transaction (a mute action:
	// the case closed and the author or term muted are one step).
	Mute *Mute
}

// ActionOutcome is how an action ended.
type ActionOutcome struct {
	ActionID int64
	Status   ActionStatus
	Result   string
}

// OurPost is a post we made on a platform for a case.
type OurPost struct {
	Platform string
	Ref      PostRef
}

// Store is what the pipeline needs from storage: ingest, the reads that
// build a card, suggestions and card references, and the job runner. The
// handlers and the surfaces declare their own (actions, lists), so each
// interface stays the size of its use. Methods are safe for concurrent use.
type Store interface {
	// Ingest stores a batch in one transaction: each mention once (unique on
	// platform+external id), opening or extending cases, writing thread
	// events, and inserting the jobs plan returns.
	Ingest(ctx context.Context, batch []Incoming, plan JobPlan) ([]IngestResult, error)

	Case(ctx context.Context, id int64) (Case, error)
	Mention(ctx context.Context, id int64) (Mention, error)
	// Thread returns the case's mentions (oldest first) and events (oldest first).
	Thread(ctx context.Context, caseID int64) ([]Mention, []Event, error)

	Suggestions(ctx context.Context, caseID int64) ([]Suggestion, error)
	// SaveSuggestions replaces the case's suggestions and applies change (card
	// jobs) in the same transaction, bumping the case's revision.
	SaveSuggestions(ctx context.Context, caseID int64, s []Suggestion, change CaseChange) error
	// DraftInfo is what the last drafting said; zero when none.
	DraftInfo(ctx context.Context, caseID int64) (DraftInfo, error)

	CardRef(ctx context.Context, caseID int64, surface string) (string, error) // "" when none
	SaveCardRef(ctx context.Context, caseID int64, surface, ref string) error

	// RunJobs works durable jobs with h until ctx ends.
	RunJobs(ctx context.Context, h JobHandler) error
}
