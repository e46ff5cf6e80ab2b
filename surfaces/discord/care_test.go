package discordsurface

import (
	"strings"
	"testing"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/discordfake"
	"github.com/earshothq/earshot/internal/testkit/mutesfake"
)

func TestDismissMenuAndReopenButton(t *testing.T) {
	e := newEnv(t, nil)
	e.connect()
	_, msg := e.post(sampleCard())
	menu := click{Kind: btnDismiss, Case: 12, Rev: 3}.encode()
	e.deliver(e.fake.SelectPayload(member(alice), msg, menu, "not_about_us"), answered)
	if r := e.lastRequest(); r.Kind != bot.ActDismiss || r.Reason != bot.ReasonNotAboutUs || r.Target != "r3" || r.Actor != "discord:"+alice {
		t.Fatalf("dismiss %+v", r)
	}
	// A value that is not one of the menu's is refused, not taken as "other".
	got := e.deliver(e.fake.SelectPayload(member(alice), msg, menu, "<@&1>"), answered)
	if !strings.Contains(got.Text()+string(got.Responses[0].Data), "not one of the reasons") {
		t.Fatalf("forged reason answered %s", got.Responses[0].Data)
	}
	e.deliver(e.fake.ClickPayload(member(bob), msg, click{Kind: btnReopen, Case: 12, Rev: 4}.encode()), answered)
	if r := e.lastRequest(); r.Kind != bot.ActReopen || r.Target != "r4" || r.Actor != "discord:"+bob {
		t.Fatalf("reopen %+v", r)
	}
	if n := len(e.actions.requests()); n != 2 {
		t.Fatalf("%d requests, want the dismissal and the reopen", n)
	}
}

func TestCareSlashCommands(t *testing.T) {
	fm := &mutesfake.Mutes{}
	e := newEnv(t, func(o *Options) { o.Mutes = fm })
	e.connect()
	e.post(sampleCard())
	sub := func(name string, opts ...discordfake.CommandOption) string {
		t.Helper()
		in := e.fake.SlashPayload(member(alice), careChannel, "earshot", discordfake.CommandOption{Name: name, Type: 1, Options: opts})
		return shown(e.deliver(in, func(in discordfake.Interaction) bool { return in.Original != nil && in.Original.Edits > 0 }).Text())
	}
	str := func(name, v string) discordfake.CommandOption {
		return discordfake.CommandOption{Name: name, Type: 3, Value: v}
	}
	caseOpt := discordfake.CommandOption{Name: "case", Type: 4, Value: 12}

	sub("dismiss", caseOpt, str("reason", "spam"), str("note", "bot farm"))
	sub("dismiss", caseOpt, str("note", "wrong brand"))
	sub("mute", caseOpt, str("what", "7d coupon bot"))
	sub("reopen", caseOpt, str("note", "wrote again by email"))
	muted := sub("mute", str("what", `term "giveaway" 24h promo wave`))
	refused := sub("mute", str("what", `term "gi*ve"`))
	unmuted := sub("unmute", str("what", "author @dealsbot"))
	nothing := sub("unmute", str("what", "author @nobody"))
	sub("unmute", caseOpt)
	list := sub("mutes")

	reqs := e.actions.requests()
	if len(reqs) != 4 {
		t.Fatalf("requests %+v: want two dismissals, a mute and a reopen", reqs)
	}
	if r := reqs[0]; r.Kind != bot.ActDismiss || r.Reason != bot.ReasonSpam || r.Text != "bot farm" {
		t.Errorf("dismiss %+v", r)
	}
	if r := reqs[1]; r.Kind != bot.ActDismiss || r.Reason != bot.ReasonOther || r.Text != "wrong brand" {
		t.Errorf("dismiss with a note only %+v", r)
	}
	if r := reqs[2]; r.Kind != bot.ActMute || r.Mute == nil || r.Mute.Period != "1w" || r.Mute.Kind != "" || r.Text != "coupon bot" {
		t.Errorf("mute %+v (%+v)", r, r.Mute)
	}
	if r := reqs[3]; r.Kind != bot.ActReopen || r.CaseID != 12 || r.Text != "wrote again by email" {
		t.Errorf("reopen %+v", r)
	}
	m := fm.Muted()
	if len(m) != 2 || m[0].Spec != (bot.MuteSpec{Kind: bot.MuteTerm, Value: "giveaway", Period: "1d"}) || m[0].Reason != "promo wave" || m[0].Actor != "discord:"+alice || !m[0].Verified || m[0].Surface != Name {
		t.Errorf("mutes %+v", m)
	}
	if ended := fm.Ended(); len(ended) != 3 || ended[0].Kind != bot.MuteAuthor || ended[0].Value != "@dealsbot" || ended[2].CaseID != 12 {
		t.Errorf("unmutes %+v", ended)
	}
	for _, tc := range []struct{ got, want string }{
		{muted, `🔇 Muted term "giveaway" until`},
		{muted, "`/earshot unmute term giveaway` ends it."},
		{refused, `⚠️ Can't mute: "gi*ve": only a trailing *.`},
		{unmuted, "🔊 Unmuted author @dealsbot."},
		{nothing, "Nothing matching is muted."},
		{list, "**1 muted**"},
	} {
		if !strings.Contains(tc.got, tc.want) {
			t.Errorf("answer %q lacks %q", tc.got, tc.want)
		}
	}
}
