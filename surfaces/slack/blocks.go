package slacksurface

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/earshothq/earshot/bot"
	chat "github.com/earshothq/earshot/surfaces/command"
)

// maxShownSuggestions keeps a card far below Slack's 50 blocks.
const maxShownSuggestions = 10

// Text objects. Public text only ever goes into mrkdwn objects after
// escape/fit, and those are verbatim so Slack does not link bare names,
// channels or URLs in it either.
func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, true, false)
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, true)
}

// cardMessage renders a case as Block Kit blocks plus the top-level text
// Slack shows in notifications and where blocks cannot be shown.
func cardMessage(card bot.Card, now time.Time) ([]slack.Block, string) {
	c := card.Case
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(clip(headline(c), maxHeaderText))),
		slack.NewSectionBlock(mrkdwn(clipEscaped(authorLine(card), maxSectionText)), nil, nil, slack.SectionBlockOptionBlockID("earshot.author")),
		slack.NewSectionBlock(mrkdwn(quotePost(card.First, maxSectionText)), nil, nil, slack.SectionBlockOptionBlockID("earshot.text")),
		slack.NewContextBlock("earshot.labels", mrkdwn(clipEscaped(labelLine(c.Labels, c.Rules), maxContextText))),
		slack.NewContextBlock("earshot.state", mrkdwn(clipEscaped(stateLine(c, card.Team, now), maxContextText))),
	}
	if l := linksLine(card.Links); l != "" {
		blocks = append(blocks, slack.NewContextBlock("earshot.links", mrkdwn(clipEscaped(l, maxContextText))))
	}
	open := c.State.Open()
	shown := chat.ShownSuggestions(card)
	if len(shown) > 0 || (open && card.Drafts.Note != "") {
		blocks = append(blocks,
			slack.NewDividerBlock(),
			slack.NewSectionBlock(mrkdwn("*Drafted replies* · nothing is sent until someone clicks Send"), nil, nil, slack.SectionBlockOptionBlockID("earshot.drafts")))
		if line := draftsLine(card.Drafts); open && line != "" {
			blocks = append(blocks, slack.NewContextBlock("earshot.drafts.info", mrkdwn(clipEscaped(line, maxContextText))))
		}
		for i, s := range shown {
			if i == maxShownSuggestions {
				break
			}
			blocks = append(blocks, suggestionBlock(c, s))
		}
	}
	if actions := actionRow(card); actions != nil {
		blocks = append(blocks, actions)
	}
	return blocks, fallbackText(card)
}

// headline is the card's title: urgency, intent, platform and case number.
func headline(c bot.Case) string {
	intent := string(c.Labels.Intent)
	if intent == "" {
		intent = "mention"
	}
	platform := c.Platform
	if platform == "" {
		platform = "the web"
	}
	return fmt.Sprintf("%s %s on %s · case #%d", urgencyEmoji(c.Labels.Urgency), chat.Capitalize(intent), platform, c.ID)
}

func urgencyEmoji(u bot.Urgency) string {
	switch u {
	case bot.UrgencyCritical:
		return ":rotating_light:"
	case bot.UrgencyHigh:
		return ":red_circle:"
	case bot.UrgencyLow:
		return ":white_circle:"
	}
	return ":large_yellow_circle:"
}

// authorLine is who wrote the mention and how far they reach, escaped.
func authorLine(card bot.Card) string {
	a := card.First.Author
	if a.Handle == "" && a.Name == "" {
		a = card.Case.Customer
	}
	var parts []string
	switch {
	case a.Name != "" && a.Handle != "":
		parts = append(parts, "*"+fit(a.Name, 200)+"* "+fit("@"+strings.TrimPrefix(a.Handle, "@"), 200))
	case a.Handle != "":
		parts = append(parts, "*"+fit("@"+strings.TrimPrefix(a.Handle, "@"), 200)+"*")
	case a.Name != "":
		parts = append(parts, "*"+fit(a.Name, 200)+"*")
	default:
		parts = append(parts, "*someone*")
	}
	parts = append(parts, chat.Reach(a.Followers))
	if n := card.Case.Mentions; n > 1 {
		parts = append(parts, strconv.Itoa(n)+" posts in this conversation")
	}
	if u := safeURL(firstNonEmpty(card.First.URL, card.Case.URL)); u != "" {
		parts = append(parts, "<"+u+"|view post>")
	}
	return strings.Join(parts, " · ")
}

// quote renders public text as a block quote: every line starts with our
// own ">", and the text itself is escaped, so a line of the customer's that
// starts with ">" stays a literal character.
func quote(text string, limit int) string {
	text = strings.TrimSpace(text)
	if text == "" {
		return "_(no text)_"
	}
	lines := strings.Split(escape(text), "\n")
	out := "> " + strings.Join(lines, "\n> ")
	return clipEscaped(out, limit)
}

// stateLine is where the case stands and how long is left to answer, in
// the team's working time when it has business hours (the card is redrawn
// at each SLA reminder and at the breach, so the figure stays close).
func stateLine(c bot.Case, team bot.Team, now time.Time) string {
	s := "State: *" + strings.ReplaceAll(string(c.State), "_", " ") + "*"
	if c.Assignee != "" {
		s += " · claimed by " + who(c.Assignee)
	}
	if c.State.Open() && !c.DueAt.IsZero() {
		working := ""
		if team.Clock() != nil {
			working = " of working time"
		}
		if c.Overdue(now) {
			s += " · :warning: answer overdue by " + bot.Span(team.Left(now, c.DueAt)) + working + ", was due " + dateToken(c.DueAt)
		} else {
			s += " · answer due in " + bot.Span(team.Left(now, c.DueAt)) + working + ", " + dateToken(c.DueAt)
		}
	}
	return s + " · case #" + strconv.FormatInt(c.ID, 10) + " rev " + strconv.FormatInt(c.Rev, 10)
}

