package discordsurface

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/earshothq/earshot/bot"
)

var _ bot.Broadcaster = (*Surface)(nil)

// noteRetryAfter is how long a broadcast waits for its card to be posted.
const noteRetryAfter = 2 * time.Second

// Broadcast posts each page of an escalation in the team's escalation
// channel: who is paged (pinging exactly the users and roles the rules
// name), why, the customer's words, a link to the card and an Acknowledge
// button. Other events, and teams without an escalation channel, post
// nothing.
func (s *Surface) Broadcast(ctx context.Context, card bot.Card, ref string, ev bot.Event) error {
	channel := card.Team.Discord.EscalationChannel
	if ev.Kind != bot.EventPaged || channel == "" {
		return nil
	}
	p, ok := bot.ParsePage(ev.Text)
	if !ok {
		return bot.Permanent(fmt.Errorf("discord: event %d of case %d is not a page: %q", ev.ID, card.Case.ID, clip(ev.Text, 80)))
	}
	switch {
	case bot.IsStormRef(ref):
		ref = "" // counted on a storm card: no card of its own to link
	case ref == "" && card.Team.Discord.Channel != "":
		// The card is about to be posted; the link needs it.
		return &bot.RetryError{After: noteRetryAfter, Err: fmt.Errorf("discord: case %d has no card yet", card.Case.ID)}
	}
	content, paged, embed, comps := escalationMessage(card, p, s.cardLink(ctx, ref))
	if err := s.ready(ctx, channel, channel); err != nil {
		return err
	}
	_, err := s.dg.ChannelMessageSendComplex(channel, &discordgo.MessageSend{
		Content: content, Embeds: []*discordgo.MessageEmbed{embed}, Components: comps,
		AllowedMentions: paged.allowed(), StickerIDs: []string{},
	}, discordgo.WithContext(ctx))
	if err != nil {
		return s.mapErr(err, channel, channel, fmt.Sprintf("post the escalation of case %d", card.Case.ID))
	}
	return nil
}

// cardLink is the card message's address, or "" when it cannot be had: a
// message link names its server, which only a configured single server or
// the channel itself tells.
func (s *Surface) cardLink(ctx context.Context, ref string) string {
	ch, msg, err := splitRef(ref)
	if err != nil {
		return ""
	}
	guild := ""
	if len(s.guildList) == 1 {
		guild = s.guildList[0]
	} else if c, err := s.dg.Channel(ch, discordgo.WithContext(ctx)); err == nil && c != nil && snowflake(c.GuildID) {
		guild = c.GuildID
	}
	if guild == "" {
		return ""
	}
	return "https://discord.com/channels/" + guild + "/" + ch + "/" + msg
}

// escalationMessage is a page as posted in the escalation channel. The
// content carries the pings, which is what notifications show; the embed
// carries the customer's words, escaped like every card's.
func escalationMessage(card bot.Card, p bot.Page, link string) (string, pings, *discordgo.MessageEmbed, []discordgo.MessageComponent) {
	c := card.Case
	line, paged := pageLine(card.Team, p)
	content := "🚨 **Escalation** · " + escape(headline(c)) + "\n" + line
	if r := strings.TrimSpace(p.Reason); r != "" {
		content += "\n" + quote(r, 800)
	}
	if link != "" {
		content += "\n[Open the case card](<" + link + ">)"
	}
	e := &discordgo.MessageEmbed{
		Type:        discordgo.EmbedTypeRich,
		Title:       clip(headline(c), maxEmbedTitle),
		Description: quote(card.First.Text, 600),
		Color:       colourCritical,
		Author:      &discordgo.MessageEmbedAuthor{Name: clip(defang(authorLine(card)), maxAuthorName)},
		URL:         safeURL(firstNonEmpty(card.First.URL, c.URL)),
	}
	comps := []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{Label: "Acknowledge", Style: discordgo.PrimaryButton, CustomID: click{Kind: btnAck, Case: c.ID, Rev: c.Rev}.encode()},
	}}}
	return clipEscaped(content, maxContent), paged, e, comps
}

// pageLine is "Paging <@…>, carol · step 1 of 2", with the ids the rules
// name as pings and everything else as escaped text.
func pageLine(team bot.Team, p bot.Page) (string, pings) {
	who := "nobody (the team lists no one to page)"
	var paged pings
	if len(p.Notify) > 0 {
		who, paged = withPages(team, escape(strings.Join(p.Notify, ", ")))
	}
	s := "Paging " + who + " · step " + strconv.Itoa(p.Step) + " of " + strconv.Itoa(p.Steps)
	if p.Rounds > 1 {
		s += ", round " + strconv.Itoa(p.Round) + " of " + strconv.Itoa(p.Rounds)
	}
	return s, paged
}
