package slackfake

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// Slack's documented signing example.
func TestSignatureMatchesSlackDocs(t *testing.T) {
	body := "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	got := Signature("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, []byte(body))
	if want := "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"; got != want {
		t.Fatalf("Signature = %s, want %s", got, want)
	}
}

func TestRequestVerifiesWithSlackGo(t *testing.T) {
	f := New()
	defer f.Close()
	d := EventDelivery(ReactionAdded("Ev1", "U1", "eyes", "C1", "1.2"))
	req, err := f.Request(t.Context(), "http://app.example", d)
	if err != nil {
		t.Fatal(err)
	}
	sv, err := slack.NewSecretsVerifier(req.Header, SigningSecret)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = sv.Write(d.Body)
	if err := sv.Ensure(); err != nil {
		t.Fatalf("slack-go refuses the fake's signature: %v", err)
	}
}

func client(f *Fake, token string) *slack.Client {
	return slack.New(token, slack.OptionAPIURL(f.APIURL()))
}

func TestWebAPIWithSlackGo(t *testing.T) {
	f := New()
	defer f.Close()
	f.AddChannel("C0CARE", "care")
	api := client(f, BotToken)
	ctx := t.Context()

	auth, err := api.AuthTestContext(ctx)
	if err != nil || auth.UserID != BotUserID || auth.TeamID != TeamID {
		t.Fatalf("auth.test = %+v, %v", auth, err)
	}
	ch, ts, err := api.PostMessageContext(ctx, "#care", slack.MsgOptionText("hello &lt;world&gt;", false),
		slack.MsgOptionBlocks(slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*hi*", false, false), nil, nil)))
	if err != nil || ch != "C0CARE" || ts == "" {
		t.Fatalf("chat.postMessage = %q %q %v", ch, ts, err)
	}
	if _, _, err := api.PostMessageContext(ctx, ch, slack.MsgOptionText("in thread", false), slack.MsgOptionTS(ts)); err != nil {
		t.Fatalf("thread reply: %v", err)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, ch, ts, slack.MsgOptionText("edited", false)); err != nil {
		t.Fatalf("chat.update: %v", err)
	}
	if _, err := api.PostEphemeralContext(ctx, ch, "U1", slack.MsgOptionText("psst", false)); err != nil {
		t.Fatalf("chat.postEphemeral: %v", err)
	}
	msgs := f.Messages(ch)
	if len(msgs) != 2 || msgs[0].Text != "edited" || msgs[0].Updates != 1 || msgs[1].ThreadTS != ts {
		t.Fatalf("messages %+v", msgs)
	}
	if th := f.Thread(ch, ts); len(th) != 1 || th[0].Text != "in thread" {
		t.Fatalf("thread %+v", th)
	}
	link, err := api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: ch, Ts: ts})
	if want := PermalinkBase + ch + "/p" + strings.ReplaceAll(ts, ".", ""); err != nil || link != want {
		t.Fatalf("chat.getPermalink = %q, %v; want %q", link, err, want)
	}
	if _, err := api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: ch, Ts: "1.000009"}); err == nil || !strings.Contains(err.Error(), "message_not_found") {
		t.Fatalf("chat.getPermalink of no message: %v", err)
	}
	if calls := f.Calls("chat.getPermalink"); len(calls) != 2 || calls[0].Auth != "bearer" {
		t.Fatalf("getPermalink calls %+v", calls)
	}
	if e := f.Ephemerals(); len(e) != 1 || e[0].User != "U1" || e[0].Text != "psst" {
		t.Fatalf("ephemerals %+v", e)
	}
	if c := f.Calls("chat.postMessage"); len(c) != 2 || c[0].Auth != "form" {
		t.Fatalf("calls %+v", c)
	}
}

func TestWebAPIErrors(t *testing.T) {
	f := New()
	defer f.Close()
	ctx := t.Context()
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"bad token", func() error {
			_, _, err := client(f, "xoxb-other").PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false))
			return err
		}, "invalid_auth"},
		{"unknown channel name", func() error {
			_, _, err := client(f, BotToken).PostMessageContext(ctx, "#nowhere", slack.MsgOptionText("x", false))
			return err
		}, "channel_not_found"},
		{"no text", func() error {
			_, _, err := client(f, BotToken).PostMessageContext(ctx, "C1")
			return err
		}, "no_text"},
		{"missing message", func() error {
			_, _, _, err := client(f, BotToken).UpdateMessageContext(ctx, "C1", "1.000001", slack.MsgOptionText("x", false))
			return err
		}, "message_not_found"},
		{"header too long", func() error {
			h := slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, strings.Repeat("h", 151), false, false))
			_, _, err := client(f, BotToken).PostMessageContext(ctx, "C1", slack.MsgOptionBlocks(h))
			return err
		}, "invalid_blocks"},
		{"button value too long", func() error {
			btn := slack.NewButtonBlockElement("a", strings.Repeat("v", 2001), slack.NewTextBlockObject(slack.PlainTextType, "b", false, false))
			_, _, err := client(f, BotToken).PostMessageContext(ctx, "C1", slack.MsgOptionBlocks(slack.NewActionBlock("", btn)))
			return err
		}, "invalid_blocks"},
		{"unknown trigger", func() error {
			_, err := client(f, BotToken).OpenViewContext(ctx, "nope", slack.ModalViewRequest{Type: slack.VTModal, Title: slack.NewTextBlockObject(slack.PlainTextType, "T", false, false)})
			return err
		}, "invalid_trigger_id"},
		{"connections.open with the bot token", func() error {
			_, _, err := socketmode.New(slack.New(BotToken, slack.OptionAPIURL(f.APIURL()), slack.OptionAppLevelToken(BotToken))).OpenContext(ctx)
			return err
		}, "invalid_auth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var se slack.SlackErrorResponse
			if !errors.As(err, &se) || se.Err != tt.want {
				t.Fatalf("err = %v, want Slack error %q", err, tt.want)
			}
		})
	}
	f.FailChannel("C2", "not_in_channel")
	if _, _, err := client(f, BotToken).PostMessageContext(ctx, "C2", slack.MsgOptionText("x", false)); err == nil || err.Error() != "not_in_channel" {
		t.Fatalf("FailChannel: %v", err)
	}
}

