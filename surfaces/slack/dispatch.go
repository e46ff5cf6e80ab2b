package slacksurface

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/handlers"
	chat "github.com/earshothq/earshot/surfaces/command"
)

// response is what Slack gets at once (the HTTP body or the Socket Mode
// ack's payload; nil for an empty 200) and the work done after it, on a
// context of its own. HTTP and Socket Mode share everything below: they
// only differ in how the request arrives and how it is acknowledged.
type response struct {
	body any
	work func(ctx context.Context)
}

// ephemeral is an answer only the person who asked sees.
func ephemeral(text string) map[string]string {
	return map[string]string{"response_type": "ephemeral", "text": clipEscaped(text, maxFallback)}
}

// spawn runs acknowledged work in the background.
func (s *Surface) spawn(work func(ctx context.Context)) { s.work.Go(work) }

// onEvent handles an Events API callback: reactions on cards and mentions
// of the app in a card's thread. A redelivered event is dropped.
func (s *Surface) onEvent(ev slackevents.EventsAPIEvent) response {
	if ev.Type != slackevents.CallbackEvent {
		return response{}
	}
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok && !s.seen.first(cb.EventID) {
		s.log.Debug("slack: event delivered again, already handled", "event_id", cb.EventID)
		return response{}
	}
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.ReactionAddedEvent:
		ra := *e
		return response{work: func(ctx context.Context) { s.onReaction(ctx, ra) }}
	case *slackevents.AppMentionEvent:
		am := *e
		return response{work: func(ctx context.Context) { s.onMention(ctx, am) }}
	}
	return response{}
}

// onReaction turns an emoji on a card into the action the rules give it.
func (s *Surface) onReaction(ctx context.Context, e slackevents.ReactionAddedEvent) {
	if e.Item.Type != "message" || !userID(e.User) {
		return
	}
	if e.User == s.botUserID(ctx) {
		return
	}
	name, _, _ := strings.Cut(e.Reaction, "::") // "+1::skin-tone-2" is still "+1"
	r, ok := s.reactions()[name]
	if !ok {
		return
	}
	kind := bot.ActionKind(r.Action)
	if !kind.Valid() {
		s.log.Warn("slack: reaction maps to an unknown action", "reaction", name, "action", r.Action)
		return
	}
	id, err := s.caseByRef(ctx, Name, makeRef(e.Item.Channel, e.Item.Timestamp))
	if errors.Is(err, bot.ErrNotFound) || (err == nil && id <= 0) {
		return // a reaction on some other message
	}
	if err != nil {
		s.log.Error("slack: find the case of a card", "channel", e.Item.Channel, "ts", e.Item.Timestamp, "err", err)
		return
	}
	req := bot.ActionRequest{CaseID: id, Kind: kind, Actor: "slack:" + e.User, Surface: Name, Verified: true}
	if kind == bot.ActReply {
		req.Suggestion = max(r.Suggestion, 1)
	}
	if kind == bot.ActDismiss {
		req.Reason = bot.DismissReason(r.Reason) // dismiss:spam; empty is other
	}
	s.act(ctx, req, answer{channel: e.Item.Channel, user: e.User}, false)
}

// leadingMention is the app's own mention that starts "@earshot dismiss".
var leadingMention = regexp.MustCompile(`^\s*<@[A-Z0-9]+(\|[^>]*)?>\s*`)

// onMention runs "@earshot <command>" posted in a card's thread, where the
// case is implied: Slack does not allow slash commands in threads.
func (s *Surface) onMention(ctx context.Context, e slackevents.AppMentionEvent) {
	if e.BotID != "" || !userID(e.User) || e.User == s.botUserID(ctx) {
		return
	}
	to := answer{channel: e.Channel, user: e.User, thread: e.ThreadTimeStamp}
	c, err := chat.Parse(plainFromSlack(leadingMention.ReplaceAllString(e.Text, "")))
	if err != nil {
		s.tell(ctx, to, usageAnswer(err, s.command))
		return
	}
	// In a card's thread an action's case is implied (a mute naming a term
	// there mutes from that case); elsewhere only what needs no case runs
	// without one (a mute or unmute that names its term or author).
	implied := c.CaseID == 0 && (chat.Kind(c.Verb) != "" || c.NeedsCase())
	if implied && (e.ThreadTimeStamp != "" || c.NeedsCase()) {
		if e.ThreadTimeStamp == "" {
			s.tell(ctx, to, "Mention me in a card's thread, or name the case: `"+escape(c.Verb)+" #123`.")
			return
		}
		id, err := s.caseByRef(ctx, Name, makeRef(e.Channel, e.ThreadTimeStamp))
		if errors.Is(err, bot.ErrNotFound) || (err == nil && id <= 0) {
			s.tell(ctx, to, "This thread is not a case card's; name the case: `"+escape(c.Verb)+" #123`.")
			return
		}
		if err != nil {
			s.log.Error("slack: find the case of a thread", "channel", e.Channel, "thread_ts", e.ThreadTimeStamp, "err", err)
			s.tell(ctx, to, ":warning: Couldn't look the case up; try again in a moment.")
			return
		}
		c.CaseID = id
	}
	now, work := s.runCommand(c, to)
	if now != "" {
		s.tell(ctx, to, now)
	}
	if work != nil {
		work(ctx)
	}
}

