package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/handlers"
	"github.com/earshothq/earshot/internal/tuning"
)

// Mutes sets and ends mutes outside a case; *handlers.Handlers satisfies it.
type Mutes interface {
	Mute(ctx context.Context, r handlers.MuteRequest) (bot.Mute, error)
	Unmute(ctx context.Context, r handlers.UnmuteRequest) ([]bot.Mute, error)
	ActiveMutes(ctx context.Context) ([]bot.Mute, error)
}

// muteBody is a mute as the API takes it.
type muteBody struct {
	Kind   string `json:"kind"`
	Value  string `json:"value"`
	Period string `json:"period"`
	Reason string `json:"reason,omitempty"`
	// Case, for an unmute: the case whose customer to unmute.
	Case int64 `json:"case,omitempty"`
}

// careFields reads a dismissal's reason and a mute's details into req.
func careFields(b actionBody, req *bot.ActionRequest) *fieldError {
	if b.Reason != "" && req.Kind != bot.ActDismiss {
		return badField("reason", "only a dismissal takes a reason")
	}
	if b.Mute != nil && req.Kind != bot.ActMute {
		return badField("mute", "only a mute takes mute details")
	}
	switch req.Kind {
	case bot.ActDismiss:
		if b.Reason == "" {
			return nil // the handlers' default: other
		}
		r, err := bot.ParseDismissReason(b.Reason)
		if err != nil {
			return badField("reason", "%v", err)
		}
		req.Reason = r
	case bot.ActMute:
		if b.Mute == nil {
			return nil // the customer, for the default period
		}
		spec, fe := muteSpec(*b.Mute, true)
		if fe != nil {
			return fe
		}
		req.Mute = &spec
	}
	return nil
}

// muteSpec checks a mute body; on a case the kind may be left out (the
// customer).
func muteSpec(b muteBody, onCase bool) (bot.MuteSpec, *fieldError) {
	kind := bot.MuteKind(strings.ToLower(strings.TrimSpace(b.Kind)))
	switch {
	case kind == "" && onCase:
	case kind != bot.MuteAuthor && kind != bot.MuteTerm:
		return bot.MuteSpec{}, badField("mute.kind", "%q is not author or term", clip(b.Kind, 20))
	}
	if _, _, err := bot.ParsePeriod(b.Period); err != nil {
		return bot.MuteSpec{}, badField("mute.period", "%v", err)
	}
	if !utf8.ValidString(b.Value) || len(b.Value) > 200 {
		return bot.MuteSpec{}, badField("mute.value", "not valid UTF-8, or longer than 200 bytes")
	}
	return bot.MuteSpec{Kind: kind, Value: strings.TrimSpace(b.Value), Period: strings.TrimSpace(b.Period)}, nil
}

// muteFailed answers an error from the mutes: 400 naming the field, 403,
// or 500 with the details in the log.
func (s *Server) muteFailed(w http.ResponseWriter, r *http.Request, err error) {
	var re *handlers.RequestError
	switch {
	case errors.As(err, &re):
		writeFieldError(w, badField(re.Field, "%s", re.Msg))
	case errors.Is(err, bot.ErrForbidden):
		writeError(w, http.StatusForbidden, "you may not change mutes: "+forbiddenReason(err))
	case errors.Is(err, bot.ErrNotFound):
		writeError(w, http.StatusNotFound, "case not found")
	default:
		s.log.Error("web: mutes", "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, "could not change the mutes; try again")
	}
}

// forbiddenReason is the part of a refusal that says why, without the
// sentinel's own words.
func forbiddenReason(err error) string {
	msg := strings.TrimSuffix(err.Error(), ": "+bot.ErrForbidden.Error())
	if _, after, ok := strings.Cut(msg, ": "); ok {
		return after
	}
	return msg
}

// readJSON decodes one JSON object into v, naming the field that is wrong.
func readJSON(w http.ResponseWriter, r *http.Request, v any) *fieldError {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return badField("body", "Content-Type must be application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te) && te.Field != "":
			return badField(te.Field, "must be a %s", te.Type)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return badField(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "unknown field")
		default:
			return badField("body", "not a JSON object: %v", err)
		}
	}
	return nil
}

func (s *Server) apiMutes(w http.ResponseWriter, r *http.Request) {
	if s.mutes == nil {
		writeError(w, http.StatusNotFound, "mutes are not enabled")
		return
	}
	ms, err := s.mutes.ActiveMutes(r.Context())
	if err != nil {
		s.muteFailed(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"mutes": nonNil(ms)})
}

// actor is who acts from this request: the signed-in person (verified) or
// the name typed in the inbox.
func (s *Server) actor(r *http.Request) (string, bool, *fieldError) {
	name, err := userName(r)
	if err != nil {
		return "", false, badField(userCookie, "%v", err)
	}
	_, verified := verifiedUser(r)
	return "web:" + name, verified, nil
}

