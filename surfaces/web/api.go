package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/handlers"
)

const (
	defaultLimit = 50
	maxLimit     = 200
	maxNote      = 2000 // escalation notes and reasons: enough for a paragraph
	maxTitle     = 256  // GitHub's issue title limit
	maxBody      = 64 << 10
)

// fieldError is a 400 that names what to fix.
type fieldError struct {
	Field string
	Msg   string
}

func (e *fieldError) Error() string { return e.Field + ": " + e.Msg }

func badField(field, format string, args ...any) *fieldError {
	return &fieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":"could not encode the response"}` + "\n")
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

type errorBody struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

func writeFieldError(w http.ResponseWriter, fe *fieldError) {
	writeJSON(w, http.StatusBadRequest, errorBody{Error: fe.Error(), Field: fe.Field})
}

// storeFailed answers a failed read: 404 for a missing case, else a 500 whose
// details stay in the log.
func (s *Server) storeFailed(w http.ResponseWriter, r *http.Request, what string, err error) {
	if errors.Is(err, bot.ErrNotFound) {
		s.fail(w, r, http.StatusNotFound, what+" not found")
		return
	}
	if r.Context().Err() != nil {
		return // the browser left
	}
	s.log.Error("web: reading "+what, "path", r.URL.Path, "err", err)
	s.fail(w, r, http.StatusInternalServerError, "could not read "+what)
}

// parseID reads a case id from a path: digits only, positive.
func parseID(raw string) (int64, error) {
	if raw == "" || len(raw) > 19 || strings.TrimLeft(raw, "0123456789") != "" {
		return 0, fmt.Errorf("case id %q is not a number", raw)
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("case id %q is out of range", raw)
	}
	return id, nil
}

// openStates are the states the "open" filter means.
func openStates() []bot.CaseState {
	var out []bot.CaseState
	for _, st := range bot.CaseStates {
		if st.Open() {
			out = append(out, st)
		}
	}
	return out
}

// parseStates reads a comma list of states; "open" stands for every open
// state and "all" or "" for no filter (nil).
func parseStates(raw string) ([]bot.CaseState, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" || raw == "all" {
		return nil, nil
	}
	var out []bot.CaseState
	for part := range strings.SplitSeq(raw, ",") {
		part = strings.TrimSpace(part)
		var add []bot.CaseState
		switch st := bot.CaseState(part); {
		case part == "open":
			add = openStates()
		case part == "all":
			return nil, nil
		case st.Valid():
			add = []bot.CaseState{st}
		default:
			return nil, badField("state", "unknown state %q (want open, all or a comma list of %s)", clip(part, 40), stateList())
		}
		for _, st := range add {
			if !slices.Contains(out, st) {
				out = append(out, st)
			}
		}
	}
	return out, nil
}

func stateList() string {
	names := make([]string, len(bot.CaseStates))
	for i, st := range bot.CaseStates {
		names[i] = string(st)
	}
	return strings.Join(names, ", ")
}

// parseCaseQuery reads team, state, before and limit; state falls back to
// defState when absent.
func parseCaseQuery(q url.Values, defState string) (bot.CaseFilter, error) {
	var f bot.CaseFilter
	f.Team = strings.TrimSpace(q.Get("team"))
	if len(f.Team) > 200 {
		return f, badField("team", "longer than 200 bytes")
	}
	state := defState
	if q.Has("state") {
		state = q.Get("state")
	}
	var err error
	if f.States, err = parseStates(state); err != nil {
		return f, err
	}
	if b := q.Get("before"); b != "" {
		if f.BeforeID, err = parseID(b); err != nil {
			return f, badField("before", "%q is not a case id", clip(b, 40))
		}
	}
	f.Limit = defaultLimit
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > maxLimit {
			return f, badField("limit", "%q is not between 1 and %d", clip(l, 40), maxLimit)
		}
		f.Limit = n
	}
	return f, nil
}

