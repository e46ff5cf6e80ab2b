package slacksurface

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/slackfake"
	"github.com/earshothq/earshot/surfaces/pace"
)

func TestNewRefusesIncompleteOptions(t *testing.T) {
	ok := Options{BotToken: "xoxb-1", SigningSecret: "s", Actions: newFakeActions(),
		CaseByRef: func(context.Context, string, string) (int64, error) { return 0, nil },
		Card:      func(context.Context, int64) (bot.Card, error) { return bot.Card{}, nil }}
	tests := []struct {
		name   string
		change func(*Options)
		want   string
	}{
		{"no bot token", func(o *Options) { o.BotToken = "" }, "bot token"},
		{"user token", func(o *Options) { o.BotToken = "xoxp-1" }, "bot user OAuth token"},
		{"bad app token", func(o *Options) { o.AppToken = "xoxb-2" }, "app-level token"},
		{"no way in", func(o *Options) { o.SigningSecret = "" }, "signing secret"},
		{"no actions", func(o *Options) { o.Actions = nil }, "Actions"},
		{"bad command", func(o *Options) { o.Command = "earshot" }, "command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok
			tt.change(&o)
			_, err := New(o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New = %v, want an error about %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "xoxb-2") || strings.Contains(err.Error(), "xoxp-1") {
				t.Errorf("error %q repeats a token", err)
			}
		})
	}
	if _, err := New(ok); err != nil {
		t.Fatalf("New(valid) = %v", err)
	}
}

func TestCardPostedThenUpdatedInPlace(t *testing.T) {
	e := newEnv(t, nil)
	card := sampleCard()
	ref := e.post(card)
	if !strings.HasPrefix(ref, "C0CARE/") {
		t.Fatalf("ref %q, want C0CARE/<ts>", ref)
	}
	msgs := e.fake.Messages("C0CARE")
	if len(msgs) != 1 || msgs[0].ThreadTS != "" || msgs[0].UnfurlLinks != "false" || msgs[0].UnfurlMedia != "false" {
		t.Fatalf("messages after post: %+v", msgs)
	}
	if !strings.Contains(string(msgs[0].Blocks), "earshot.send.1") {
		t.Errorf("posted card has no Send button: %s", msgs[0].Blocks)
	}
	calls := e.fake.Calls("chat.postMessage")
	if calls[0].Auth != "form" || calls[0].Form.Get("channel") != "C0CARE" {
		t.Errorf("postMessage call: auth %q channel %q", calls[0].Auth, calls[0].Form.Get("channel"))
	}

	card.Case.State, card.Case.Assignee, card.Case.Rev = bot.StateClaimed, "slack:U0ALICE", 4
	got, err := e.s.ShowCard(t.Context(), card, ref)
	if err != nil || got != ref {
		t.Fatalf("ShowCard(update) = %q, %v; want %q", got, err, ref)
	}
	msgs = e.fake.Messages("")
	if len(msgs) != 1 || msgs[0].Updates != 1 {
		t.Fatalf("after update: %d messages, %d updates; want the one card updated once", len(msgs), msgs[0].Updates)
	}
	if b := decoded(t, msgs[0].Blocks); !strings.Contains(b, "claimed by <@U0ALICE>") || !strings.Contains(b, "r=4") {
		t.Errorf("updated card does not show the new state and revision")
	}
}

func TestTeamWithoutSlackChannelHasNoCard(t *testing.T) {
	e := newEnv(t, nil)
	card := sampleCard()
	card.Team.Slack.Channel = ""
	ref, err := e.s.ShowCard(t.Context(), card, "")
	if ref != "" || err != nil {
		t.Fatalf("ShowCard = %q, %v; want \"\", nil", ref, err)
	}
	if n := len(e.fake.Calls("")); n != 0 {
		t.Errorf("%d calls to Slack, want none", n)
	}
}

func TestDeletedCardIsPostedAgain(t *testing.T) {
	e := newEnv(t, nil)
	card := sampleCard()
	ref, err := e.s.ShowCard(t.Context(), card, "C0CARE/1700000000.999999")
	if err != nil {
		t.Fatalf("ShowCard on a missing card: %v", err)
	}
	if ref == "C0CARE/1700000000.999999" || len(e.fake.Messages("C0CARE")) != 1 {
		t.Fatalf("ref %q and %d messages: want a new card", ref, len(e.fake.Messages("C0CARE")))
	}
}