// onCommand handles "/earshot …". What can be answered at once is; actions
// are done after the acknowledgement and answered ephemerally.
func (s *Surface) onCommand(cmd slack.SlashCommand) response {
	if cmd.Command != s.command {
		return response{body: ephemeral("This app only answers " + escape(s.command) + ".")}
	}
	if !userID(cmd.UserID) {
		return response{}
	}
	to := answer{channel: cmd.ChannelID, user: cmd.UserID, responseURL: cmd.ResponseURL}
	c, err := chat.Parse(plainFromSlack(cmd.Text))
	if err != nil {
		return response{body: ephemeral(usageAnswer(err, s.command))}
	}
	if c.NeedsCase() {
		return response{body: ephemeral("Which case? Name it: `" + escape(s.command+" "+c.Verb) + " #123`. In a card's thread, mention the app instead: slash commands do not work in threads.")}
	}
	now, work := s.runCommand(c, to)
	r := response{work: work}
	if now != "" {
		r.body = ephemeral(now)
	}
	return r
}

func usageAnswer(err error, cmd string) string {
	var ue *chat.UsageError
	if errors.As(err, &ue) {
		return ":thinking_face: " + escape(ue.Msg) + " (`" + escape(cmd) + " help` lists everything)"
	}
	return ":warning: " + escape(err.Error())
}

// runCommand does a parsed command: it returns the answer to give at once
// (escaped mrkdwn) and/or the work to do after acknowledging.
func (s *Surface) runCommand(c chat.Command, to answer) (string, func(ctx context.Context)) {
	switch c.Verb {
	case "help":
		return helpText(s.command, s.reactions()), nil
	case "route-test":
		if s.routeTest == nil {
			return "Route testing is not available here.", nil
		}
		return "```" + clipEscaped(escape(s.routeTest(c.Text)), maxFallback-10) + "```", nil
	case "stats":
		if s.stats == nil {
			return "Stats are not available here.", nil
		}
		return "", func(ctx context.Context) {
			out, err := s.stats(ctx, c.Team, c.Days)
			if err != nil {
				s.log.Error("slack: stats", "team", c.Team, "days", c.Days, "err", err)
				s.tell(ctx, to, ":warning: Couldn't compute stats: "+escape(err.Error()))
				return
			}
			s.tell(ctx, to, "```"+clipEscaped(escape(out), maxFallback-10)+"```")
		}
	}
	if !c.IsAction() {
		return "", func(ctx context.Context) { s.runMutes(ctx, c, to) }
	}
	req := c.Request("slack:"+to.user, Name)
	return "", func(ctx context.Context) { s.act(ctx, req, to, true) }
}

// onInteraction handles button clicks and modal submissions.
func (s *Surface) onInteraction(cb slack.InteractionCallback) response {
	if !userID(cb.User.ID) {
		return response{}
	}
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		return s.onBlockActions(cb)
	case slack.InteractionTypeViewSubmission:
		return s.onViewSubmission(cb)
	}
	return response{}
}

