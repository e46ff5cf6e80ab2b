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
	// the customer writes again. Zero means no due time.
	SLA map[string]time.Duration
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
}

// Store is what the pipeline, the handlers and the surfaces need from storage.
// Every method is safe for concurrent use. Methods that take a func call it
// inside the transaction: it must not call back into the store.
type Store interface {
	// Ingest stores a batch in one transaction: each mention once (unique on
	// platform+external id), opening or extending cases, writing thread
	// events, and inserting the jobs plan returns.
	Ingest(ctx context.Context, batch []Incoming, plan JobPlan) ([]IngestResult, error)

	Case(ctx context.Context, id int64) (Case, error)
	Cases(ctx context.Context, f CaseFilter) ([]Case, error)
	// CaseCounts counts cases per team and state.
	CaseCounts(ctx context.Context) (map[string]map[CaseState]int, error)
	// Thread returns the case's mentions (oldest first) and events (oldest first).
	Thread(ctx context.Context, caseID int64) ([]Mention, []Event, error)
	Mention(ctx context.Context, id int64) (Mention, error)

	// UpdateCase changes a case in one transaction: fn edits c and says what
	// to add. The store bumps Rev and UpdatedAt.
	UpdateCase(ctx context.Context, id int64, fn func(c *Case) (CaseChange, error)) (Case, error)

	Suggestions(ctx context.Context, caseID int64) ([]Suggestion, error)
	// SaveSuggestions replaces the case's suggestions and applies change (a
	// "suggested" event, card jobs) in the same transaction.
	SaveSuggestions(ctx context.Context, caseID int64, s []Suggestion, change CaseChange) error

	// ClaimAction records an attempt. With a.Key set it inserts it unless an
	// action with that key exists, and then also inserts the jobs (with
	// ActionID filled in) in the same transaction; it returns the stored
	// action and whether this call created it. With a.Key empty it just
	// records (denied attempts).
	ClaimAction(ctx context.Context, a Action, jobs []Job) (Action, bool, error)
	Action(ctx context.Context, id int64) (Action, error)
	Actions(ctx context.Context, caseID int64) ([]Action, error)
	FinishAction(ctx context.Context, id int64, status ActionStatus, result string, at time.Time) error

	// SaveReply records a post we made, so answers to it join the case.
	SaveReply(ctx context.Context, caseID int64, platform string, ref PostRef) error

	CardRef(ctx context.Context, caseID int64, surface string) (string, error) // "" when none
	SaveCardRef(ctx context.Context, caseID int64, surface, ref string) error

	// Cursor and SaveCursor keep a source's position across restarts.
	Cursor(ctx context.Context, source string) (string, error)
	SaveCursor(ctx context.Context, source, cursor string) error

	// RunJobs works durable jobs with h until ctx ends.
	RunJobs(ctx context.Context, h JobHandler) error
	// PendingJobs counts jobs not yet completed or discarded.
	PendingJobs(ctx context.Context) (int, error)

	Close() error
}
