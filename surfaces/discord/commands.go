package discordsurface

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/surfaces/command"
)

// commandName is what Discord accepts as a chat command's name.
var commandName = regexp.MustCompile(`^[-_a-z0-9]{1,32}$`)

// subcommand is one verb of /earshot as Discord shows it: the grammar is
// the shared one (surfaces/command), the options are Discord's. A command
// without a case option typed in a card's thread acts on that card's case.
type subcommand struct {
	verb string
	// text is the option holding the rest of the command, if any.
	text *discordgo.ApplicationCommandOption
	// rest turns the options into the text the grammar reads.
	rest func(opts map[string]*discordgo.ApplicationCommandInteractionDataOption) string
	// usage is how help shows it.
	usage string
}

func stringOption(name, desc string, required bool, maxLen int) *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: name, Description: desc, Required: required, MaxLength: maxLen}
}

func intOption(name, desc string, required bool, lo, hi float64) *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionInteger, Name: name, Description: desc, Required: required, MinValue: &lo, MaxValue: hi}
}

func str(opts map[string]*discordgo.ApplicationCommandInteractionDataOption, name string) string {
	if o, ok := opts[name]; ok && o.Type == discordgo.ApplicationCommandOptionString {
		if s, ok := o.Value.(string); ok {
			return s
		}
	}
	return ""
}

func num(opts map[string]*discordgo.ApplicationCommandInteractionDataOption, name string) (int64, bool) {
	if o, ok := opts[name]; ok && o.Type == discordgo.ApplicationCommandOptionInteger {
		if f, ok := o.Value.(float64); ok && f == float64(int64(f)) {
			return int64(f), true
		}
	}
	return 0, false
}

func textOf(name string) func(map[string]*discordgo.ApplicationCommandInteractionDataOption) string {
	return func(o map[string]*discordgo.ApplicationCommandInteractionDataOption) string { return str(o, name) }
}

// subcommands are /earshot's verbs, in help's order.
var subcommands = []subcommand{
	{verb: "reply", text: stringOption("text", "The reply, posted publicly in the brand's name", true, 4000), rest: textOf("text"), usage: "reply case:123 text:…"},
	{verb: "send", text: intOption("draft", "Which drafted reply (1, 2, 3…)", true, 1, 99), usage: "send case:123 draft:2",
		rest: func(o map[string]*discordgo.ApplicationCommandInteractionDataOption) string {
			n, _ := num(o, "draft")
			return strconv.FormatInt(n, 10)
		}},
	{verb: "escalate", text: stringOption("note", "What the people paged should know", false, command.MaxNote), rest: textOf("note"), usage: "escalate case:123 note:…"},
	{verb: "defect", text: stringOption("title", "Title of the defect (default: what the post is about)", false, command.MaxTitle), rest: textOf("title"), usage: "defect case:123 title:…"},
	{verb: "regenerate", text: stringOption("instruction", "e.g. shorter, offer a refund, less formal", false, bot.MaxInstruction), rest: textOf("instruction"), usage: "regenerate case:123 instruction:shorter"},
	{verb: "claim", usage: "claim case:123"},
	{verb: "ack", usage: "ack case:123"},
	{verb: "dismiss", text: stringOption("note", "Anything the team should know", false, command.MaxNote), usage: "dismiss case:123 reason:spam note:…",
		rest: func(o map[string]*discordgo.ApplicationCommandInteractionDataOption) string {
			// The grammar reads the reason first; a note alone is "other".
			reason, note := str(o, "reason"), str(o, "note")
			if reason == "" && note != "" {
				reason = string(bot.ReasonOther)
			}
			return strings.TrimSpace(reason + " " + note)
		}},
	{verb: "resolve", usage: "resolve case:123"},
	{verb: "reopen", text: stringOption("note", "Why it is reopened", false, command.MaxNote), rest: textOf("note"), usage: "reopen case:123 note:…"},
	{verb: "mute", text: stringOption("what", "[24h|7d|30d|forever] [reason], or author @x 24h, or term \"giveaway\" 7d", false, 300), rest: textOf("what"),
		usage: "mute case:123 what:7d spam account · mute what:term \"giveaway\" 24h"},
	{verb: "unmute", text: stringOption("what", "author @x or term \"giveaway\"; without it, the case's author", false, 300), rest: textOf("what"),
		usage: "unmute case:123 · unmute what:author @x"},
	{verb: "mutes", usage: "mutes"},
	{verb: "route-test", text: stringOption("text", "A sample post", true, 4000), rest: textOf("text"), usage: "route-test text:my lamp won't connect"},
	{verb: "stats", usage: "stats team:care days:7",
		rest: func(o map[string]*discordgo.ApplicationCommandInteractionDataOption) string {
			rest := str(o, "team")
			if n, ok := num(o, "days"); ok {
				rest += " " + strconv.FormatInt(n, 10) + "d"
			}
			return rest
		}},
	{verb: "help", usage: "help"},
}

