package discordsurface

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/discordfake"
	"github.com/earshothq/earshot/surfaces/command"
	"github.com/earshothq/earshot/surfaces/pace"
)

func TestNewRefusesIncompleteOptions(t *testing.T) {
	ok := func() Options {
		return Options{Token: "t", AppID: discordfake.AppID, Actions: &fakeActions{},
			CaseByRef: func(context.Context, string, string) (int64, error) { return 0, nil },
			Card:      func(context.Context, int64) (bot.Card, error) { return bot.Card{}, nil }}
	}
	for _, tc := range []struct {
		name   string
		change func(*Options)
		want   string
	}{
		{"no token", func(o *Options) { o.Token = "" }, "bot token is required"},
		{"Bot prefix", func(o *Options) { o.Token = "Bot abc" }, `without the "Bot " prefix`},
		{"app id", func(o *Options) { o.AppID = "earshot" }, "application id"},
		{"guild id", func(o *Options) { o.GuildIDs = []string{"my server"} }, "guild id"},
		{"public key", func(o *Options) { o.PublicKey = "abc" }, "public key"},
		{"command", func(o *Options) { o.Command = "/Earshot" }, "command"},
		{"no card", func(o *Options) { o.Card = nil }, "required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := ok()
			tc.change(&o)
			_, err := New(o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v, want an error with %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "Bot abc") {
				t.Fatalf("the token is in the error: %v", err)
			}
		})
	}
	if _, err := New(ok()); err != nil {
		t.Fatalf("New with good options: %v", err)
	}
}

func TestCardPostedThenEditedInPlace(t *testing.T) {
	e := newEnv(t, nil)
	card := sampleCard()
	ref, msg := e.post(card)
	if ref != careChannel+"/"+msg {
		t.Fatalf("ref %q", ref)
	}
	card.Case.State, card.Case.Rev, card.Case.Assignee = bot.StateClaimed, 4, "discord:"+alice
	got, err := e.s.ShowCard(t.Context(), card, ref)
	if err != nil || got != ref {
		t.Fatalf("ShowCard update: %q, %v", got, err)
	}
	ms := e.fake.Messages(careChannel)
	if len(ms) != 1 || ms[0].Edits != 1 || !strings.Contains(string(ms[0].Embeds), "Claimed") || !strings.Contains(string(ms[0].Components), "es1:claim:12:4") {
		t.Fatalf("messages after the update: %+v", ms)
	}
	// A team without a Discord channel has no card.
	card.Team.Discord.Channel = ""
	if ref, err := e.s.ShowCard(t.Context(), card, ""); ref != "" || err != nil {
		t.Fatalf("card without a channel: %q, %v", ref, err)
	}
}

func TestDeletedCardIsPostedAgain(t *testing.T) {
	e := newEnv(t, nil)
	ref, msg := e.post(sampleCard())
	e.fake.DeleteMessage(msg)
	got, err := e.s.ShowCard(t.Context(), sampleCard(), ref)
	if err != nil || got == ref || !strings.HasPrefix(got, careChannel+"/") {
		t.Fatalf("ShowCard on a deleted card: %q, %v", got, err)
	}
	// A deleted storm card is not posted again: the next update makes one.
	if _, err := e.s.ShowStorm(t.Context(), bot.StormCard{Team: sampleCard().Team, Since: testNow, Count: 3}, ref); !bot.IsPermanent(err) {
		t.Fatalf("storm update of a deleted message: %v, want permanent", err)
	}
}

// A hostile post, its follow-up in the thread, and an escalation note that
// quotes it: Discord would ping only the exec the escalation pages.
func TestEveryoneInAMentionPingsNoOne(t *testing.T) {
	e := newEnv(t, nil)
	card := hostileCard()
	card.Team.Execs = []string{"discord:" + dana} // only the rules' people are paged
	ref, msg := e.post(card)
	if err := e.s.Note(t.Context(), card, ref, bot.Event{Kind: bot.EventFollowUp, Actor: "@everyone", Text: hostile}); err != nil {
		t.Fatal(err)
	}
	if err := e.s.Note(t.Context(), card, ref, bot.Event{Kind: bot.EventReplied, Actor: "discord:" + alice, Text: "@here <@&323456789012345678> thanks"}); err != nil {
		t.Fatal(err)
	}
	if p := e.fake.Pings(); len(p) != 0 {
		t.Fatalf("pings: %+v", p)
	}
	if err := e.s.Note(t.Context(), card, ref, bot.Event{Kind: bot.EventEscalated, Actor: "discord:" + alice,
		Text: "Escalated to discord:" + dana + ": " + hostile}); err != nil {
		t.Fatal(err)
	}
	p := e.fake.Pings()
	if len(p) != 1 || p[0].Kind != "user" || p[0].Target != dana {
		t.Fatalf("pings after an escalation: %+v, want only %s", p, dana)
	}
	if n := len(e.fake.Messages(msg)); n != 3 {
		t.Fatalf("%d notes in the thread, want 3", n)
	}
	for _, m := range e.fake.Messages("") {
		if !strings.Contains(string(m.AllowedMentions), `"parse":[]`) {
			t.Fatalf("message %s sent with allowed_mentions %s", m.ID, m.AllowedMentions)
		}
	}
}

