package slacksurface

import (
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/earshothq/earshot/bot"
)

// maxNote is the longest escalation note or defect title the handlers take.
const maxNote = 2000

// maxTitle keeps a defect title to what issue trackers show in a list.
const maxTitle = 250

// maxInstruction bounds a regeneration's instruction.
const maxInstruction = bot.MaxInstruction

func modal(callback, title, submit string, meta click, blocks ...slack.Block) slack.ModalViewRequest {
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callback,
		Title:           plain(clip(title, maxModalTitle)),
		Submit:          plain(clip(submit, maxButtonText)),
		Close:           plain("Cancel"),
		PrivateMetadata: meta.encode(),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// contextOf shows the person what they are answering, escaped.
func contextOf(card bot.Card) slack.Block {
	a := card.First.Author
	from := firstNonEmpty(a.Handle, a.Name, "someone")
	head := "*" + fit(from, 100) + "* on " + fit(firstNonEmpty(card.Case.Platform, "the web"), 40) + ":\n"
	return slack.NewSectionBlock(mrkdwn(head+quotePost(card.First, maxSectionText-units(head))), nil, nil,
		slack.SectionBlockOptionBlockID("earshot.context"))
}

// replyLimit is the input's max_length: the platform's reply limit, within
// what a Slack text input can hold.
func replyLimit(platform string) int { return min(bot.ReplyLimit(platform), maxInputValue) }

// editModal lets a person change a draft before it is sent. The input is a
// plain_text_input: its value is exactly what they typed, never parsed.
func editModal(card bot.Card, meta click) slack.ModalViewRequest {
	limit := replyLimit(card.Case.Platform)
	in := slack.NewPlainTextInputBlockElement(plain("Write the reply"), inputText)
	in.Multiline = true
	in.MaxLength = limit
	in.FocusOnLoad = true
	for _, s := range card.Suggestions {
		if s.Rank == meta.Rank && units(s.Text) <= limit {
			in.InitialValue = s.Text
		}
	}
	hint := plain(fmt.Sprintf("Posted publicly on %s in the brand's name; at most %d characters.", firstNonEmpty(card.Case.Platform, "the platform"), bot.ReplyLimit(card.Case.Platform)))
	input := slack.NewInputBlock(inputText, plain("Reply"), hint, in)
	return modal(viewEdit, "Edit & send", "Send", meta, contextOf(card), input)
}

// escalateModal asks for a note and whom else to page; the team's
// escalation policy pages its people in any case.
func escalateModal(card bot.Card, meta click) slack.ModalViewRequest {
	note := slack.NewPlainTextInputBlockElement(plain("What should they know?"), inputText)
	note.Multiline = true
	note.MaxLength = maxNote
	noteBlock := slack.NewInputBlock(inputText, plain("Note"), nil, note)
	noteBlock.Optional = true
	page := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeUser, plain("People to page"), inputPage)
	pageBlock := slack.NewInputBlock(inputPage, plain("Also page"),
		plain("The team's escalation policy pages its people anyway, step by step until someone acknowledges."), page)
	pageBlock.Optional = true
	return modal(viewEscalate, "Escalate", "Escalate", meta, contextOf(card), noteBlock, pageBlock)
}

// defectModal files a defect with a title the person can change.
func defectModal(card bot.Card, meta click) slack.ModalViewRequest {
	title := slack.NewPlainTextInputBlockElement(plain("Short title for engineering"), inputText)
	title.MaxLength = maxTitle
	title.InitialValue = clip(defectTitle(card), maxTitle)
	in := slack.NewInputBlock(inputText, plain("Title"), plain("The customer's words, link and labels are added to the ticket."), title)
	return modal(viewDefect, "File defect", "File defect", meta, contextOf(card), in)
}

// redraftModal asks the drafter for new replies, with an optional
// instruction.
func redraftModal(card bot.Card, meta click) slack.ModalViewRequest {
	in := slack.NewPlainTextInputBlockElement(plain("e.g. shorter, offer a refund, less formal"), inputText)
	in.MaxLength = maxInstruction
	b := slack.NewInputBlock(inputText, plain("Instruction"), plain("Optional. The drafts are written again, past any cached answer."), in)
	b.Optional = true
	return modal(viewRedraft, "Regenerate drafts", "Regenerate", meta, contextOf(card), b)
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
	s := strings.Join(strings.Fields(firstNonEmpty(card.Case.Summary, card.First.Text)), " ")
	return clip(s, 80)
}

// submission is what a person entered in one of our modals.
type submission struct {
	Text  string
	Users []string
}

// readSubmission pulls the values out of a view's state.
func readSubmission(v slack.View) submission {
	var s submission
	if v.State == nil {
		return s
	}
	if b, ok := v.State.Values[inputText][inputText]; ok {
		s.Text = strings.TrimSpace(b.Value)
	}
	if b, ok := v.State.Values[inputPage][inputPage]; ok {
		for _, u := range b.SelectedUsers {
			if userID(u) {
				s.Users = append(s.Users, u)
			}
		}
	}
	return s
}

// checkSubmission validates a modal's input before the modal closes, so a
// mistake is shown on the field rather than after the fact. It returns
// field errors keyed by block id, or nil.
func checkSubmission(callback string, meta click, sub submission) map[string]string {
	platform := meta.Platform
	switch callback {
	case viewEdit:
		if sub.Text == "" {
			return map[string]string{inputText: "Write the reply, or cancel."}
		}
		if platform != "" {
			if n, limit := bot.Length(sub.Text), bot.ReplyLimit(platform); n > limit {
				return map[string]string{inputText: fmt.Sprintf("%d characters; %s allows %d.", n, platform, limit)}
			}
		}
	case viewDefect:
		if sub.Text == "" {
			return map[string]string{inputText: "Give the defect a title."}
		}
		if bot.Length(sub.Text) > maxTitle {
			return map[string]string{inputText: fmt.Sprintf("At most %d characters.", maxTitle)}
		}
	case viewRedraft:
		if bot.Length(sub.Text) > maxInstruction {
			return map[string]string{inputText: fmt.Sprintf("At most %d characters.", maxInstruction)}
		}
	case viewEscalate:
		if bot.Length(escalationText(sub)) > maxNote {
			return map[string]string{inputText: fmt.Sprintf("At most %d characters with the people paged.", maxNote)}
		}
	}
	return nil
}

// escalationText is the note the handlers record, with the people picked
// as identities ("slack:U123") the thread note turns into pings.
func escalationText(sub submission) string {
	if len(sub.Users) == 0 {
		return sub.Text
	}
	ids := make([]string, len(sub.Users))
	for i, u := range sub.Users {
		ids[i] = "slack:" + u
	}
	page := "page " + strings.Join(ids, ", ")
	if sub.Text == "" {
		return page
	}
	return sub.Text + " (" + page + ")"
}
