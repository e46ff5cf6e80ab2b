package slacksurface

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/earshothq/earshot/bot"
)

var _ bot.Broadcaster = (*Surface)(nil)

// pageMention renders one paged identity. A Slack user or user group that
// the team's rules name becomes a live mention, so the person is notified;
// anything else (a plain name, a Discord id, an id the rules do not hold)
// stays text. Public text never reaches this: pages are written by earshot
// from the rules file.
func pageMention(team bot.Team, id string) string {
	if team.Pageable(id) {
		if g, ok := strings.CutPrefix(id, "slack:subteam:"); ok && groupID(g) {
			return "<!subteam^" + g + ">"
		}
		if u, ok := strings.CutPrefix(id, "slack:"); ok && userID(u) {
			return "<@" + u + ">"
		}
	}
	return escape(id)
}

// pageLine is "Paging <@U…>, carol · step 1 of 2".
func pageLine(team bot.Team, p bot.Page) string {
	who := "nobody (the team lists no one to page)"
	if len(p.Notify) > 0 {
		names := make([]string, len(p.Notify))
		for i, id := range p.Notify {
			names[i] = pageMention(team, id)
		}
		who = strings.Join(names, ", ")
	}
	s := "Paging " + who + " · step " + strconv.Itoa(p.Step) + " of " + strconv.Itoa(p.Steps)
	if p.Rounds > 1 {
		s += ", round " + strconv.Itoa(p.Round) + " of " + strconv.Itoa(p.Rounds)
	}
	return s
}

// Broadcast posts each page of an escalation in the team's escalation
// channel: who is paged (as live mentions), why, a link to the card and an
// Acknowledge button. Other events, and teams without an escalation
// channel, post nothing.
func (s *Surface) Broadcast(ctx context.Context, card bot.Card, ref string, ev bot.Event) error {
	channel := card.Team.Slack.EscalationChannel
	if ev.Kind != bot.EventPaged || channel == "" {
		return nil
	}
	p, ok := bot.ParsePage(ev.Text)
	if !ok {
		return bot.Permanent(fmt.Errorf("slack: event %d of case %d is not a page: %q", ev.ID, card.Case.ID, clip(ev.Text, 80)))
	}
	switch {
	case bot.IsStormRef(ref):
		ref = "" // counted on a storm card: no card of its own to link
	case ref == "" && card.Team.Slack.Channel != "":
		// The card is about to be posted; the link needs it.
		return &bot.RetryError{After: noteRetryAfter, Err: fmt.Errorf("slack: case %d has no card yet", card.Case.ID)}
	}
	link, err := s.permalink(ctx, ref)
	if err != nil {
		return err
	}
	blocks, text := escalationMessage(card, p, link)
	_, err = s.show(ctx, channel, "", msgOptions(text, blocks), fmt.Sprintf("escalation of case %d", card.Case.ID), false)
	return err
}

// noteRetryAfter is how long a broadcast waits for its card to be posted,
// as the bot's thread notes do.
const noteRetryAfter = 2 * time.Second

// permalink is the card's address in Slack, or "" when it cannot be had
// (no card, deleted): the escalation is posted without the link then.
func (s *Surface) permalink(ctx context.Context, ref string) (string, error) {
	if ref == "" {
		return "", nil
	}
	ch, ts, err := splitRef(ref)
	if err != nil {
		return "", nil
	}
	u, err := s.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: ch, Ts: ts})
	if err != nil {
		if code := slackError(err); code == "message_not_found" || code == "channel_not_found" {
			s.log.Warn("slack: no permalink for a card; posting the escalation without it", "ref", ref, "code", code)
			return "", nil
		}
		return "", s.mapErr(err, ch, "get the card's permalink")
	}
	return safeURL(u), nil
}

// escalationMessage is a page as posted in the escalation channel. The top
// level text carries the mentions too: it is what notifications show.
func escalationMessage(card bot.Card, p bot.Page, link string) ([]slack.Block, string) {
	c := card.Case
	head := ":rotating_light: *Escalation* · " + fit(headline(c), 200)
	line := pageLine(card.Team, p)
	body := head + "\n" + line
	if r := strings.TrimSpace(p.Reason); r != "" {
		body += "\n" + quote(r, 1500)
	}
	if link != "" {
		body += "\n<" + link + "|Open the case card>"
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn(clipEscaped(body, maxSectionText)), nil, nil, slack.SectionBlockOptionBlockID("earshot.escalation")),
		slack.NewContextBlock("earshot.customer", mrkdwn(clipEscaped(authorLine(card)+"\n"+quotePost(card.First, 600), maxContextText))),
	}
	ack := slack.NewButtonBlockElement(actionAck, click{Case: c.ID, Rev: c.Rev}.encode(), plain("Acknowledge"))
	ack.Style = slack.StylePrimary
	blocks = append(blocks, slack.NewActionBlock("earshot.escalation.actions", ack))
	text := clipEscaped(fmt.Sprintf("Escalation of case #%d: %s", c.ID, line), maxFallback)
	return blocks, text
}
