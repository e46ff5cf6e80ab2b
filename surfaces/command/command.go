// Package command is the grammar of earshot's chat commands, shared by every
// chat surface: "/earshot reply #12 Thanks…" reads the same in Slack and in
// Discord, is checked the same, and asks the handlers for the same action.
// A surface turns its platform's text into plain text first (Slack's
// entities, Discord's options), and renders the answers in its own markup.
package command

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/earshothq/earshot/bot"
)

// Command is one parsed command.
type Command struct {
	Verb   string
	CaseID int64 // 0 when not given: implied by where it was typed, or missing
	Text   string
	Rank   int    // send: the suggestion
	Team   string // stats
	Days   int    // stats
	// Reason is a dismissal's; Mute what a mute or unmute names (nil for an
	// unmute of the case's customer).
	Reason bot.DismissReason
	Mute   *bot.MuteSpec
}

// UsageError is a mistake in what the person typed; it is shown to them.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// verbs maps what people type to the action it asks for; an empty kind is
// a command that is not an action.
var verbs = map[string]bot.ActionKind{
	"help":        "",
	"route-test":  "",
	"stats":       "",
	"unmute":      "",
	"mutes":       "",
	"reply":       bot.ActReply,
	"send":        bot.ActReply,
	"escalate":    bot.ActEscalate,
	"defect":      bot.ActDefect,
	"claim":       bot.ActClaim,
	"ack":         bot.ActAck,
	"acknowledge": bot.ActAck,
	"dismiss":     bot.ActDismiss,
	"resolve":     bot.ActResolve,
	"reopen":      bot.ActReopen,
	"mute":        bot.ActMute,
	"regenerate":  bot.ActRegenerate,
	"redraft":     bot.ActRegenerate,
}

// Verbs lists the canonical verbs in the order help shows them (aliases
// such as "acknowledge" and "redraft" are left out).
var Verbs = []string{"reply", "send", "escalate", "defect", "regenerate", "claim", "ack", "dismiss", "resolve", "reopen", "mute", "unmute", "mutes", "route-test", "stats", "help"}

// Kind is the action a verb asks for; "" for a verb that is not an action
// (help, route-test, stats, unmute, mutes) or is unknown.
func Kind(verb string) bot.ActionKind { return verbs[verb] }

// Known reports whether verb is a command.
func Known(verb string) bool {
	_, ok := verbs[verb]
	return ok
}

// TakesCase reports whether verb may name a case: every action, and
// unmute (the case's customer).
func TakesCase(verb string) bool { return verbs[verb] != "" || verb == "unmute" }

// NeedsCase reports whether c cannot run without a case and none was
// given: the surface supplies it from where the command was typed (a
// card's thread) or asks the person to name it. A mute or unmute that
// names its author or term needs none.
func (c Command) NeedsCase() bool {
	if c.CaseID != 0 {
		return false
	}
	switch c.Verb {
	case "mute", "unmute":
		return !c.NamesWhat()
	}
	return verbs[c.Verb] != ""
}

// NamesWhat reports whether a mute or unmute names an author or a term
// itself.
func (c Command) NamesWhat() bool { return c.Mute != nil && c.Mute.Kind != "" }

// IsAction reports whether c goes to the handlers as an action on a case;
// otherwise the surface answers it itself (help, stats, route-test) or
// through the Mutes port (unmute, mutes, and a mute outside any case).
func (c Command) IsAction() bool {
	if c.Verb == "mute" {
		return c.CaseID != 0 || !c.NamesWhat()
	}
	return verbs[c.Verb] != ""
}

// MaxText bounds what is parsed; chat platforms send at most a few KB.
const MaxText = 12000

// MaxTitle keeps a defect title to what issue trackers show in a list.
const MaxTitle = 250

// MaxNote is the longest escalation note or defect title the handlers take.
const MaxNote = 2000

// Parse reads the text after the command's name. Text the person writes
// (a reply, a note, a title) is kept as typed, spacing and lines included;
// only the words around it are normalised.
func Parse(text string) (Command, error) {
	if len(text) > MaxText {
		return Command{}, usagef("that is %d bytes; keep it under %d", len(text), MaxText)
	}
	rest := strings.TrimSpace(text)
	var caseID int64
	// "#123 dismiss" reads as well as "dismiss #123".
	if id, after, ok, err := caseToken(rest); err != nil {
		return Command{}, err
	} else if ok {
		caseID, rest = id, after
	}
	word, rest := nextWord(rest)
	verb := strings.ToLower(word)
	if verb == "" {
		verb = "help"
	}
	if _, ok := verbs[verb]; !ok {
		return Command{}, usagef("unknown command %q; try `help`", Clip(word, 40))
	}
	if TakesCase(canonical(verb)) && caseID == 0 {
		id, after, ok, err := caseToken(rest)
		if err != nil {
			return Command{}, err
		}
		if ok {
			caseID, rest = id, after
		}
	}
	return Build(verb, caseID, rest)
}