func TestHostileCardAcceptedBySlack(t *testing.T) {
	e := newEnv(t, nil)
	for _, tt := range cardCases {
		if _, err := e.s.ShowCard(t.Context(), tt.card(), ""); err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	for _, m := range e.fake.Messages("") {
		for _, bad := range []string{"<!channel>", "<!here>", "<!everyone>", "<@U123>", "|your bank>", "|our site>", "|refund>"} {
			if strings.Contains(m.Text, bad) || strings.Contains(decoded(t, m.Blocks), bad) {
				t.Errorf("a posted card contains the live sequence %s", bad)
			}
		}
	}
}

func TestNoteGoesToThread(t *testing.T) {
	e := newEnv(t, nil)
	card := sampleCard()
	ref := e.post(card)
	_, ts, _ := splitRef(ref)
	ev := bot.Event{Kind: bot.EventReplied, Actor: "slack:U0ALICE", Text: "Sorry <!channel>", URL: "https://bsky.app/profile/acme/post/9"}
	if err := e.s.Note(t.Context(), card, ref, ev); err != nil {
		t.Fatalf("Note: %v", err)
	}
	thread := e.fake.Thread("C0CARE", ts)
	if len(thread) != 1 {
		t.Fatalf("thread has %d messages, want 1", len(thread))
	}
	want := ":white_check_mark: <@U0ALICE> replied (<https://bsky.app/profile/acme/post/9|view post>):\n> Sorry &lt;!channel&gt;"
	if thread[0].Text != want {
		t.Errorf("note %q, want %q", thread[0].Text, want)
	}
	if err := e.s.Note(t.Context(), card, "not-a-ref", ev); !bot.IsPermanent(err) {
		t.Errorf("Note with a bad ref = %v, want a permanent error", err)
	}
}

func TestPermanentErrorsNameTheChannel(t *testing.T) {
	for _, code := range []string{"channel_not_found", "not_in_channel", "is_archived"} {
		t.Run(code, func(t *testing.T) {
			e := newEnv(t, nil)
			e.fake.FailChannel("C0CARE", code)
			_, err := e.s.ShowCard(t.Context(), sampleCard(), "")
			if !bot.IsPermanent(err) {
				t.Fatalf("ShowCard = %v, want permanent", err)
			}
			if !strings.Contains(err.Error(), "C0CARE") || !strings.Contains(err.Error(), code) {
				t.Errorf("error %q does not name the channel and the code", err)
			}
		})
	}
	t.Run("invalid_auth", func(t *testing.T) {
		e := newEnv(t, func(o *Options) { o.BotToken = "xoxb-wrong-token" })
		_, err := e.s.ShowCard(t.Context(), sampleCard(), "")
		if !bot.IsPermanent(err) || !strings.Contains(err.Error(), "C0CARE") {
			t.Fatalf("ShowCard with a bad token = %v, want permanent naming the channel", err)
		}
		if strings.Contains(err.Error(), "xoxb-wrong-token") {
			t.Errorf("error %q contains the token", err)
		}
	})
	t.Run("server error is retried", func(t *testing.T) {
		e := newEnv(t, func(o *Options) { o.APIURL = "http://127.0.0.1:1/api/" })
		_, err := e.s.ShowCard(t.Context(), sampleCard(), "")
		if err == nil || bot.IsPermanent(err) {
			t.Fatalf("ShowCard with Slack unreachable = %v, want a plain (retried) error", err)
		}
	})
}

func TestRateLimitedPostRetriedAfterItsDelay(t *testing.T) {
	e := newEnv(t, nil)
	e.fake.RateLimitNext("C0CARE", 3*time.Second)
	_, err := e.s.ShowCard(t.Context(), sampleCard(), "")
	var re *bot.RetryError
	if !errors.As(err, &re) || re.After != 3*time.Second {
		t.Fatalf("ShowCard after a 429 = %v, want RetryError after 3s", err)
	}
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) {
		t.Errorf("RetryError does not wrap slack's RateLimitedError: %v", err)
	}
	// Until Retry-After has passed nothing more is sent to that channel.
	calls := len(e.fake.Calls("chat.postMessage"))
	e.advance(2 * time.Second)
	if _, err := e.s.ShowCard(t.Context(), sampleCard(), ""); !errors.As(err, &re) || re.After != time.Second {
		t.Fatalf("ShowCard before Retry-After = %v, want RetryError after the remaining 1s", err)
	}
	if got := len(e.fake.Calls("chat.postMessage")); got != calls {
		t.Errorf("%d posts during Retry-After, want none", got-calls)
	}
	e.advance(time.Second)
	if _, err := e.s.ShowCard(t.Context(), sampleCard(), ""); err != nil {
		t.Fatalf("ShowCard after Retry-After: %v", err)
	}
}

