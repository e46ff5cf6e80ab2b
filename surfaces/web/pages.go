package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/earshothq/earshot/bot"
)

// pages are the full-page templates; each is parsed with the layout and the
// partials so it can define its own "content".
var pages = []string{"inbox", "case", "login", "error", "mutes"}

func parseTemplates() (map[string]*template.Template, error) {
	out := make(map[string]*template.Template, len(pages))
	for _, p := range pages {
		t, err := template.New(p).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", "templates/"+p+".html")
		if err != nil {
			return nil, fmt.Errorf("web: parsing template %s: %w", p, err)
		}
		out[p] = t
	}
	return out, nil
}

// base is what the layout needs on every page.
type base struct {
	Title    string
	AssetVer string
	User     string
	Verified bool // User signed in with their own token
	SignOut  bool
	Here     string // this page's path, to come back after changing the name
	Page     string // body class
}

func (s *Server) base(r *http.Request, title, page string) base {
	user, err := userName(r)
	if err != nil {
		user = defaultUser
	}
	_, verified := verifiedUser(r)
	return base{Title: title, AssetVer: s.assetVer, User: user, Verified: verified, SignOut: s.guarded(), Here: safeNext(r.URL.RequestURI()), Page: page}
}

// render executes into a buffer first so a template error becomes a clean
// 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page, name string, data any) {
	var buf bytes.Buffer
	if err := s.tmpl[page].ExecuteTemplate(&buf, name, data); err != nil {
		s.log.Error("web: rendering", "template", name, "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, "could not render the page")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

type errorView struct {
	base
	Status  int
	Heading string
	Message string
}

// fail answers an error as JSON for API clients and as a page for people.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if wantsJSON(r) {
		writeError(w, status, msg)
		return
	}
	s.render(w, r, status, "error", "layout", errorView{
		base: s.base(r, http.StatusText(status), "error"), Status: status, Heading: http.StatusText(status), Message: msg,
	})
}

type loginView struct {
	base
	Next  string
	Error string
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, next, msg string) {
	b := s.base(r, "Sign in", "login")
	b.SignOut = false
	s.render(w, r, status, "login", "layout", loginView{base: b, Next: safeNext(next), Error: msg})
}

type sideTeam struct {
	Name   string
	Open   int
	URL    string
	Active bool
}

type tab struct {
	Key    string
	Label  string
	URL    string
	Count  int
	Counts bool
	Active bool
}

type inboxView struct {
	base
	Teams      []sideTeam
	AllTeams   sideTeam
	Tabs       []tab
	Rows       []rowView
	Team       string
	StateKey   string
	States     string // the filter for live updates, comma list; "" = all
	OlderURL   string
	NewestURL  string
	EmptyTitle string
	Sources    []sourceLine
}

// sourceLine is a source's status in the sidebar.
type sourceLine struct {
	Name    string
	Summary string // "12s ago · 3 today"
	Error   string // the last poll's error, when it failed
	Title   string // the whole line, on hover
}

var tabs = []struct{ key, label string }{
	{"open", "Open"}, {"new", "New"}, {"claimed", "Claimed"}, {"escalated", "Escalated"},
	{"awaiting_customer", "Awaiting customer"}, {"resolved", "Resolved"}, {"dismissed", "Dismissed"}, {"all", "All"},
}

func inboxURL(team, state string, before int64) string {
	q := url.Values{}
	if team != "" {
		q.Set("team", team)
	}
	if state != "" && state != "open" {
		q.Set("state", state)
	}
	if before > 0 {
		q.Set("before", strconv.FormatInt(before, 10))
	}
	if len(q) == 0 {
		return "/"
	}
	return "/?" + q.Encode()
}

func (s *Server) handleInbox(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, err := parseCaseQuery(q, "open")
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	stateKey := "open"
	if q.Has("state") {
		stateKey = strings.TrimSpace(q.Get("state"))
	}
	ctx := r.Context()
	v, err := s.inboxView(ctx, r, f, stateKey)
	if err != nil {
		s.storeFailed(w, r, "the inbox", err)
		return
	}
	s.render(w, r, http.StatusOK, "inbox", "layout", v)
}

