package bot

import (
	"errors"
	"strconv"
	"time"
)

// ActionKind is something a person does to a case from any surface.
type ActionKind string

const (
	ActReply    ActionKind = "reply"
	ActEscalate ActionKind = "escalate"
	ActAck      ActionKind = "acknowledge"
	ActDefect   ActionKind = "defect"
	ActClaim    ActionKind = "claim"
	ActDismiss  ActionKind = "dismiss"
	ActResolve  ActionKind = "resolve"
	ActMute     ActionKind = "mute"
	ActReopen   ActionKind = "reopen"
	// ActRegenerate asks for new drafts, optionally with an instruction
	// ("shorter", "offer a refund") in the request's Text.
	ActRegenerate ActionKind = "regenerate"
)

// ActionKinds lists every action.
var ActionKinds = []ActionKind{ActReply, ActEscalate, ActAck, ActDefect, ActClaim, ActDismiss, ActResolve, ActMute, ActReopen, ActRegenerate}

// Valid reports whether k is a known action.
func (k ActionKind) Valid() bool {
	for _, a := range ActionKinds {
		if a == k {
			return true
		}
	}
	return false
}

// ActionStatus is the outcome of an action attempt.
type ActionStatus string

const (
	ActionPending ActionStatus = "pending" // claimed, job queued
	// ActionSending marks an action whose external call has started; if the
	// job is retried in this state the outcome is unknown and it is not
	// repeated (at most once beats at least once for public posts).
	ActionSending ActionStatus = "sending"
	ActionDone    ActionStatus = "done"
	// ActionFailed is an action known not to have happened (the platform
	// refused it, a check failed): a person may try it again.
	ActionFailed ActionStatus = "failed"
	// ActionUnknown is an action whose external call may or may not have
	// taken effect (the connection broke mid-call, the process died): it is
	// never repeated, and a person checks the platform.
	ActionUnknown ActionStatus = "unknown"
	ActionDenied  ActionStatus = "denied"    // the actor may not act on this team's cases
	ActionSkipped ActionStatus = "duplicate" // the same action was already claimed
)

// ActionRequest is what a surface hands to the handlers: who wants to do what.
type ActionRequest struct {
	CaseID  int64      `json:"case_id"`
	Kind    ActionKind `json:"kind"`
	Actor   string     `json:"actor"`   // surface-qualified identity, e.g. "web:alice", "slack:U123"
	Surface string     `json:"surface"` // "web", "slack", "discord"
	// Suggestion is the rank of the suggestion to send (reply), 0 for edited text.
	Suggestion int `json:"suggestion,omitempty"`
	// Text is the edited reply, the escalation note or the defect title.
	Text string `json:"text,omitempty"`
	// Reason is why a case is dismissed (DismissReasons), kept for tuning
	// the rules; empty is ReasonOther.
	Reason DismissReason `json:"reason,omitempty"`
	// Mute is what a mute silences and for how long; nil mutes the case's
	// customer for DefaultMutePeriod.
	Mute *MuteSpec `json:"mute,omitempty"`
	// Target distinguishes actions of one kind on one case that are not the
	// same action (a second reply after the customer answered): the surface's
	// event id, a follow-up mention id, or empty for "the one".
	Target string `json:"target,omitempty"`
	// Verified says the surface vouches for Actor: Slack and Discord sign
	// their events with the user's id; the web inbox only when the person
	// signed in with their own token. Teams that list members accept
	// verified actors only.
	Verified bool `json:"-"`
	// Role is the surface's own finding about a verified actor and the
	// case's team, from a grouping only that surface knows (Discord roles
	// against the team's discord.roles); nil leaves it to the team's lists.
	Role *RoleCheck `json:"-"`
}

// RoleCheck is a surface's verdict on whether an actor holds one of the
// roles the case's team names for that surface. Held admits a verified
// actor the team's lists do not name; not held refuses them even on a team
// that lists nobody, with Reason recorded as the denial's reason. Roles are
// the surface's business; recording the attempt and doing it once stay
// with the handlers.
type RoleCheck struct {
	Held   bool
	Reason string
}

// Key is the idempotency key: the same key is executed at most once.
func (r ActionRequest) Key() string {
	return strconv.FormatInt(r.CaseID, 10) + "/" + string(r.Kind) + "/" + r.Target
}

// Action is the record of one action attempt: who, what, when, outcome.
type Action struct {
	ID         int64      `json:"id"`
	CaseID     int64      `json:"case_id"`
	Kind       ActionKind `json:"kind"`
	Actor      string     `json:"actor"`
	Surface    string     `json:"surface"`
	Suggestion int        `json:"suggestion,omitempty"`
	Text       string     `json:"text,omitempty"`
	// MentionID is the customer's post a reply answers, fixed when the person
	// clicked so the job sends exactly what they saw to exactly that post.
	MentionID int64        `json:"mention_id,omitempty"`
	Key       string       `json:"key,omitempty"` // empty for denied attempts
	Status    ActionStatus `json:"status"`
	Result    string       `json:"result,omitempty"` // what happened: our post's URL, the reason it failed
	At        time.Time    `json:"at"`
	DoneAt    time.Time    `json:"done_at,omitzero"`

	// Reason is a dismissal's reason; Mute what a mute silences, resolved
	// when the person clicked (the customer's handle filled in).
	Reason DismissReason `json:"reason,omitempty"`
	Mute   *MuteSpec     `json:"mute,omitempty"`
}

// ErrActionFinished is returned by a store asked to finish an action that
// has already finished: another run of its job got there first.
var ErrActionFinished = errors.New("action already finished")

// ErrForbidden is returned when the actor may not act on the team's cases.
var ErrForbidden = errors.New("not allowed to act on this team's cases")