func TestPacingKeepsUnderSlackLimit(t *testing.T) {
	// One clock for Slack and for us: each wait the surface takes moves it.
	var clock time.Time = testNow
	now := func() time.Time { return clock }
	e := newEnv(t, func(o *Options) { o.Now = now }, slackfake.WithClock(now))
	var waits []time.Duration
	e.s.pace = pace.New(pace.Options{Name: "slack", PerSecond: 0.9, Burst: 4, Now: now, Sleep: func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		clock = clock.Add(d)
		return nil
	}})
	for range 8 {
		if _, err := e.s.ShowCard(t.Context(), sampleCard(), ""); err != nil {
			t.Fatalf("ShowCard: %v", err)
		}
	}
	perSecond := 0.9
	gap := time.Duration(float64(time.Second) / perSecond)
	if want := []time.Duration{gap, gap, gap, gap}; !slices.Equal(waits, want) {
		t.Errorf("waits %v, want a burst of 4 then one each %v", waits, gap)
	}
	for _, c := range e.fake.Calls("") {
		if c.Status == http.StatusTooManyRequests {
			t.Fatalf("Slack answered 429: pacing failed")
		}
	}
	if n := len(e.fake.Messages("C0CARE")); n != 8 {
		t.Errorf("%d cards posted, want 8", n)
	}
	// Past MaxWait the post is handed back rather than held.
	e.s.pace.SetMaxWait(500 * time.Millisecond)
	var re *bot.RetryError
	if _, err := e.s.ShowCard(t.Context(), sampleCard(), ""); !errors.As(err, &re) || re.After != gap {
		t.Errorf("ShowCard with a full channel = %v, want RetryError after %s", err, gap)
	}
}

func TestPacerSharesBudgetAcrossNames(t *testing.T) {
	now := testNow
	var waited time.Duration
	p := pace.New(pace.Options{PerSecond: 1, Burst: 2, MaxWait: time.Minute, Now: func() time.Time { return now },
		Sleep: func(ctx context.Context, d time.Duration) error { waited += d; return nil }})
	_ = p.Wait(t.Context(), "#care")
	p.Alias("#care", "C0CARE")
	_ = p.Wait(t.Context(), "C0CARE")
	_ = p.Wait(t.Context(), "#care")
	if waited != time.Second {
		t.Errorf("waited %s, want 1s: #care and C0CARE are one channel", waited)
	}
}

func TestReactionBecomesReply(t *testing.T) {
	e := newEnv(t, nil)
	ref := e.post(sampleCard())
	ch, ts, _ := splitRef(ref)
	res, _ := e.deliver(slackfake.EventDelivery(slackfake.ReactionAdded("Ev1", "U0ALICE", "white_check_mark", ch, ts)))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	want := []bot.ActionRequest{{CaseID: 12, Kind: bot.ActReply, Suggestion: 1, Actor: "slack:U0ALICE", Surface: "slack", Verified: true}}
	if got := e.actions.requests(); !slices.Equal(got, want) {
		t.Fatalf("requests %+v, want %+v", got, want)
	}
	// Skin tones are the same emoji; unknown emoji and other messages do nothing.
	e.deliver(slackfake.EventDelivery(slackfake.ReactionAdded("Ev2", "U0BOB", "eyes::skin-tone-3", ch, ts)))
	e.deliver(slackfake.EventDelivery(slackfake.ReactionAdded("Ev3", "U0BOB", "tada", ch, ts)))
	e.deliver(slackfake.EventDelivery(slackfake.ReactionAdded("Ev4", "U0BOB", "eyes", ch, "1.000001")))
	got := e.actions.requests()
	if len(got) != 2 || got[1].Kind != bot.ActClaim || got[1].Actor != "slack:U0BOB" {
		t.Fatalf("requests %+v, want the reply and one claim", got)
	}
}

