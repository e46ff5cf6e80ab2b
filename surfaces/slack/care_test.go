package slacksurface

import (
	"strings"
	"testing"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/handlers"
	"github.com/earshothq/earshot/internal/testkit/mutesfake"
	"github.com/earshothq/earshot/internal/testkit/slackfake"
	"github.com/earshothq/earshot/routing"
)

func TestCareSlashCommands(t *testing.T) {
	fm := &mutesfake.Mutes{}
	e := newEnv(t, func(o *Options) { o.Mutes = fm })
	var answers []string
	cmd := func(text string) {
		t.Helper()
		_, body := e.deliver(slackfake.CommandDelivery(slackfake.SlashCommand("U0ALICE", "C0CARE", "/earshot", text, "", "")))
		answers = append(answers, body)
	}
	cmd("dismiss #12 spam bot farm")
	cmd("mute #12 24h")
	cmd("reopen #12")
	cmd(`mute term "giveaway" 24h promo wave`)
	cmd(`mute term "gi*ve"`)
	cmd("unmute author @dealsbot")
	cmd("unmute author @nobody")
	cmd("unmute #12")
	cmd("mutes")
	cmd("mute")

	reqs := e.actions.requests()
	if len(reqs) != 3 {
		t.Fatalf("requests %+v, want dismiss, mute and reopen", reqs)
	}
	if r := reqs[0]; r.Kind != bot.ActDismiss || r.Reason != bot.ReasonSpam || r.Text != "bot farm" {
		t.Errorf("dismiss %+v", r)
	}
	if r := reqs[1]; r.Kind != bot.ActMute || r.Mute == nil || r.Mute.Period != "1d" || r.Mute.Kind != "" {
		t.Errorf("mute %+v (%+v)", r, r.Mute)
	}
	if r := reqs[2]; r.Kind != bot.ActReopen || r.CaseID != 12 {
		t.Errorf("reopen %+v", r)
	}
	muted, ended := fm.Muted(), fm.Ended()
	if len(muted) != 2 || muted[0].Spec != (bot.MuteSpec{Kind: bot.MuteTerm, Value: "giveaway", Period: "1d"}) || muted[0].Reason != "promo wave" || muted[0].Actor != "slack:U0ALICE" || !muted[0].Verified {
		t.Errorf("mutes %+v", muted)
	}
	if len(ended) != 3 || ended[0].Kind != bot.MuteAuthor || ended[0].Value != "@dealsbot" || ended[2].CaseID != 12 {
		t.Errorf("unmutes %+v", ended)
	}
	eph := strings.Join(append(e.ephemeralTexts(), answers...), "\n")
	for _, want := range []string{
		`:mute: Muted term "giveaway" until 2026-11-24 14:00 UTC. New posts are kept but open no case; ` + "`/earshot unmute term giveaway` ends it.",
		`:warning: Can't mute: "gi*ve": only a trailing *.`,
		`:loud_sound: Unmuted author @dealsbot.`,
		"Nothing matching is muted.",
		"*1 muted*",
		"Which case?",
	} {
		if !strings.Contains(eph, want) {
			t.Errorf("ephemerals lack %q:\n%s", want, eph)
		}
	}
}

func TestDismissMenuAndReopenButton(t *testing.T) {
	e := newEnv(t, nil)
	ch, ts, _ := splitRef(e.post(sampleCard()))
	pick := click{Case: 12, Rev: 3, Reason: "not_about_us"}.encode()
	e.deliver(slackfake.InteractionDelivery(slackfake.SelectAction("U0ALICE", ch, ts, actionDismiss, pick, "", "")))
	e.deliver(slackfake.InteractionDelivery(slackfake.SelectAction("U0BOB", ch, ts, actionDismiss, click{Case: 12, Rev: 3, Reason: "spam"}.encode(), "", "")))
	e.deliver(slackfake.InteractionDelivery(slackfake.BlockAction("U0ALICE", ch, ts, actionReopen, click{Case: 12, Rev: 4}.encode(), "", "")))
	e.deliver(slackfake.InteractionDelivery(slackfake.SelectAction("U0ALICE", ch, ts, actionDismiss, "c=12&r=3&w=rude", "", "")))
	reqs := e.actions.requests()
	if len(reqs) != 3 {
		t.Fatalf("requests %+v: want two dismissals and a reopen (a forged reason is dropped)", reqs)
	}
	if r := reqs[0]; r.Kind != bot.ActDismiss || r.Reason != bot.ReasonNotAboutUs || r.Target != "r3" {
		t.Errorf("dismiss %+v", r)
	}
	if r := reqs[2]; r.Kind != bot.ActReopen || r.Target != "r4" {
		t.Errorf("reopen %+v", r)
	}
	// The second pick on the same card is the same action: already done.
	if eph := e.ephemeralTexts(); len(eph) != 1 || !strings.Contains(eph[0], "Already done") {
		t.Fatalf("ephemerals %q", eph)
	}
}

