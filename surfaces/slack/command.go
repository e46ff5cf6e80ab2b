package slacksurface

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/routing"
)

// command is one parsed "/earshot …" (or "@earshot …" in a card's thread).
type command struct {
	Verb   string
	CaseID int64 // 0 when not given: implied by the thread, or missing
	Text   string
	Rank   int    // send: the suggestion
	Team   string // stats
	Days   int    // stats
	// Reason is a dismissal's; Mute what a mute or unmute names.
	Reason bot.DismissReason
	Mute   *bot.MuteSpec
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
	"reopen":      bot.ActReopen,
	"unmute":      "",
	"mutes":       "",
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
	takesCase := verbs[c.Verb] != "" || c.Verb == "unmute"
	if takesCase && c.CaseID == 0 {
		id, after, ok, err := caseToken(rest)
		if err != nil {
			return command{}, err
		}
		if ok {
			c.CaseID, rest = id, after
		}
	} else if c.CaseID != 0 && !takesCase {
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
	case "claim", "ack", "resolve", "mutes":
		if rest != "" {
			if c.Verb == "mutes" {
				return command{}, usagef("mutes takes nothing more: it lists what is muted")
			}
			return command{}, usagef("%s takes only a case number, like `%s #123`", c.Verb, c.Verb)
		}
	case "dismiss":
		if err := parseDismiss(&c, rest); err != nil {
			return command{}, err
		}
	case "reopen":
		c.Text = rest
	case "mute":
		if err := parseMute(&c, rest); err != nil {
			return command{}, err
		}
	case "unmute":
		if err := parseUnmute(&c, rest); err != nil {
			return command{}, err
		}
		if c.CaseID != 0 && c.namesWhat() {
			return command{}, usagef("unmute takes a case or what to unmute, not both")
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
		Reason:   c.Reason,
		Mute:     c.Mute,
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
		"• `" + cmd + " claim #123`, `ack #123`, `resolve #123`, `reopen #123`",
		"• `" + cmd + " dismiss #123 [spam|not-about-us|duplicate|other] [note]`: close it, saying why (kept for tuning the rules)",
		"• `" + cmd + " mute #123 [7d|24h|30d|forever] [reason]`: dismiss and mute its author; `mute #123 author @x 24h`, `mute term \"giveaway\" 24h` (no case: a term or author only)",
		"• `" + cmd + " unmute #123`, `unmute author @x`, `unmute term \"giveaway\"`, `mutes`: end mutes, list them",
		"• `" + cmd + " route-test <text>`: which rules and team a post would reach",
		"• `" + cmd + " stats [team] [7d]`: how the team is doing",
		"Slash commands cannot be used in threads: in a card's thread, mention the app instead (`@earshot dismiss`) and the case is implied.",
	}
	if len(rs) > 0 {
		lines = append(lines, "Reactions on a card: "+strings.Join(rs, ", "))
	}
	return strings.Join(lines, "\n")
}
