package discordsurface

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/surfaces/command"
)

// maxShownSuggestions: one Send button each, and the Edit button, fill the
// first row of five.
const maxShownSuggestions = 4

// maxQuote bounds the customer's words on the card; the web inbox has the
// whole post.
const maxQuote = 1800

// Embed colours by urgency; closed cases are grey.
const (
	colourCritical = 0xD83C3E
	colourHigh     = 0xE67E22
	colourNormal   = 0xF1C40F
	colourLow      = 0x95A5A6
	colourClosed   = 0x4F545C
)

// cardMessage renders a case: one line of our own words as the message's
// content (what notifications show), one embed with the post, labels,
// state and drafts, and the buttons.
func cardMessage(card bot.Card, now time.Time) (string, *discordgo.MessageEmbed, []discordgo.MessageComponent) {
	c := card.Case
	e := &discordgo.MessageEmbed{
		Type:   discordgo.EmbedTypeRich,
		Title:  clip(headline(c), maxEmbedTitle),
		URL:    safeURL(firstNonEmpty(card.First.URL, c.URL)),
		Color:  colour(c),
		Author: &discordgo.MessageEmbedAuthor{Name: clip(defang(authorLine(card)), maxAuthorName)},
		Footer: &discordgo.MessageEmbedFooter{Text: fmt.Sprintf("earshot · case #%d rev %d · team %s", c.ID, c.Rev, clip(card.Team.Name, 100))},
	}
	if !card.First.CreatedAt.IsZero() {
		e.Timestamp = card.First.CreatedAt.UTC().Format(time.RFC3339)
	}
	e.Fields = append(e.Fields,
		&discordgo.MessageEmbedField{Name: "Labels", Value: clipEscaped(labelLine(c.Labels, c.Rules), maxFieldValue)},
		&discordgo.MessageEmbedField{Name: "State", Value: clipEscaped(stateLine(c, now), maxFieldValue)},
	)
	shown := command.ShownSuggestions(card)
	if len(shown) > 0 || (c.State.Open() && card.Drafts.Note != "") {
		if line := draftsLine(card.Drafts); line != "" {
			e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Drafted replies", Value: clipEscaped(line, maxFieldValue)})
		}
		for i, s := range shown {
			if i == maxShownSuggestions {
				break
			}
			e.Fields = append(e.Fields, suggestionField(c, s))
		}
	}
	// The quote gets what the 6,000-character budget of an embed leaves.
	room := maxEmbedsTotal - embedSize(e) - 10
	e.Description = quotePost(card.First, max(0, min(maxQuote, maxEmbedDesc, room)))
	content := clip(fmt.Sprintf("%s **%s** on %s · case #%d", urgencyEmoji(c.Labels.Urgency),
		command.Capitalize(firstNonEmpty(string(c.Labels.Intent), "mention")), escape(firstNonEmpty(c.Platform, "the web")), c.ID), maxContent)
	return content, e, components(card)
}

// embedSize is what Discord counts towards an embed's 6,000 characters.
func embedSize(e *discordgo.MessageEmbed) int {
	n := units(e.Title) + units(e.Description)
	if e.Author != nil {
		n += units(e.Author.Name)
	}
	if e.Footer != nil {
		n += units(e.Footer.Text)
	}
	for _, f := range e.Fields {
		n += units(f.Name) + units(f.Value)
	}
	return n
}

func colour(c bot.Case) int {
	if !c.State.Open() {
		return colourClosed
	}
	switch c.Labels.Urgency {
	case bot.UrgencyCritical:
		return colourCritical
	case bot.UrgencyHigh:
		return colourHigh
	case bot.UrgencyLow:
		return colourLow
	}
	return colourNormal
}

// headline is the embed's title (plain text: titles are not parsed for
// mentions or links).
func headline(c bot.Case) string {
	return fmt.Sprintf("%s on %s · case #%d", command.Capitalize(firstNonEmpty(string(c.Labels.Intent), "mention")),
		firstNonEmpty(c.Platform, "the web"), c.ID)
}

func urgencyEmoji(u bot.Urgency) string {
	switch u {
	case bot.UrgencyCritical:
		return "🚨"
	case bot.UrgencyHigh:
		return "🔴"
	case bot.UrgencyLow:
		return "⚪"
	}
	return "🟡"
}

