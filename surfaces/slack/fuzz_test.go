package slacksurface

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/slackfake"
	chat "github.com/earshothq/earshot/surfaces/command"
)

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{
		"", "help", "reply #12 Thanks &amp; sorry, we're on it", "#12 dismiss", "dismiss #12", "dismiss 12",
		"send #12 2", "send #12 0", "escalate #12", "escalate #12 Safety: burn\nsecond line", "defect #7 Lid cracks",
		"mute #3 author @spammer for 24h", "mute #3 term free shipping for 2w", "mute #3 term x for 400d", "mute author",
		"route-test my <https://acme.example|kettle> broke", "stats", "stats care 30d", "stats 7d care", "stats 0d",
		"claim #9223372036854775807", "claim #9223372036854775808", "#-1 claim", "ack #1", "acknowledge #2", "resolve #5 done",
		"REPLY #1 Caps", "reply\t#1\ttabs", "#1 #2 reply x", "frobnicate",
		"dismiss #12 spam", "dismiss #12 not about us, a band", "dismiss #12 dup", "reopen #12 wrote by email", "mute #12 7d spam bot",
		`mute term "giveaway" 24h promo`, `mute term "unclosed`, "mute author @x forever", "mute #1 for ever", "unmute #4",
		`unmute term "free lamp"`, "unmute author @a b", "mutes", "mute #1 99999999d",
	} {
		f.Add(s)
	}
	// The grammar's own invariants are fuzzed in surfaces/command; this is
	// what Slack adds in front of it: its entities, turned into plain text.
	f.Fuzz(func(t *testing.T, text string) {
		c, err := chat.Parse(plainFromSlack(text))
		if err != nil {
			var ue *chat.UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("Parse(plainFromSlack(%q)) error %T is not a usage error", text, err)
			}
			return
		}
		if c.IsAction() {
			r := c.Request("slack:U0ALICE", Name)
			if !r.Kind.Valid() || !r.Verified || r.Actor != "slack:U0ALICE" {
				t.Fatalf("request %+v from %q", r, text)
			}
		}
	})
}

func FuzzInteractionPayload(f *testing.F) {
	// Real samples: Slack's documented block_actions and view_submission
	// fixtures, and the payloads the fake sends.
	f.Add(`{"type":"block_actions","user":{"id":"W111","username":"primary-owner","name":"primary-owner","team_id":"T111"},"api_app_id":"A111","token":"verification_token","container":{"type":"message","message_ts":"111.222","channel_id":"C111","is_ephemeral":true},"trigger_id":"111.222.valid","team":{"id":"T111","domain":"workspace-domain","enterprise_id":"E111","enterprise_name":"Sandbox Org"},"channel":{"id":"C111","name":"test-channel"},"response_url":"https://hooks.slack.com/actions/T111/111/random-value","actions":[{"action_id":"a","block_id":"b","text":{"type":"plain_text","text":"Button","emoji":true},"value":"click_me_123","type":"button","action_ts":"1596530385.194939"}]}`)
	f.Add(`{"type":"view_submission","team":{"id":"T111","domain":"workspace-domain"},"user":{"id":"W111","username":"primary-owner","name":"primary-owner","team_id":"T111"},"api_app_id":"A111","token":"verification_token","trigger_id":"111.222.valid","view":{"id":"V111","type":"modal","callback_id":"view-id","private_metadata":"This is for you!","state":{"values":{"hspI":{"maBWU":{"type":"plain_text_input","value":"test"}}}},"hash":"1596530361.3wRYuk3R","root_view_id":"V111","app_id":"A111","bot_id":"B111"},"response_urls":[]}`)
	f.Add(string(slackfake.BlockAction("U0ALICE", "C0CARE", "1.2", actionSend+".1", "c=12&r=3&s=1&h=00", "t", "")))
	f.Add(string(slackfake.BlockAction("U0ALICE", "C0CARE", "1.2", actionClaim, "c=12&r=3", "t", "")))
	f.Add(string(slackfake.SelectAction("U0ALICE", "C0CARE", "1.2", actionDismiss, "c=12&r=3&w=spam", "t", "")))
	f.Add(string(slackfake.SelectAction("U0ALICE", "C0CARE", "1.2", actionDismiss, "c=12&r=3&w=<!channel>", "t", "")))
	f.Add(string(slackfake.ViewSubmission("U0ALICE", "V1", viewEdit, "c=12&r=3&p=bluesky&ch=C0CARE",
		map[string]map[string]any{inputText: {inputText: map[string]any{"type": "plain_text_input", "value": "Thanks!"}}})))
	f.Add(string(slackfake.ViewSubmission("U0ALICE", "V1", viewEscalate, "c=12&r=3", map[string]map[string]any{
		inputPage: {inputPage: map[string]any{"type": "multi_users_select", "selected_users": []string{"U1", "bad"}}}})))
	f.Add(`{"type":"shortcut","callback_id":"x","user":{"id":"U1"}}`)
	f.Add(`{"type":"block_actions","user":{"id":"U1"},"actions":[null]}`)

	s, err := New(Options{BotToken: "xoxb-fuzz", SigningSecret: "s", Actions: newFakeActions(),
		CaseByRef: func(ctx context.Context, surface, ref string) (int64, error) { return 0, bot.ErrNotFound },
		Card:      func(ctx context.Context, id int64) (bot.Card, error) { return sampleCard(), nil }})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		cb, err := decodeInteraction([]byte(payload))
		if err != nil {
			return
		}
		res := s.onInteraction(cb) // work is not run: it would call Slack
		if res.body != nil {
			b, err := json.Marshal(res.body)
			if err != nil {
				t.Fatalf("answer does not marshal: %v", err)
			}
			var vr slack.ViewSubmissionResponse
			if json.Unmarshal(b, &vr) != nil || vr.ResponseAction != slack.RAErrors || len(vr.Errors) == 0 {
				t.Fatalf("answer %s is not a field error", b)
			}
		}
		if res.work != nil && !userID(cb.User.ID) {
			t.Fatalf("work scheduled for user %q", cb.User.ID)
		}
	})
}

func FuzzPlainFromSlack(f *testing.F) {
	for _, s := range []string{"Thanks &amp; sorry &lt;3", "<https://a.example|a.example>", "<@U1|al> <#C1|g> <!here>", "<<>>", "<!date^1^{d}|x>", "&amp;lt;", "<mailto:a@b|a@b>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := plainFromSlack(s)
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("plainFromSlack(%q) = %q is not valid UTF-8", s, out)
		}
		// Escaping what comes out and reading it back is the identity: what
		// a person typed survives a trip through Slack's encoding.
		if back := plainFromSlack(escape(out)); back != out {
			t.Fatalf("escape round trip of %q: %q", out, back)
		}
	})
}

func FuzzFit(f *testing.F) {
	for _, s := range []string{"<!channel>", "a&b", strings.Repeat("&", 50), "👩🏽‍🍳<>&", "plain"} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, limit int) {
		if limit < 0 || limit > 5000 {
			return
		}
		out := fit(s, limit)
		if units(out) > limit {
			t.Fatalf("fit(%q, %d) = %q: %d units", s, limit, out, units(out))
		}
		if strings.ContainsAny(out, "<>") {
			t.Fatalf("fit(%q) = %q keeps a control character", s, out)
		}
		if i := strings.LastIndexByte(out, '&'); i >= 0 && !strings.Contains(out[i:], ";") {
			t.Fatalf("fit(%q, %d) = %q ends in a cut entity", s, limit, out)
		}
	})
}
