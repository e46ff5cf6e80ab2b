package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/earshothq/earshot/routing"
)

// DismissReason is why a case needed no answer. It is kept with the action
// so the rules can be tuned: what is dismissed as spam or as not about us
// is what the next exclusion should catch.
type DismissReason string

const (
	ReasonSpam       DismissReason = "spam"
	ReasonNotAboutUs DismissReason = "not_about_us"
	ReasonDuplicate  DismissReason = "duplicate"
	ReasonOther      DismissReason = "other"
)

// DismissReasons lists the reasons in the order surfaces offer them.
var DismissReasons = []DismissReason{ReasonSpam, ReasonNotAboutUs, ReasonDuplicate, ReasonOther}

// Valid reports whether r is a known reason.
func (r DismissReason) Valid() bool {
	for _, k := range DismissReasons {
		if k == r {
			return true
		}
	}
	return false
}

// Noise reports whether a case dismissed for r should not have reached a
// team at all: what the rules could have kept out.
func (r DismissReason) Noise() bool { return r == ReasonSpam || r == ReasonNotAboutUs }

// ParseDismissReason reads a reason as people type it: "spam",
// "not-about-us", "Not about us", "dup". Empty is ReasonOther.
func ParseDismissReason(s string) (DismissReason, error) {
	k := strings.ToLower(strings.TrimSpace(s))
	k = strings.NewReplacer("-", "_", " ", "_").Replace(k)
	switch k {
	case "":
		return ReasonOther, nil
	case "dup", "dupe":
		return ReasonDuplicate, nil
	case "notaboutus", "not_us", "off_topic", "offtopic":
		return ReasonNotAboutUs, nil
	}
	if r := DismissReason(k); r.Valid() {
		return r, nil
	}
	return "", fmt.Errorf("unknown reason %q (want one of %s)", clipRunes(s, 40), reasonList())
}

