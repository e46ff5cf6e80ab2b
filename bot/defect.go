package bot

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/earshothq/earshot/classify"
	"github.com/earshothq/earshot/routing"
)

// Jobs of the defect loop: filing for a rule, and telling a case that its
// issue was fixed. Their handlers are given in Config.Jobs.
const (
	// JobAutoDefect claims a defect action, as earshot, for a case a
	// file_defect route opened.
	JobAutoDefect JobKind = "auto_defect"
	// JobDefectFixed tells a case's thread what became of its linked issue
	// and drafts the follow-up.
	JobDefectFixed JobKind = "defect_fixed"
)

// LinkReader is what CardFor uses, when the store has it, to show the
// issues a case is linked to on its card.
type LinkReader interface {
	CaseLinks(ctx context.Context, caseID int64) ([]CaseLink, error)
}

// Issue is a ticket in an issue tracker.
type Issue struct {
	Tracker string `json:"tracker"` // "github"
	Repo    string `json:"repo"`    // "lumio/app"
	Number  int    `json:"number"`
	URL     string `json:"url,omitempty"`
	Title   string `json:"title,omitempty"`
}

// Ref is how people write the issue: "lumio/app#412".
func (i Issue) Ref() string { return fmt.Sprintf("%s#%d", i.Repo, i.Number) }

// Link states: what became of the issue a case is linked to.
const (
	LinkOpen = "open"
	// LinkClosed: closed as completed while the team waits for a release.
	LinkClosed     = "closed"
	LinkFixed      = "fixed"       // closed as completed; the case hears "fixed"
	LinkNotPlanned = "not_planned" // closed without a fix
	LinkDuplicate  = "duplicate"   // closed as a duplicate of another issue
	LinkReleased   = "released"    // a published release names the issue
)

// Ways a case came to be linked.
const (
	ViaFiled   = "filed"    // earshot opened the issue for this case
	ViaPlusOne = "plus_one" // the issue existed; earshot added "+1 from another customer"
)

// CaseLink ties a case to the issue that tracks its problem.
type CaseLink struct {
	CaseID int64 `json:"case_id"`
	Issue
	// Terms are the key terms of the case's report, for finding it again
	// when another customer reports the same problem.
	Terms []string `json:"terms,omitempty"`
	Via   string   `json:"via"`
	// Notify is when the case is told (routing's "closed" or "released"),
	// fixed when the case was linked.
	Notify  string `json:"notify"`
	State   string `json:"state"`
	Release string `json:"release,omitempty"` // the release that shipped the fix
	// Noted is the state the case's thread was last told about.
	Noted    string    `json:"noted,omitempty"`
	LinkedAt time.Time `json:"linked_at"`
}

// IssueEvent is what a tracker says happened to issues (one webhook delivery).
type IssueEvent struct {
	Tracker  string `json:"tracker"`
	Delivery string `json:"delivery"` // the tracker's delivery id: each is applied once
	// Kind is IssueClosed, IssueReopened or IssueReleased.
	Kind    string `json:"kind"`
	Repo    string `json:"repo"`
	Numbers []int  `json:"numbers"`
	// Reason says how an issue was closed: "completed", "not_planned" or
	// "duplicate" (anything but completed means no fix).
	Reason string `json:"reason,omitempty"`
	// Release names the release (its name, or its tag).
	Release string    `json:"release,omitempty"`
	At      time.Time `json:"at"`
}

// Kinds of IssueEvent.
const (
	IssueClosed   = "closed"
	IssueReopened = "reopened"
	IssueReleased = "released"
)

// Next is the link after ev. A closed issue is "fixed" for a case told on
// close, "closed" (waiting) for one told on release; a release that names
// the issue makes it "released" for a case that waits for it; closing
// without a fix is "not planned" (or "duplicate") for everyone; reopening makes it open
// again (and findable for the next report), without telling anyone.
func (l CaseLink) Next(ev IssueEvent) CaseLink {
	if ev.Repo != l.Repo || !slices.Contains(ev.Numbers, l.Number) {
		return l
	}
	switch ev.Kind {
	case IssueClosed:
		switch {
		case ev.Reason == "duplicate":
			l.State = LinkDuplicate
		case ev.Reason != "" && ev.Reason != "completed":
			l.State = LinkNotPlanned
		case l.Notify == routing.NotifyReleased:
			l.State = LinkClosed
		default:
			l.State = LinkFixed
		}
	case IssueReopened:
		l.State = LinkOpen
	case IssueReleased:
		if l.Notify == routing.NotifyReleased && (l.State == LinkOpen || l.State == LinkClosed) {
			l.State = LinkReleased
			l.Release = ev.Release
		} else if l.State == LinkFixed && l.Release == "" {
			l.Release = ev.Release // named in the note if it is still to come
		}
	}
	return l
}

// Untold reports whether the case has news about this link to hear.
func (l CaseLink) Untold() bool {
	switch l.State {
	case LinkFixed, LinkNotPlanned, LinkDuplicate, LinkReleased:
		return l.Noted != l.State
	}
	return false
}

// DefectReport is what a tracker is told about one customer's problem.
type DefectReport struct {
	CaseID int64
	Title  string
	// Text is what the customer wrote (untrusted: the tracker escapes it).
	Text      string
	URL       string // the customer's post
	Platform  string
	Author    string // the customer's handle
	Followers int
	Details   classify.Details
	// CaseURL is the case in earshot's inbox; empty when earshot has no
	// public address.
	CaseURL string
	// Reports counts the customers linked to the issue, this one included
	// (for a "+1").
	Reports int
}