// authorLine is who wrote the mention and how far they reach. It goes in
// the embed's author name, which Discord shows as plain text.
func authorLine(card bot.Card) string {
	a := card.First.Author
	if a.Handle == "" && a.Name == "" {
		a = card.Case.Customer
	}
	parts := []string{oneLine(a.Display()), command.Reach(a.Followers)}
	if n := card.Case.Mentions; n > 1 {
		parts = append(parts, strconv.Itoa(n)+" posts in this conversation")
	}
	return strings.Join(parts, " · ")
}

// stateLine is where the case stands and when an answer is due, in each
// reader's own time zone (Discord's <t:…> timestamps).
func stateLine(c bot.Case, now time.Time) string {
	s := "**" + command.Capitalize(string(c.State)) + "**"
	if c.Assignee != "" {
		s += " · claimed by " + who(c.Assignee)
	}
	if c.State.Open() && !c.DueAt.IsZero() {
		if c.Overdue(now) {
			s += " · ⚠️ answer overdue since " + timestamp(c.DueAt)
		} else {
			s += " · answer due " + timestamp(c.DueAt)
		}
	}
	return s
}

func timestamp(t time.Time) string {
	u := strconv.FormatInt(t.Unix(), 10)
	return "<t:" + u + ":t> (<t:" + u + ":R>)"
}

// draftsLine says who drafted the replies and anything the card must show
// about them. Model text is untrusted like the customer's: escaped.
func draftsLine(d bot.DraftInfo) string {
	parts := []string{"nothing is sent until someone clicks Send"}
	if d.Origin != "" && d.Origin != "builtin" {
		parts = append(parts, "by "+fit(d.Origin, 80))
	}
	if d.Instruction != "" {
		parts = append(parts, "asked: *"+fit(d.Instruction, 200)+"*")
	}
	if d.Summary != "" {
		parts = append(parts, "reads as: "+fit(d.Summary, 300))
	}
	if r := d.Reading; r != nil && (r.Intent != "" || r.Sentiment != "") {
		parts = append(parts, "model labels: "+fit(strings.Trim(string(r.Sentiment)+" "+string(r.Intent)+" "+string(r.Urgency), " "), 100))
	}
	if d.Note != "" {
		parts = append(parts, "ℹ️ "+fit(d.Note, 400))
	}
	return strings.Join(parts, " · ")
}

// suggestionField shows one draft. A draft too long to show whole gets no
// Send button (see components): nobody approves words they cannot see.
func suggestionField(c bot.Case, s bot.Suggestion) *discordgo.MessageEmbedField {
	name := strconv.Itoa(s.Rank) + "."
	if s.Approach != "" {
		name += " " + fit(oneLine(s.Approach), 60)
	}
	name += " (" + strconv.Itoa(bot.Length(s.Text)) + "/" + strconv.Itoa(bot.ReplyLimit(c.Platform)) + ")"
	value := escape(s.Text)
	if !shownWhole(s) {
		note := "\n*Too long to show here; open it in the web inbox.*"
		value = clipEscaped(value, maxFieldValue-units(note)) + note
	}
	return &discordgo.MessageEmbedField{Name: name, Value: value}
}

func shownWhole(s bot.Suggestion) bool { return units(escape(s.Text)) <= maxFieldValue }

