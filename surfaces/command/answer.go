package command

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/handlers"
)

// Verdict is how a person's request went, as the person is told.
type Verdict int

const (
	// Taken: the action is claimed; its job does it and the card shows it.
	Taken Verdict = iota
	// Refused: the person may not act on the team's cases.
	Refused
	// Invalid: the request names a bad value (a draft that does not exist,
	// text over the platform's limit).
	Invalid
	// NoCase: the case does not exist.
	NoCase
	// Duplicate: the same action was already done, or the case is already
	// where the action would put it.
	Duplicate
	// Broken: our failure (the store did not answer); nothing was recorded.
	Broken
)

// Answer is what to tell the person, in plain text: surfaces escape it for
// their markup and may add their own decoration.
type Answer struct {
	Verdict Verdict
	Text    string
}

// Outcome explains what the handlers made of req. Reasons come from the
// handlers and may quote values the person typed: they are plain text.
func Outcome(req bot.ActionRequest, a bot.Action, err error) Answer {
	what := fmt.Sprintf("%s case #%d", req.Kind, req.CaseID)
	var re *handlers.RequestError
	switch {
	case errors.Is(err, bot.ErrForbidden) || (err == nil && a.Status == bot.ActionDenied):
		reason := a.Result
		if reason == "" {
			reason = "only the team's members may act on its cases"
		}
		return Answer{Refused, "You can't " + what + ": " + reason + "."}
	case errors.As(err, &re):
		return Answer{Invalid, "Can't " + what + ": " + re.Msg + "."}
	case errors.Is(err, bot.ErrNotFound):
		return Answer{NoCase, fmt.Sprintf("Case #%d does not exist.", req.CaseID)}
	case err != nil:
		return Answer{Broken, fmt.Sprintf("Couldn't record %s on case #%d; try again in a moment.", req.Kind, req.CaseID)}
	case a.Status == bot.ActionSkipped:
		if a.Result != "" {
			return Answer{Duplicate, "Already done: " + a.Result + "."}
		}
		return Answer{Duplicate, "Already done: " + what + " was already taken care of."}
	}
	return Answer{Taken, fmt.Sprintf("%s on case #%d is under way; the card's thread will show it.", Capitalize(string(req.Kind)), req.CaseID)}
}

// HelpLine is one command in the help: its usage without the command's own
// name ("reply #123 <text>") and what it does.
type HelpLine struct{ Usage, What string }

// Help lists the commands, in the order people need them. Every chat
// surface shows these lines (Discord also takes each What as its
// subcommand's description, so the first clause reads on its own).
var Help = []HelpLine{
	{"reply #123 <text>", "send your own reply (public, in the brand's name)"},
	{"send #123 2", "send a drafted reply (2: the second)"},
	{"escalate #123 [note]", "start the team's escalation policy (it pages until someone acks)"},
	{"defect #123 [title]", "file a product defect"},
	{"regenerate #123 [instruction]", "draft the replies again, following an instruction such as \"shorter\""},
	{"claim #123", "claim the case: it is yours"},
	{"ack #123", "acknowledge an escalation: the paging stops"},
	{"dismiss #123 [spam|not-about-us|duplicate|other] [note]", "close it, saying why (kept for tuning the rules)"},
	{"resolve #123", "resolve the case: the conversation is over"},
	{"reopen #123 [note]", "put a closed case back in the queue"},
	{"mute #123 [24h|7d|30d|forever] [reason]", "dismiss and mute its author; or `mute author @x 24h`, `mute term \"giveaway\" 7d` (no case needed)"},
	{"unmute #123", "end a mute: the case's author, or `unmute author @x`, `unmute term \"giveaway\"`"},
	{"mutes", "list what is muted"},
	{"route-test <text>", "which rules and team a post would reach"},
	{"stats [team] [7d]", "how the team is doing"},
}

// Capitalize upper-cases the first letter and spells "_" as a space, for
// state and action names in sentences.
func Capitalize(s string) string {
	if s == "" {
		return s
	}
	s = strings.ReplaceAll(s, "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// Clip shortens s to at most n characters (runes), marking the cut with an
// ellipsis, for quoting what someone typed in an error message.
func Clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 1 {
		return "…"
	}
	i, count := 0, 0
	for i = range s {
		if count == n-1 {
			break
		}
		count++
	}
	return s[:i] + "…"
}
