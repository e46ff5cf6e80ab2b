package command

import (
	"strings"
	"unicode"

	"github.com/earshothq/earshot/bot"
)

// parseDismiss reads "[reason] [note…]": `dismiss #12 spam`,
// `dismiss #12 not about us`, `dismiss #12 duplicate of #10`.
func parseDismiss(c *Command, rest string) error {
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
func parseMute(c *Command, rest string) error {
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
			return "", "", usagef("%q is not a period; use 24h, 7d, 30d or forever", Clip(w, 20))
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
func parseUnmute(c *Command, rest string) error {
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