func TestNoteStartsTheThreadOnce(t *testing.T) {
	e := newEnv(t, nil)
	card := sampleCard()
	ref, msg := e.post(card)
	for _, ev := range []bot.Event{{Kind: bot.EventOpened}, {Kind: bot.EventClaimed, Actor: "discord:" + alice}} {
		if err := e.s.Note(t.Context(), card, ref, ev); err != nil {
			t.Fatal(err)
		}
	}
	threads := e.fake.Threads()
	if len(threads) != 1 || threads[0].ID != msg || threads[0].ParentID != careChannel || threads[0].Name != "Case #12 · complaint on bluesky" {
		t.Fatalf("threads %+v", threads)
	}
	if got := e.fake.Messages(msg); len(got) != 2 || got[1].Flags&4 == 0 {
		t.Fatalf("thread messages %+v (want 2, links not unfurled)", got)
	}
	if n := len(e.fake.Calls("POST /channels/" + careChannel + "/messages/" + msg + "/threads")); n != 1 {
		t.Fatalf("%d thread starts, want 1", n)
	}
	// After a restart the thread is not known: starting it again is
	// answered "already has a thread" and the note still goes in.
	e2 := newEnv(t, nil)
	_ = e2
	s2, err := New(Options{Token: discordfake.Token, AppID: discordfake.AppID, Transport: e.fake.Transport(), Actions: e.actions,
		CaseByRef: e.s.caseByRef, Card: e.s.card, Now: e.s.now})
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Note(t.Context(), card, ref, bot.Event{Kind: bot.EventResolved, Actor: "discord:" + alice}); err != nil {
		t.Fatalf("note after a restart: %v", err)
	}
	if got := e.fake.Messages(msg); len(got) != 3 {
		t.Fatalf("thread messages after a restart: %d", len(got))
	}
}

func TestPermanentErrorsNameTheChannel(t *testing.T) {
	e := newEnv(t, nil)
	card := sampleCard()
	e.fake.ForbidChannel(careChannel, 50001)
	_, err := e.s.ShowCard(t.Context(), card, "")
	if !bot.IsPermanent(err) || !strings.Contains(err.Error(), careChannel) || !strings.Contains(err.Error(), "View Channel") {
		t.Fatalf("forbidden channel: %v", err)
	}
	// The channel is left alone for a while: no second refusal is asked for.
	_, err = e.s.ShowCard(t.Context(), card, "")
	var re *bot.RetryError
	if !errors.As(err, &re) || re.After != quarantine || !strings.Contains(err.Error(), careChannel) {
		t.Fatalf("second try: %v", err)
	}
	if n := e.fake.InvalidRequests(); n != 1 {
		t.Fatalf("%d invalid requests, want 1", n)
	}
	e.fake.ForbidChannel(careChannel, 0)
	e.advance(quarantine)
	if _, err := e.s.ShowCard(t.Context(), card, ""); err != nil {
		t.Fatalf("after the quarantine, with the permission fixed: %v", err)
	}
	// An unknown channel (a typo in the rules) is permanent too.
	card.Team.Discord.Channel = "799999999999999999"
	if _, err := e.s.ShowCard(t.Context(), card, ""); !bot.IsPermanent(err) || !strings.Contains(err.Error(), "799999999999999999") || !strings.Contains(err.Error(), "discord.channel") {
		t.Fatalf("unknown channel: %v", err)
	}
}