func (s *Surface) onBlockActions(cb slack.InteractionCallback) response {
	to := answer{channel: firstNonEmpty(cb.Container.ChannelID, cb.Channel.ID), user: cb.User.ID, responseURL: cb.ResponseURL}
	for _, act := range cb.ActionCallback.BlockActions {
		if act == nil || !strings.HasPrefix(act.ActionID, actionPrefix) || act.ActionID == actionOpen {
			continue
		}
		value := act.Value
		if value == "" {
			value = act.SelectedOption.Value // the Dismiss menu: the reason picked
		}
		cl, err := decodeClick(value)
		if err != nil {
			s.log.Warn("slack: a card button with a value we did not write", "action_id", act.ActionID, "err", err)
			continue
		}
		actor := "slack:" + cb.User.ID
		// A state change clicked twice on one version of the card is one
		// action; a click on a card that has moved on since is another.
		rev := "r" + strconv.FormatInt(cl.Rev, 10)
		switch act.ActionID {
		case actionClaim, actionDismiss, actionAck, actionReopen:
			kind := map[string]bot.ActionKind{actionClaim: bot.ActClaim, actionDismiss: bot.ActDismiss, actionAck: bot.ActAck, actionReopen: bot.ActReopen}[act.ActionID]
			req := bot.ActionRequest{CaseID: cl.Case, Kind: kind, Actor: actor, Surface: Name, Target: rev, Verified: true}
			if kind == bot.ActDismiss {
				req.Reason = bot.DismissReason(cl.Reason)
			}
			return response{work: func(ctx context.Context) { s.act(ctx, req, to, false) }}
		case actionEdit, actionEscalate, actionDefect, actionRedraft:
			trigger, which := cb.TriggerID, act.ActionID
			return response{work: func(ctx context.Context) { s.openModal(ctx, which, cl, trigger, to) }}
		}
		if rank, ok := strings.CutPrefix(act.ActionID, actionSend+"."); ok && rank == strconv.Itoa(cl.Rank) {
			return response{work: func(ctx context.Context) { s.sendDraft(ctx, cl, to) }}
		}
		s.log.Warn("slack: unknown card button", "action_id", act.ActionID)
	}
	return response{}
}

// sendDraft sends a drafted reply from its Send button, unless the drafts
// were redone since the card the person clicked on was drawn: then the
// words they approved are not the words that would go out.
func (s *Surface) sendDraft(ctx context.Context, cl click, to answer) {
	card, err := s.card(ctx, cl.Case)
	if err != nil {
		s.refuseLookup(ctx, cl.Case, to, err)
		return
	}
	current := ""
	for _, sg := range card.Suggestions {
		if sg.Rank == cl.Rank {
			current = sg.Text
		}
	}
	if current == "" || textHash(current) != cl.Hash {
		s.tell(ctx, to, fmt.Sprintf(":hourglass: The drafted replies of case #%d changed since this card was shown; nothing was sent. Check the updated card and click again.", cl.Case))
		return
	}
	req := bot.ActionRequest{CaseID: cl.Case, Kind: bot.ActReply, Suggestion: cl.Rank, Actor: "slack:" + to.user, Surface: Name, Verified: true}
	s.act(ctx, req, to, false)
}

// openModal opens the form behind Edit & send, Escalate or File defect.
// Slack's trigger is valid for 3 s, so this runs straight after the ack.
func (s *Surface) openModal(ctx context.Context, which string, cl click, trigger string, to answer) {
	card, err := s.card(ctx, cl.Case)
	if err != nil {
		s.refuseLookup(ctx, cl.Case, to, err)
		return
	}
	if !card.Case.State.Open() {
		s.tell(ctx, to, fmt.Sprintf("Case #%d is already %s.", cl.Case, strings.ReplaceAll(string(card.Case.State), "_", " ")))
		return
	}
	meta := click{Case: cl.Case, Rev: cl.Rev, Rank: cl.Rank, Hash: cl.Hash, Channel: to.channel, Platform: card.Case.Platform}
	var view slack.ModalViewRequest
	switch which {
	case actionEdit:
		view = editModal(card, meta)
	case actionEscalate:
		view = escalateModal(card, meta)
	case actionRedraft:
		view = redraftModal(card, meta)
	default:
		view = defectModal(card, meta)
	}
	if _, err := s.api.OpenViewContext(ctx, trigger, view); err != nil {
		s.log.Error("slack: open a form", "case", cl.Case, "form", which, "err", err)
		s.tell(ctx, to, ":warning: Couldn't open the form ("+escape(firstNonEmpty(slackError(err), "Slack did not answer"))+"); click again.")
	}
}

func (s *Surface) refuseLookup(ctx context.Context, id int64, to answer, err error) {
	if errors.Is(err, bot.ErrNotFound) {
		s.tell(ctx, to, fmt.Sprintf("Case #%d does not exist.", id))
		return
	}
	s.log.Error("slack: load a case", "case", id, "err", err)
	s.tell(ctx, to, fmt.Sprintf(":warning: Couldn't load case #%d; nothing was done. Try again in a moment.", id))
}