// listCases fetches one page and the id to continue from (0: no older cases).
func (s *Server) listCases(ctx context.Context, f bot.CaseFilter) ([]bot.Case, int64, error) {
	limit := f.Limit
	f.Limit = limit + 1 // one more tells whether an older page exists
	cs, err := s.store.Cases(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	if len(cs) <= limit {
		return cs, 0, nil
	}
	cs = cs[:limit]
	next := cs[0].ID
	for _, c := range cs {
		next = min(next, c.ID)
	}
	return cs, next, nil
}

type casesResponse struct {
	Cases      []bot.Case `json:"cases"`
	NextBefore int64      `json:"next_before"`
}

func (s *Server) apiCases(w http.ResponseWriter, r *http.Request) {
	f, err := parseCaseQuery(r.URL.Query(), "")
	if err != nil {
		writeFieldError(w, asFieldError(err))
		return
	}
	cs, next, err := s.listCases(r.Context(), f)
	if err != nil {
		s.storeFailed(w, r, "cases", err)
		return
	}
	writeJSON(w, http.StatusOK, casesResponse{Cases: nonNil(cs), NextBefore: next})
}

type caseResponse struct {
	Case        bot.Case         `json:"case"`
	Mentions    []bot.Mention    `json:"mentions"`
	Events      []bot.Event      `json:"events"`
	Suggestions []bot.Suggestion `json:"suggestions"`
	// Drafts is what the drafter said about the suggestions.
	Drafts  bot.DraftInfo `json:"drafts"`
	Actions []bot.Action  `json:"actions"`
	// Links are the issues tracking the case's problem.
	Links []bot.CaseLink `json:"links,omitempty"`
}

// caseDetail reads everything shown about one case.
func (s *Server) caseDetail(ctx context.Context, id int64) (caseResponse, error) {
	var d caseResponse
	var err error
	if d.Case, err = s.store.Case(ctx, id); err != nil {
		return d, err
	}
	if d.Mentions, d.Events, err = s.store.Thread(ctx, id); err != nil {
		return d, fmt.Errorf("thread of case %d: %w", id, err)
	}
	if d.Suggestions, err = s.store.Suggestions(ctx, id); err != nil {
		return d, fmt.Errorf("suggestions of case %d: %w", id, err)
	}
	if d.Drafts, err = s.store.DraftInfo(ctx, id); err != nil {
		return d, fmt.Errorf("draft info of case %d: %w", id, err)
	}
	if d.Actions, err = s.store.Actions(ctx, id); err != nil {
		return d, fmt.Errorf("actions of case %d: %w", id, err)
	}
	if lr, ok := s.store.(bot.LinkReader); ok {
		if d.Links, err = lr.CaseLinks(ctx, id); err != nil {
			return d, fmt.Errorf("links of case %d: %w", id, err)
		}
	}
	d.Mentions, d.Events = nonNil(d.Mentions), nonNil(d.Events)
	d.Suggestions, d.Actions = nonNil(d.Suggestions), nonNil(d.Actions)
	return d, nil
}

func (s *Server) apiCase(w http.ResponseWriter, r *http.Request) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		writeError(w, http.StatusNotFound, err.Error())
		return
	}
	d, err := s.caseDetail(r.Context(), id)
	if err != nil {
		s.storeFailed(w, r, "case "+strconv.FormatInt(id, 10), err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

type teamSummary struct {
	Name       string                `json:"name"`
	SLASeconds int64                 `json:"sla_seconds,omitempty"`
	Counts     map[bot.CaseState]int `json:"counts"`
	Open       int                   `json:"open"`
}

// teamSummaries lists the configured teams, then any team that still has
// cases but left the rules file, so no case becomes unreachable.
func (s *Server) teamSummaries(ctx context.Context) ([]teamSummary, error) {
	counts, err := s.store.CaseCounts(ctx)
	if err != nil {
		return nil, err
	}
	summary := func(name string, sla int64) teamSummary {
		t := teamSummary{Name: name, SLASeconds: sla, Counts: make(map[bot.CaseState]int, len(bot.CaseStates))}
		for _, st := range bot.CaseStates {
			n := counts[name][st]
			t.Counts[st] = n
			if st.Open() {
				t.Open += n
			}
		}
		return t
	}
	teams := s.teams()
	out := make([]teamSummary, 0, len(teams)+len(counts))
	seen := make(map[string]bool, len(teams))
	for _, t := range teams {
		if seen[t.Name] {
			continue
		}
		seen[t.Name] = true
		out = append(out, summary(t.Name, int64(t.SLA.Seconds())))
	}
	var extra []string
	for name := range counts {
		if !seen[name] {
			extra = append(extra, name)
		}
	}
	slices.Sort(extra)
	for _, name := range extra {
		out = append(out, summary(name, 0))
	}
	return out, nil
}

func (s *Server) apiTeams(w http.ResponseWriter, r *http.Request) {
	ts, err := s.teamSummaries(r.Context())
	if err != nil {
		s.storeFailed(w, r, "case counts", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"teams": ts})
}

func (s *Server) apiStatus(w http.ResponseWriter, r *http.Request) {
	if s.status == nil {
		writeError(w, http.StatusNotFound, "no status is published")
		return
	}
	writeJSON(w, http.StatusOK, s.status(r.Context()))
}

// actionBody is what the page posts.
type actionBody struct {
	Kind       string `json:"kind"`
	Suggestion int    `json:"suggestion"`
	Text       string `json:"text"`
	// Reason is a dismissal's; Mute a mute's details (see care.go).
	Reason string    `json:"reason"`
	Mute   *muteBody `json:"mute"`
}

// parseActionBody decodes one JSON object, naming the field that is wrong.
func parseActionBody(r io.Reader) (actionBody, error) {
	var b actionBody
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te) && te.Field != "":
			return b, badField(te.Field, "must be a %s", te.Type)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return b, badField(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "unknown field")
		default:
			return b, badField("body", "not a JSON object: %v", err)
		}
	}
	if dec.More() {
		return b, badField("body", "more than one JSON value")
	}
	return b, nil
}