func canonical(verb string) string {
	switch verb {
	case "acknowledge":
		return "ack"
	case "redraft":
		return "regenerate"
	}
	return verb
}

// Build is the grammar after the verb and the case: for surfaces whose
// commands come structured (Discord's options), so a reply that starts
// with "#1" is never read as a case number. caseID is 0 when not given.
func Build(verb string, caseID int64, rest string) (Command, error) {
	c := Command{Verb: canonical(strings.ToLower(verb)), CaseID: caseID}
	if len(rest) > MaxText {
		return Command{}, usagef("that is %d bytes; keep it under %d", len(rest), MaxText)
	}
	rest = strings.TrimSpace(rest)
	if _, ok := verbs[c.Verb]; !ok {
		return Command{}, usagef("unknown command %q; try `help`", Clip(verb, 40))
	}
	if c.CaseID < 0 {
		return Command{}, usagef("#%d is not a case number; write it like #123", c.CaseID)
	}
	if c.CaseID != 0 && !TakesCase(c.Verb) {
		return Command{}, usagef("%s does not take a case number", c.Verb)
	}
	switch c.Verb {
	case "help":
	case "reply":
		if c.Text = rest; c.Text == "" {
			return Command{}, usagef("reply needs the text to send: `reply #123 Thanks for telling us…`")
		}
	case "send":
		n, err := strconv.Atoi(rest)
		if err != nil || n < 1 || n > 99 {
			return Command{}, usagef("send needs the number of a drafted reply: `send #123 2`")
		}
		c.Rank = n
	case "escalate", "defect", "reopen":
		c.Text = rest // a note, a title, why it is reopened
	case "regenerate":
		// What follows is an instruction for the drafter ("shorter").
		if c.Text = rest; bot.Length(c.Text) > bot.MaxInstruction {
			return Command{}, usagef("an instruction is at most %d characters", bot.MaxInstruction)
		}
	case "claim", "ack", "resolve":
		if rest != "" {
			return Command{}, usagef("%s takes only a case number, like `%s #123`", c.Verb, c.Verb)
		}
	case "mutes":
		if rest != "" {
			return Command{}, usagef("mutes takes nothing more: it lists what is muted")
		}
	case "dismiss":
		if err := parseDismiss(&c, rest); err != nil {
			return Command{}, err
		}
	case "mute":
		if err := parseMute(&c, rest); err != nil {
			return Command{}, err
		}
	case "unmute":
		if err := parseUnmute(&c, rest); err != nil {
			return Command{}, err
		}
		if c.CaseID != 0 && c.NamesWhat() {
			return Command{}, usagef("unmute takes a case or what to unmute, not both")
		}
	case "route-test":
		if c.Text = rest; c.Text == "" {
			return Command{}, usagef("route-test needs a sample post: `route-test my order never arrived`")
		}
	case "stats":
		if err := parseStats(&c, rest); err != nil {
			return Command{}, err
		}
	}
	return c, nil
}

// caseToken reads a leading "#123".
func caseToken(s string) (id int64, rest string, ok bool, err error) {
	if !strings.HasPrefix(s, "#") {
		return 0, s, false, nil
	}
	word, rest := nextWord(s)
	n, perr := strconv.ParseInt(word[1:], 10, 64)
	if perr != nil || n <= 0 {
		return 0, s, false, usagef("%q is not a case number; write it like #123", Clip(word, 40))
	}
	return n, rest, true, nil
}

// nextWord splits off the first word; rest keeps its inner spacing.
func nextWord(s string) (word, rest string) {
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// parseStats reads "[team] [7d]" in either order.
func parseStats(c *Command, rest string) error {
	c.Days = 7
	fields := strings.Fields(rest)
	if len(fields) > 2 {
		return usagef("stats takes a team and a number of days: `stats care 7d`")
	}
	for _, f := range fields {
		if d, ok := strings.CutSuffix(strings.ToLower(f), "d"); ok {
			if n, err := strconv.Atoi(d); err == nil {
				if n < 1 || n > 365 {
					return usagef("stats covers 1 to 365 days, not %d", n)
				}
				c.Days = n
				continue
			}
		}
		if c.Team != "" {
			return usagef("stats takes one team, not %q and %q", Clip(c.Team, 40), Clip(f, 40))
		}
		c.Team = f
	}
	return nil
}

// Request is the action a command asks for, by actor ("slack:U123",
// "discord:4242") on surface. Surfaces whose events are signed by the
// platform vouch for the actor.
func (c Command) Request(actor, surface string) bot.ActionRequest {
	r := bot.ActionRequest{
		CaseID:   c.CaseID,
		Kind:     verbs[c.Verb],
		Actor:    actor,
		Surface:  surface,
		Text:     c.Text,
		Verified: true,
		Reason:   c.Reason,
		Mute:     c.Mute,
	}
	if c.Verb == "send" {
		r.Suggestion, r.Text = c.Rank, ""
	}
	return r
}