func TestBotsOwnReactionIgnored(t *testing.T) {
	e := newEnv(t, nil)
	ch, ts, _ := splitRef(e.post(sampleCard()))
	e.deliver(slackfake.EventDelivery(slackfake.ReactionAdded("Ev1", slackfake.BotUserID, "white_check_mark", ch, ts)))
	if got := e.actions.requests(); len(got) != 0 {
		t.Fatalf("the bot's own reaction made requests %+v", got)
	}
	if n := len(e.fake.Calls("auth.test")); n != 1 {
		t.Errorf("auth.test called %d times, want once", n)
	}
}

func TestRetriedEventDoneOnce(t *testing.T) {
	e := newEnv(t, nil)
	ch, ts, _ := splitRef(e.post(sampleCard()))
	ev := slackfake.ReactionAdded("EvSame", "U0ALICE", "rotating_light", ch, ts)
	e.deliver(slackfake.EventDelivery(ev))
	retry := slackfake.EventDelivery(ev)
	retry.RetryNum = 1
	res, _ := e.deliver(retry)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("retry answered %d, want 200 so Slack stops", res.StatusCode)
	}
	if got := e.actions.requests(); len(got) != 1 || got[0].Kind != bot.ActEscalate {
		t.Fatalf("requests %+v, want one escalation", got)
	}
}

func TestForgedRequestsRefused(t *testing.T) {
	e := newEnv(t, nil)
	ch, ts, _ := splitRef(e.post(sampleCard()))
	before := len(e.fake.Calls(""))
	event := slackfake.ReactionAdded("Ev1", "U0ALICE", "white_check_mark", ch, ts)
	tests := []struct {
		name string
		d    slackfake.Delivery
		edit func(*http.Request)
	}{
		{"wrong secret", withSecret(slackfake.EventDelivery(event), "not-the-secret"), nil},
		{"stale timestamp", withAt(slackfake.EventDelivery(event), time.Now().Add(-6*time.Minute)), nil},
		{"future timestamp", withAt(slackfake.EventDelivery(event), time.Now().Add(6*time.Minute)), nil},
		{"no signature", slackfake.EventDelivery(event), func(r *http.Request) { r.Header.Del("X-Slack-Signature") }},
		{"body changed", slackfake.EventDelivery(event), func(r *http.Request) { r.Header.Set("X-Slack-Signature", "v0="+strings.Repeat("0", 64)) }},
		{"forged command", withSecret(slackfake.CommandDelivery(slackfake.SlashCommand("U0ALICE", "C0CARE", "/earshot", "dismiss #12", "", "")), "x"), nil},
		{"forged click", withSecret(slackfake.InteractionDelivery(slackfake.BlockAction("U0ALICE", ch, ts, actionClaim, "c=12&r=3", "", "")), "x"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := e.fake.Request(t.Context(), e.srv.URL, tt.d)
			if err != nil {
				t.Fatal(err)
			}
			if tt.edit != nil {
				tt.edit(req)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = res.Body.Close()
			e.s.work.Wait()
			if res.StatusCode != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", res.StatusCode)
			}
		})
	}
	if got := e.actions.requests(); len(got) != 0 {
		t.Errorf("forged requests made %+v", got)
	}
	if after := len(e.fake.Calls("")); after != before {
		t.Errorf("forged requests made %d calls to Slack", after-before)
	}
}

// decoded is raw JSON with <, > and & as themselves, for searching.
func decoded(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return string(marshal(t, v))
}

func withSecret(d slackfake.Delivery, s string) slackfake.Delivery { d.Secret = s; return d }
func withAt(d slackfake.Delivery, at time.Time) slackfake.Delivery { d.At = at; return d }