// actionRequest checks b against the case and builds the request. The
// handlers check again; this gives the person a precise message first.
func actionRequest(b actionBody, c bot.Case, sugg []bot.Suggestion, actor string) (bot.ActionRequest, *fieldError) {
	kind := bot.ActionKind(strings.TrimSpace(b.Kind))
	req := bot.ActionRequest{CaseID: c.ID, Kind: kind, Actor: actor, Surface: "web"}
	if !kind.Valid() {
		names := make([]string, len(bot.ActionKinds))
		for i, k := range bot.ActionKinds {
			names[i] = string(k)
		}
		return req, badField("kind", "unknown action %q (want one of %s)", clip(b.Kind, 40), strings.Join(names, ", "))
	}
	if !utf8.ValidString(b.Text) {
		return req, badField("text", "not valid UTF-8")
	}
	if b.Suggestion != 0 && kind != bot.ActReply {
		return req, badField("suggestion", "only a reply takes a suggestion")
	}
	if fe := careFields(b, &req); fe != nil {
		return req, fe
	}
	switch kind {
	case bot.ActReply:
		switch {
		case b.Suggestion != 0 && b.Text != "":
			return req, badField("suggestion", "give a suggestion or text, not both")
		case b.Suggestion != 0:
			if !slices.ContainsFunc(sugg, func(s bot.Suggestion) bool { return s.Rank == b.Suggestion }) {
				return req, badField("suggestion", "%d is out of range: case %d has %d suggestions", b.Suggestion, c.ID, len(sugg))
			}
			req.Suggestion = b.Suggestion
		case strings.TrimSpace(b.Text) == "":
			return req, badField("text", "a reply needs a suggestion or text")
		default:
			limit := bot.ReplyLimit(c.Platform)
			if n := bot.Length(b.Text); n > limit {
				return req, badField("text", "%d characters, %s allows %d", n, platformName(c.Platform), limit)
			}
			req.Text = b.Text
		}
	case bot.ActRegenerate:
		ins := strings.TrimSpace(b.Text)
		if n := bot.Length(ins); n > bot.MaxInstruction {
			return req, badField("text", "instruction is %d characters, at most %d", n, bot.MaxInstruction)
		}
		req.Text = ins
	case bot.ActDefect:
		title := strings.TrimSpace(b.Text)
		if strings.ContainsAny(title, "\r\n") {
			return req, badField("text", "a defect title is one line")
		}
		if n := utf8.RuneCountInString(title); n > maxTitle {
			return req, badField("text", "title is %d characters, at most %d", n, maxTitle)
		}
		req.Text = title
	default:
		note := strings.TrimSpace(b.Text)
		if n := utf8.RuneCountInString(note); n > maxNote {
			return req, badField("text", "note is %d characters, at most %d", n, maxNote)
		}
		req.Text = note
	}
	return req, nil
}

func (s *Server) apiAction(w http.ResponseWriter, r *http.Request) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		writeError(w, http.StatusNotFound, err.Error())
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json")
		return
	}
	name, err := userName(r)
	if err != nil {
		writeFieldError(w, badField(userCookie, "%v", err))
		return
	}
	body, err := parseActionBody(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeFieldError(w, asFieldError(err))
		return
	}
	ctx := r.Context()
	c, err := s.store.Case(ctx, id)
	if err != nil {
		s.storeFailed(w, r, "case "+strconv.FormatInt(id, 10), err)
		return
	}
	var sugg []bot.Suggestion
	if body.Suggestion > 0 {
		if sugg, err = s.store.Suggestions(ctx, id); err != nil {
			s.storeFailed(w, r, "suggestions", err)
			return
		}
	}
	req, fe := actionRequest(body, c, sugg, "web:"+name)
	if fe != nil {
		writeFieldError(w, fe)
		return
	}
	_, req.Verified = verifiedUser(r)
	a, err := s.actions.Do(ctx, req)
	var re *handlers.RequestError
	switch {
	case errors.As(err, &re):
		writeFieldError(w, badField(re.Field, "%s", re.Msg))
	case errors.Is(err, bot.ErrForbidden) || (err == nil && a.Status == bot.ActionDenied):
		writeError(w, http.StatusForbidden, fmt.Sprintf("%s may not act on team %q's cases", req.Actor, c.Team))
	case errors.Is(err, bot.ErrNotFound):
		writeError(w, http.StatusNotFound, fmt.Sprintf("case %d not found", id))
	case err != nil:
		s.log.Error("web: action failed", "case", id, "kind", req.Kind, "actor", req.Actor, "err", err)
		writeError(w, http.StatusInternalServerError, "could not record the action; try again")
	case a.Status == bot.ActionSkipped:
		writeJSON(w, http.StatusOK, a) // a double click: harmless, not a conflict
	default:
		writeJSON(w, http.StatusAccepted, a)
	}
}

func asFieldError(err error) *fieldError {
	var fe *fieldError
	if errors.As(err, &fe) {
		return fe
	}
	return badField("request", "%v", err)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// clip shortens echoed input so an error never repeats a whole payload.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
