package web

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/earshothq/earshot/bot"
)

// View models: everything the templates show is computed here, against one
// clock reading per request, so pages are deterministic and templates dumb.
// Strings that become CSS classes come from fixed lists, never from input.

type chip struct {
	Text  string
	Class string
}

type timeView struct {
	Text  string // "5m ago"
	Title string // "2026-03-01 14:05 UTC"
	ISO   string
}

type dueView struct {
	Text  string
	Class string // due-none, due-ok, due-soon, due-over
	ISO   string
	Title string
}

type rowView struct {
	ID            int64
	URL           string
	Rev           int64
	Team          string
	Platform      string // CSS key
	PlatformLabel string
	Author        string
	Handle        string
	Reach         string
	Summary       string
	Chips         []chip
	Due           dueView
	State         string // CSS key
	StateLabel    string
	Assignee      string
	Opened        timeView
	Mentions      int
	Urgent        bool
	// Spam cases get no drafts; the page says so instead of "not yet".
	Spam bool
}

var platformLabels = map[string]string{
	"bluesky": "Bluesky", "mastodon": "Mastodon", "x": "X", "twitter": "X", "reddit": "Reddit",
	"hackernews": "Hacker News", "github": "GitHub", "rss": "RSS", "atom": "RSS", "webhook": "Webhook",
	"replay": "Replay", "threads": "Threads", "facebook": "Facebook", "instagram": "Instagram",
	"youtube": "YouTube", "discord": "Discord", "slack": "Slack",
}

func platformName(p string) string {
	if l, ok := platformLabels[strings.ToLower(p)]; ok {
		return l
	}
	if p == "" {
		return "Unknown"
	}
	return clip(p, 24)
}

func platformKey(p string) string {
	p = strings.ToLower(p)
	if p == "twitter" {
		return "x"
	}
	if p == "atom" {
		return "rss"
	}
	if _, ok := platformLabels[p]; ok {
		return p
	}
	return "other"
}

var stateLabels = map[bot.CaseState]string{
	bot.StateNew: "New", bot.StateClaimed: "Claimed", bot.StateReplied: "Replied",
	bot.StateAwaitingCustomer: "Awaiting customer", bot.StateEscalated: "Escalated",
	bot.StateDefectFiled: "Defect filed", bot.StateResolved: "Resolved", bot.StateDismissed: "Dismissed",
}

func stateView(st bot.CaseState) (key, label string) {
	if l, ok := stateLabels[st]; ok {
		return string(st), l
	}
	return "unknown", clip(string(st), 24)
}

func oneOf(v string, allowed ...string) string {
	if slices.Contains(allowed, v) {
		return v
	}
	return "other"
}

func labelChips(l bot.Labels) []chip {
	var out []chip
	if l.Urgency != "" && l.Urgency != bot.UrgencyNormal {
		out = append(out, chip{Text: string(l.Urgency), Class: "chip u-" + oneOf(string(l.Urgency), "low", "high", "critical")})
	}
	if l.Sentiment != "" {
		out = append(out, chip{Text: string(l.Sentiment), Class: "chip s-" + oneOf(string(l.Sentiment), "positive", "neutral", "negative")})
	}
	if l.Intent != "" {
		out = append(out, chip{Text: string(l.Intent), Class: "chip i-" + oneOf(string(l.Intent),
			"complaint", "question", "bug", "praise", "safety", "lead", "churn", "spam")})
	}
	if l.Product != "" {
		out = append(out, chip{Text: clip(l.Product, 40), Class: "chip product"})
	}
	return out
}

// fmtDur is a compact duration for lists: "<1m", "12m", "3h 5m", "2d 4h".
func fmtDur(d time.Duration) string {
	d = d.Abs()
	switch {
	case d < time.Minute:
		return "<1m"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	case d < 24*time.Hour:
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if m == 0 {
			return strconv.Itoa(h) + "h"
		}
		return fmt.Sprintf("%dh %dm", h, m)
	default:
		dd, h := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
		if h == 0 {
			return strconv.Itoa(dd) + "d"
		}
		return fmt.Sprintf("%dd %dh", dd, h)
	}
}

func absTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func newTimeView(t, now time.Time) timeView {
	if t.IsZero() {
		return timeView{}
	}
	text := fmtDur(now.Sub(t)) + " ago"
	if t.After(now) {
		text = "in " + fmtDur(t.Sub(now))
	}
	if now.Sub(t) < time.Minute && now.Sub(t) >= 0 {
		text = "just now"
	}
	return timeView{Text: text, Title: absTime(t), ISO: t.UTC().Format(time.RFC3339)}
}