func TestURLVerification(t *testing.T) {
	e := newEnv(t, nil)
	res, body := e.deliver(slackfake.EventDelivery(slackfake.URLVerification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")))
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"`) {
		t.Fatalf("url_verification: %d %s", res.StatusCode, body)
	}
}

func TestEditButtonOpensModalAndSubmissionSends(t *testing.T) {
	e := newEnv(t, nil)
	card := sampleCard()
	ch, ts, _ := splitRef(e.post(card))
	value := click{Case: 12, Rev: 3, Rank: 1, Hash: textHash(card.Suggestions[0].Text)}.encode()
	trigger := e.fake.TriggerID()
	res, body := e.deliver(slackfake.InteractionDelivery(slackfake.BlockAction("U0ALICE", ch, ts, actionEdit, value, trigger, "")))
	if res.StatusCode != http.StatusOK || body != "" {
		t.Fatalf("click answered %d %q, want an empty 200", res.StatusCode, body)
	}
	views := e.fake.Views()
	if len(views) != 1 || views[0].TriggerID != trigger {
		t.Fatalf("views %+v, want one opened with the click's trigger", views)
	}
	var v slack.ModalViewRequest
	if err := json.Unmarshal(views[0].View, &v); err != nil {
		t.Fatal(err)
	}
	in := v.Blocks.BlockSet[1].(*slack.InputBlock).Element.(*slack.PlainTextInputBlockElement)
	if in.InitialValue != card.Suggestions[0].Text || in.MaxLength != 300 || v.CallbackID != viewEdit {
		t.Fatalf("modal input %+v callback %q: want suggestion 1, max 300 (bluesky)", in, v.CallbackID)
	}
	if len(e.actions.requests()) != 0 {
		t.Fatal("opening the editor acted already")
	}

	edited := "Sorry Jane & thanks for your patience: DM us your order number."
	sub := slackfake.ViewSubmission("U0ALICE", views[0].ID, v.CallbackID, v.PrivateMetadata,
		map[string]map[string]any{inputText: {inputText: map[string]any{"type": "plain_text_input", "value": edited}}})
	res, body = e.deliver(slackfake.InteractionDelivery(sub))
	if res.StatusCode != http.StatusOK || body != "" {
		t.Fatalf("submission answered %d %q, want an empty 200 (closes the modal)", res.StatusCode, body)
	}
	want := []bot.ActionRequest{{CaseID: 12, Kind: bot.ActReply, Text: edited, Actor: "slack:U0ALICE", Surface: "slack", Verified: true}}
	if got := e.actions.requests(); !slices.Equal(got, want) {
		t.Fatalf("requests %+v, want %+v", got, want)
	}

	// Too long for Bluesky: the field says so and nothing is done.
	sub = slackfake.ViewSubmission("U0ALICE", views[0].ID, v.CallbackID, v.PrivateMetadata,
		map[string]map[string]any{inputText: {inputText: map[string]any{"type": "plain_text_input", "value": strings.Repeat("a", 301)}}})
	_, body = e.deliver(slackfake.InteractionDelivery(sub))
	if !strings.Contains(body, `"response_action":"errors"`) || !strings.Contains(body, "bluesky allows 300") {
		t.Fatalf("over-long submission answered %q, want a field error", body)
	}
	if n := len(e.actions.requests()); n != 1 {
		t.Errorf("%d requests after a refused submission, want 1", n)
	}
}

func TestSendButton(t *testing.T) {
	e := newEnv(t, nil)
	card := sampleCard()
	ch, ts, _ := splitRef(e.post(card))
	fresh := click{Case: 12, Rev: 3, Rank: 2, Hash: textHash(card.Suggestions[1].Text)}.encode()
	e.deliver(slackfake.InteractionDelivery(slackfake.BlockAction("U0ALICE", ch, ts, actionSend+".2", fresh, e.fake.TriggerID(), "")))
	want := []bot.ActionRequest{{CaseID: 12, Kind: bot.ActReply, Suggestion: 2, Actor: "slack:U0ALICE", Surface: "slack", Verified: true}}
	if got := e.actions.requests(); !slices.Equal(got, want) {
		t.Fatalf("requests %+v, want %+v", got, want)
	}
	// A card drawn before the drafts were redone: nothing is sent.
	stale := click{Case: 12, Rev: 2, Rank: 1, Hash: textHash("an older draft")}.encode()
	e.deliver(slackfake.InteractionDelivery(slackfake.BlockAction("U0BOB", ch, ts, actionSend+".1", stale, e.fake.TriggerID(), "")))
	if n := len(e.actions.requests()); n != 1 {
		t.Fatalf("a stale Send made a request")
	}
	eph := e.fake.Ephemerals()
	if len(eph) != 1 || eph[0].User != "U0BOB" || !strings.Contains(eph[0].Text, "changed since this card was shown") {
		t.Fatalf("ephemerals %+v, want one telling U0BOB the drafts changed", eph)
	}
}

func TestClaimAndDismissCarryTheCardRevision(t *testing.T) {
	e := newEnv(t, nil)
	ch, ts, _ := splitRef(e.post(sampleCard()))
	v := click{Case: 12, Rev: 3}.encode()
	e.deliver(slackfake.InteractionDelivery(slackfake.BlockAction("U0ALICE", ch, ts, actionClaim, v, "", "")))
	e.deliver(slackfake.InteractionDelivery(slackfake.BlockAction("U0ALICE", ch, ts, actionDismiss, v, "", "")))
	e.deliver(slackfake.InteractionDelivery(slackfake.BlockAction("U0ALICE", ch, ts, actionDismiss, v, "", "")))
	got := e.actions.requests()
	if len(got) != 3 || got[0].Kind != bot.ActClaim || got[1].Kind != bot.ActDismiss || got[1].Target != "r3" {
		t.Fatalf("requests %+v", got)
	}
	eph := e.ephemeralTexts()
	if len(eph) != 1 || !strings.Contains(eph[0], "Already done") {
		t.Fatalf("ephemerals %q, want one 'Already done' for the double click", eph)
	}
}

func TestEscalateModalPagesPeople(t *testing.T) {
	e := newEnv(t, nil)
	ch, ts, _ := splitRef(e.post(sampleCard()))
	e.deliver(slackfake.InteractionDelivery(slackfake.BlockAction("U0ALICE", ch, ts, actionEscalate, click{Case: 12, Rev: 3}.encode(), e.fake.TriggerID(), "")))
	views := e.fake.Views()
	if len(views) != 1 {
		t.Fatalf("%d views opened", len(views))
	}
	var v slack.ModalViewRequest
	_ = json.Unmarshal(views[0].View, &v)
	sub := slackfake.ViewSubmission("U0ALICE", views[0].ID, v.CallbackID, v.PrivateMetadata, map[string]map[string]any{
		inputText: {inputText: map[string]any{"type": "plain_text_input", "value": "Customer went to hospital"}},
		inputPage: {inputPage: map[string]any{"type": "multi_users_select", "selected_users": []string{"U0EXEC", "not-a-user"}}},
	})
	e.deliver(slackfake.InteractionDelivery(sub))
	want := []bot.ActionRequest{{CaseID: 12, Kind: bot.ActEscalate, Text: "Customer went to hospital (page slack:U0EXEC)", Target: "r3", Actor: "slack:U0ALICE", Surface: "slack", Verified: true}}
	if got := e.actions.requests(); !slices.Equal(got, want) {
		t.Fatalf("requests %+v, want %+v", got, want)
	}
}

func TestSlashCommandEscalatesWithNote(t *testing.T) {
	e := newEnv(t, nil)
	cmd := slackfake.SlashCommand("U0ALICE", "C0CARE", "/earshot", "escalate #12 Safety: burn &amp; <https://acme.example/r|report>", e.fake.TriggerID(), e.fake.ResponseURL())
	res, body := e.deliver(slackfake.CommandDelivery(cmd))
	if res.StatusCode != http.StatusOK || body != "" {
		t.Fatalf("command answered %d %q, want an empty 200", res.StatusCode, body)
	}
	want := []bot.ActionRequest{{CaseID: 12, Kind: bot.ActEscalate, Text: "Safety: burn & report (https://acme.example/r)", Actor: "slack:U0ALICE", Surface: "slack", Verified: true}}
	if got := e.actions.requests(); !slices.Equal(got, want) {
		t.Fatalf("requests %+v, want %+v", got, want)
	}
	eph := e.fake.Ephemerals()
	if len(eph) != 1 || eph[0].User != "U0ALICE" || eph[0].Channel != "C0CARE" || !strings.Contains(eph[0].Text, "Escalate on case #12 is under way") {
		t.Fatalf("ephemerals %+v, want a confirmation to the caller", eph)
	}
}

func TestSlashCommandAnswers(t *testing.T) {
	tests := []struct {
		text, want string
	}{
		{"", "earshot* acts on the case cards"},
		{"help", ":rotating_light: escalate"},
		{"dismiss", "Which case?"},
		{"frobnicate #3", "unknown command"},
		{"reply #12", "reply needs the text"},
		{"route-test my &lt;kettle&gt; broke", "care ← kettles\ntext: my &lt;kettle&gt; broke"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			e := newEnv(t, nil)
			res, body := e.deliver(slackfake.CommandDelivery(slackfake.SlashCommand("U0ALICE", "C0CARE", "/earshot", tt.text, "", "")))
			var answer map[string]string
			_ = json.Unmarshal([]byte(body), &answer)
			if res.StatusCode != http.StatusOK || answer["response_type"] != "ephemeral" || !strings.Contains(answer["text"], tt.want) {
				t.Fatalf("answered %d %s; want an ephemeral containing %q", res.StatusCode, body, tt.want)
			}
			if n := len(e.actions.requests()); n != 0 {
				t.Errorf("%d requests, want none", n)
			}
		})
	}
	t.Run("stats", func(t *testing.T) {
		e := newEnv(t, nil)
		e.deliver(slackfake.CommandDelivery(slackfake.SlashCommand("U0ALICE", "C0CARE", "/earshot", "stats 30d care", "", "")))
		if eph := e.ephemeralTexts(); len(eph) != 1 || !strings.Contains(eph[0], "care: 4 cases in 30 days") {
			t.Fatalf("ephemerals %q", eph)
		}
	})
}

