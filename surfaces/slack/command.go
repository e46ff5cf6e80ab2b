package slacksurface

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/routing"
)

// command is one parsed "/earshot …" (or "@earshot …" in a card's thread).
type command struct {
	Verb   string
	CaseID int64 // 0 when not given: implied by the thread, or missing
	Text   string
	Rank   int           // send: the suggestion
	For    time.Duration // mute: how long, 0 for good
	Team   string        // stats
	Days   int           // stats
}

// usageError is a mistake in what the person typed; it is shown to them.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// verbs maps what people type to the action it asks for; an empty kind is
// a command that is not an action.
var verbs = map[string]bot.ActionKind{
	"help":        "",
	"route-test":  "",
	"stats":       "",
	"reply":       bot.ActReply,
	"send":        bot.ActReply,
	"escalate":    bot.ActEscalate,
	"defect":      bot.ActDefect,
	"claim":       bot.ActClaim,
	"ack":         bot.ActAck,
	"acknowledge": bot.ActAck,
	"dismiss":     bot.ActDismiss,
	"resolve":     bot.ActResolve,
	"mute":        bot.ActMute,
	"regenerate":  bot.ActRegenerate,
	"redraft":     bot.ActRegenerate,
}

// maxCommandText bounds what we parse; Slack itself sends at most a few KB.
const maxCommandText = 12000