func (s *Server) inboxView(ctx context.Context, r *http.Request, f bot.CaseFilter, stateKey string) (inboxView, error) {
	now := s.now()
	teams, err := s.teamSummaries(ctx)
	if err != nil {
		return inboxView{}, fmt.Errorf("case counts: %w", err)
	}
	cs, next, err := s.listCases(ctx, f)
	if err != nil {
		return inboxView{}, fmt.Errorf("cases: %w", err)
	}
	sortForInbox(cs, now)

	title := "Inbox"
	if f.Team != "" {
		title = f.Team + " · Inbox"
	}
	v := inboxView{base: s.base(r, title, "inbox"), Team: f.Team, StateKey: stateKey, Sources: s.sourceLines(ctx, now)}
	counts := make(map[bot.CaseState]int)
	v.AllTeams = sideTeam{Name: "All teams", URL: inboxURL("", stateKey, 0), Active: f.Team == ""}
	for _, t := range teams {
		v.Teams = append(v.Teams, sideTeam{Name: t.Name, Open: t.Open, URL: inboxURL(t.Name, stateKey, 0), Active: t.Name == f.Team})
		v.AllTeams.Open += t.Open
		if f.Team == "" || f.Team == t.Name {
			for st, n := range t.Counts {
				counts[st] += n
			}
		}
	}
	for _, tb := range tabs {
		t := tab{Key: tb.key, Label: tb.label, URL: inboxURL(f.Team, tb.key, 0), Active: tb.key == stateKey}
		switch tb.key {
		case "open":
			for _, st := range openStates() {
				t.Count += counts[st]
			}
			t.Counts = true
		case "all", "resolved", "dismissed":
		default:
			t.Count, t.Counts = counts[bot.CaseState(tb.key)], true
		}
		v.Tabs = append(v.Tabs, t)
	}
	states := make([]string, len(f.States))
	for i, st := range f.States {
		states[i] = string(st)
	}
	v.States = strings.Join(states, ",")
	for _, c := range cs {
		v.Rows = append(v.Rows, newRowView(c, now))
	}
	if next > 0 {
		v.OlderURL = inboxURL(f.Team, stateKey, next)
	}
	if f.BeforeID > 0 {
		v.NewestURL = inboxURL(f.Team, stateKey, 0)
	}
	v.EmptyTitle = "Nothing here"
	if stateKey == "open" && f.BeforeID == 0 {
		v.EmptyTitle = "Inbox zero: every conversation is handled"
	}
	return v, nil
}

// handleRowFragment serves one inbox row for live updates.
func (s *Server) handleRowFragment(w http.ResponseWriter, r *http.Request) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		writeError(w, http.StatusNotFound, err.Error())
		return
	}
	c, err := s.store.Case(r.Context(), id)
	if err != nil {
		s.storeFailed(w, r, "case "+strconv.FormatInt(id, 10), err)
		return
	}
	s.render(w, r, http.StatusOK, "inbox", "row", newRowView(c, s.now()))
}

type mentionView struct {
	Author string
	Handle string
	Reach  string
	Text   string
	URL    string
	Lang   string
	At     timeView
	Ours   bool
}

type eventView struct {
	Kind    string // CSS key
	Who     string
	Surface string
	What    string
	Text    string
	URL     string
	At      timeView
}

type threadItem struct {
	at      time.Time
	Mention *mentionView
	Event   *eventView
}

type suggView struct {
	Rank     int
	Text     string
	Approach string
	Origin   string
	Count    int
}

type actionView struct {
	Who         string
	Surface     string
	Kind        string
	Text        string
	Suggestion  int
	Status      string // CSS key
	StatusLabel string
	Result      string
	ResultURL   string
	At          timeView
}

// draftsView is what the drafter said about the drafts; html/template
// escapes it like any public text (a model may repeat the customer).
type draftsView struct {
	Origin, Summary, Note, Instruction, Reading string
}

type caseView struct {
	base
	Row         rowView
	TeamURL     string
	Rules       string
	Updated     timeView
	First       *mentionView
	Suggestions []suggView
	Drafts      draftsView
	ReplyLimit  int
	DefectTitle string
	Thread      []threadItem
	Actions     []actionView
	Closed      bool
	// Issues are the linked issues: "lumio/app#412", its address, its state.
	Issues []issueView
	// Reasons and Periods are the dismiss and mute forms' choices.
	Reasons []reasonOption
	Periods []string
}

type issueView struct{ Ref, URL, State string }

func newMentionView(m bot.Mention, now time.Time) *mentionView {
	if m.Deleted {
		// Redacted in the store: say so rather than show an empty quote.
		m.Text = bot.DeletedText
	}
	return &mentionView{
		Author: authorName(m.Author), Handle: authorHandle(m.Author), Reach: fmtReach(m.Author.Followers),
		Text: m.Text, URL: linkURL(m.URL), Lang: clip(m.Lang, 12), At: newTimeView(m.CreatedAt, now), Ours: m.Ours,
	}
}

