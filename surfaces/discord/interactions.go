package discordsurface

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/surfaces/command"
)

// answer is what Discord gets at once (the callback, or the HTTP
// endpoint's body) and the work done after it, on a context of its own.
// The gateway and the HTTP endpoint share everything below: they differ
// only in how the interaction arrives and how the first answer goes back.
type answer struct {
	resp *discordgo.InteractionResponse
	work func(ctx context.Context)
}

// lookupTimeout bounds loading a case before a form opens: Discord wants
// the form within 3 s of the click.
const lookupTimeout = 2 * time.Second

// private is an answer only the person sees, at once.
func private(text string) answer {
	return answer{resp: &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{
			Content: clipEscaped(text, maxContent), Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noPings(),
		},
	}}
}

// thinking answers at once with a private "thinking…" that the work then
// replaces with how it went.
func thinking(work func(ctx context.Context)) answer {
	return answer{work: work, resp: &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noPings()},
	}}
}

// quietly acknowledges a button with no visible answer: the card's own
// update shows what happened, and the work speaks up only when it did not.
func quietly(work func(ctx context.Context)) answer {
	return answer{work: work, resp: &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}}
}

// onGatewayInteraction answers an interaction that came over the gateway
// with a callback, then does its work. discordgo runs each event handler
// on its own goroutine.
func (s *Surface) onGatewayInteraction(i *discordgo.Interaction) {
	if i == nil {
		return
	}
	a := s.handle(i)
	ctx, cancel := context.WithTimeout(s.ctx, 3*time.Second)
	err := s.dg.InteractionRespond(i, a.resp, discordgo.WithContext(ctx))
	cancel()
	if err != nil {
		// Unanswered, the person sees "interaction failed" and may try
		// again; doing the work anyway would act behind their back.
		s.log.Warn("discord: could not answer an interaction; its work is dropped", "type", i.Type, "error", redact(err, i.Token))
		return
	}
	s.spawn(a.work)
}

// handle decides the first answer to an interaction and the work after it.
// A payload that trips discordgo's accessors is answered, not fatal.
func (s *Surface) handle(i *discordgo.Interaction) (a answer) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("discord: handling an interaction panicked", "type", i.Type, "panic", p)
			a = private("⚠️ earshot could not read this interaction.")
		}
	}()
	return s.dispatch(i)
}

func (s *Surface) dispatch(i *discordgo.Interaction) answer {
	if i.Type == discordgo.InteractionPing {
		return answer{resp: &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong}}
	}
	if i.Member == nil || i.Member.User == nil || !snowflake(i.Member.User.ID) {
		return private("earshot works in its server's channels, not in direct messages.")
	}
	if len(s.guilds) > 0 && !s.guilds[i.GuildID] {
		return private("earshot does not work in this server.")
	}
	switch i.Type {
	case discordgo.InteractionApplicationCommand:
		return s.onCommand(i)
	case discordgo.InteractionMessageComponent:
		return s.onButton(i)
	case discordgo.InteractionModalSubmit:
		return s.onSubmit(i)
	}
	return private("earshot does not handle this kind of interaction.")
}

// actor is the person behind an interaction, as the handlers name them.
func actor(i *discordgo.Interaction) string { return "discord:" + i.Member.User.ID }