func TestRefusalsAreToldPrivately(t *testing.T) {
	e := newEnv(t, nil)
	e.actions.forbidden[12] = `slack:U0MALLORY is not a member of team "care"`
	ch, ts, _ := splitRef(e.post(sampleCard()))
	e.deliver(slackfake.EventDelivery(slackfake.ReactionAdded("Ev1", "U0MALLORY", "eyes", ch, ts)))
	e.deliver(slackfake.CommandDelivery(slackfake.SlashCommand("U0ALICE", "C0CARE", "/earshot", "resolve #404", "", "")))
	e.actions.forbidden = map[int64]string{}
	e.actions.badText = "312 characters, bluesky allows 300"
	e.deliver(slackfake.CommandDelivery(slackfake.SlashCommand("U0ALICE", "C0CARE", "/earshot", "reply #12 long text", "", "")))
	eph := e.fake.Ephemerals()
	if len(eph) != 3 {
		t.Fatalf("ephemerals %+v, want 3", eph)
	}
	wants := []struct{ user, text string }{
		{"U0MALLORY", `:no_entry: You can't claim case #12: slack:U0MALLORY is not a member of team "care".`},
		{"U0ALICE", "Case #404 does not exist."},
		{"U0ALICE", ":warning: Can't reply case #12: 312 characters, bluesky allows 300."},
	}
	for i, w := range wants {
		if eph[i].User != w.user || eph[i].Text != w.text {
			t.Errorf("ephemeral %d = %s %q, want %s %q", i, eph[i].User, eph[i].Text, w.user, w.text)
		}
	}
}