func TestDismissReactionCarriesItsReason(t *testing.T) {
	e := newEnv(t, func(o *Options) {
		o.Reactions = func() map[string]routing.Reaction {
			return map[string]routing.Reaction{"wastebasket": {Action: "dismiss", Reason: "spam"}, "no_entry_sign": {Action: "dismiss"}}
		}
	})
	ch, ts, _ := splitRef(e.post(sampleCard()))
	e.deliver(slackfake.EventDelivery(slackfake.ReactionAdded("Ev1", "U0ALICE", "wastebasket", ch, ts)))
	card := sampleCard()
	card.Case.ID = 13
	ch2, ts2, _ := splitRef(e.post(card))
	e.deliver(slackfake.EventDelivery(slackfake.ReactionAdded("Ev2", "U0ALICE", "no_entry_sign", ch2, ts2)))
	reqs := e.actions.requests()
	if len(reqs) != 2 || reqs[0].Reason != bot.ReasonSpam || reqs[1].Reason != "" || reqs[1].Kind != bot.ActDismiss {
		t.Fatalf("requests %+v", reqs)
	}
}

// In a card's thread a mute naming a term is a mute from that case; an
// unmute naming a term needs no case.
func TestThreadMentionsForMutes(t *testing.T) {
	fm := &mutesfake.Mutes{}
	e := newEnv(t, func(o *Options) { o.Mutes = fm })
	ch, ts, _ := splitRef(e.post(sampleCard()))
	at := "<@" + slackfake.BotUserID + "> "
	e.deliver(slackfake.EventDelivery(slackfake.AppMention("Ev1", "U0ALICE", at+`mute term "kettle deals" 30d`, ch, "1700000500.000100", ts)))
	e.deliver(slackfake.EventDelivery(slackfake.AppMention("Ev2", "U0ALICE", at+`unmute term "kettle deals"`, ch, "1700000600.000100", ts)))
	e.deliver(slackfake.EventDelivery(slackfake.AppMention("Ev3", "U0ALICE", at+"unmute", ch, "1700000700.000100", ts)))
	reqs := e.actions.requests()
	if len(reqs) != 1 || reqs[0].CaseID != 12 || reqs[0].Mute == nil || reqs[0].Mute.Value != "kettle deals" {
		t.Fatalf("requests %+v", reqs)
	}
	if ended := fm.Ended(); len(ended) != 2 || ended[0].CaseID != 0 || ended[0].Value != "kettle deals" || ended[1].CaseID != 12 {
		t.Fatalf("unmutes %+v", fm.Ended())
	}
}

func TestCareNotes(t *testing.T) {
	card := sampleCard()
	for _, tt := range []struct {
		ev   bot.Event
		want string
	}{
		{bot.Event{Kind: bot.EventReopened, Actor: "slack:U0ALICE", Text: "Reopened: wrote by <!channel> email"}, ":leftwards_arrow_with_hook: <@U0ALICE>: Reopened: wrote by &lt;!channel&gt; email"},
		{bot.Event{Kind: bot.EventReopened, MentionID: 9}, ":arrows_counterclockwise: The customer wrote again; the case is open again"},
		{bot.Event{Kind: bot.EventDelight, Text: "A thank-you is ready to send as a suggestion (coupon SORRY-1 & co)."}, ":gift: A thank-you is ready to send as a suggestion (coupon SORRY-1 &amp; co)."},
	} {
		if got := noteText(card, tt.ev); got != tt.want {
			t.Errorf("note %s: %q, want %q", tt.ev.Kind, got, tt.want)
		}
	}
}

// A closed card offers Reopen and shows only the thank-you gesture, which
// Slack accepts and which pings nobody.
func TestClosedCardWithGesture(t *testing.T) {
	card := sampleCard()
	card.Case.State = bot.StateResolved
	card.Suggestions = append(card.Suggestions, bot.Suggestion{CaseID: 12, Rank: 3, Approach: handlers.ApproachDelight,
		Text: "Thanks for bearing with us <!channel>! 10% off: SORRY-1"})
	blocks, _ := cardMessage(card, testNow)
	raw := marshal(t, blocks)
	checkPayload(t, raw)
	s := string(raw)
	for _, want := range []string{`"earshot.reopen"`, `"earshot.send.3"`, "SORRY-1", "&lt;!channel&gt;"} {
		if !strings.Contains(s, want) {
			t.Errorf("closed card lacks %s", want)
		}
	}
	for _, not := range []string{`"earshot.send.1"`, `"earshot.dismiss"`, `"earshot.claim"`} {
		if strings.Contains(s, not) {
			t.Errorf("closed card has %s", not)
		}
	}
	e := newEnv(t, nil)
	if _, err := e.s.ShowCard(t.Context(), card, ""); err != nil {
		t.Fatalf("Slack refused the card: %v", err)
	}
	// The open card's Dismiss menu is accepted too.
	if _, err := e.s.ShowCard(t.Context(), sampleCard(), ""); err != nil {
		t.Fatalf("Slack refused the open card: %v", err)
	}
}
