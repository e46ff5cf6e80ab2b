package app_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/app"
	"github.com/earshothq/earshot/internal/config"
	"github.com/earshothq/earshot/internal/testkit"
	"github.com/earshothq/earshot/internal/testkit/slackfake"
	"github.com/earshothq/earshot/internal/tuning"
	"github.com/earshothq/earshot/sources/webhook"
)

const careRules = `
brand: {name: Lumio, handles: ["@lumio"]}
teams:
  care:
    sla: 1h
    delight:
      after: [resolve]
      coupon_pool: sorry-10
      text: "Thanks for your patience! 10% off your next order: {code}"
route:
  name: brand
  any: [lumio]
  team: care
`

// careApp runs earshot with the rules above, the signed webhook and its
// replies going to receiver.
func careApp(t *testing.T, receiver string) (*app.App, *running) {
	t.Helper()
	dir := t.TempDir()
	rules := rulesFile(t, dir, careRules)
	cfg := config.Config{
		DatabaseURL: filepath.Join(dir, "e.db"), HTTPAddr: "127.0.0.1:0", Rules: rules, Sample: "false",
		WebhookSecret: secret, WebhookReplyURLs: config.ReplyURLs{"intercom": receiver},
		JobWorkers: 4, LogLevel: "info", LogFormat: "text",
	}
	srv := serve(t, cfg, app.Options{})
	return srv.App, &running{t: t, base: srv.Base}
}