func reasonList() string {
	names := make([]string, len(DismissReasons))
	for i, r := range DismissReasons {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// MuteKind is what a mute silences.
type MuteKind string

const (
	MuteAuthor MuteKind = "author" // an account, by handle
	MuteTerm   MuteKind = "term"   // a word or phrase, matched like an exclusion term
)

// DefaultMutePeriod is how long a mute lasts when nobody says.
const DefaultMutePeriod = 7 * 24 * time.Hour

// maxMutePeriod bounds a timed mute; longer is "forever", said explicitly.
const maxMutePeriod = 366 * 24 * time.Hour

// MuteSpec is what a person asks to mute: a kind, a value and a period as
// typed ("24h", "7d", "forever"; empty is DefaultMutePeriod). An author mute
// with no value mutes the case's customer.
type MuteSpec struct {
	Kind   MuteKind `json:"kind,omitempty"`
	Value  string   `json:"value,omitempty"`
	Period string   `json:"period,omitempty"`
	// Platform narrows an author mute to one platform (a handle on X is not
	// the same person as that handle on Reddit); empty is every platform.
	Platform string `json:"platform,omitempty"`
}

// Mute silences an author or a term until a time: their new mentions are
// stored but open no case. A customer already in a conversation is never
// silenced mid-way: follow-ups to a case still join it.
type Mute struct {
	ID       int64     `json:"id"`
	Kind     MuteKind  `json:"kind"`
	Value    string    `json:"value"`
	Platform string    `json:"platform,omitempty"`
	Until    time.Time `json:"until,omitzero"` // zero: until someone unmutes
	By       string    `json:"by"`
	Reason   string    `json:"reason,omitempty"`
	CaseID   int64     `json:"case_id,omitempty"`
	ActionID int64     `json:"action_id,omitempty"` // the mute action that made it
	Created  time.Time `json:"created"`
	// EndedAt and EndedBy are set by an unmute.
	EndedAt time.Time `json:"ended_at,omitzero"`
	EndedBy string    `json:"ended_by,omitempty"`
}

// Active reports whether the mute silences at now.
func (m Mute) Active(now time.Time) bool {
	return m.EndedAt.IsZero() && (m.Until.IsZero() || now.Before(m.Until))
}

// Describe is the mute as the inbox shows it and as Incoming.Excluded
// records it: `muted author "dealsbot" until 2026-11-30 10:00 UTC`.
func (m Mute) Describe() string {
	what := string(m.Kind) + " " + strconv.Quote(m.Value)
	if m.Kind == MuteAuthor && m.Platform != "" {
		what += " on " + m.Platform
	}
	if m.Until.IsZero() {
		return "muted " + what + " until unmuted"
	}
	return "muted " + what + " until " + m.Until.UTC().Format("2006-01-02 15:04 UTC")
}

// NormalizeMuteValue is the form a mute's value is stored and compared in:
// an author's handle without '@', lower case; a term trimmed of quotes and
// spaces, lower case. It refuses what could never match.
func NormalizeMuteValue(kind MuteKind, v string) (string, error) {
	v = strings.TrimSpace(v)
	switch kind {
	case MuteAuthor:
		v = strings.ToLower(strings.TrimPrefix(v, "@"))
		if v == "" {
			return "", fmt.Errorf("empty handle")
		}
		if strings.IndexFunc(v, unicode.IsSpace) >= 0 || len(v) > 200 {
			return "", fmt.Errorf("%q is not a handle", clipRunes(v, 60))
		}
		return v, nil
	case MuteTerm:
		if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
			v = strings.TrimSpace(v[1 : len(v)-1])
		}
		v = strings.Join(strings.Fields(strings.ToLower(v)), " ")
		if v == "" {
			return "", fmt.Errorf("empty term")
		}
		if len(v) > 200 {
			return "", fmt.Errorf("term longer than 200 bytes")
		}
		if err := routing.ValidTerm(v); err != nil {
			return "", err
		}
		return v, nil
	}
	return "", fmt.Errorf("unknown kind %q (want author or term)", clipRunes(string(kind), 20))
}

// ParsePeriod reads how long a mute lasts: "30m", "24h", "7d", "2w" (up to
// a year), or "forever". Empty is DefaultMutePeriod. forever reports the
// mute has no end; d is then 0.
func ParsePeriod(s string) (d time.Duration, forever bool, err error) {
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "":
		return DefaultMutePeriod, false, nil
	case "forever", "permanent", "permanently", "indefinitely":
		return 0, true, nil
	}
	bad := fmt.Errorf("period %q: want 30m, 24h, 7d, 30d, 2w (up to a year) or forever", clipRunes(s, 20))
	if len(s) < 2 || len(s) > 8 {
		return 0, false, bad
	}
	unit := map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[len(s)-1]]
	num := s[:len(s)-1]
	if unit == 0 || strings.TrimLeft(num, "0123456789") != "" {
		return 0, false, bad
	}
	n, err := strconv.Atoi(num)
	if err != nil || n <= 0 {
		return 0, false, bad
	}
	if int64(n) > int64(maxMutePeriod/unit) {
		return 0, false, fmt.Errorf("period %q is longer than a year; say forever for a mute without an end", s)
	}
	return time.Duration(n) * unit, false, nil
}

// FormatPeriod is d the way ParsePeriod reads it; 0 is "forever".
func FormatPeriod(d time.Duration) string {
	const day, week = 24 * time.Hour, 7 * 24 * time.Hour
	switch {
	case d <= 0:
		return "forever"
	case d%week == 0:
		return strconv.FormatInt(int64(d/week), 10) + "w"
	case d%day == 0:
		return strconv.FormatInt(int64(d/day), 10) + "d"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	}
	return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
}

// CaseDigest is a case reduced to what tuning the rules looks at: where it
// was routed, who wrote it, what they said and, when it was dismissed (or
// muted), why.
type CaseDigest struct {
	ID       int64     `json:"id"`
	Team     string    `json:"team"`
	Rules    []string  `json:"rules"`
	Platform string    `json:"platform"`
	Author   string    `json:"author"` // handle
	Text     string    `json:"text"`   // the first mention's
	OpenedAt time.Time `json:"opened_at"`
	// Dismissed is "" when the case is not dismissed; else the reason
	// (DismissReason) or "muted" for a case closed by a mute.
	Dismissed string `json:"dismissed,omitempty"`
	Note      string `json:"note,omitempty"`
}

// DismissedMuted is CaseDigest.Dismissed for a case closed by a mute.
const DismissedMuted = "muted"

// clipRunes shortens echoed input so an error never repeats a payload.
func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
