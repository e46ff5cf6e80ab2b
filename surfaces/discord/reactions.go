package discordsurface

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/surfaces/command"
)

// shortcodes names Unicode emoji the way the rules file's reactions do
// (Slack's names), so one reactions map serves both surfaces. An emoji not
// listed here can be mapped by writing the emoji itself as the key.
var shortcodes = map[string]string{
	"👀": "eyes", "✅": "white_check_mark", "✔": "heavy_check_mark", "☑": "ballot_box_with_check",
	"1\u20e3": "one", "2\u20e3": "two", "3\u20e3": "three", "4\u20e3": "four", "5\u20e3": "five",
	"🚨": "rotating_light", "🐛": "bug", "🚫": "no_entry_sign", "⛔": "no_entry", "🏁": "checkered_flag",
	"👍": "+1", "👎": "-1", "❌": "x", "🔇": "mute", "🔕": "no_bell", "🙏": "pray", "⚠": "warning",
	"🔥": "fire", "👌": "ok_hand", "✋": "raised_hand", "💬": "speech_balloon", "🔄": "arrows_counterclockwise",
	"📣": "mega", "🆘": "sos", "🗑": "wastebasket", "⏳": "hourglass_flowing_sand", "🔔": "bell", "❤": "heart",
	"🎉": "tada", "⚡": "zap", "🚧": "construction", "📝": "memo", "🙋": "raising_hand", "🆗": "ok",
	"🔁": "repeat", "♻": "recycle", "🤖": "robot_face", "✍": "writing_hand", "🛑": "octagonal_sign",
}

// emojiOf is the Unicode emoji of a short name, for help.
var emojiOf = func() map[string]string {
	m := make(map[string]string, len(shortcodes))
	for e, name := range shortcodes {
		m[name] = e
	}
	return m
}()

// bare drops what varies within one emoji: the emoji presentation selector
// (U+FE0F) and skin tones.
func bare(s string) string {
	return strings.Map(func(r rune) rune {
		if r == 0xFE0F || (r >= 0x1F3FB && r <= 0x1F3FF) {
			return -1
		}
		return r
	}, s)
}

// reactionFor finds what an emoji does: a custom emoji by its name, a
// Unicode one as itself or by its short name.
func reactionFor(reactions map[string]routing.Reaction, e discordgo.Emoji) (routing.Reaction, string, bool) {
	if e.ID != "" {
		r, ok := reactions[e.Name]
		return r, e.Name, ok
	}
	emoji := bare(e.Name)
	if name, ok := shortcodes[emoji]; ok {
		if r, ok := reactions[name]; ok {
			return r, name, true
		}
	}
	for key, r := range reactions {
		if bare(key) == emoji {
			return r, key, true
		}
	}
	return routing.Reaction{}, emoji, false
}

// botUserID is our own user id: the gateway's READY says it; a bot's id is
// its application's otherwise.
func (s *Surface) botUserID() string {
	if st := s.dg.State; st != nil && st.User != nil && st.User.ID != "" {
		return st.User.ID
	}
	return s.appID
}

// onReaction turns an emoji on a card into the action the rules give it.
// A refusal or a failure is said in the card's thread, naming the person
// without pinging them: Discord has no private answer to a reaction.
func (s *Surface) onReaction(ctx context.Context, r *discordgo.MessageReactionAdd) {
	if r == nil || r.MessageReaction == nil || !snowflake(r.UserID) || r.UserID == s.botUserID() {
		return
	}
	if len(s.guilds) > 0 && !s.guilds[r.GuildID] {
		return
	}
	re, name, ok := reactionFor(s.reactions(), r.Emoji)
	if !ok {
		return
	}
	kind := bot.ActionKind(re.Action)
	if !kind.Valid() {
		s.log.Warn("discord: reaction maps to an unknown action", "reaction", name, "action", re.Action)
		return
	}
	ref := makeRef(r.ChannelID, r.MessageID)
	id, err := s.caseByRef(ctx, Name, ref)
	if errors.Is(err, bot.ErrNotFound) || (err == nil && id <= 0) {
		return // a reaction on some other message
	}
	if err != nil {
		s.log.Error("discord: find the case of a card", "ref", ref, "error", err)
		return
	}
	req := bot.ActionRequest{CaseID: id, Kind: kind, Actor: "discord:" + r.UserID, Surface: Name, Verified: true}
	if kind == bot.ActReply {
		req.Suggestion = max(re.Suggestion, 1)
	}
	card, err := s.card(ctx, id)
	if err != nil {
		s.log.Error("discord: load a case for a reaction", "case", id, "error", err)
		return
	}
	member := r.Member
	if member != nil && member.User == nil {
		member.User = &discordgo.User{ID: r.UserID}
	}
	req.Role = s.roleCheck(ctx, r.GuildID, member, card.Team)
	a, err := s.actions.Do(ctx, req)
	ans := command.Outcome(req, a, err)
	if ans.Verdict == command.Broken {
		s.log.Error("discord: action not recorded", "case", id, "kind", kind, "actor", req.Actor, "error", err)
	}
	switch ans.Verdict {
	case command.Taken, command.Duplicate:
		return // the card and its thread show it
	}
	note := decorate(ans) + " (" + who(req.Actor) + ", " + fit(name, 40) + ")"
	if err := s.say(ctx, r.ChannelID, r.MessageID, card, note); err != nil {
		s.log.Warn("discord: could not say why a reaction did nothing", "case", id, "error", err)
	}
}

// say posts one line of ours in a card's thread.
func (s *Surface) say(ctx context.Context, channel, message string, card bot.Card, text string) error {
	thread, err := s.thread(ctx, channel, message, card)
	if err != nil {
		return err
	}
	if err := s.ready(ctx, channel, thread); err != nil {
		return err
	}
	_, err = s.dg.ChannelMessageSendComplex(thread, &discordgo.MessageSend{
		Content: clipEscaped(text, maxContent), AllowedMentions: noPings(), Flags: discordgo.MessageFlagsSuppressEmbeds,
		Embeds: []*discordgo.MessageEmbed{}, Components: []discordgo.MessageComponent{}, StickerIDs: []string{},
	}, discordgo.WithContext(ctx))
	if err != nil {
		return s.mapErr(err, channel, thread, fmt.Sprintf("answer in the thread of case %d", card.Case.ID))
	}
	return nil
}

// decorate renders an answer for Discord: escaped, with an emoji for how
// it went.
func decorate(a command.Answer) string {
	mark := map[command.Verdict]string{
		command.Taken: "👌 ", command.Refused: "⛔ ", command.Invalid: "⚠️ ", command.NoCase: "",
		command.Duplicate: "☑️ ", command.Broken: "⚠️ ",
	}[a.Verdict]
	return mark + escape(a.Text)
}