var eventPhrases = map[bot.EventKind]string{
	bot.EventOpened: "opened the case", bot.EventFollowUp: "the customer wrote again",
	bot.EventOurPost: "our post appeared in the thread", bot.EventSuggested: "drafted replies",
	bot.EventClaimed: "claimed the case", bot.EventReplied: "replied", bot.EventAssisted: "replied with a drafted answer",
	bot.EventEscalated: "escalated", bot.EventAcked: "acknowledged", bot.EventDefect: "filed a defect",
	bot.EventDismissed: "dismissed the case", bot.EventResolved: "resolved the case", bot.EventMuted: "muted",
	bot.EventReopened: "reopened the case", bot.EventActionFail: "an action failed", bot.EventNote: "added a note",
	bot.EventRegenerated: "regenerated the drafts", bot.EventSLAReminder: "reminded the team",
	bot.EventSLABreach: "recorded a missed SLA", bot.EventPaged: "paged", bot.EventDefectFixed: "heard from the issue tracker",
	bot.EventDelight: "offered a thank-you", bot.EventDeleted: "deleted a post; earshot no longer keeps its text",
}

func newEventView(e bot.Event, now time.Time) *eventView {
	what, ok := eventPhrases[e.Kind]
	if !ok {
		what = clip(string(e.Kind), 40)
	}
	who := actorName(e.Actor)
	if e.Actor == "" {
		who = "earshot"
	}
	text := e.Text
	if p, ok := bot.ParsePage(e.Text); ok && e.Kind == bot.EventPaged {
		// The escalation's reason is on the line above; say whom and which step.
		what, text = "paged "+firstNonEmptyString(strings.Join(p.Notify, ", "), "no one")+fmt.Sprintf(" (step %d of %d)", p.Step, p.Steps), ""
	}
	return &eventView{
		Kind: oneOf(string(e.Kind), "opened", "follow_up", "our_post", "suggested", "claimed", "replied", "assisted_reply",
			"escalated", "acknowledged", "defect_filed", "dismissed", "resolved", "muted", "reopened", "action_failed", "note",
			"regenerated", "sla_reminder", "sla_breach", "paged", "defect_fixed", "delight", "deleted"),
		Who: who, Surface: actorSurface(e.Actor), What: what, Text: text, URL: linkURL(e.URL), At: newTimeView(e.At, now),
	}
}

