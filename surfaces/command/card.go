package command

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rivo/uniseg"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/handlers"
)

// Reach shows a follower count compactly on a chat card: "950 followers",
// "12.3k followers", "1.2M followers".
func Reach(n int) string {
	switch {
	case n <= 0:
		return "followers unknown"
	case n == 1:
		return "1 follower"
	case n < 1000:
		return strconv.Itoa(n) + " followers"
	case n < 1_000_000:
		return strings.TrimSuffix(strconv.FormatFloat(float64(n)/1000, 'f', 1, 64), ".0") + "k followers"
	}
	return strings.TrimSuffix(strconv.FormatFloat(float64(n)/1_000_000, 'f', 1, 64), ".0") + "M followers"
}

// LabelLine is what classification said, for a chat card. The surface
// gives its own bold markup and its own fit, which escapes and clips the
// words that come from the mention (product, problem) and rule names.
func LabelLine(l bot.Labels, rules []string, bold func(string) string, fit func(s string, limit int) string) string {
	var parts []string
	// Sentiment, intent and urgency are the classifier's own words.
	if l.Sentiment != "" {
		parts = append(parts, fmt.Sprintf("%s (%+.2f)", l.Sentiment, l.Score))
	}
	if l.Intent != "" {
		parts = append(parts, string(l.Intent))
	}
	if l.Urgency != "" {
		u := "urgency " + bold(string(l.Urgency))
		if l.Pressing {
			u += " (pressing)"
		}
		parts = append(parts, u)
	}
	if l.Product != "" {
		parts = append(parts, "product: "+fit(l.Product, 200))
	}
	if l.Problem != "" {
		parts = append(parts, "problem: "+fit(l.Problem, 300))
	}
	if len(rules) > 0 {
		parts = append(parts, "rules: "+fit(strings.Join(rules, ", "), 300))
	}
	if len(parts) == 0 {
		return "not classified"
	}
	return strings.Join(parts, " · ")
}

// ShownSuggestions are the drafts a card shows: all of them while the case
// is open; once it is closed only a thank-you gesture, which is offered
// after a resolution.
func ShownSuggestions(card bot.Card) []bot.Suggestion {
	if card.Case.State.Open() {
		return card.Suggestions
	}
	var out []bot.Suggestion
	for _, s := range card.Suggestions {
		if s.Approach == handlers.ApproachDelight {
			out = append(out, s)
		}
	}
	return out
}

// DismissReasons are the Dismiss menu's choices, in bot.DismissReasons
// order, with their labels.
var DismissReasons = []struct {
	Reason bot.DismissReason
	Label  string
}{
	{bot.ReasonSpam, "Spam"},
	{bot.ReasonNotAboutUs, "Not about us"},
	{bot.ReasonDuplicate, "Duplicate"},
	{bot.ReasonOther, "Other"},
}

// Prefix is the longest run of whole user-perceived characters at the
// start of s that fits budget, counted in the platform's units (Slack and
// Discord count limits differently). Surfaces add their ellipsis and
// mend a cut escape themselves.
func Prefix(s string, budget int, units func(string) int) string {
	used, end := 0, 0
	g := uniseg.NewGraphemes(s)
	for g.Next() {
		n := units(g.Str())
		if used+n > budget {
			break
		}
		used += n
		_, end = g.Positions()
	}
	return s[:end]
}