func TestAnswerFallsBackToResponseURL(t *testing.T) {
	e := newEnv(t, nil)
	e.fake.FailChannel("D0DM", "channel_not_found")
	e.deliver(slackfake.CommandDelivery(slackfake.SlashCommand("U0ALICE", "D0DM", "/earshot", "claim #12", "", e.fake.ResponseURL())))
	hooks := e.fake.Hooks()
	if len(hooks) != 1 || !strings.Contains(string(hooks[0].Body), `"response_type":"ephemeral"`) {
		t.Fatalf("hooks %+v, want the answer through response_url", hooks)
	}
	// A response_url elsewhere than Slack is never posted to.
	e.deliver(slackfake.CommandDelivery(slackfake.SlashCommand("U0ALICE", "D0DM", "/earshot", "claim #13", "", "https://attacker.example/hook")))
	if n := len(e.fake.Hooks()); n != 1 {
		t.Errorf("%d hooks, want still 1", n)
	}
}

func TestMentionInCardThreadImpliesTheCase(t *testing.T) {
	e := newEnv(t, nil)
	ch, ts, _ := splitRef(e.post(sampleCard()))
	e.deliver(slackfake.EventDelivery(slackfake.AppMention("Ev1", "U0ALICE", "<@"+slackfake.BotUserID+"> reply Thanks &amp; sorry!", ch, "1700000500.000100", ts)))
	e.deliver(slackfake.EventDelivery(slackfake.AppMention("Ev2", "U0ALICE", "<@"+slackfake.BotUserID+"> dismiss", ch, "1700000600.000100", "")))
	want := []bot.ActionRequest{{CaseID: 12, Kind: bot.ActReply, Text: "Thanks & sorry!", Actor: "slack:U0ALICE", Surface: "slack", Verified: true}}
	if got := e.actions.requests(); !slices.Equal(got, want) {
		t.Fatalf("requests %+v, want %+v", got, want)
	}
	eph := e.fake.Ephemerals()
	if len(eph) != 2 || eph[0].ThreadTS != ts || !strings.Contains(eph[1].Text, "Mention me in a card's thread") {
		t.Fatalf("ephemerals %+v", eph)
	}
}