// onViewSubmission takes a filled-in form. Mistakes are shown on the field
// before the form closes; a valid form closes at once and is acted on.
func (s *Surface) onViewSubmission(cb slack.InteractionCallback) response {
	which := cb.View.CallbackID
	if which != viewEdit && which != viewEscalate && which != viewDefect && which != viewRedraft {
		return response{}
	}
	meta, err := decodeClick(cb.View.PrivateMetadata)
	if err != nil {
		s.log.Warn("slack: a form with metadata we did not write", "callback_id", which, "err", err)
		return response{}
	}
	sub := readSubmission(cb.View)
	if errs := checkSubmission(which, meta, sub); errs != nil {
		return response{body: slack.NewErrorsViewSubmissionResponse(errs)}
	}
	req := bot.ActionRequest{CaseID: meta.Case, Actor: "slack:" + cb.User.ID, Surface: Name, Verified: true}
	switch which {
	case viewEdit:
		req.Kind, req.Text = bot.ActReply, sub.Text
	case viewEscalate:
		req.Kind, req.Text, req.Target = bot.ActEscalate, escalationText(sub), "r"+strconv.FormatInt(meta.Rev, 10)
	case viewDefect:
		req.Kind, req.Text = bot.ActDefect, sub.Text
	case viewRedraft:
		req.Kind, req.Text, req.Target = bot.ActRegenerate, sub.Text, "r"+strconv.FormatInt(meta.Rev, 10)
	}
	to := answer{channel: meta.Channel, user: cb.User.ID}
	return response{work: func(ctx context.Context) { s.act(ctx, req, to, false) }}
}

// answer is where to tell a person how their request went.
type answer struct {
	channel, user, thread string
	responseURL           string
}

// act hands req to the handlers and tells the person when it did not
// happen, or (confirm) when it did.
func (s *Surface) act(ctx context.Context, req bot.ActionRequest, to answer, confirm bool) {
	a, err := s.actions.Do(ctx, req)
	msg := outcome(req, a, err)
	if err != nil && msg == "" {
		s.log.Error("slack: action not recorded", "case", req.CaseID, "kind", req.Kind, "actor", req.Actor, "err", err)
		msg = fmt.Sprintf(":warning: Couldn't record %s on case #%d; try again in a moment.", req.Kind, req.CaseID)
	}
	if msg == "" && confirm {
		msg = fmt.Sprintf(":ok_hand: %s on case #%d is under way; the card's thread will show it.", chat.Capitalize(string(req.Kind)), req.CaseID)
	}
	if msg != "" {
		s.tell(ctx, to, msg)
	}
}

// outcome explains a refusal or a duplicate; "" when the action was taken
// or the failure is ours rather than the person's.
func outcome(req bot.ActionRequest, a bot.Action, err error) string {
	what := fmt.Sprintf("%s case #%d", req.Kind, req.CaseID)
	var re *handlers.RequestError
	switch {
	case errors.Is(err, bot.ErrForbidden) || (err == nil && a.Status == bot.ActionDenied):
		reason := a.Result
		if reason == "" {
			reason = "only the team's members may act on its cases"
		}
		return ":no_entry: You can't " + what + ": " + escape(reason) + "."
	case errors.As(err, &re):
		return ":warning: Can't " + what + ": " + escape(re.Msg) + "."
	case errors.Is(err, bot.ErrNotFound):
		return fmt.Sprintf("Case #%d does not exist.", req.CaseID)
	case err != nil:
		return ""
	case a.Status == bot.ActionSkipped:
		if a.Result != "" {
			return ":ballot_box_with_check: Already done: " + escape(a.Result) + "."
		}
		return ":ballot_box_with_check: Already done: " + what + " was already taken care of."
	}
	return ""
}

// tell answers one person privately: an ephemeral message in the channel
// (or thread), or through the command's response_url when the bot cannot
// post there. text is escaped mrkdwn.
func (s *Surface) tell(ctx context.Context, to answer, text string) {
	text = clipEscaped(text, maxFallback)
	if to.channel != "" && to.user != "" {
		opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
		if to.thread != "" {
			opts = append(opts, slack.MsgOptionTS(to.thread))
		}
		_, err := s.api.PostEphemeralContext(ctx, to.channel, to.user, opts...)
		if err == nil {
			return
		}
		s.log.Warn("slack: ephemeral answer failed", "channel", to.channel, "user", to.user, "err", err)
	}
	if !s.responseURLAllowed(to.responseURL) {
		return
	}
	msg := &slack.WebhookMessage{Text: text, ResponseType: "ephemeral"}
	if err := slack.PostWebhookCustomHTTPContext(ctx, to.responseURL, s.http, msg); err != nil {
		s.log.Warn("slack: answer through response_url failed", "user", to.user, "err", err)
	}
}

// responseURLAllowed keeps answers to Slack's own hooks (or the configured
// API host, a fake in tests): the URL arrives in the request, and we post
// to nowhere else.
func (s *Surface) responseURLAllowed(raw string) bool {
	if raw == "" {
		return false
	}
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	return (u.Scheme == "https" && u.Host == "hooks.slack.com") || (s.apiHost != "" && u.Host == s.apiHost)
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}