func (s *Server) apiMute(w http.ResponseWriter, r *http.Request) {
	if s.mutes == nil {
		writeError(w, http.StatusNotFound, "mutes are not enabled")
		return
	}
	actor, verified, fe := s.actor(r)
	if fe == nil {
		var b muteBody
		if fe = readJSON(w, r, &b); fe == nil {
			var spec bot.MuteSpec
			if spec, fe = muteSpec(b, false); fe == nil {
				if n := utf8.RuneCountInString(b.Reason); n > maxNote {
					fe = badField("reason", "%d characters, at most %d", n, maxNote)
				} else {
					m, err := s.mutes.Mute(r.Context(), handlers.MuteRequest{Actor: actor, Verified: verified, Surface: "web", Spec: spec, Reason: strings.TrimSpace(b.Reason)})
					if err != nil {
						s.muteFailed(w, r, err)
						return
					}
					writeJSON(w, http.StatusCreated, m)
					return
				}
			}
		}
	}
	writeFieldError(w, fe)
}

// apiUnmute ends mutes: DELETE /api/mutes/{id}, or POST /api/unmute with
// {"kind", "value"} or {"case"}.
func (s *Server) apiUnmute(w http.ResponseWriter, r *http.Request) {
	if s.mutes == nil {
		writeError(w, http.StatusNotFound, "mutes are not enabled")
		return
	}
	actor, verified, fe := s.actor(r)
	if fe != nil {
		writeFieldError(w, fe)
		return
	}
	req := handlers.UnmuteRequest{Actor: actor, Verified: verified, Surface: "web"}
	if raw := r.PathValue("id"); raw != "" {
		id, err := parseID(raw)
		if err != nil {
			writeError(w, http.StatusNotFound, strings.Replace(err.Error(), "case id", "mute id", 1))
			return
		}
		req.ID = id
	} else {
		var b muteBody
		if fe := readJSON(w, r, &b); fe != nil {
			writeFieldError(w, fe)
			return
		}
		req.Kind, req.Value, req.CaseID = bot.MuteKind(strings.ToLower(strings.TrimSpace(b.Kind))), b.Value, b.Case
	}
	ended, err := s.mutes.Unmute(r.Context(), req)
	if err != nil {
		s.muteFailed(w, r, err)
		return
	}
	if len(ended) == 0 && req.ID != 0 {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no mute %d in force", req.ID))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ended": nonNil(ended)})
}

func (s *Server) apiDismissals(w http.ResponseWriter, r *http.Request) {
	if s.tuning == nil {
		writeError(w, http.StatusNotFound, "the dismissal report is not enabled")
		return
	}
	since, err := tuning.ParseSince(r.URL.Query().Get("since"), s.now())
	if err != nil {
		writeFieldError(w, badField("since", "%v", err))
		return
	}
	rep, err := s.tuning(r.Context(), since)
	if err != nil {
		s.storeFailed(w, r, "dismissals", err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// muteView is one mute as the mutes page shows it.
type muteView struct {
	ID      int64
	Kind    string
	Value   string
	Where   string
	Until   string
	By      string
	Reason  string
	CaseURL string
	Created timeView
}

type mutesView struct {
	base
	Mutes   []muteView
	Periods []string
	Enabled bool
}

func (s *Server) handleMutes(w http.ResponseWriter, r *http.Request) {
	v := mutesView{base: s.base(r, "Mutes", "mutes"), Periods: mutePeriods, Enabled: s.mutes != nil}
	if s.mutes != nil {
		ms, err := s.mutes.ActiveMutes(r.Context())
		if err != nil {
			s.storeFailed(w, r, "mutes", err)
			return
		}
		now := s.now()
		for _, m := range ms {
			mv := muteView{ID: m.ID, Kind: string(m.Kind), Value: m.Value, Where: m.Platform, By: actorName(m.By), Reason: m.Reason, Created: newTimeView(m.Created, now)}
			mv.Until = "until unmuted"
			if !m.Until.IsZero() {
				mv.Until = "until " + m.Until.UTC().Format("2006-01-02 15:04 UTC")
			}
			if m.CaseID != 0 {
				mv.CaseURL = "/cases/" + strconv.FormatInt(m.CaseID, 10)
			}
			v.Mutes = append(v.Mutes, mv)
		}
	}
	s.render(w, r, http.StatusOK, "mutes", "layout", v)
}

// mutePeriods are the periods the forms offer; the API takes any.
var mutePeriods = []string{"24h", "7d", "30d", "forever"}

// dismissReasons are the reasons the forms offer, with their labels.
type reasonOption struct{ Value, Label string }

var dismissReasons = []reasonOption{{"spam", "Spam"}, {"not_about_us", "Not about us"}, {"duplicate", "Duplicate"}, {"other", "Other"}}
