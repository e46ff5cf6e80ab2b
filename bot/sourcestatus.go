package bot

import (
	"fmt"
	"strings"
	"time"
)

// SourcePoll is one poll's outcome, as a source reports it for its status
// line.
type SourcePoll struct {
	Name     string // the feed, like "reddit:search:acme"
	Platform string
	At       time.Time
	Mentions int    // new mentions it brought (stored)
	Err      string // why it failed; "" when it worked
	Next     time.Time
	// Note is the source's own word on its state ("stream connected",
	// "waiting for the rate limit until 10:42", "monthly read cap reached").
	Note string
}

// SourceStatus is a source's status line: what operators check when a
// platform seems quiet.
type SourceStatus struct {
	Name          string    `json:"name"`
	Platform      string    `json:"platform"`
	LastPoll      time.Time `json:"last_poll"`
	LastOK        time.Time `json:"last_ok"`
	LastError     string    `json:"last_error,omitempty"`
	ErrorAt       time.Time `json:"error_at"`
	MentionsToday int       `json:"mentions_today"`
	MentionsTotal int       `json:"mentions_total"`
	NextPoll      time.Time `json:"next_poll"`
	Note          string    `json:"note,omitempty"`
}

// Line is the status as one line of text, with times relative to now:
// "reddit:search:acme  polled 12s ago · 3 today · next in 48s".
func (s SourceStatus) Line(now time.Time) string {
	var b strings.Builder
	b.WriteString(s.Name)
	b.WriteString("  ")
	if s.LastPoll.IsZero() {
		b.WriteString("not polled yet")
	} else {
		fmt.Fprintf(&b, "polled %s ago", ago(now.Sub(s.LastPoll)))
	}
	fmt.Fprintf(&b, " · %d today", s.MentionsToday)
	if s.LastError != "" {
		fmt.Fprintf(&b, " · failing since %s ago: %s", ago(now.Sub(s.ErrorAt)), s.LastError)
		if !s.LastOK.IsZero() {
			fmt.Fprintf(&b, " (last worked %s ago)", ago(now.Sub(s.LastOK)))
		}
	}
	if !s.NextPoll.IsZero() {
		if d := s.NextPoll.Sub(now); d > 0 {
			fmt.Fprintf(&b, " · next in %s", ago(d))
		} else {
			b.WriteString(" · due now")
		}
	}
	if s.Note != "" {
		b.WriteString(" · ")
		b.WriteString(s.Note)
	}
	return b.String()
}

// ago rounds a duration for people: 12s, 4m, 3h, 2d.
func ago(d time.Duration) string {
	switch {
	case d < 0:
		d = 0
		fallthrough
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
}