func TestRegenerateButtonAsksForAnInstruction(t *testing.T) {
	e := newEnv(t, nil)
	ch, ts, _ := splitRef(e.post(sampleCard()))
	e.deliver(slackfake.InteractionDelivery(slackfake.BlockAction("U0ALICE", ch, ts, actionRedraft, click{Case: 12, Rev: 3}.encode(), e.fake.TriggerID(), "")))
	views := e.fake.Views()
	if len(views) != 1 {
		t.Fatalf("%d views opened", len(views))
	}
	var v slack.ModalViewRequest
	_ = json.Unmarshal(views[0].View, &v)
	long := slackfake.ViewSubmission("U0ALICE", views[0].ID, v.CallbackID, v.PrivateMetadata, map[string]map[string]any{
		inputText: {inputText: map[string]any{"type": "plain_text_input", "value": strings.Repeat("x", maxInstruction+1)}},
	})
	if _, body := e.deliver(slackfake.InteractionDelivery(long)); !strings.Contains(body, "At most") {
		t.Fatalf("an over-long instruction answered %q, want a field error", body)
	}
	sub := slackfake.ViewSubmission("U0ALICE", views[0].ID, v.CallbackID, v.PrivateMetadata, map[string]map[string]any{
		inputText: {inputText: map[string]any{"type": "plain_text_input", "value": "shorter, offer a refund"}},
	})
	e.deliver(slackfake.InteractionDelivery(sub))
	want := []bot.ActionRequest{{CaseID: 12, Kind: bot.ActRegenerate, Text: "shorter, offer a refund", Target: "r3", Actor: "slack:U0ALICE", Surface: "slack", Verified: true}}
	if got := e.actions.requests(); !slices.Equal(got, want) {
		t.Fatalf("requests %+v, want %+v", got, want)
	}
}

func TestSlashCommandRegenerates(t *testing.T) {
	e := newEnv(t, nil)
	cmd := slackfake.SlashCommand("U0ALICE", "C0CARE", "/earshot", "redraft #12 less formal", e.fake.TriggerID(), e.fake.ResponseURL())
	e.deliver(slackfake.CommandDelivery(cmd))
	want := []bot.ActionRequest{{CaseID: 12, Kind: bot.ActRegenerate, Text: "less formal", Actor: "slack:U0ALICE", Surface: "slack", Verified: true}}
	if got := e.actions.requests(); !slices.Equal(got, want) {
		t.Fatalf("requests %+v, want %+v", got, want)
	}
}
