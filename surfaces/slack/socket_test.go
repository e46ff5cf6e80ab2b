package slacksurface

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/slackfake"
)

// eventually polls cond until it holds. The deadline only keeps a broken
// test from hanging; nothing here asserts how fast anything is.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never happened: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// runSocket starts Socket Mode against the fake and waits until connected.
func runSocket(t *testing.T, e *env) context.Context {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- e.s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	wctx, stop := context.WithTimeout(ctx, 10*time.Second)
	defer stop()
	if err := e.fake.WaitConnected(wctx); err != nil {
		t.Fatal(err)
	}
	return ctx
}

func waitAck(t *testing.T, e *env, ctx context.Context, id string) slackfake.Ack {
	t.Helper()
	wctx, stop := context.WithTimeout(ctx, 10*time.Second)
	defer stop()
	a, err := e.fake.WaitAck(wctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func socketEnv(t *testing.T) *env {
	return newEnv(t, func(o *Options) { o.AppToken = slackfake.AppToken; o.SigningSecret = "" })
}

func TestSocketModeEventAckedAndDispatched(t *testing.T) {
	e := socketEnv(t)
	if !e.s.SocketMode() {
		t.Fatal("an app token did not select Socket Mode")
	}
	ch, ts, _ := splitRef(e.post(sampleCard()))
	ctx := runSocket(t, e)

	id, err := e.fake.PushEvent(ctx, slackfake.ReactionAdded("EvS1", "U0ALICE", "white_check_mark", ch, ts), 0)
	if err != nil {
		t.Fatal(err)
	}
	if a := waitAck(t, e, ctx, id); len(a.Payload) != 0 {
		t.Errorf("event ack carries a payload %s, want the bare envelope id", a.Payload)
	}
	eventually(t, "the reaction reaches the handlers", func() bool { return len(e.actions.requests()) == 1 })
	want := bot.ActionRequest{CaseID: 12, Kind: bot.ActReply, Suggestion: 1, Actor: "slack:U0ALICE", Surface: "slack", Verified: true}
	if got := e.actions.requests()[0]; got != want {
		t.Fatalf("request %+v, want %+v", got, want)
	}

	// Slack's redelivery of the same event is acked and not done again; a
	// later event proves the first had been handled by then.
	id, _ = e.fake.PushEvent(ctx, slackfake.ReactionAdded("EvS1", "U0ALICE", "white_check_mark", ch, ts), 1)
	waitAck(t, e, ctx, id)
	id, _ = e.fake.PushEvent(ctx, slackfake.ReactionAdded("EvS2", "U0BOB", "eyes", ch, ts), 0)
	waitAck(t, e, ctx, id)
	eventually(t, "the second event reaches the handlers", func() bool { return len(e.actions.requests()) >= 2 })
	got := e.actions.requests()
	if len(got) != 2 || got[1].Kind != bot.ActClaim {
		t.Fatalf("requests %+v, want the reply once then a claim", got)
	}
}

func TestSocketModeCommandsAndForms(t *testing.T) {
	e := socketEnv(t)
	ctx := runSocket(t, e)

	id, err := e.fake.PushSlashCommand(ctx, slackfake.SlashCommand("U0ALICE", "C0CARE", "/earshot", "help", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	var answer map[string]string
	if err := json.Unmarshal(waitAck(t, e, ctx, id).Payload, &answer); err != nil || answer["response_type"] != "ephemeral" || !strings.Contains(answer["text"], "route-test") {
		t.Fatalf("help ack payload %v (%v), want the ephemeral help", answer, err)
	}

	meta := click{Case: 12, Rev: 3, Channel: "C0CARE", Platform: "bluesky"}.encode()
	empty := slackfake.ViewSubmission("U0ALICE", "V1", viewEdit, meta, map[string]map[string]any{inputText: {inputText: map[string]any{"type": "plain_text_input", "value": "  "}}})
	id, _ = e.fake.PushInteraction(ctx, empty)
	var errs struct {
		Action string            `json:"response_action"`
		Errors map[string]string `json:"errors"`
	}
	if err := json.Unmarshal(waitAck(t, e, ctx, id).Payload, &errs); err != nil || errs.Action != "errors" || errs.Errors[inputText] == "" {
		t.Fatalf("empty reply ack %+v (%v), want a field error", errs, err)
	}

	id, _ = e.fake.PushSlashCommand(ctx, slackfake.SlashCommand("U0ALICE", "C0CARE", "/earshot", "dismiss #12", "", ""))
	if a := waitAck(t, e, ctx, id); len(a.Payload) != 0 {
		t.Errorf("action command ack payload %s, want none", a.Payload)
	}
	eventually(t, "the command reaches the handlers", func() bool { return len(e.actions.requests()) == 1 })
	if got := e.actions.requests()[0]; got.Kind != bot.ActDismiss || got.CaseID != 12 {
		t.Fatalf("request %+v", got)
	}
}

func TestSocketModeReconnectsWhenAsked(t *testing.T) {
	e := socketEnv(t)
	ch, ts, _ := splitRef(e.post(sampleCard()))
	ctx := runSocket(t, e)
	if err := e.fake.Disconnect(ctx, "refresh_requested"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a second connection", func() bool { return e.fake.Connections() == 2 })
	var id string
	eventually(t, "an event pushed on the new connection", func() bool {
		var err error
		id, err = e.fake.PushEvent(ctx, slackfake.ReactionAdded("EvR1", "U0ALICE", "eyes", ch, ts), 0)
		return err == nil
	})
	waitAck(t, e, ctx, id)
	eventually(t, "the event reaches the handlers", func() bool { return len(e.actions.requests()) == 1 })
}

func TestSocketModeRefusedAppToken(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.AppToken = "xapp-not-the-token" })
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	err := e.s.Run(ctx)
	if err == nil || ctx.Err() != nil {
		t.Fatalf("Run with a refused app token = %v, want an error before the deadline", err)
	}
	if strings.Contains(err.Error(), "xapp-not-the-token") {
		t.Errorf("error %q contains the token", err)
	}
}