// soonWindow is when a due time turns amber.
const soonWindow = 15 * time.Minute

func newDueView(c bot.Case, now time.Time) dueView {
	if !c.State.Open() {
		return dueView{Text: "closed", Class: "due-none"}
	}
	if c.DueAt.IsZero() {
		if c.State == bot.StateAwaitingCustomer || c.State == bot.StateReplied {
			return dueView{Text: "waiting on customer", Class: "due-none"}
		}
		return dueView{Text: "no SLA", Class: "due-none"}
	}
	v := dueView{ISO: c.DueAt.UTC().Format(time.RFC3339), Title: "due " + absTime(c.DueAt)}
	left := c.DueAt.Sub(now)
	switch {
	case c.Overdue(now):
		v.Text, v.Class = "overdue "+fmtDur(left), "due-over"
	case left <= soonWindow:
		v.Text, v.Class = "due in "+fmtDur(left), "due-soon"
	default:
		v.Text, v.Class = "due in "+fmtDur(left), "due-ok"
	}
	return v
}

// fmtReach turns follower counts into "850 followers", "12.3k followers".
func fmtReach(n int) string {
	switch {
	case n <= 0:
		return ""
	case n == 1:
		return "1 follower"
	case n < 1000:
		return strconv.Itoa(n) + " followers"
	case n < 100_000:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/1000), ".0") + "k followers"
	case n < 1_000_000:
		return strconv.Itoa(n/1000) + "k followers"
	default:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/1_000_000), ".0") + "M followers"
	}
}

func authorName(a bot.Author) string {
	if a.Name != "" {
		return clip(a.Name, 80)
	}
	if a.Handle != "" {
		return "@" + clip(strings.TrimPrefix(a.Handle, "@"), 80)
	}
	return "someone"
}

func authorHandle(a bot.Author) string {
	if a.Handle == "" || a.Name == "" {
		return ""
	}
	return "@" + clip(strings.TrimPrefix(a.Handle, "@"), 80)
}

func newRowView(c bot.Case, now time.Time) rowView {
	st, stLabel := stateView(c.State)
	return rowView{
		ID:            c.ID,
		URL:           "/cases/" + strconv.FormatInt(c.ID, 10),
		Rev:           c.Rev,
		Team:          c.Team,
		Platform:      platformKey(c.Platform),
		PlatformLabel: platformName(c.Platform),
		Author:        authorName(c.Customer),
		Handle:        authorHandle(c.Customer),
		Reach:         fmtReach(c.Customer.Followers),
		Summary:       clip(c.Summary, 280),
		Chips:         labelChips(c.Labels),
		Due:           newDueView(c, now),
		State:         st,
		StateLabel:    stLabel,
		Assignee:      actorName(c.Assignee),
		Opened:        newTimeView(c.OpenedAt, now),
		Mentions:      c.Mentions,
		Urgent:        c.State.Open() && (c.Labels.Urgency == bot.UrgencyCritical || c.Overdue(now)),
		Spam:          c.Labels.Intent == bot.IntentSpam,
	}
}

// urgencyBucket floats what needs someone now to the top of a page.
func urgencyBucket(c bot.Case, now time.Time) int {
	switch {
	case !c.State.Open():
		return 3
	case c.Overdue(now) || c.Labels.Urgency == bot.UrgencyCritical:
		return 0
	case c.Labels.Urgency == bot.UrgencyHigh:
		return 1
	}
	return 2
}

// sortForInbox orders one page: overdue and critical first, then high, then
// the store's newest-first order.
func sortForInbox(cs []bot.Case, now time.Time) {
	slices.SortStableFunc(cs, func(a, b bot.Case) int {
		return urgencyBucket(a, now) - urgencyBucket(b, now)
	})
}

// actorName shows "web:alice" as "alice": the surface is shown beside it.
func actorName(actor string) string {
	if _, name, ok := strings.Cut(actor, ":"); ok && name != "" {
		return clip(name, 60)
	}
	return clip(actor, 60)
}

func actorSurface(actor string) string {
	if s, _, ok := strings.Cut(actor, ":"); ok {
		return oneOf(s, "web", "slack", "discord", "github")
	}
	return ""
}

// linkURL keeps only http(s) links from public data; anything else is shown
// as text or not at all.
func linkURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}
