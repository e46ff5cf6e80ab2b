package handlers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/earshothq/earshot/bot"
)

// MuteStore keeps mutes set outside a case; *store.DB satisfies it.
type MuteStore interface {
	AddMute(ctx context.Context, m bot.Mute) (bot.Mute, error)
	EndMutes(ctx context.Context, id int64, kind bot.MuteKind, value, by string) ([]bot.Mute, error)
	ActiveMutes(ctx context.Context, at time.Time) ([]bot.Mute, error)
}

// MuteRequest mutes an author or a term outside any case: a command like
// `/earshot mute term "giveaway" 24h`, or the web inbox's mutes page.
type MuteRequest struct {
	Actor    string
	Surface  string
	Verified bool
	Spec     bot.MuteSpec
	Reason   string
}

// UnmuteRequest ends mutes in force: the one with ID; those of Kind and
// Value; or, with CaseID, those of the case's customer.
type UnmuteRequest struct {
	Actor    string
	Surface  string
	Verified bool
	ID       int64
	Kind     bot.MuteKind
	Value    string
	CaseID   int64
}

var errNoMutes = errors.New("mutes are not available here")

// Mute records a mute outside any case. A mute is global (it keeps
// mentions from every team), so it takes someone who may act on at least
// one team's cases.
func (h *Handlers) Mute(ctx context.Context, r MuteRequest) (bot.Mute, error) {
	if h.mutes == nil {
		return bot.Mute{}, errNoMutes
	}
	if r.Actor == "" {
		return bot.Mute{}, &RequestError{Field: "actor", Msg: "missing"}
	}
	if reason := h.muteDenial(r.Actor, r.Verified); reason != "" {
		h.log.Warn("mute denied", "actor", r.Actor, "reason", reason)
		return bot.Mute{}, fmt.Errorf("mute: %s: %w", reason, bot.ErrForbidden)
	}
	spec := r.Spec
	if spec.Kind == "" {
		return bot.Mute{}, &RequestError{Field: "mute.kind", Msg: "say what to mute: author or term"}
	}
	if spec.Kind != bot.MuteAuthor && spec.Kind != bot.MuteTerm {
		return bot.Mute{}, &RequestError{Field: "mute.kind", Msg: fmt.Sprintf("unknown kind %q (want author or term)", clip(string(spec.Kind), 20))}
	}
	if err := checkMuteSpec(&spec); err != nil {
		return bot.Mute{}, err
	}
	if n := bot.Length(r.Reason); n > 2000 {
		return bot.Mute{}, &RequestError{Field: "reason", Msg: "longer than 2000 characters"}
	}
	m, err := h.newMute(spec, r.Actor, r.Reason)
	if err != nil {
		return bot.Mute{}, &RequestError{Field: "mute.period", Msg: err.Error()}
	}
	if m, err = h.mutes.AddMute(ctx, m); err != nil {
		return bot.Mute{}, fmt.Errorf("mute %s %q: %w", spec.Kind, spec.Value, err)
	}
	h.log.Info("muted", "kind", m.Kind, "value", m.Value, "until", m.Until, "by", m.By)
	h.reloadMutes(ctx)
	return m, nil
}

// Unmute ends the mutes r names and returns them; none is not an error.
func (h *Handlers) Unmute(ctx context.Context, r UnmuteRequest) ([]bot.Mute, error) {
	if h.mutes == nil {
		return nil, errNoMutes
	}
	if r.Actor == "" {
		return nil, &RequestError{Field: "actor", Msg: "missing"}
	}
	kind, value := r.Kind, r.Value
	if r.CaseID != 0 {
		c, err := h.store.Case(ctx, r.CaseID)
		if err != nil {
			return nil, fmt.Errorf("case %d: %w", r.CaseID, err)
		}
		team, _ := h.teams(c.Team)
		if reason := denial(team, c, bot.ActionRequest{Actor: r.Actor, Verified: r.Verified}); reason != "" {
			return nil, fmt.Errorf("unmute from case %d: %s: %w", c.ID, reason, bot.ErrForbidden)
		}
		if c.Customer.Handle == "" {
			return nil, &RequestError{Field: "case", Msg: fmt.Sprintf("case %d's author has no handle", c.ID)}
		}
		kind, value = bot.MuteAuthor, c.Customer.Handle
	} else if reason := h.muteDenial(r.Actor, r.Verified); reason != "" {
		return nil, fmt.Errorf("unmute: %s: %w", reason, bot.ErrForbidden)
	}
	if r.ID == 0 {
		if kind != bot.MuteAuthor && kind != bot.MuteTerm {
			return nil, &RequestError{Field: "mute.kind", Msg: fmt.Sprintf("unknown kind %q (want author or term)", clip(string(kind), 20))}
		}
		v, err := bot.NormalizeMuteValue(kind, value)
		if err != nil {
			return nil, &RequestError{Field: "mute.value", Msg: err.Error()}
		}
		value = v
	}
	ended, err := h.mutes.EndMutes(ctx, r.ID, kind, value, r.Actor)
	if err != nil {
		return nil, err
	}
	if len(ended) > 0 {
		h.log.Info("unmuted", "mutes", len(ended), "by", r.Actor)
		h.reloadMutes(ctx)
	}
	return ended, nil
}

// ActiveMutes lists the mutes in force now.
func (h *Handlers) ActiveMutes(ctx context.Context) ([]bot.Mute, error) {
	if h.mutes == nil {
		return nil, errNoMutes
	}
	return h.mutes.ActiveMutes(ctx, h.now())
}

// muteDenial says why actor may not set or end a mute outside a case, or "".
func (h *Handlers) muteDenial(actor string, verified bool) string {
	if h.allTeams == nil {
		return "no teams to check membership against"
	}
	for _, t := range h.allTeams() {
		if t.Open() || (verified && t.MayAct(actor)) {
			return ""
		}
	}
	if !verified {
		return fmt.Sprintf("every team lists its members and %s's identity is not verified", actor)
	}
	return fmt.Sprintf("%s is not a member of any team", actor)
}