// components are the card's controls. An open case: Send per draft shown
// whole and Edit & send; Escalate (Acknowledge once escalated), File
// defect, Claim, Regenerate; a Dismiss menu whose choice is the reason (so
// it is never skipped and costs no extra click). A closed case: Send for a
// thank-you gesture, if one is drafted, and Reopen. Both link to the post.
func components(card bot.Card) []discordgo.MessageComponent {
	c := card.Case
	base := click{Case: c.ID, Rev: c.Rev}
	with := func(kind string) string { b := base; b.Kind = kind; return b.encode() }
	var send []discordgo.MessageComponent
	for i, s := range command.ShownSuggestions(card) {
		if i == maxShownSuggestions {
			break
		}
		if !shownWhole(s) {
			continue
		}
		id := click{Kind: btnSend, Case: c.ID, Rev: c.Rev, Rank: s.Rank, Hash: textHash(s.Text)}.encode()
		send = append(send, discordgo.Button{Label: "Send " + strconv.Itoa(s.Rank), Style: discordgo.SuccessButton, CustomID: id})
	}
	var rows []discordgo.MessageComponent
	if c.State.Open() {
		send = append(send, discordgo.Button{Label: "Edit & send", Style: discordgo.SecondaryButton, CustomID: with(btnEdit)})
		rows = append(rows, discordgo.ActionsRow{Components: send})
		first := discordgo.Button{Label: "Escalate", Style: discordgo.DangerButton, CustomID: with(btnEscalate)}
		if c.State == bot.StateEscalated {
			first = discordgo.Button{Label: "Acknowledge", Style: discordgo.PrimaryButton, CustomID: with(btnAck)}
		}
		rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			first,
			discordgo.Button{Label: "File defect", Style: discordgo.SecondaryButton, CustomID: with(btnDefect)},
			discordgo.Button{Label: "Claim", Style: discordgo.SecondaryButton, CustomID: with(btnClaim)},
			discordgo.Button{Label: "Regenerate", Style: discordgo.SecondaryButton, CustomID: with(btnRedraft)},
		}})
		rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{dismissMenu(with(btnDismiss))}})
	} else {
		send = append(send, discordgo.Button{Label: "Reopen", Style: discordgo.SecondaryButton, CustomID: with(btnReopen)})
		rows = append(rows, discordgo.ActionsRow{Components: send})
	}
	if u := safeURL(firstNonEmpty(card.First.URL, c.URL)); u != "" {
		rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "Open post", Style: discordgo.LinkButton, URL: u},
		}})
	}
	return rows
}

// dismissMenu offers the dismissal reasons; the one picked comes back in
// the interaction's values.
func dismissMenu(customID string) discordgo.SelectMenu {
	opts := make([]discordgo.SelectMenuOption, 0, len(command.DismissReasons))
	for _, r := range command.DismissReasons {
		opts = append(opts, discordgo.SelectMenuOption{Label: r.Label, Value: string(r.Reason)})
	}
	one := 1
	return discordgo.SelectMenu{MenuType: discordgo.StringSelectMenu, CustomID: customID, Placeholder: "Dismiss as…",
		MinValues: &one, MaxValues: 1, Options: opts}
}

// stormMessage renders a storm card. Authors and texts are public and
// escaped like every card's.
func stormMessage(c bot.StormCard, now time.Time) (string, *discordgo.MessageEmbed) {
	title := fmt.Sprintf("🌩️ %d new cases for %s since %s", c.Count, c.Team.Name, c.Since.UTC().Format("15:04 MST"))
	colour := colourCritical
	if c.Over {
		title = fmt.Sprintf("Storm over: %d cases for %s between %s and %s", c.Count, c.Team.Name,
			c.Since.UTC().Format("15:04"), now.UTC().Format("15:04 MST"))
		colour = colourClosed
	}
	e := &discordgo.MessageEmbed{Type: discordgo.EmbedTypeRich, Title: clip(title, maxEmbedTitle), Color: colour,
		Footer: &discordgo.MessageEmbedFooter{Text: "Every case is in the web inbox. Act on one here with /earshot reply, dismiss or escalate and its case number."}}
	if len(c.Authors) > 0 {
		var parts []string
		for _, a := range c.Authors {
			parts = append(parts, fit(oneLine(a.Author.Display()), 100)+" ("+strconv.Itoa(a.Cases)+", "+command.Reach(a.Author.Followers)+")")
		}
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Top authors", Value: clipEscaped(strings.Join(parts, " · "), maxFieldValue)})
	}
	if len(c.Samples) > 0 {
		var lines []string
		for i := len(c.Samples) - 1; i >= 0; i-- {
			sm := c.Samples[i]
			lines = append(lines, "**#"+strconv.FormatInt(sm.CaseID, 10)+"** "+fit(oneLine(sm.First.Author.Display()), 100)+": "+fit(postLine(sm.First), 300))
		}
		e.Description = clipEscaped(strings.Join(lines, "\n"), 3000)
	}
	content := fmt.Sprintf("🌩️ Storm: %d new cases for %s", c.Count, escape(c.Team.Name))
	if c.Over {
		content = fmt.Sprintf("Storm over: %d cases for %s", c.Count, escape(c.Team.Name))
	}
	return clip(content, maxContent), e
}

// labelLine is what classification said, escaped (product and problem are
// words from the mention).
func labelLine(l bot.Labels, rules []string) string {
	return command.LabelLine(l, rules, func(s string) string { return "**" + s + "**" }, fit)
}
