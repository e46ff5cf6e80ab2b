package discordsurface

import (
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/surfaces/command"
)

// A Discord modal shows no text of ours beyond labels and placeholders, so
// the customer's words are not repeated in it: the card stays in view
// behind it.

func modal(kind string, card bot.Card, title string, input discordgo.TextInput) *discordgo.InteractionResponse {
	c := click{Kind: kind, Case: card.Case.ID, Rev: card.Case.Rev}
	input.CustomID = inputText
	input.Label = clip(input.Label, maxInputLabel)
	input.Placeholder = clip(input.Placeholder, maxPlaceholder)
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseModal,
		Data: &discordgo.InteractionResponseData{
			CustomID:   c.encode(),
			Title:      clip(fmt.Sprintf("%s · case #%d", title, card.Case.ID), maxModalTitle),
			Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{input}}},
		},
	}
}

// replyLimit is the input's max_length: the platform's reply limit, within
// what a Discord text input can hold.
func replyLimit(platform string) int { return min(bot.ReplyLimit(platform), maxInputValue) }

// editModal lets a person change the first draft before it is sent. The
// input's value is exactly what they typed, never parsed.
func editModal(card bot.Card) *discordgo.InteractionResponse {
	limit := replyLimit(card.Case.Platform)
	in := discordgo.TextInput{
		Label:       fmt.Sprintf("Reply on %s (at most %d characters)", firstNonEmpty(card.Case.Platform, "the platform"), bot.ReplyLimit(card.Case.Platform)),
		Style:       discordgo.TextInputParagraph,
		Placeholder: "Posted publicly, in the brand's name",
		Required:    true,
		MinLength:   1,
		MaxLength:   limit,
	}
	if len(card.Suggestions) > 0 && units(card.Suggestions[0].Text) <= limit {
		in.Value = card.Suggestions[0].Text
	}
	return modal(modalEdit, card, "Edit & send", in)
}

// escalateModal asks for a note; the team's execs and leads are paged in
// any case.
func escalateModal(card bot.Card) *discordgo.InteractionResponse {
	return modal(modalEscalate, card, "Escalate", discordgo.TextInput{
		Label:       "Note (execs and leads are paged anyway)",
		Style:       discordgo.TextInputParagraph,
		Placeholder: "What should they know?",
		MaxLength:   command.MaxNote,
	})
}

// defectModal files a defect with a title the person can change.
func defectModal(card bot.Card) *discordgo.InteractionResponse {
	return modal(modalDefect, card, "File defect", discordgo.TextInput{
		Label:       "Title (the post, link and labels are added)",
		Style:       discordgo.TextInputShort,
		Required:    true,
		MinLength:   1,
		MaxLength:   command.MaxTitle,
		Value:       clip(defectTitle(card), command.MaxTitle),
		Placeholder: "Short title for engineering",
	})
}

// redraftModal asks the drafter for new replies, with an optional
// instruction.
func redraftModal(card bot.Card) *discordgo.InteractionResponse {
	return modal(modalRedraft, card, "Regenerate drafts", discordgo.TextInput{
		Label:       "Instruction (optional)",
		Style:       discordgo.TextInputShort,
		Placeholder: "e.g. shorter, offer a refund, less formal",
		MaxLength:   bot.MaxInstruction,
	})
}

// defectTitle prefills the title from what classification found.
func defectTitle(card bot.Card) string {
	l := card.Case.Labels
	switch {
	case l.Product != "" && l.Problem != "":
		return l.Product + ": " + l.Problem
	case l.Problem != "":
		return l.Problem
	}
	return clip(oneLine(firstNonEmpty(card.Case.Summary, card.First.Text)), 80)
}

// submitted is the text a person entered in one of our modals.
func submitted(data discordgo.ModalSubmitInteractionData) string {
	for _, row := range data.Components {
		r, ok := row.(*discordgo.ActionsRow)
		if !ok {
			continue
		}
		for _, c := range r.Components {
			if ti, ok := c.(*discordgo.TextInput); ok && ti.CustomID == inputText {
				return strings.TrimSpace(ti.Value)
			}
		}
	}
	return ""
}

// modalRequest is the action a submitted modal asks for. Limits are the
// handlers' to enforce; the inputs' max_length already holds people to them.
func modalRequest(c click, text string) (bot.ActionRequest, error) {
	rev := fmt.Sprintf("r%d", c.Rev)
	req := bot.ActionRequest{CaseID: c.Case, Surface: Name, Verified: true, Text: text}
	switch c.Kind {
	case modalEdit:
		req.Kind = bot.ActReply
		if text == "" {
			return req, &command.UsageError{Msg: "write the reply, or close the form"}
		}
	case modalEscalate:
		req.Kind, req.Target = bot.ActEscalate, rev
	case modalDefect:
		req.Kind = bot.ActDefect
		if text == "" {
			return req, &command.UsageError{Msg: "give the defect a title"}
		}
		if bot.Length(text) > command.MaxTitle {
			return req, &command.UsageError{Msg: fmt.Sprintf("a defect title is at most %d characters", command.MaxTitle)}
		}
	case modalRedraft:
		req.Kind, req.Target = bot.ActRegenerate, rev
	default:
		return req, fmt.Errorf("modal kind %q", c.Kind)
	}
	return req, nil
}
