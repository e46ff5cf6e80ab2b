package command

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/handlers"
)

// Mutes sets and ends mutes outside a case; *handlers.Handlers satisfies it.
type Mutes interface {
	Mute(ctx context.Context, r handlers.MuteRequest) (bot.Mute, error)
	Unmute(ctx context.Context, r handlers.UnmuteRequest) ([]bot.Mute, error)
	ActiveMutes(ctx context.Context) ([]bot.Mute, error)
}

var _ Mutes = (*handlers.Handlers)(nil)

// MuteResult is how a mute outside a case, an unmute or a list of mutes
// went. Text is plain: surfaces escape it and add their own decoration.
type MuteResult struct {
	Answer
	// Listed is what "mutes" found (Text is then a heading).
	Listed []bot.Mute
	// Err is our failure behind a Broken verdict, for the surface's log.
	Err error
}

// RunMutes does what c asks that is not an action on a case: a mute that
// names its author or term without a case, an unmute, or the list of
// mutes. cmd is how the command is typed on the surface ("/earshot"), for
// the hint on how to end a mute.
func RunMutes(ctx context.Context, m Mutes, c Command, actor, surface, cmd string) MuteResult {
	switch c.Verb {
	case "mute":
		if c.Mute == nil {
			return MuteResult{Answer: Answer{Invalid, "Mute what? Name a case, an author or a term."}}
		}
		got, err := m.Mute(ctx, handlers.MuteRequest{Actor: actor, Surface: surface, Verified: true, Spec: *c.Mute, Reason: c.Text})
		if err != nil {
			return refusal("mute", err)
		}
		return MuteResult{Answer: Answer{Taken, Capitalize(got.Describe()) + ". New posts are kept but open no case; `" +
			cmd + " unmute " + string(got.Kind) + " " + TypedValue(got) + "` ends it."}}
	case "unmute":
		req := handlers.UnmuteRequest{Actor: actor, Surface: surface, Verified: true, CaseID: c.CaseID}
		if c.NamesWhat() {
			req.Kind, req.Value = c.Mute.Kind, c.Mute.Value
		}
		ended, err := m.Unmute(ctx, req)
		if err != nil {
			return refusal("unmute", err)
		}
		if len(ended) == 0 {
			return MuteResult{Answer: Answer{Duplicate, "Nothing matching is muted."}}
		}
		return MuteResult{Answer: Answer{Taken, fmt.Sprintf("Unmuted %s %s.", ended[0].Kind, TypedValue(ended[0]))}}
	case "mutes":
		ms, err := m.ActiveMutes(ctx)
		if err != nil {
			return MuteResult{Answer: Answer{Broken, "Couldn't list the mutes; try again in a moment."}, Err: err}
		}
		if len(ms) == 0 {
			return MuteResult{Answer: Answer{Taken, "Nothing is muted."}}
		}
		return MuteResult{Answer: Answer{Taken, fmt.Sprintf("%d muted", len(ms))}, Listed: ms}
	}
	return MuteResult{Answer: Answer{Invalid, c.Verb + " is not about mutes."}}
}

// TypedValue is a mute's value as one would type it back.
func TypedValue(m bot.Mute) string {
	if m.Kind == bot.MuteTerm && strings.ContainsAny(m.Value, " \t") {
		return `"` + m.Value + `"`
	}
	if m.Kind == bot.MuteAuthor {
		return "@" + strings.TrimPrefix(m.Value, "@")
	}
	return m.Value
}

func refusal(verb string, err error) MuteResult {
	var re *handlers.RequestError
	switch {
	case errors.As(err, &re):
		return MuteResult{Answer: Answer{Invalid, "Can't " + verb + ": " + re.Msg + "."}}
	case errors.Is(err, bot.ErrForbidden):
		return MuteResult{Answer: Answer{Refused, "You can't " + verb + ": only a team's members may change mutes."}}
	case errors.Is(err, bot.ErrNotFound):
		return MuteResult{Answer: Answer{NoCase, "That case does not exist."}}
	}
	return MuteResult{Answer: Answer{Broken, "Couldn't " + verb + "; try again in a moment."}, Err: err}
}

// MuteStyle is how a surface writes a mute answer in its markup.
type MuteStyle struct {
	Escape func(string) string         // public or typed text, made inert
	Fit    func(string, int) string    // escaped and clipped to n characters
	Bold   func(escaped string) string // a heading
	Who    func(actor string) string   // "slack:U1" as the surface shows a person
	// Emoji before a mute, an unmute, a refusal and a problem.
	Muted, Unmuted, Refused, Warning string
}

// maxListed keeps a list of mutes to what a chat message holds; the web
// inbox's Mutes page lists them all.
const maxListed = 20

// Render writes r as the answer to a command with verb, in st's markup.
func (r MuteResult) Render(verb string, st MuteStyle) string {
	text := st.Escape(r.Text)
	switch {
	case r.Verdict == Taken && verb == "mute":
		text = st.Muted + " " + text
	case r.Verdict == Taken && verb == "unmute":
		text = st.Unmuted + " " + text
	case r.Verdict == Refused:
		text = st.Refused + " " + text
	case r.Verdict == Invalid || r.Verdict == Broken:
		text = st.Warning + " " + text
	}
	if len(r.Listed) == 0 {
		return text
	}
	lines := []string{st.Bold(text)}
	for n, m := range r.Listed {
		if n == maxListed {
			lines = append(lines, fmt.Sprintf("…and %d more (the web inbox's Mutes page lists them all)", len(r.Listed)-maxListed))
			break
		}
		line := "• " + st.Escape(m.Describe()) + " · by " + st.Who(m.By)
		if m.Reason != "" {
			line += ": " + st.Fit(m.Reason, 200)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
