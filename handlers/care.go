package handlers

import (
	"fmt"

	"github.com/earshothq/earshot/bot"
)

// careDetails checks a dismissal's reason and resolves a mute against the
// case when the person clicks: the mute then silences exactly the author or
// term they saw, for the period they chose, whatever happens to the case
// before the job runs.
func careDetails(r bot.ActionRequest, c bot.Case) (bot.DismissReason, *bot.MuteSpec, error) {
	switch r.Kind {
	case bot.ActDismiss:
		reason := r.Reason
		if reason == "" {
			reason = bot.ReasonOther
		}
		if !reason.Valid() {
			return "", nil, &RequestError{Field: "reason", Msg: fmt.Sprintf("unknown reason %q (want one of spam, not_about_us, duplicate, other)", clip(string(r.Reason), 40))}
		}
		return reason, nil, nil
	case bot.ActMute:
		spec, err := resolveMute(r.Mute, c)
		return "", spec, err
	}
	return "", nil, nil
}

// resolveMute fills in and checks what a mute on case c silences: by
// default the case's customer, on the case's platform, for
// DefaultMutePeriod.
func resolveMute(in *bot.MuteSpec, c bot.Case) (*bot.MuteSpec, error) {
	var spec bot.MuteSpec
	if in != nil {
		spec = *in
	}
	if spec.Kind == "" {
		spec.Kind = bot.MuteAuthor
	}
	if spec.Kind != bot.MuteAuthor && spec.Kind != bot.MuteTerm {
		return nil, &RequestError{Field: "mute.kind", Msg: fmt.Sprintf("unknown kind %q (want author or term)", clip(string(spec.Kind), 20))}
	}
	if spec.Value == "" {
		if spec.Kind == bot.MuteTerm {
			return nil, &RequestError{Field: "mute.value", Msg: "a term mute needs the term"}
		}
		if c.Customer.Handle == "" {
			return nil, &RequestError{Field: "mute.value", Msg: fmt.Sprintf("case %d's author has no handle to mute; name the author", c.ID)}
		}
		spec.Value = c.Customer.Handle
	}
	if spec.Kind == bot.MuteAuthor && spec.Platform == "" {
		spec.Platform = c.Platform
	}
	if err := checkMuteSpec(&spec); err != nil {
		return nil, err
	}
	return &spec, nil
}

// checkMuteSpec normalizes spec's value and period, naming what is wrong.
func checkMuteSpec(spec *bot.MuteSpec) error {
	v, err := bot.NormalizeMuteValue(spec.Kind, spec.Value)
	if err != nil {
		return &RequestError{Field: "mute.value", Msg: err.Error()}
	}
	spec.Value = v
	d, forever, err := bot.ParsePeriod(spec.Period)
	if err != nil {
		return &RequestError{Field: "mute.period", Msg: err.Error()}
	}
	spec.Period = "forever"
	if !forever {
		spec.Period = bot.FormatPeriod(d)
	}
	return nil
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