func TestRateLimitedPostRetriedAfterItsDelay(t *testing.T) {
	e := newEnv(t, nil)
	e.fake.RateLimitNext(careChannel, 1500*time.Millisecond)
	_, err := e.s.ShowCard(t.Context(), sampleCard(), "")
	var re *bot.RetryError
	if !errors.As(err, &re) || re.After != 1500*time.Millisecond {
		t.Fatalf("429: %v, want a RetryError after 1.5s", err)
	}
	calls := len(e.fake.Calls("POST /channels/"))
	// Until the delay is over the channel is not asked again.
	if _, err := e.s.ShowCard(t.Context(), sampleCard(), ""); !errors.As(err, &re) || len(e.fake.Calls("POST /channels/")) != calls {
		t.Fatalf("retry before the delay: %v (%d calls)", err, len(e.fake.Calls("POST /channels/")))
	}
	e.advance(1500 * time.Millisecond)
	if _, err := e.s.ShowCard(t.Context(), sampleCard(), ""); err != nil {
		t.Fatalf("after the delay: %v", err)
	}
}

// With Discord's own limit of five messages per five seconds per channel
// enforced by the fake, the default pacing posts and edits a burst of cards
// without a single 429. The pacer's waits move the shared fake clock, so
// the test takes no real time.
func TestPacingKeepsUnderDiscordLimit(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.PerSecond, o.Burst, o.GlobalPerSecond = 0, 0, 0 }) // the defaults
	start := e.now
	po := e.s.paceOpts
	po.MaxWait = time.Hour
	po.Sleep = func(ctx context.Context, d time.Duration) error { e.advance(d); return nil }
	e.s.pace = pace.New(po)
	var refs []string
	for i := range 20 {
		c := sampleCard()
		c.Case.ID = int64(100 + i)
		ref, err := e.s.ShowCard(t.Context(), c, "")
		if err != nil {
			t.Fatalf("card %d: %v", i, err)
		}
		refs = append(refs, ref)
	}
	for i, ref := range refs {
		c := sampleCard()
		c.Case.ID, c.Case.Rev = int64(100+i), 9
		if _, err := e.s.ShowCard(t.Context(), c, ref); err != nil {
			t.Fatalf("edit %d: %v", i, err)
		}
	}
	if n := e.fake.InvalidRequests(); n != 0 {
		t.Fatalf("%d invalid requests (429s)", n)
	}
	e.mu.Lock()
	took := e.now.Sub(start)
	e.mu.Unlock()
	t.Logf("20 cards posted and edited in one channel in %s of Discord's time, no 429", took)
}

func TestStormCard(t *testing.T) {
	e := newEnv(t, nil)
	card := bot.StormCard{Team: sampleCard().Team, Since: testNow, Count: 3,
		Samples: []bot.StormSample{{CaseID: 5, First: bot.Mention{Text: "@everyone look"}}}}
	ref, err := e.s.ShowStorm(t.Context(), card, "")
	if err != nil {
		t.Fatal(err)
	}
	card.Count, card.Over = 40, true
	if again, err := e.s.ShowStorm(t.Context(), card, ref); err != nil || again != ref {
		t.Fatalf("storm update: %q, %v", again, err)
	}
	ms := e.fake.Messages(careChannel)
	if len(ms) != 1 || ms[0].Edits != 1 || !strings.Contains(ms[0].Content, "Storm over: 40") || len(e.fake.Pings()) != 0 {
		t.Fatalf("storm messages %+v, pings %+v", ms, e.fake.Pings())
	}
}

func TestCommandsRegisteredIdempotently(t *testing.T) {
	e := newEnv(t, nil)
	for range 2 {
		if err := e.s.RegisterCommands(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	cmds, n := e.fake.Commands(discordfake.GuildID)
	if n != 2 || len(cmds) != 1 {
		t.Fatalf("%d overwrites, %d commands", n, len(cmds))
	}
	var cmd struct {
		Name    string `json:"name"`
		Options []struct {
			Name    string `json:"name"`
			Options []struct {
				Name     string `json:"name"`
				Required bool   `json:"required"`
			} `json:"options"`
		} `json:"options"`
	}
	if err := json.Unmarshal(cmds[0], &cmd); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range cmd.Options {
		names = append(names, o.Name)
		seenOptional := false
		for _, oo := range o.Options {
			if oo.Required && seenOptional {
				t.Errorf("/earshot %s: required option %s after an optional one", o.Name, oo.Name)
			}
			seenOptional = seenOptional || !oo.Required
		}
	}
	if cmd.Name != "earshot" || strings.Join(names, " ") != strings.Join(command.Verbs, " ") {
		// Every verb of the shared grammar, in help's order: what works in
		// Slack works here.
		t.Fatalf("command %s with %v", cmd.Name, names)
	}
}