func firstNonEmptyString(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// buildThread interleaves the customer's posts with what happened, by time.
// The first mention is quoted above the thread; an event that only says a
// shown post arrived is folded into that post.
func buildThread(c bot.Case, ms []bot.Mention, evs []bot.Event, now time.Time) (*mentionView, []threadItem) {
	var first *mentionView
	shown := make(map[int64]bool, len(ms))
	var items []threadItem
	for i, m := range ms {
		if m.ID == c.FirstMentionID || (c.FirstMentionID == 0 && i == 0) {
			first = newMentionView(m, now)
			shown[m.ID] = true
			continue
		}
		shown[m.ID] = true
		items = append(items, threadItem{at: m.CreatedAt, Mention: newMentionView(m, now)})
	}
	for _, e := range evs {
		if (e.Kind == bot.EventFollowUp || e.Kind == bot.EventOurPost) && e.MentionID != 0 && shown[e.MentionID] {
			continue
		}
		items = append(items, threadItem{at: e.At, Event: newEventView(e, now)})
	}
	slices.SortStableFunc(items, func(a, b threadItem) int { return a.at.Compare(b.at) })
	return first, items
}

var statusLabels = map[bot.ActionStatus]string{
	bot.ActionPending: "queued", bot.ActionSending: "sending", bot.ActionDone: "done",
	bot.ActionFailed: "failed", bot.ActionDenied: "denied", bot.ActionSkipped: "duplicate",
	bot.ActionUnknown: "outcome unknown",
}

func newActionView(a bot.Action, now time.Time) actionView {
	label, ok := statusLabels[a.Status]
	if !ok {
		label = clip(string(a.Status), 20)
	}
	v := actionView{
		Who: actorName(a.Actor), Surface: actorSurface(a.Actor), Kind: clip(string(a.Kind), 20), Text: a.Text,
		Suggestion: a.Suggestion, Status: oneOf(string(a.Status), "pending", "sending", "done", "failed", "denied", "duplicate", "unknown"),
		StatusLabel: label, At: newTimeView(a.At, now),
	}
	if u := linkURL(a.Result); u != "" {
		v.ResultURL = u
	} else {
		v.Result = a.Result
	}
	return v
}

// defectTitle prefills the defect form: the problem the classifier found, or
// the start of what the customer said.
func defectTitle(c bot.Case) string {
	t := strings.TrimSpace(c.Labels.Problem)
	if t == "" {
		t = strings.Join(strings.Fields(c.Summary), " ")
	}
	if c.Labels.Product != "" && t != "" && !strings.Contains(strings.ToLower(t), strings.ToLower(c.Labels.Product)) {
		t = c.Labels.Product + ": " + t
	}
	return clip(t, 80)
}

func (s *Server) caseView(r *http.Request, d caseResponse) caseView {
	now := s.now()
	c := d.Case
	v := caseView{
		base:        s.base(r, fmt.Sprintf("Case %d · %s", c.ID, authorName(c.Customer)), "case"),
		Row:         newRowView(c, now),
		TeamURL:     inboxURL(c.Team, "open", 0),
		Rules:       strings.Join(c.Rules, ", "),
		Updated:     newTimeView(c.UpdatedAt, now),
		ReplyLimit:  bot.ReplyLimit(c.Platform),
		DefectTitle: defectTitle(c),
		Closed:      !c.State.Open(),
		Reasons:     dismissReasons,
		Periods:     mutePeriods,
	}
	v.First, v.Thread = buildThread(c, d.Mentions, d.Events, now)
	for _, sg := range d.Suggestions {
		v.Suggestions = append(v.Suggestions, suggView{
			Rank: sg.Rank, Text: sg.Text, Approach: clip(sg.Approach, 30), Origin: clip(sg.Origin, 40), Count: bot.Length(sg.Text),
		})
	}
	v.Drafts = draftsView{
		Origin: clip(d.Drafts.Origin, 60), Summary: clip(d.Drafts.Summary, 300), Note: clip(d.Drafts.Note, 600),
		Instruction: clip(d.Drafts.Instruction, bot.MaxInstruction),
	}
	if l := d.Drafts.Reading; l != nil {
		v.Drafts.Reading = strings.TrimSpace(clip(string(l.Sentiment)+" "+string(l.Intent)+" "+string(l.Urgency), 80))
	}
	if v.Drafts.Origin == "builtin" {
		v.Drafts.Origin = ""
	}
	for _, l := range d.Links {
		v.Issues = append(v.Issues, issueView{Ref: clip(l.Ref(), 120), URL: linkURL(l.URL), State: clip(strings.ReplaceAll(l.State, "_", " "), 30)})
	}
	for i := len(d.Actions) - 1; i >= 0; i-- { // newest first
		v.Actions = append(v.Actions, newActionView(d.Actions[i], now))
	}
	return v
}

func (s *Server) handleCase(w http.ResponseWriter, r *http.Request) {
	s.serveCase(w, r, "layout")
}

// handleCaseFragment serves the live part of the case page.
func (s *Server) handleCaseFragment(w http.ResponseWriter, r *http.Request) {
	s.serveCase(w, r, "case-live")
}

func (s *Server) serveCase(w http.ResponseWriter, r *http.Request, name string) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		s.fail(w, r, http.StatusNotFound, err.Error())
		return
	}
	d, err := s.caseDetail(r.Context(), id)
	if err != nil {
		s.storeFailed(w, r, "case "+strconv.FormatInt(id, 10), err)
		return
	}
	s.render(w, r, http.StatusOK, "case", name, s.caseView(r, d))
}

// sourceLines are the sources' status lines for the sidebar. Without them
// (not configured, or the store failed) the inbox still shows.
func (s *Server) sourceLines(ctx context.Context, now time.Time) []sourceLine {
	if s.sources == nil {
		return nil
	}
	list, err := s.sources(ctx)
	if err != nil {
		s.log.Warn("web: source status unavailable", "err", err)
		return nil
	}
	out := make([]sourceLine, 0, len(list))
	for _, st := range list {
		l := sourceLine{Name: st.Name, Title: st.Line(now), Error: st.LastError}
		if st.LastPoll.IsZero() {
			l.Summary = "not polled yet"
		} else {
			l.Summary = fmt.Sprintf("%s ago · %d today", relAgo(now.Sub(st.LastPoll)), st.MentionsToday)
		}
		out = append(out, l)
	}
	return out
}

// relAgo rounds a duration for the sidebar: 12s, 4m, 3h, 2d.
func relAgo(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", max(int(d/time.Second), 0))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
}
