package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/app"
	"github.com/earshothq/earshot/internal/config"
	"github.com/earshothq/earshot/internal/testkit/slackfake"
)

const slackRules = `
teams:
  care:
    slack: {channel: C0CARE}
storm:
  threshold: 10
  window: 1m
  update_every: 5s
  quiet: 15s
route:
  name: brand
  query: lumio
  team: care
`

// slackApp runs earshot with Slack in Socket Mode against a fake Slack.
func slackApp(t testing.TB, fake *slackfake.Fake) (*app.App, string) {
	t.Helper()
	dir := t.TempDir()
	rules := rulesFile(t, dir, slackRules)
	fake.AddChannel("C0CARE", "care")
	cfg := config.Config{
		DatabaseURL: filepath.Join(dir, "e.db"), HTTPAddr: "127.0.0.1:0", Rules: rules, Sample: "false",
		JobWorkers: 8, LogLevel: "info", LogFormat: "text",
		SlackBotToken: fake.BotToken, SlackAppToken: fake.AppToken, SlackAPIURL: fake.APIURL(),
	}
	srv := serve(t, cfg, app.Options{})
	a, ctx := srv.App, srv.Ctx
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if err := fake.WaitConnected(wctx); err != nil {
		t.Fatalf("socket mode never connected: %v", err)
	}
	return a, srv.Base
}

// A mention becomes a card in the team's channel, drafts fill it in, and a
// ✅ reaction on it sends the first draft through the shared handlers.
func TestSlackCardAndReaction(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	a, _ := slackApp(t, fake)
	ctx := t.Context()
	res, err := a.Bot.IngestBatch(ctx, []bot.Mention{{Platform: "bluesky", ExternalID: "p1", CreatedAt: time.Now(),
		URL: "https://bsky.app/profile/jen/post/p1", Author: bot.Author{Handle: "jen.bsky.social", Followers: 300},
		Text: "@lumio my lamp won't connect since the update <!channel>"}})
	if err != nil || len(res) != 1 || len(res[0].Cases) != 1 {
		t.Fatalf("ingest: %+v, %v", res, err)
	}
	caseID := res[0].Cases[0].Case.ID
	var card slackfake.Message
	eventually(t, "a card with drafts", func() bool {
		ms := fake.Messages("C0CARE")
		if len(ms) == 0 {
			return false
		}
		card = ms[0]
		return strings.Contains(string(card.Blocks), "Send")
	})
	if strings.Contains(string(card.Blocks), "<!channel>") {
		t.Fatalf("public text reached Slack unescaped: %s", card.Blocks)
	}
	// The card is on the platform a moment before its job records the ref.
	eventually(t, "the card's ref recorded", func() bool {
		ref, _ := a.Store.CardRef(ctx, caseID, "slack")
		return ref == "C0CARE/"+card.TS
	})

	// Two people react at once: one action.
	for i, user := range []string{"U0ALICE", "U0BOB"} {
		id, err := fake.PushEvent(ctx, slackfake.ReactionAdded(fmt.Sprint("Ev", i), user, "white_check_mark", "C0CARE", card.TS), 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fake.WaitAck(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "the reply to be done", func() bool {
		c, err := a.Store.Case(ctx, caseID)
		return err == nil && c.State != bot.StateNew
	})
	eventually(t, "the reply event", func() bool { return countEvents(t, a, caseID, bot.EventReplied, bot.EventAssisted) > 0 })
	time.Sleep(500 * time.Millisecond) // a second reply, if one were coming, would be in by now
	if n := countEvents(t, a, caseID, bot.EventReplied, bot.EventAssisted); n != 1 {
		c, _ := a.Store.Case(ctx, caseID)
		raw, _ := json.Marshal(c)
		t.Errorf("%d replies after two ✅ reactions, want 1; case %s", n, raw)
	}
	// The card shows the new state (a regression: jobs of a change must
	// carry their case) and the thread says who approved what.
	eventually(t, "the card updated after the reply", func() bool {
		ms := fake.Messages("C0CARE")
		return len(ms) > 0 && strings.Contains(string(ms[0].Blocks), "awaiting customer")
	})
	// /earshot stats answers the caller.
	id, err := fake.PushSlashCommand(ctx, slackfake.SlashCommand("U0ALICE", "C0CARE", "/earshot", "stats care 7d", fake.TriggerID(), fake.ResponseURL()))
	if err != nil {
		t.Fatal(err)
	}
	ack, err := fake.WaitAck(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the stats answer", func() bool {
		all := fmt.Sprint(string(ack.Payload), fake.Hooks(), fake.Ephemerals())
		return strings.Contains(all, "1 cases opened, 1 answered")
	})
	eventually(t, "a note in the card's thread", func() bool { return len(fake.Thread("C0CARE", card.TS)) > 0 })
}

func countEvents(t testing.TB, a *app.App, caseID int64, kinds ...bot.EventKind) int {
	t.Helper()
	_, evs, err := a.Store.Thread(context.Background(), caseID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		for _, k := range kinds {
			if e.Kind == k {
				n++
			}
		}
	}
	return n
}

// BenchmarkSlackStorm is the storm target: 1,000 mentions for one channel
// within 10 s, the fake Slack allowing 1 message a second with bursts of 5.
// It reports the 429s provoked (want 0), the Web API calls made and the
// seconds until every case was visible in Slack, on a card of its own or
// counted on the storm card.
//
//	go test ./internal/app -run '^$' -bench SlackStorm -benchtime 1x
func BenchmarkSlackStorm(b *testing.B) {
	for b.Loop() {
		fake := slackfake.New()
		a, _ := slackApp(b, fake)
		ctx := context.Background()
		start := time.Now()
		const n, batches = 1000, 10
		for i := range batches {
			ms := make([]bot.Mention, n/batches)
			for k := range ms {
				id := i*len(ms) + k
				ms[k] = bot.Mention{Platform: "bluesky", ExternalID: fmt.Sprint("storm-", id), CreatedAt: time.Now(),
					Author: bot.Author{Handle: fmt.Sprintf("user%d.bsky.social", id%37), Followers: id % 5000},
					Text:   fmt.Sprintf("@lumio the app is down for everyone?? #%d", id)}
			}
			if _, err := a.Bot.IngestBatch(ctx, ms); err != nil {
				b.Fatal(err)
			}
			time.Sleep(time.Second)
		}
		visible := func() int {
			own, storm := 0, 0
			for _, m := range fake.Messages("C0CARE") {
				if m.ThreadTS != "" {
					continue
				}
				var k int
				if _, err := fmt.Sscanf(m.Text, "🌩️ %d new cases", &k); err == nil {
					storm += k
				} else if _, err := fmt.Sscanf(m.Text, "Storm over: %d cases", &k); err == nil {
					storm += k
				} else {
					own++
				}
			}
			return own + storm
		}
		eventually(b, "every case visible in Slack", func() bool { return visible() >= n })
		took := time.Since(start)
		limited, calls := 0, 0
		for _, m := range []string{"chat.postMessage", "chat.update"} {
			for _, c := range fake.Calls(m) {
				calls++
				if c.Status == 429 {
					limited++
				}
			}
		}
		b.ReportMetric(took.Seconds(), "s-to-visible")
		b.ReportMetric(float64(calls), "api-calls")
		b.ReportMetric(float64(limited), "429s")
		fake.Close()
	}
}