// parseCommand reads the text after the command name. Text the person
// writes (a reply, a note, a title) is kept as typed, spacing and lines
// included; only the words around it are normalised.
func parseCommand(text string) (command, error) {
	if len(text) > maxCommandText {
		return command{}, usagef("that is %d bytes; keep it under %d", len(text), maxCommandText)
	}
	rest := strings.TrimSpace(text)
	var c command
	// "#123 dismiss" reads as well as "dismiss #123".
	if id, after, ok, err := caseToken(rest); err != nil {
		return command{}, err
	} else if ok {
		c.CaseID, rest = id, after
	}
	word, rest := nextWord(rest)
	c.Verb = strings.ToLower(word)
	if c.Verb == "" {
		c.Verb = "help"
	}
	if _, ok := verbs[c.Verb]; !ok {
		return command{}, usagef("unknown command %q; try `help`", clip(word, 40))
	}
	switch c.Verb {
	case "acknowledge":
		c.Verb = "ack"
	case "redraft":
		c.Verb = "regenerate"
	}
	if verbs[c.Verb] != "" && c.CaseID == 0 {
		id, after, ok, err := caseToken(rest)
		if err != nil {
			return command{}, err
		}
		if ok {
			c.CaseID, rest = id, after
		}
	} else if c.CaseID != 0 && verbs[c.Verb] == "" {
		return command{}, usagef("%s does not take a case number", c.Verb)
	}
	switch c.Verb {
	case "help":
	case "reply":
		if c.Text = rest; c.Text == "" {
			return command{}, usagef("reply needs the text to send: `reply #123 Thanks for telling us…`")
		}
	case "send":
		n, err := strconv.Atoi(rest)
		if err != nil || n < 1 || n > 99 {
			return command{}, usagef("send needs the number of a drafted reply: `send #123 2`")
		}
		c.Rank = n
	case "escalate", "defect":
		c.Text = rest
	case "regenerate":
		// What follows is an instruction for the drafter ("shorter").
		if c.Text = rest; bot.Length(c.Text) > maxInstruction {
			return command{}, usagef("an instruction is at most %d characters", maxInstruction)
		}
	case "claim", "ack", "dismiss", "resolve":
		if rest != "" {
			return command{}, usagef("%s takes only a case number, like `%s #123`", c.Verb, c.Verb)
		}
	case "mute":
		if err := parseMute(&c, rest); err != nil {
			return command{}, err
		}
	case "route-test":
		if c.Text = rest; c.Text == "" {
			return command{}, usagef("route-test needs a sample post: `route-test my order never arrived`")
		}
	case "stats":
		if err := parseStats(&c, rest); err != nil {
			return command{}, err
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
		return 0, s, false, usagef("%q is not a case number; write it like #123", clip(word, 40))
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

// parseMute reads "author|term <x> [for 24h]".
func parseMute(c *command, rest string) error {
	kind, rest := nextWord(rest)
	kind = strings.ToLower(kind)
	if kind != "author" && kind != "term" {
		return usagef("mute needs what to mute: `mute #123 author @someone for 24h` or `mute #123 term giveaway`")
	}
	fields := strings.Fields(rest)
	if n := len(fields); n >= 2 && strings.EqualFold(fields[n-2], "for") {
		d, err := parseSpan(fields[n-1])
		if err != nil {
			return err
		}
		c.For = d
		fields = fields[:n-2]
	}
	what := strings.Join(fields, " ")
	if what == "" {
		return usagef("mute %s needs the %s to mute", kind, kind)
	}
	if kind == "author" && len(fields) > 1 {
		return usagef("mute author takes one handle, not %q", clip(what, 60))
	}
	c.Text = kind + " " + what
	if c.For > 0 {
		c.Text += " for " + formatSpan(c.For)
	}
	return nil
}

// parseSpan reads "30m", "24h", "7d" or "2w", up to a year.
func parseSpan(s string) (time.Duration, error) {
	bad := usagef("%q is not a duration; use 30m, 24h, 7d or 2w", clip(s, 20))
	if len(s) < 2 {
		return 0, bad
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 {
		return 0, bad
	}
	unit := map[byte]time.Duration{'m': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[len(s)-1]]
	if unit == 0 {
		return 0, bad
	}
	const year = 365 * 24 * time.Hour
	if int64(n) > int64(year/unit) {
		return 0, usagef("%q is longer than a year", clip(s, 20))
	}
	return time.Duration(n) * unit, nil
}

func formatSpan(d time.Duration) string {
	switch {
	case d%(7*24*time.Hour) == 0:
		return strconv.FormatInt(int64(d/(7*24*time.Hour)), 10) + "w"
	case d%(24*time.Hour) == 0:
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	}
	return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
}

// parseStats reads "[team] [7d]" in either order.
func parseStats(c *command, rest string) error {
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
			return usagef("stats takes one team, not %q and %q", clip(c.Team, 40), clip(f, 40))
		}
		c.Team = f
	}
	return nil
}

// request is the action a command asks for.
func (c command) request(user string) bot.ActionRequest {
	r := bot.ActionRequest{
		CaseID:   c.CaseID,
		Kind:     verbs[c.Verb],
		Actor:    "slack:" + user,
		Surface:  Name,
		Text:     c.Text,
		Verified: true,
	}
	if c.Verb == "send" {
		r.Suggestion, r.Text = c.Rank, ""
	}
	return r
}

// helpText is the answer to "/earshot help", with the reactions in force.
func helpText(cmd string, reactions map[string]routing.Reaction) string {
	names := slices.Sorted(maps.Keys(reactions))
	var rs []string
	for _, n := range names {
		rs = append(rs, ":"+n+": "+reactions[n].String())
	}
	lines := []string{
		"*earshot* acts on the case cards in this channel.",
		"• `" + cmd + " reply #123 <text>`: send your own reply (public, in the brand's name)",
		"• `" + cmd + " send #123 2`: send drafted reply 2",
		"• `" + cmd + " escalate #123 [note]`: start the team's escalation policy (it pages until someone acks)",
		"• `" + cmd + " defect #123 [title]`: file a product defect",
		"• `" + cmd + " regenerate #123 [instruction]`: draft the replies again, e.g. `regenerate #123 shorter`",
		"• `" + cmd + " claim #123`, `ack #123`, `dismiss #123`, `resolve #123`",
		"• `" + cmd + " mute #123 author|term <x> [for 24h]`: dismiss and mute",
		"• `" + cmd + " route-test <text>`: which rules and team a post would reach",
		"• `" + cmd + " stats [team] [7d]`: how the team is doing",
		"Slash commands cannot be used in threads: in a card's thread, mention the app instead (`@earshot dismiss`) and the case is implied.",
	}
	if len(rs) > 0 {
		lines = append(lines, "Reactions on a card: "+strings.Join(rs, ", "))
	}
	return strings.Join(lines, "\n")
}