func TestRateLimitPerChannel(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := New(WithClock(func() time.Time { return now }))
	defer f.Close()
	api := client(f, BotToken)
	post := func(ch string) error {
		_, _, err := api.PostMessageContext(t.Context(), ch, slack.MsgOptionText("x", false))
		return err
	}
	for i := range 5 {
		if err := post("C1"); err != nil {
			t.Fatalf("burst message %d: %v", i+1, err)
		}
	}
	var rl *slack.RateLimitedError
	if err := post("C1"); !errors.As(err, &rl) || rl.RetryAfter != time.Second {
		t.Fatalf("6th message = %v, want a 429 with Retry-After 1", err)
	}
	if err := post("C2"); err != nil {
		t.Fatalf("another channel is limited too: %v", err)
	}
	now = now.Add(time.Second)
	if err := post("C1"); err != nil {
		t.Fatalf("a second later: %v", err)
	}
	f.RateLimitNext("C1", 2500*time.Millisecond)
	if err := post("C1"); !errors.As(err, &rl) || rl.RetryAfter != 3*time.Second {
		t.Fatalf("forced limit = %v, want Retry-After 3 (rounded up)", err)
	}
	last := f.Calls("chat.postMessage")
	if c := last[len(last)-1]; c.Status != http.StatusTooManyRequests || c.Error != "ratelimited" {
		t.Fatalf("recorded call %+v", c)
	}
}

func TestViewsOpenTriggerUsedOnce(t *testing.T) {
	f := New()
	defer f.Close()
	api := client(f, BotToken)
	trigger := f.TriggerID()
	in := slack.NewInputBlock("b", slack.NewTextBlockObject(slack.PlainTextType, "Reply", false, false), nil,
		slack.NewPlainTextInputBlockElement(nil, "a"))
	view := slack.ModalViewRequest{Type: slack.VTModal, CallbackID: "cb", PrivateMetadata: "m",
		Title:  slack.NewTextBlockObject(slack.PlainTextType, "Edit", false, false),
		Submit: slack.NewTextBlockObject(slack.PlainTextType, "Send", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{in}}}
	res, err := api.OpenViewContext(t.Context(), trigger, view)
	if err != nil || res.ID == "" || res.CallbackID != "cb" || res.PrivateMetadata != "m" {
		t.Fatalf("views.open = %+v, %v", res, err)
	}
	if _, err := api.OpenViewContext(t.Context(), trigger, view); err == nil || err.Error() != "exchanged_trigger_id" {
		t.Fatalf("second views.open = %v, want exchanged_trigger_id", err)
	}
	if c := f.Calls("views.open"); c[0].Auth != "bearer" || !json.Valid(c[0].JSON) {
		t.Fatalf("views.open call %+v: slack-go sends JSON with a Bearer token", c[0])
	}
}

func TestSocketModeWithSlackGo(t *testing.T) {
	f := New(WithPingInterval(50 * time.Millisecond))
	defer f.Close()
	sm := socketmode.New(slack.New(BotToken, slack.OptionAPIURL(f.APIURL()), slack.OptionAppLevelToken(AppToken)))
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	go func() { _ = sm.RunContext(ctx) }()
	go func() {
		for evt := range sm.Events {
			if evt.Request != nil && evt.Type != socketmode.EventTypeHello {
				_ = sm.Ack(*evt.Request, map[string]string{"seen": string(evt.Type)})
			}
		}
	}()
	if err := f.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	pushes := []func() (string, error){
		func() (string, error) { return f.PushEvent(ctx, ReactionAdded("Ev1", "U1", "eyes", "C1", "1.2"), 0) },
		func() (string, error) {
			return f.PushInteraction(ctx, BlockAction("U1", "C1", "1.2", "a", "v", f.TriggerID(), f.ResponseURL()))
		},
		func() (string, error) {
			return f.PushSlashCommand(ctx, SlashCommand("U1", "C1", "/earshot", "help", f.TriggerID(), f.ResponseURL()))
		},
	}
	for i, want := range []string{"events_api", "interactive", "slash_commands"} {
		id, err := pushes[i]()
		if err != nil {
			t.Fatal(err)
		}
		a, err := f.WaitAck(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var p map[string]string
		if err := json.Unmarshal(a.Payload, &p); err != nil || p["seen"] != want {
			t.Errorf("ack of %s = %s, want the client to have parsed it as %s", id, a.Payload, want)
		}
	}
	if !f.Acked("fake-envelope-0001") || f.Connections() != 1 {
		t.Errorf("acked %v, connections %d", f.Acked("fake-envelope-0001"), f.Connections())
	}
}