// dateToken shows t in each reader's own time zone; clients that cannot
// render it show the UTC fallback.
func dateToken(t time.Time) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} at {time}|%s>", t.Unix(), t.UTC().Format("2006-01-02 15:04 UTC"))
}

// draftsLine says who drafted the replies and anything the card must show
// about them: why the built-in drafter answered, drafts that were dropped,
// the model's reading. Model text is untrusted like the customer's: escaped.
func draftsLine(d bot.DraftInfo) string {
	var parts []string
	if d.Origin != "" && d.Origin != "builtin" {
		parts = append(parts, "by "+fit(d.Origin, 80))
	}
	if d.Instruction != "" {
		parts = append(parts, "asked: _"+fit(d.Instruction, 200)+"_")
	}
	if d.Summary != "" {
		parts = append(parts, "reads as: "+fit(d.Summary, 300))
	}
	if r := d.Reading; r != nil && (r.Intent != "" || r.Sentiment != "") {
		parts = append(parts, "model labels: "+fit(strings.Trim(string(r.Sentiment)+" "+string(r.Intent)+" "+string(r.Urgency), " "), 100))
	}
	if d.Note != "" {
		parts = append(parts, ":information_source: "+fit(d.Note, 600))
	}
	return strings.Join(parts, " · ")
}

// suggestionBlock shows one draft with its Send button. A draft too long to
// show whole gets no Send button: nobody approves words they cannot see.
func suggestionBlock(c bot.Case, s bot.Suggestion) slack.Block {
	head := "*" + strconv.Itoa(s.Rank) + ".*"
	if s.Approach != "" {
		head += " _" + fit(s.Approach, 60) + "_"
	}
	head += "  (" + strconv.Itoa(bot.Length(s.Text)) + "/" + strconv.Itoa(bot.ReplyLimit(c.Platform)) + ")\n"
	body := escape(s.Text)
	id := slack.SectionBlockOptionBlockID("earshot.draft." + strconv.Itoa(s.Rank))
	if units(head)+units(body) > maxSectionText {
		note := "\n_Too long to show here; open it in the web inbox._"
		text := head + clipEscaped(body, maxSectionText-units(head)-units(note)) + note
		return slack.NewSectionBlock(mrkdwn(text), nil, nil, id)
	}
	btn := slack.NewButtonBlockElement(actionSend+"."+strconv.Itoa(s.Rank),
		click{Case: c.ID, Rev: c.Rev, Rank: s.Rank, Hash: textHash(s.Text)}.encode(), plain("Send"))
	btn.Style = slack.StylePrimary
	return slack.NewSectionBlock(mrkdwn(head+body), nil, slack.NewAccessory(btn), id)
}

// actionRow is the card's buttons; a closed case has none but its link.
func actionRow(card bot.Card) slack.Block {
	c := card.Case
	base := click{Case: c.ID, Rev: c.Rev}
	var els []slack.BlockElement
	if c.State.Open() {
		edit := base
		if len(card.Suggestions) > 0 {
			edit.Rank, edit.Hash = card.Suggestions[0].Rank, textHash(card.Suggestions[0].Text)
		}
		// An escalated case pages people until someone acknowledges it.
		esc := slack.NewButtonBlockElement(actionEscalate, base.encode(), plain("Escalate"))
		esc.Style = slack.StyleDanger
		if c.State == bot.StateEscalated {
			esc = slack.NewButtonBlockElement(actionAck, base.encode(), plain("Acknowledge"))
			esc.Style = slack.StylePrimary
		}
		els = append(els,
			slack.NewButtonBlockElement(actionEdit, edit.encode(), plain("Edit & send")),
			esc,
			slack.NewButtonBlockElement(actionDefect, base.encode(), plain("File defect")),
			slack.NewButtonBlockElement(actionClaim, base.encode(), plain("Claim")),
			dismissMenu(base),
			slack.NewButtonBlockElement(actionRedraft, base.encode(), plain("Regenerate")),
		)
	} else {
		els = append(els, slack.NewButtonBlockElement(actionReopen, base.encode(), plain("Reopen")))
	}
	if u := buttonURL(firstNonEmpty(card.First.URL, c.URL)); u != "" {
		open := slack.NewButtonBlockElement(actionOpen, base.encode(), plain("Open post"))
		open.URL = u
		els = append(els, open)
	}
	if len(els) == 0 {
		return nil
	}
	return slack.NewActionBlock("earshot.actions", els...)
}

// fallbackText is the message's top-level text: notifications show it.
func fallbackText(card bot.Card) string {
	c := card.Case
	a := card.First.Author
	from := a.Handle
	if from == "" {
		from = a.Name
	}
	s := fmt.Sprintf("Case #%d: %s on %s", c.ID, firstNonEmpty(string(c.Labels.Intent), "mention"), firstNonEmpty(c.Platform, "the web"))
	if from != "" {
		s += " from " + fit("@"+strings.TrimPrefix(from, "@"), 100)
	}
	text := postLine(card.First)
	return clipEscaped(s+": "+fit(text, 300), maxFallback)
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// labelLine is what classification said, escaped (product and problem are
// words from the mention).
func labelLine(l bot.Labels, rules []string) string {
	return chat.LabelLine(l, rules, func(s string) string { return "*" + s + "*" }, fit)
}
