package slacksurface

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/handlers"
	chat "github.com/earshothq/earshot/surfaces/command"
)

// Mutes sets and ends mutes outside a case; *handlers.Handlers satisfies it.
type Mutes interface {
	Mute(ctx context.Context, r handlers.MuteRequest) (bot.Mute, error)
	Unmute(ctx context.Context, r handlers.UnmuteRequest) ([]bot.Mute, error)
	ActiveMutes(ctx context.Context) ([]bot.Mute, error)
}

// parseDismiss reads "[reason] [note…]": `dismiss #12 spam`,
// `dismiss #12 not about us`, `dismiss #12 duplicate of #10`.
func parseDismiss(c *command, rest string) error {
	if rest == "" {
		return nil // the handlers' default: other
	}
	lower := strings.ToLower(rest)
	if after, ok := strings.CutPrefix(lower, "not about us"); ok && (after == "" || !unicode.IsLetter(rune(after[0]))) {
		c.Reason, c.Text = bot.ReasonNotAboutUs, strings.TrimSpace(rest[len("not about us"):])
		return nil
	}
	word, after := nextWord(rest)
	r, err := bot.ParseDismissReason(word)
	if err != nil {
		return usagef("dismiss takes a reason first (spam, not-about-us, duplicate or other), then a note if you like: `dismiss #123 spam`")
	}
	c.Reason, c.Text = r, after
	return nil
}

// parseMute reads what to mute, for how long, and why:
//
//	mute #12 [7d|forever] [reason…]        the case's customer
//	mute #12 author @x [for 24h] [reason…] another author
//	mute [#12] term "free lamp" 24h [reason…]
//
// Without a case number (and outside a card's thread) a named author or
// term is muted without closing any case.
func parseMute(c *command, rest string) error {
	spec := &bot.MuteSpec{}
	word, after := nextWord(rest)
	switch kind := bot.MuteKind(strings.ToLower(word)); kind {
	case bot.MuteAuthor, bot.MuteTerm:
		spec.Kind = kind
		value, more, err := muteValue(kind, after)
		if err != nil {
			return err
		}
		spec.Value, rest = value, more
	}
	period, more, err := leadingPeriod(rest)
	if err != nil {
		return err
	}
	spec.Period, c.Text = period, more
	c.Mute = spec
	return nil
}

// muteValue reads an author (one word) or a term: "quoted words", or the
// words up to the period (`term free shipping for 2w`).
func muteValue(kind bot.MuteKind, s string) (value, rest string, err error) {
	s = strings.TrimSpace(s)
	if kind == bot.MuteTerm && strings.HasPrefix(s, `"`) {
		end := strings.Index(s[1:], `"`)
		if end < 0 {
			return "", "", usagef("the term's closing quote is missing: `mute term \"free lamp\" 24h`")
		}
		value, rest = s[1:end+1], strings.TrimSpace(s[end+2:])
	} else if kind == bot.MuteAuthor {
		value, rest = nextWord(s)
	} else {
		var words []string
		rest = s
		for rest != "" {
			w, after := nextWord(rest)
			if isPeriodWord(w) || (strings.EqualFold(w, "for") && isPeriodWord(firstWord(after))) {
				break
			}
			words, rest = append(words, w), after
		}
		value = strings.Join(words, " ")
	}
	if strings.TrimSpace(value) == "" {
		return "", "", usagef("mute %s needs the %s: `mute %s %s 24h`", kind, kind, kind, map[bot.MuteKind]string{bot.MuteAuthor: "@someone", bot.MuteTerm: `"giveaway"`}[kind])
	}
	return value, rest, nil
}

// leadingPeriod takes "[for] 24h" off the front of s, if it is there.
func leadingPeriod(s string) (period, rest string, err error) {
	w, after := nextWord(s)
	if strings.EqualFold(w, "for") {
		w, after = nextWord(after)
		if !isPeriodWord(w) {
			return "", "", usagef("%q is not a period; use 24h, 7d, 30d or forever", clip(w, 20))
		}
	}
	if !isPeriodWord(w) {
		return "", s, nil
	}
	d, forever, err := bot.ParsePeriod(w)
	if err != nil {
		return "", "", usagef("%v", err)
	}
	if forever {
		return "forever", after, nil
	}
	return bot.FormatPeriod(d), after, nil
}

// isPeriodWord reports whether w is meant as a period: "forever", or digits
// followed by a unit letter (valid or not, so "7y" is an error rather than
// the start of a reason).
func isPeriodWord(w string) bool {
	w = strings.ToLower(w)
	if w == "forever" || w == "permanent" || w == "permanently" {
		return true
	}
	if len(w) < 2 || w[0] < '0' || w[0] > '9' {
		return false
	}
	last := w[len(w)-1]
	return last >= 'a' && last <= 'z' && strings.TrimLeft(w[:len(w)-1], "0123456789") == ""
}