func (s *Surface) onButton(i *discordgo.Interaction) answer {
	data := i.MessageComponentData()
	cl, err := decodeClick(data.CustomID)
	if err != nil {
		s.log.Warn("discord: a button we did not write", "custom_id", clip(data.CustomID, 100), "error", err)
		return private("This button is not one of earshot's current ones; use the card's buttons.")
	}
	rev := fmt.Sprintf("r%d", cl.Rev)
	req := bot.ActionRequest{CaseID: cl.Case, Actor: actor(i), Surface: Name, Verified: true}
	switch cl.Kind {
	case btnEdit, btnEscalate, btnDefect, btnRedraft:
		return s.openModal(i, cl)
	case btnSend:
		return quietly(func(ctx context.Context) { s.sendDraft(ctx, i, cl) })
	case btnClaim:
		req.Kind, req.Target = bot.ActClaim, rev
	case btnDismiss:
		// The Dismiss menu: the value picked is the reason.
		req.Kind, req.Target = bot.ActDismiss, rev
		if len(data.Values) == 1 {
			r, err := bot.ParseDismissReason(data.Values[0])
			if err != nil {
				return private("That is not one of the reasons on the menu.")
			}
			req.Reason = r
		}
	case btnReopen:
		req.Kind, req.Target = bot.ActReopen, rev
	case btnAck:
		req.Kind, req.Target = bot.ActAck, rev
	default:
		return private("This button does not belong on a card.")
	}
	// A state change clicked twice on one version of the card is one
	// action; a click on a card that has moved on since is another.
	return quietly(func(ctx context.Context) { s.act(ctx, i, req, false) })
}

// modalKinds maps the buttons that open a form to the action it asks for.
var modalKinds = map[string]bot.ActionKind{btnEdit: bot.ActReply, btnEscalate: bot.ActEscalate, btnDefect: bot.ActDefect, btnRedraft: bot.ActRegenerate}

// openModal answers Edit & send, Escalate, File defect or Regenerate with
// its form. Someone who may not act is told so (and recorded) instead of
// typing into a form that would be refused.
func (s *Surface) openModal(i *discordgo.Interaction, cl click) answer {
	ctx, cancel := context.WithTimeout(s.ctx, lookupTimeout)
	defer cancel()
	card, err := s.card(ctx, cl.Case)
	if err != nil {
		return private(s.lookupFailed(cl.Case, err))
	}
	if !card.Case.State.Open() {
		return private(fmt.Sprintf("Case #%d is already %s.", cl.Case, strings.ReplaceAll(string(card.Case.State), "_", " ")))
	}
	rc := s.roleCheck(ctx, i.GuildID, i.Member, card.Team)
	if (rc != nil && !rc.Held) || (rc == nil && !card.Team.MayAct(actor(i))) {
		req := bot.ActionRequest{CaseID: cl.Case, Kind: modalKinds[cl.Kind], Actor: actor(i), Surface: Name, Verified: true, Role: rc,
			Target: fmt.Sprintf("r%d", cl.Rev)}
		return thinking(func(ctx context.Context) { s.act(ctx, i, req, true) })
	}
	switch cl.Kind {
	case btnEdit:
		return answer{resp: editModal(card)}
	case btnEscalate:
		return answer{resp: escalateModal(card)}
	case btnDefect:
		return answer{resp: defectModal(card)}
	}
	return answer{resp: redraftModal(card)}
}

// sendDraft sends a drafted reply from its Send button, unless the drafts
// were redone since the card the person clicked on was drawn: then the
// words they approved are not the words that would go out.
func (s *Surface) sendDraft(ctx context.Context, i *discordgo.Interaction, cl click) {
	card, err := s.card(ctx, cl.Case)
	if err != nil {
		s.followup(ctx, i, s.lookupFailed(cl.Case, err))
		return
	}
	current := ""
	for _, sg := range card.Suggestions {
		if sg.Rank == cl.Rank {
			current = sg.Text
		}
	}
	if current == "" || textHash(current) != cl.Hash {
		s.followup(ctx, i, fmt.Sprintf("⏳ The drafted replies of case #%d changed since this card was shown; nothing was sent. Check the updated card and click again.", cl.Case))
		return
	}
	req := bot.ActionRequest{CaseID: cl.Case, Kind: bot.ActReply, Suggestion: cl.Rank, Actor: actor(i), Surface: Name, Verified: true,
		Role: s.roleCheck(ctx, i.GuildID, i.Member, card.Team)}
	s.do(ctx, i, req, false)
}