// describe is a verb's description, from the shared help where it says one.
func describe(verb string) string {
	for _, h := range command.Help {
		if strings.HasPrefix(h.Usage, verb+" ") {
			return clip(command.Capitalize(h.What), 100)
		}
	}
	if verb == "help" {
		return "What earshot's commands and reactions do"
	}
	return verb
}

// reasonOption is dismiss's reason, a choice of the shared reasons.
func reasonOption() *discordgo.ApplicationCommandOption {
	o := stringOption("reason", "Why: kept for tuning the rules (default: other)", false, 0)
	for _, r := range command.DismissReasons {
		o.Choices = append(o.Choices, &discordgo.ApplicationCommandOptionChoice{Name: r.Label, Value: string(r.Reason)})
	}
	return o
}

// Commands is the application command earshot registers: /earshot with a
// subcommand per verb.
func (s *Surface) Commands() []*discordgo.ApplicationCommand {
	guildOnly := []discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	cmd := &discordgo.ApplicationCommand{
		Name: s.command, Type: discordgo.ChatApplicationCommand, Contexts: &guildOnly,
		Description: "Act on earshot's case cards",
	}
	for _, sc := range subcommands {
		o := &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand, Name: sc.verb, Description: describe(sc.verb)}
		if sc.text != nil && sc.text.Required {
			o.Options = append(o.Options, sc.text)
		}
		if command.TakesCase(sc.verb) {
			o.Options = append(o.Options, intOption("case", "The case number (#123); implied in a card's thread", false, 1, 1<<53))
		}
		if sc.verb == "dismiss" {
			o.Options = append(o.Options, reasonOption())
		}
		if sc.text != nil && !sc.text.Required {
			o.Options = append(o.Options, sc.text) // required options come first
		}
		if sc.verb == "stats" {
			o.Options = append(o.Options, stringOption("team", "Which team (default: all)", false, 100), intOption("days", "How many days back (default 7)", false, 1, 365))
		}
		cmd.Options = append(cmd.Options, o)
	}
	return []*discordgo.ApplicationCommand{cmd}
}

// RegisterCommands writes /earshot to every configured server, or globally
// without servers. Bulk overwrite is idempotent: the same definition
// changes nothing, and an old definition is replaced whole.
func (s *Surface) RegisterCommands(ctx context.Context) error {
	targets := s.guildList
	if len(targets) == 0 {
		targets = []string{""}
	}
	for _, g := range targets {
		if _, err := s.dg.ApplicationCommandBulkOverwrite(s.appID, g, s.Commands(), discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(true)); err != nil {
			where := "globally"
			if g != "" {
				where = "in server " + g
			}
			return fmt.Errorf("discord: register /%s %s (invite the bot with the applications.commands scope): %w", s.command, where, err)
		}
	}
	return nil
}

// parseSlash reads /earshot's subcommand and options with the shared
// grammar.
func parseSlash(data discordgo.ApplicationCommandInteractionData) (command.Command, error) {
	if len(data.Options) != 1 || data.Options[0].Type != discordgo.ApplicationCommandOptionSubCommand {
		return command.Build("help", 0, "")
	}
	sub := data.Options[0]
	opts := map[string]*discordgo.ApplicationCommandInteractionDataOption{}
	for _, o := range sub.Options {
		if o != nil {
			opts[o.Name] = o
		}
	}
	for _, sc := range subcommands {
		if sc.verb != sub.Name {
			continue
		}
		id, _ := num(opts, "case")
		rest := ""
		if sc.rest != nil {
			rest = sc.rest(opts)
		}
		return command.Build(sc.verb, id, rest)
	}
	return command.Command{}, &command.UsageError{Msg: fmt.Sprintf("unknown command %q; try `help`", command.Clip(sub.Name, 40))}
}