func firstWord(s string) string {
	w, _ := nextWord(s)
	return w
}

// parseUnmute reads "" (the case's customer), "author @x" or "term <x>".
func parseUnmute(c *command, rest string) error {
	if rest == "" {
		return nil
	}
	word, after := nextWord(rest)
	kind := bot.MuteKind(strings.ToLower(word))
	if kind != bot.MuteAuthor && kind != bot.MuteTerm {
		return usagef("unmute takes a case (`unmute #123`: its author), `unmute author @someone` or `unmute term \"giveaway\"`")
	}
	value := strings.TrimSpace(after)
	if kind == bot.MuteAuthor {
		var more string
		if value, more = nextWord(value); more != "" {
			return usagef("unmute author takes one handle")
		}
	} else if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
		value = value[1 : len(value)-1]
	}
	if value == "" {
		return usagef("unmute %s needs the %s", kind, kind)
	}
	c.Mute = &bot.MuteSpec{Kind: kind, Value: value}
	return nil
}

// namesWhat reports whether a mute or unmute names an author or a term
// itself, so it needs no case.
func (c command) namesWhat() bool { return c.Mute != nil && c.Mute.Kind != "" }

// needsCase reports whether the command cannot run without a case: every
// action, except a mute that names what to mute; and an unmute that does
// not name what to unmute.
func (c command) needsCase() bool {
	switch c.Verb {
	case "mute":
		return !c.namesWhat()
	case "unmute":
		return !c.namesWhat()
	}
	return verbs[c.Verb] != ""
}

// runMutes does mute (without a case), unmute and mutes.
func (s *Surface) runMutes(ctx context.Context, c command, to answer) {
	if s.mutes == nil {
		s.tell(ctx, to, "Mutes are not available here.")
		return
	}
	actor := "slack:" + to.user
	switch c.Verb {
	case "mute":
		m, err := s.mutes.Mute(ctx, handlers.MuteRequest{Actor: actor, Surface: Name, Verified: true, Spec: *c.Mute, Reason: c.Text})
		if err != nil {
			s.tell(ctx, to, s.muteRefusal("mute", err))
			return
		}
		s.tell(ctx, to, ":mute: "+escape(chat.Capitalize(m.Describe()))+". New posts are kept but open no case; `"+escape(s.command)+" unmute "+string(m.Kind)+" "+escape(quoteTerm(m))+"` ends it.")
	case "unmute":
		req := handlers.UnmuteRequest{Actor: actor, Surface: Name, Verified: true, CaseID: c.CaseID}
		if c.namesWhat() {
			req.Kind, req.Value = c.Mute.Kind, c.Mute.Value
		}
		ended, err := s.mutes.Unmute(ctx, req)
		if err != nil {
			s.tell(ctx, to, s.muteRefusal("unmute", err))
			return
		}
		if len(ended) == 0 {
			s.tell(ctx, to, "Nothing matching is muted.")
			return
		}
		s.tell(ctx, to, fmt.Sprintf(":loud_sound: Unmuted %s %s.", ended[0].Kind, escape(quoteTerm(ended[0]))))
	case "mutes":
		ms, err := s.mutes.ActiveMutes(ctx)
		if err != nil {
			s.log.Error("slack: list mutes", "err", err)
			s.tell(ctx, to, ":warning: Couldn't list the mutes; try again in a moment.")
			return
		}
		if len(ms) == 0 {
			s.tell(ctx, to, "Nothing is muted.")
			return
		}
		lines := []string{fmt.Sprintf("*%d muted*", len(ms))}
		for i, m := range ms {
			if i == 20 {
				lines = append(lines, fmt.Sprintf("…and %d more (the web inbox's Mutes page lists them all)", len(ms)-20))
				break
			}
			line := "• " + escape(m.Describe()) + " · by " + who(m.By)
			if m.Reason != "" {
				line += ": " + fit(m.Reason, 200)
			}
			lines = append(lines, line)
		}
		s.tell(ctx, to, strings.Join(lines, "\n"))
	}
}

// quoteTerm is a mute's value as one would type it back.
func quoteTerm(m bot.Mute) string {
	if m.Kind == bot.MuteTerm && strings.ContainsAny(m.Value, " \t") {
		return `"` + m.Value + `"`
	}
	if m.Kind == bot.MuteAuthor {
		return "@" + m.Value
	}
	return m.Value
}

func (s *Surface) muteRefusal(verb string, err error) string {
	var re *handlers.RequestError
	switch {
	case errors.As(err, &re):
		return ":warning: Can't " + verb + ": " + escape(re.Msg) + "."
	case errors.Is(err, bot.ErrForbidden):
		return ":no_entry: You can't " + verb + ": only a team's members may change mutes."
	case errors.Is(err, bot.ErrNotFound):
		return "That case does not exist."
	}
	s.log.Error("slack: "+verb, "err", err)
	return ":warning: Couldn't " + verb + "; try again in a moment."
}