func (s *Surface) onSubmit(i *discordgo.Interaction) answer {
	data := i.ModalSubmitData()
	cl, err := decodeClick(data.CustomID)
	if err != nil || !strings.HasPrefix(cl.Kind, "m-") {
		s.log.Warn("discord: a form we did not write", "custom_id", clip(data.CustomID, 100), "error", err)
		return private("This form is not one of earshot's.")
	}
	req, err := modalRequest(cl, submitted(data))
	var ue *command.UsageError
	if errors.As(err, &ue) {
		return private("⚠️ " + escape(command.Capitalize(ue.Msg)) + ".")
	}
	if err != nil {
		return private("This form is not one of earshot's.")
	}
	req.Actor = actor(i)
	return thinking(func(ctx context.Context) { s.act(ctx, i, req, true) })
}

// act checks the member's roles for the case's team, hands req to the
// handlers and tells the person how it went: by replacing the "thinking…"
// answer (replace), else privately and only when it did not simply happen.
func (s *Surface) act(ctx context.Context, i *discordgo.Interaction, req bot.ActionRequest, replace bool) {
	card, err := s.card(ctx, req.CaseID)
	if err != nil {
		s.tell(ctx, i, s.lookupFailed(req.CaseID, err), replace)
		return
	}
	req.Role = s.roleCheck(ctx, i.GuildID, i.Member, card.Team)
	s.do(ctx, i, req, replace)
}

func (s *Surface) do(ctx context.Context, i *discordgo.Interaction, req bot.ActionRequest, replace bool) {
	a, err := s.actions.Do(ctx, req)
	ans := command.Outcome(req, a, err)
	if ans.Verdict == command.Broken {
		s.log.Error("discord: action not recorded", "case", req.CaseID, "kind", req.Kind, "actor", req.Actor, "error", err)
	}
	if !replace && ans.Verdict == command.Taken {
		return
	}
	s.tell(ctx, i, decorate(ans), replace)
}

func (s *Surface) tell(ctx context.Context, i *discordgo.Interaction, text string, replace bool) {
	if replace {
		s.replace(ctx, i, text)
		return
	}
	s.followup(ctx, i, text)
}

// replace puts text (escaped markdown) in place of the "thinking…" answer.
func (s *Surface) replace(ctx context.Context, i *discordgo.Interaction, text string) {
	text = clipEscaped(text, maxContent)
	_, err := s.dg.InteractionResponseEdit(i, &discordgo.WebhookEdit{Content: &text, AllowedMentions: noPings()},
		discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(true))
	if err != nil {
		s.log.Warn("discord: could not answer the person", "interaction", i.ID, "error", redact(err, i.Token))
	}
}

// followup tells the person privately after a quiet acknowledgement.
func (s *Surface) followup(ctx context.Context, i *discordgo.Interaction, text string) {
	_, err := s.dg.FollowupMessageCreate(i, true, &discordgo.WebhookParams{
		Content: clipEscaped(text, maxContent), Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noPings(),
		Components: []discordgo.MessageComponent{},
	}, discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(true))
	if err != nil {
		s.log.Warn("discord: could not answer the person", "interaction", i.ID, "error", redact(err, i.Token))
	}
}

func (s *Surface) lookupFailed(id int64, err error) string {
	if errors.Is(err, bot.ErrNotFound) {
		return fmt.Sprintf("Case #%d does not exist.", id)
	}
	s.log.Error("discord: load a case", "case", id, "error", err)
	return fmt.Sprintf("⚠️ Couldn't load case #%d; nothing was done. Try again in a moment.", id)
}

// redact drops an interaction's token from an error: callback and webhook
// URLs carry it, and for 15 minutes it lets anyone answer as the bot.
func redact(err error, token string) string {
	if token == "" {
		return err.Error()
	}
	return strings.ReplaceAll(err.Error(), token, "<token>")
}