// onCommand handles /earshot. What can be answered at once is; actions are
// done after a private "thinking…" that their outcome replaces.
func (s *Surface) onCommand(i *discordgo.Interaction) answer {
	data := i.ApplicationCommandData()
	if data.Name != s.command {
		return private("This app only answers /" + escape(s.command) + ".")
	}
	c, err := parseSlash(data)
	var ue *command.UsageError
	if errors.As(err, &ue) {
		return private("🤔 " + escape(command.Capitalize(ue.Msg)) + " (`/" + s.command + " help` lists everything)")
	}
	if err != nil {
		return private("⚠️ " + escape(err.Error()))
	}
	switch c.Verb {
	case "help":
		return private(s.helpText())
	case "route-test":
		if s.routeTest == nil {
			return private("Route testing is not available here.")
		}
		return private(codeBlock(s.routeTest(c.Text)))
	case "stats":
		if s.stats == nil {
			return private("Stats are not available here.")
		}
		return thinking(func(ctx context.Context) {
			out, err := s.stats(ctx, c.Team, c.Days)
			if err != nil {
				s.log.Error("discord: stats", "team", c.Team, "days", c.Days, "error", err)
				s.replace(ctx, i, "⚠️ Couldn't compute stats: "+escape(err.Error()))
				return
			}
			s.replace(ctx, i, codeBlock(out))
		})
	}
	if !c.IsAction() && c.CaseID == 0 && !c.NeedsCase() {
		return thinking(func(ctx context.Context) { s.runMutes(ctx, i, c) })
	}
	return thinking(func(ctx context.Context) {
		if c.NeedsCase() {
			id, ok := s.caseOfThread(ctx, i.ChannelID)
			if !ok {
				s.replace(ctx, i, "Which case? Give the `case` option, or use the command in the case card's thread.")
				return
			}
			c.CaseID = id
		}
		if !c.IsAction() {
			s.runMutes(ctx, i, c) // unmute of the thread's case
			return
		}
		s.act(ctx, i, c.Request(actor(i), Name), true)
	})
}

// runMutes does mute (without a case), unmute and mutes.
func (s *Surface) runMutes(ctx context.Context, i *discordgo.Interaction, c command.Command) {
	if s.mutes == nil {
		s.replace(ctx, i, "Mutes are not available here.")
		return
	}
	r := command.RunMutes(ctx, s.mutes, c, actor(i), Name, "/"+s.command)
	if r.Err != nil {
		s.log.Error("discord: "+c.Verb, "error", r.Err)
	}
	text := clip(r.Render(c.Verb, command.MuteStyle{Escape: escape, Fit: fit, Who: who,
		Bold: func(s string) string { return "**" + s + "**" }, Muted: "🔇", Unmuted: "🔊", Refused: "⛔", Warning: "⚠️"}), maxContent)
	s.replace(ctx, i, text)
}

// caseOfThread finds the case whose card's thread channel is: a card's
// thread has the card message's id, so the card is parent/channel.
func (s *Surface) caseOfThread(ctx context.Context, channel string) (int64, bool) {
	if !snowflake(channel) {
		return 0, false
	}
	parent, ok := s.threads.parent(channel)
	if !ok {
		ch, err := s.dg.Channel(channel, discordgo.WithContext(ctx))
		if err != nil || ch == nil || !ch.IsThread() || !snowflake(ch.ParentID) {
			return 0, false
		}
		parent = ch.ParentID
		s.threads.remember(channel, parent)
	}
	id, err := s.caseByRef(ctx, Name, makeRef(parent, channel))
	if err != nil || id <= 0 {
		if !errors.Is(err, bot.ErrNotFound) && err != nil {
			s.log.Error("discord: find the case of a thread", "thread", channel, "error", err)
		}
		return 0, false
	}
	return id, true
}

// codeBlock shows plain text as typed.
func codeBlock(s string) string {
	s = strings.ReplaceAll(s, "```", "`\u200b``")
	return "```\n" + clip(s, maxContent-10) + "\n```"
}

// helpText is the answer to /earshot help, with the reactions in force.
func (s *Surface) helpText() string {
	lines := []string{"**earshot** acts on the case cards in this channel. Buttons on a card do the same as these commands; in a card's thread the `case` option can be left out."}
	for _, sc := range subcommands {
		if sc.verb == "help" {
			continue
		}
		lines = append(lines, "• `/"+s.command+" "+sc.usage+"`: "+escape(describe(sc.verb)))
	}
	var rs []string
	for name, r := range s.reactions() {
		shown := escape(name)
		if e, ok := emojiOf[name]; ok {
			e = strings.Replace(e, "\u20e3", "\ufe0f\u20e3", 1) // keycaps show as emoji with the selector
			shown = e + " (" + shown + ")"
		}
		rs = append(rs, shown+" "+escape(r.String()))
	}
	if len(rs) > 0 {
		slices.Sort(rs)
		lines = append(lines, "Reactions on a card: "+strings.Join(rs, ", "))
	}
	return strings.Join(lines, "\n")
}
