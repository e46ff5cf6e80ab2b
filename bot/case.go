package bot

import (
	"errors"
	"time"

	"github.com/earshothq/earshot/routing"
)

// Sentiment is how the author feels.
type Sentiment string

const (
	Positive Sentiment = "positive"
	Neutral  Sentiment = "neutral"
	Negative Sentiment = "negative"
)

// Intent is what the author wants.
type Intent string

const (
	IntentComplaint Intent = "complaint"
	IntentQuestion  Intent = "question"
	IntentBug       Intent = "bug"
	IntentPraise    Intent = "praise"
	IntentSafety    Intent = "safety"
	IntentLead      Intent = "lead"
	IntentChurn     Intent = "churn"
	IntentSpam      Intent = "spam"
	IntentOther     Intent = "other"
)

// Urgency orders cases in the inbox and picks the SLA.
type Urgency string

const (
	UrgencyLow      Urgency = "low"
	UrgencyNormal   Urgency = "normal"
	UrgencyHigh     Urgency = "high"
	UrgencyCritical Urgency = "critical"
)

// Labels are what classification adds to a mention.
type Labels struct {
	Sentiment Sentiment `json:"sentiment"`
	Intent    Intent    `json:"intent"`
	Urgency   Urgency   `json:"urgency"`
	// Score is the sentiment's strength, from -1 (very negative) to 1.
	Score float64 `json:"score"`
	// Pressing: the author presses for speed ("asap", "third time asking"),
	// which a team's urgency policy keeps in mind.
	Pressing bool `json:"pressing,omitempty"`
	// Product is the product or feature the mention names, when one was found.
	Product string `json:"product,omitempty"`
	// Problem is a short phrase of what went wrong, when one was found.
	Problem string `json:"problem,omitempty"`
	// Done is set on a reply that reads as the customer's closing remark
	// ("thanks, that fixed it"): the phrase of classify's table it matched.
	// On a case waiting for the customer it resolves the case (done.go).
	Done string `json:"done,omitempty"`
}

// CaseState is where a conversation stands.
type CaseState string

const (
	StateNew              CaseState = "new"
	StateClaimed          CaseState = "claimed"
	StateReplied          CaseState = "replied"
	StateAwaitingCustomer CaseState = "awaiting_customer"
	StateEscalated        CaseState = "escalated"
	StateDefectFiled      CaseState = "defect_filed"
	StateResolved         CaseState = "resolved"
	StateDismissed        CaseState = "dismissed"
)

// CaseStates lists every state in inbox order.
var CaseStates = []CaseState{StateNew, StateClaimed, StateEscalated, StateDefectFiled, StateReplied, StateAwaitingCustomer, StateResolved, StateDismissed}

// Open reports whether the case still needs someone.
func (s CaseState) Open() bool { return s != StateResolved && s != StateDismissed }

// Valid reports whether s is a known state.
func (s CaseState) Valid() bool {
	for _, k := range CaseStates {
		if k == s {
			return true
		}
	}
	return false
}

// Case is one conversation with one customer: the first mention, every
// follow-up, every action. It has one card per surface.
type Case struct {
	ID             int64     `json:"id"`
	Team           string    `json:"team"`
	State          CaseState `json:"state"`
	Platform       string    `json:"platform"`
	Customer       Author    `json:"customer"`
	FirstMentionID int64     `json:"first_mention_id"`
	Labels         Labels    `json:"labels"`
	Rules          []string  `json:"rules"`
	Assignee       string    `json:"assignee,omitempty"`
	OpenedAt       time.Time `json:"opened_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	// DueAt is when the next answer is due under the team's SLA; zero when
	// nothing is owed (we answered and wait for the customer, or it is closed).
	DueAt time.Time `json:"due_at,omitzero"`
	// Rev increases on every change; card jobs carry it so each version of a
	// card is rendered once.
	Rev int64 `json:"rev"`
	// Summary is the first mention's text, shortened for lists.
	Summary string `json:"summary"`
	URL     string `json:"url,omitempty"`
	// Mentions counts the customer's posts in this conversation.
	Mentions int `json:"mentions"`
}

// Overdue reports whether an answer is owed and late at now.
func (c Case) Overdue(now time.Time) bool {
	return c.State.Open() && !c.DueAt.IsZero() && now.After(c.DueAt)
}

// EventKind names what happened in a case's thread.
type EventKind string

const (
	EventOpened     EventKind = "opened"
	EventFollowUp   EventKind = "follow_up" // the customer (or someone in the thread) said more
	EventOurPost    EventKind = "our_post"  // our own account's post seen in the thread
	EventSuggested  EventKind = "suggested"
	EventClaimed    EventKind = "claimed"
	EventReplied    EventKind = "replied"
	EventAssisted   EventKind = "assisted_reply"
	EventEscalated  EventKind = "escalated"
	EventAcked      EventKind = "acknowledged"
	EventDefect     EventKind = "defect_filed"
	EventDismissed  EventKind = "dismissed"
	EventResolved   EventKind = "resolved"
	EventMuted      EventKind = "muted"
	EventReopened   EventKind = "reopened"
	EventActionFail EventKind = "action_failed"
	EventNote       EventKind = "note"
	// Timers and the loop back from engineering.
	EventSLAReminder EventKind = "sla_reminder"
	EventSLABreach   EventKind = "sla_breach"
	EventPaged       EventKind = "paged"        // an escalation step @-mentioned its people
	EventDefectFixed EventKind = "defect_fixed" // the linked issue was closed or released
	EventDelight     EventKind = "delight"      // a gesture (coupon, link) was offered
	EventRegenerated EventKind = "regenerated"
)

// Event is one line of a case's thread.
type Event struct {
	ID        int64     `json:"id"`
	CaseID    int64     `json:"case_id"`
	At        time.Time `json:"at"`
	Kind      EventKind `json:"kind"`
	Actor     string    `json:"actor,omitempty"` // who did it; empty for the system
	Text      string    `json:"text,omitempty"`
	MentionID int64     `json:"mention_id,omitempty"`
	ActionID  int64     `json:"action_id,omitempty"`
	URL       string    `json:"url,omitempty"`
}

// Suggestion is a drafted reply for a case. It is never sent without a
// person's approval.
type Suggestion struct {
	CaseID int64 `json:"case_id"`
	// Rank is 1-based: the order on the card and the number people type or react with.
	Rank     int    `json:"rank"`
	Text     string `json:"text"`
	Approach string `json:"approach,omitempty"` // e.g. "concise", "warm", "next step"
	Origin   string `json:"origin,omitempty"`   // "builtin" or the model's name
}

// ErrNotFound is returned by stores when a case, mention or action does not exist.
var ErrNotFound = errors.New("not found")

// Team is a named destination defined once in the rules file.
type Team = routing.Team

// Stats is how a team is doing: cases opened in a period and how fast they
// were first answered.
type Stats struct {
	Team     string
	Since    time.Time
	Opened   int
	ByState  map[CaseState]int
	Answered int // got a first reply (sent or approved to post by hand)
	InSLA    int // of those, within the SLA's due time
	Overdue  int // still open, unanswered and past due
	Breached int // had a missed due time recorded (an SLA breach)
	// MedianFirstReply and P90FirstReply are over the answered cases.
	MedianFirstReply, P90FirstReply time.Duration
}