// post sends a JSON body and returns the status and the decoded answer.
func (r *running) post(method, path, body string) (int, map[string]any) {
	r.t.Helper()
	req, _ := http.NewRequest(method, r.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", r.base)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// hook posts a signed mention; it waits for the webhook source to run.
func (r *running) hook(mention string) {
	r.t.Helper()
	eventually(r.t, "the webhook to take a mention", func() bool {
		resp, err := http.DefaultClient.Do(testkit.SignedRequest(r.t, r.base+"/hooks/mentions", secret, []byte(mention), time.Now()))
		if err != nil {
			r.t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusServiceUnavailable {
			r.t.Fatalf("webhook: %s", resp.Status)
		}
		return resp.StatusCode == http.StatusAccepted
	})
}

func (r *running) act(caseID int64, body string) {
	r.t.Helper()
	if code, out := r.post("POST", fmt.Sprintf("/api/cases/%d/actions", caseID), body); code != http.StatusAccepted {
		r.t.Fatalf("action %s on case %d: %d %v", body, caseID, code, out)
	}
}

// caseOf finds the case holding the mention with external id.
func (r *running) caseOf(platform, id string) (bot.Case, bool) {
	for _, c := range r.cases() {
		for _, m := range r.detail(c.ID).Mentions {
			if m.Platform == platform && m.ExternalID == id {
				return c, true
			}
		}
	}
	return bot.Case{}, false
}

// replyReceiver is an in-house system taking earshot's replies.
type replyReceiver struct {
	mu  sync.Mutex
	got []webhook.ReplyPayload
	bad int
}

func (rr *replyReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	// Verify as the README shows: the scheme of the inbound webhook, the
	// MAC recomputed for the header's own t, which must be recent.
	got := r.Header.Get(webhook.SignatureHeader)
	var sec int64
	_, _ = fmt.Sscanf(got, "t=%d,", &sec)
	rr.mu.Lock()
	defer rr.mu.Unlock()
	if d := time.Since(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute || got != testkit.WebhookSignature(secret, time.Unix(sec, 0), body) {
		rr.bad++
		http.Error(w, `{"error":"bad signature"}`, http.StatusUnauthorized)
		return
	}
	var p webhook.ReplyPayload
	_ = json.Unmarshal(body, &p)
	rr.got = append(rr.got, p)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"id":"msg-%d","url":"https://support.acme.example/m/%d"}`, len(rr.got), len(rr.got))
}

func (rr *replyReceiver) payloads() []webhook.ReplyPayload {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	return append([]webhook.ReplyPayload(nil), rr.got...)
}

// Through the web API, against the real handlers and store: a webhook
// mention answered through the webhook replier, the answer to our reply
// joining the case; dismissal with a reason and the tuning report; a mute
// keeping the author's new mentions out until unmuted; reopen; delight.
func TestCareThroughTheWebAPI(t *testing.T) {
	rr := &replyReceiver{}
	recv := httptest.NewServer(rr)
	defer recv.Close()
	a, r := careApp(t, recv.URL+"/earshot")
	ctx := t.Context()

	// Webhook replies.
	r.hook(`{"platform":"intercom","id":"conv-1","text":"Lumio lamp flickers every evening","author":{"handle":"kim"}}`)
	var c bot.Case
	eventually(t, "the webhook mention's case", func() bool { var ok bool; c, ok = r.caseOf("intercom", "conv-1"); return ok })
	r.act(c.ID, `{"kind":"reply","text":"Sorry Kim, a fix ships Friday."}`)
	eventually(t, "the reply done", func() bool {
		d := r.detail(c.ID)
		return len(d.Actions) == 1 && d.Actions[0].Status == bot.ActionDone
	})
	got := rr.payloads()
	if len(got) != 1 || got[0].InReplyTo != "conv-1" || got[0].Text != "Sorry Kim, a fix ships Friday." || got[0].Case != c.ID || got[0].IdempotencyKey == "" || rr.bad != 0 {
		t.Fatalf("receiver got %+v (%d bad signatures)", got, rr.bad)
	}
	if d := r.detail(c.ID); d.Actions[0].Result != "https://support.acme.example/m/1" || d.Case.State != bot.StateAwaitingCustomer {
		t.Fatalf("after the reply: %+v %s", d.Actions[0], d.Case.State)
	}
	r.hook(`{"platform":"intercom","id":"conv-2","in_reply_to":"msg-1","text":"thanks, still flickering","author":{"handle":"kim"}}`)
	eventually(t, "the answer joining the case", func() bool { return r.detail(c.ID).Case.Mentions == 2 })

	// Dismiss as spam; the report counts it and suggests the author.
	for i := range 2 {
		r.hook(fmt.Sprintf(`{"platform":"x","id":"spam-%d","text":"WIN a Lumio lamp #giveaway retweet","author":{"handle":"dealsbot"}}`, i))
	}
	var spam []bot.Case
	eventually(t, "the spam cases", func() bool {
		spam = nil
		for _, id := range []string{"spam-0", "spam-1"} {
			if sc, ok := r.caseOf("x", id); ok {
				spam = append(spam, sc)
			}
		}
		return len(spam) == 2
	})
	for _, sc := range spam {
		r.act(sc.ID, `{"kind":"dismiss","reason":"spam","text":"bot"}`)
	}
	eventually(t, "both dismissed", func() bool {
		for _, sc := range spam {
			if r.detail(sc.ID).Case.State != bot.StateDismissed {
				return false
			}
		}
		return true
	})
	var rep tuning.Report
	r.get("/api/dismissals?since=1d", &rep)
	if rep.Dismissed != 2 || rep.ByReason["spam"] != 2 || !strings.Contains(rep.Exclude, `authors: ["dealsbot"]`) || !strings.Contains(rep.Exclude, `"#giveaway"`) {
		t.Fatalf("report %+v", rep)
	}

	// Mute the author from a case: their new mentions are stored, open no case.
	r.act(spam[0].ID, `{"kind":"reopen"}`)
	eventually(t, "reopened", func() bool { return r.detail(spam[0].ID).Case.State == bot.StateNew })
	r.act(spam[0].ID, `{"kind":"mute","mute":{"period":"7d"},"text":"giveaway bot"}`)
	eventually(t, "muted", func() bool { return r.detail(spam[0].ID).Case.State == bot.StateDismissed })
	var mutes struct{ Mutes []bot.Mute }
	r.get("/api/mutes", &mutes)
	if len(mutes.Mutes) != 1 || mutes.Mutes[0].Value != "dealsbot" || mutes.Mutes[0].Platform != "x" {
		t.Fatalf("mutes %+v", mutes)
	}
	before := len(r.cases())
	r.hook(`{"platform":"x","id":"spam-9","text":"Lumio giveaway again","author":{"handle":"DealsBot"}}`)
	if n := len(r.cases()); n != before {
		t.Fatalf("a muted author opened a case: %d → %d", before, n)
	}
	if code, out := r.post("POST", "/api/unmute", `{"kind":"author","value":"@dealsbot"}`); code != 200 || len(out["ended"].([]any)) != 1 {
		t.Fatalf("unmute: %d %v", code, out)
	}
	r.hook(`{"platform":"x","id":"spam-10","text":"Lumio giveaway once more","author":{"handle":"dealsbot"}}`)
	if n := len(r.cases()); n != before+1 {
		t.Fatalf("after unmuting: %d cases, want %d", n, before+1)
	}

	// A term muted from the mutes API.
	if code, out := r.post("POST", "/api/mutes", `{"kind":"term","value":"giveaway","period":"24h"}`); code != 201 {
		t.Fatalf("mute term: %d %v", code, out)
	}
	r.hook(`{"platform":"x","id":"t-1","text":"Lumio GIVEAWAY today","author":{"handle":"someone"}}`)
	if n := len(r.cases()); n != before+1 {
		t.Fatalf("a muted term opened a case")
	}

	// Delight after resolving: a code reserved for the case, shown as a suggestion.
	if _, _, err := a.Store.AddCoupons(ctx, "sorry-10", []string{"SORRY-AAA"}); err != nil {
		t.Fatal(err)
	}
	r.act(c.ID, `{"kind":"resolve"}`)
	eventually(t, "the gesture", func() bool {
		for _, s := range r.detail(c.ID).Suggestions {
			if s.Approach == "delight" && strings.HasSuffix(s.Text, "SORRY-AAA") {
				return true
			}
		}
		return false
	})
	if d := r.detail(c.ID); d.Case.State != bot.StateResolved {
		t.Fatalf("state %s", d.Case.State)
	}
}

// From Slack, against the real handlers and store: the Dismiss menu keeps
// the reason, Reopen brings the case back, /earshot mute silences the
// author's new conversations until /earshot unmute.
func TestCareFromSlack(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	a, _ := slackApp(t, fake)
	ctx := t.Context()
	ingest := func(id, author string) bot.IngestResult {
		t.Helper()
		res, err := a.Bot.IngestBatch(ctx, []bot.Mention{{Platform: "bluesky", ExternalID: id, CreatedAt: time.Now(),
			Author: bot.Author{Handle: author}, Text: "lumio lamps half price, DM me " + id}})
		if err != nil {
			t.Fatal(err)
		}
		return res[0]
	}
	caseID := ingest("p1", "dealsbot").Cases[0].Case.ID
	var ts string
	eventually(t, "the card", func() bool {
		for _, m := range fake.Messages("C0CARE") {
			if strings.Contains(string(m.Blocks), fmt.Sprintf("case #%d", caseID)) {
				ts = m.TS
			}
		}
		return ts != ""
	})
	state := func() bot.CaseState {
		c, err := a.Store.Case(ctx, caseID)
		if err != nil {
			t.Fatal(err)
		}
		return c.State
	}
	c, _ := a.Store.Case(ctx, caseID)
	pick := fmt.Sprintf("c=%d&r=%d&w=spam", caseID, c.Rev)
	push := func(payload []byte) {
		t.Helper()
		id, err := fake.PushInteraction(ctx, payload)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fake.WaitAck(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	push(slackfake.SelectAction("U0ALICE", "C0CARE", ts, "earshot.dismiss", pick, fake.TriggerID(), ""))
	eventually(t, "dismissed", func() bool { return state() == bot.StateDismissed })
	actions, _ := a.Store.Actions(ctx, caseID)
	if last := actions[len(actions)-1]; last.Reason != bot.ReasonSpam || last.Actor != "slack:U0ALICE" {
		t.Fatalf("dismissal %+v", last)
	}
	eventually(t, "the card offering Reopen", func() bool {
		for _, call := range fake.Calls("chat.update") {
			if strings.Contains(call.Form.Get("blocks"), "earshot.reopen") {
				return true
			}
		}
		return false
	})
	c, _ = a.Store.Case(ctx, caseID)
	push(slackfake.BlockAction("U0ALICE", "C0CARE", ts, "earshot.reopen", fmt.Sprintf("c=%d&r=%d", caseID, c.Rev), fake.TriggerID(), ""))
	eventually(t, "reopened", func() bool { return state() == bot.StateNew })

	command := func(text string) {
		t.Helper()
		id, err := fake.PushSlashCommand(ctx, slackfake.SlashCommand("U0ALICE", "C0CARE", "/earshot", text, fake.TriggerID(), fake.ResponseURL()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fake.WaitAck(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	command(fmt.Sprintf("mute #%d 24h giveaway bot", caseID))
	eventually(t, "muted", func() bool { return state() == bot.StateDismissed })
	eventually(t, "the mute in force", func() bool { return len(a.Mutes.Active()) == 1 })
	if r := ingest("p2", "DealsBot"); r.Outcome != bot.OutcomeStored || len(r.Cases) != 0 {
		t.Fatalf("a muted author opened a case: %+v", r)
	}
	command("mutes")
	eventually(t, "the list of mutes", func() bool {
		return strings.Contains(fmt.Sprint(fake.Ephemerals()), `muted author "dealsbot" on bluesky until`)
	})
	command(fmt.Sprintf("unmute #%d", caseID))
	eventually(t, "unmuted", func() bool { return len(a.Mutes.Active()) == 0 })
	if r := ingest("p3", "dealsbot"); r.Outcome != bot.OutcomeOpened {
		t.Fatalf("after unmuting: %+v", r)
	}
}
