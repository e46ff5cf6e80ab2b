package app_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/app"
	"github.com/earshothq/earshot/internal/config"
	"github.com/earshothq/earshot/internal/testkit/discordfake"
)

const (
	discordChannel = "700000000000000001"
	discordRole    = "300000000000000001"
)

const discordRules = `
teams:
  care:
    discord: {channel: "700000000000000001", roles: [Care]}
route:
  name: brand
  query: lumio
  team: care
`

// discordApp runs earshot with Discord against a fake Discord: the gateway
// when publicKey is false, the HTTP interactions endpoint when true.
func discordApp(t testing.TB, fake *discordfake.Fake, publicKey bool) (*app.App, string) {
	t.Helper()
	return discordAppWith(t, fake, publicKey, discordRules, nil)
}

// discordAppWith is discordApp with its own rules and clock (nil: time.Now).
func discordAppWith(t testing.TB, fake *discordfake.Fake, publicKey bool, rulesYAML string, now func() time.Time) (*app.App, string) {
	t.Helper()
	dir := t.TempDir()
	rules := filepath.Join(dir, "earshot.yaml")
	if err := os.WriteFile(rules, []byte(rulesYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	fake.AddChannel(discordChannel)
	fake.SetRoles(discordfake.GuildID, discordfake.Role{ID: discordRole, Name: "Care"})
	cfg := config.Config{
		DatabaseURL: filepath.Join(dir, "e.db"), HTTPAddr: "127.0.0.1:0", Rules: rules, Sample: "false",
		JobWorkers: 8, LogLevel: "info", LogFormat: "text",
		DiscordToken: fake.Token, DiscordAppID: discordfake.AppID, DiscordGuildIDs: []string{discordfake.GuildID},
		DiscordAPIURL: fake.URL,
	}
	if publicKey {
		cfg.DiscordPublicKey = fake.PublicKey()
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, app.Options{Now: now, Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		<-done
		a.Store.Close()
		if v := fake.Violations(); len(v) > 0 {
			t.Errorf("messages that could ping: %v", v)
		}
	})
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if err := fake.WaitGateway(wctx, func(st discordfake.GatewayState) bool { return st.Connected }); err != nil {
		t.Fatalf("the gateway never connected: %v", err)
	}
	return a, "http://" + ln.Addr().String()
}

func discordMember(id string, roles ...string) discordfake.Member {
	return discordfake.Member{UserID: id, Name: "user" + id[len(id)-1:], Roles: roles}
}

// A mention with @everyone in it becomes a card in the team's channel;
// someone without the team's role is refused (and it is recorded); two
// role holders reacting ✅ at once make one reply; a slash command files a
// defect; and nothing anyone wrote pinged anyone.
func TestDiscordCardReactionsAndCommands(t *testing.T) {
	fake := discordfake.New()
	t.Cleanup(fake.Close) // after the app's cleanup: the gateway goes first
	a, _ := discordApp(t, fake, false)
	ctx := t.Context()
	cmds, _ := fake.Commands(discordfake.GuildID)
	if len(cmds) != 1 {
		t.Fatalf("commands registered: %d", len(cmds))
	}
	res, err := a.Bot.IngestBatch(ctx, []bot.Mention{{Platform: "bluesky", ExternalID: "p1", CreatedAt: time.Now(),
		URL: "https://bsky.app/profile/jen/post/p1", Author: bot.Author{Handle: "jen.bsky.social", Followers: 300},
		Text: "@lumio my lamp won't connect since the update @everyone <@123456789012345678>"}})
	if err != nil || len(res) != 1 || len(res[0].Cases) != 1 {
		t.Fatalf("ingest: %+v, %v", res, err)
	}
	caseID := res[0].Cases[0].Case.ID
	var card discordfake.Message
	eventually(t, "a card with drafts", func() bool {
		ms := fake.Messages(discordChannel)
		if len(ms) == 0 {
			return false
		}
		card = ms[0]
		return strings.Contains(string(card.Components), "Send 1")
	})
	// The card is on the platform a moment before its job records the ref.
	eventually(t, "the card's ref recorded", func() bool {
		ref, _ := a.Store.CardRef(ctx, caseID, "discord")
		return ref == discordChannel+"/"+card.ID
	})

	// Without the Care role: refused, recorded, said in the thread.
	bob := discordMember("400000000000000002")
	if err := fake.React(bob, discordChannel, card.ID, "✅", ""); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the refusal recorded", func() bool {
		as, _ := a.Store.Actions(ctx, caseID)
		for _, x := range as {
			if x.Status == bot.ActionDenied && x.Actor == "discord:400000000000000002" && strings.Contains(x.Result, "Discord roles (Care)") {
				return true
			}
		}
		return false
	})
	eventually(t, "the refusal said in the card's thread", func() bool {
		for _, m := range fake.Messages(card.ID) {
			if strings.Contains(m.Content, "You can't reply case") {
				return true
			}
		}
		return false
	})

	// Two people with the role react at once: one reply.
	for _, id := range []string{"400000000000000001", "400000000000000003"} {
		if err := fake.React(discordMember(id, discordRole), discordChannel, card.ID, "✅", ""); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "the reply", func() bool { return countEvents(t, a, caseID, bot.EventReplied, bot.EventAssisted) > 0 })
	eventually(t, "both reactions handled", func() bool {
		as, _ := a.Store.Actions(ctx, caseID)
		return len(as) >= 2 // the refusal and the reply; the second ✅ is a duplicate, not stored again
	})
	eventually(t, "the card edited after the reply", func() bool {
		m, ok := fake.Message(card.ID)
		return ok && strings.Contains(string(m.Embeds), "Awaiting customer")
	})
	if n := countEvents(t, a, caseID, bot.EventReplied, bot.EventAssisted); n != 1 {
		t.Fatalf("%d replies after two ✅, want 1", n)
	}

	// /earshot defect in the card's thread: the case is implied.
	in := fake.SlashPayload(discordMember("400000000000000001", discordRole), card.ID, "earshot",
		discordfake.CommandOption{Name: "defect", Type: 1, Options: []discordfake.CommandOption{{Name: "title", Type: 3, Value: "Lamp drops Wi-Fi after update"}}})
	if err := fake.Deliver(in); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the defect filed", func() bool {
		c, err := a.Store.Case(ctx, caseID)
		return err == nil && c.State == bot.StateDefectFiled
	})
	got, _ := fake.Interaction(in.Token)
	if len(got.Responses) != 1 || got.Responses[0].Type != 5 {
		t.Fatalf("slash command answered %+v", got.Responses)
	}
	eventually(t, "notes in the thread", func() bool { return len(fake.Messages(card.ID)) >= 3 })
	if p := fake.Pings(); len(p) != 0 {
		t.Fatalf("pings: %+v", p)
	}
}

// With a public key, interactions come to /discord/interactions: a forged
// signature is refused, a signed click acts.
func TestDiscordHTTPInteractions(t *testing.T) {
	fake := discordfake.New()
	t.Cleanup(fake.Close) // after the app's cleanup: the gateway goes first
	a, base := discordApp(t, fake, true)
	ctx := t.Context()
	res, err := a.Bot.IngestBatch(ctx, []bot.Mention{{Platform: "bluesky", ExternalID: "p2", CreatedAt: time.Now(), Text: "lumio lamp flickers"}})
	if err != nil {
		t.Fatal(err)
	}
	caseID := res[0].Cases[0].Case.ID
	var card discordfake.Message
	eventually(t, "a card", func() bool {
		ms := fake.Messages(discordChannel)
		if len(ms) > 0 {
			card = ms[0]
		}
		return len(ms) > 0
	})
	c, _ := a.Store.Case(ctx, caseID)
	claim := "es1:claim:" + strconv.FormatInt(caseID, 10) + ":" + strconv.FormatInt(c.Rev, 10)
	_, forger, _ := ed25519.GenerateKey(nil)
	post := func(key ed25519.PrivateKey) (int, string) {
		req, err := fake.SignedRequest(ctx, base+"/discord/interactions", fake.ClickPayload(discordMember("400000000000000001", discordRole), card.ID, claim), key)
		if err != nil {
			t.Fatal(err)
		}
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		return r.StatusCode, string(b)
	}
	if code, _ := post(forger); code != http.StatusUnauthorized {
		t.Fatalf("forged: %d", code)
	}
	if as, _ := a.Store.Actions(ctx, caseID); len(as) != 0 {
		t.Fatalf("actions after a forged request: %+v", as)
	}
	code, body := post(nil)
	var resp struct {
		Type int `json:"type"`
	}
	if code != http.StatusOK || json.Unmarshal([]byte(body), &resp) != nil || resp.Type != 6 {
		t.Fatalf("signed click: %d %s", code, body)
	}
	eventually(t, "the claim", func() bool {
		c, err := a.Store.Case(ctx, caseID)
		return err == nil && c.Assignee == "discord:400000000000000001"
	})
}

// BenchmarkDiscordStorm is the storm target on Discord: 1,000 mentions for
// one channel within 10 s, the fake enforcing Discord's five messages per
// five seconds per channel. It reports the 429s provoked (want 0), the REST
// calls made and the seconds until every case was visible in Discord, on a
// card of its own or counted on the storm card.
//
//	go test ./internal/app -run '^$' -bench DiscordStorm -benchtime 1x
func BenchmarkDiscordStorm(b *testing.B) {
	for b.Loop() {
		fake := discordfake.New()
		b.Cleanup(fake.Close) // after the app's cleanup
		a, _ := discordApp(b, fake, false)
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
			for _, m := range fake.Messages(discordChannel) {
				var k int
				if _, err := fmt.Sscanf(m.Content, "🌩️ Storm: %d new cases", &k); err == nil {
					storm += k
				} else if _, err := fmt.Sscanf(m.Content, "Storm over: %d cases", &k); err == nil {
					storm += k
				} else {
					own++
				}
			}
			return own + storm
		}
		eventually(b, "every case visible in Discord", func() bool { return visible() >= n })
		took := time.Since(start)
		limited := 0
		calls := fake.Calls("")
		for _, c := range calls {
			if c.Status == http.StatusTooManyRequests {
				limited++
			}
		}
		b.ReportMetric(took.Seconds(), "s-to-visible")
		b.ReportMetric(float64(len(calls)), "rest-calls")
		b.ReportMetric(float64(limited), "429s")
		b.ReportMetric(float64(fake.InvalidRequests()), "invalid-requests")
		b.ReportMetric(float64(len(fake.Messages(discordChannel))), "channel-messages")
	}
}

const discordEscRules = `
teams:
  care:
    discord: {channel: "700000000000000001", roles: [Care], escalation_channel: "700000000000000009"}
    escalation:
      steps:
        - notify: ["discord:400000000000000003", carol]
          after: 15m
        - notify: ["discord:role:300000000000000007"]
          after: 30m
route:
  name: brand
  query: lumio
  team: care
`

// Escalate from Discord: step 1 pings the rules' user in the card's thread
// and in the escalation channel (with the card's link and Acknowledge);
// 15 minutes later step 2 pings the rules' role; Acknowledge on the
// escalation post stops the rest. Nothing else pings anyone.
func TestDiscordEscalationPolicy(t *testing.T) {
	const escChannel = "700000000000000009"
	fake := discordfake.New()
	t.Cleanup(fake.Close)
	fake.AddChannel(escChannel)
	clk := clockAt(time.Date(2026, 1, 6, 10, 0, 0, 0, time.UTC))
	a, _ := discordAppWith(t, fake, false, discordEscRules, clk.Now)
	ctx := t.Context()
	res, err := a.Bot.IngestBatch(ctx, []bot.Mention{{Platform: "bluesky", ExternalID: "p1",
		URL: "https://bsky.app/profile/jen/post/p1", Author: bot.Author{Handle: "jen.bsky.social", Followers: 300},
		Text: "lumio lamp flickers every evening @everyone"}})
	if err != nil || len(res) != 1 || len(res[0].Cases) != 1 {
		t.Fatalf("ingest: %+v, %v", res, err)
	}
	caseID := res[0].Cases[0].Case.ID
	var card discordfake.Message
	eventually(t, "the card", func() bool {
		ms := fake.Messages(discordChannel)
		if len(ms) == 0 {
			return false
		}
		card = ms[0]
		return true
	})
	alice := discordMember("400000000000000001", discordRole)
	in := fake.SlashPayload(alice, discordChannel, "earshot", discordfake.CommandOption{Name: "escalate", Type: 1, Options: []discordfake.CommandOption{
		{Name: "case", Type: 4, Value: caseID}, {Name: "note", Type: 3, Value: "third lamp this week <@400000000000000002> discord:400000000000000002"}}})
	if err := fake.Deliver(in); err != nil {
		t.Fatal(err)
	}
	threadHas := func(substr string) int {
		n := 0
		for _, m := range fake.Messages(card.ID) {
			if strings.Contains(m.Content, substr) {
				n++
			}
		}
		return n
	}
	eventually(t, "step 1 paged in the thread and the escalation channel", func() bool {
		posts := fake.Messages(escChannel)
		return threadHas("<@400000000000000003>, carol") == 1 && len(posts) == 1 &&
			strings.Contains(posts[0].Content, "Paging <@400000000000000003>, carol · step 1 of 2")
	})
	esc := fake.Messages(escChannel)[0]
	if link := "https://discord.com/channels/" + discordfake.GuildID + "/" + discordChannel + "/" + card.ID; !strings.Contains(esc.Content, link) {
		t.Errorf("escalation post lacks the card's link %s: %s", link, esc.Content)
	}
	clk.Advance(15 * time.Minute)
	if _, err := a.Bot.FireTimers(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, "step 2 paged", func() bool {
		posts := fake.Messages(escChannel)
		return len(posts) == 2 && strings.Contains(posts[1].Content, "<@&300000000000000007> · step 2 of 2")
	})
	dana := discordMember("400000000000000003", discordRole)
	ack := ""
	for _, part := range strings.Split(string(esc.Components), `"custom_id":"`)[1:] {
		ack, _, _ = strings.Cut(part, `"`)
	}
	if err := fake.Deliver(fake.ClickPayload(dana, esc.ID, ack)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the acknowledgement", func() bool { return countEvents(t, a, caseID, bot.EventAcked) == 1 })
	clk.Advance(time.Hour)
	if _, err := a.Bot.FireTimers(ctx); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := a.Store.WaitForJobs(wctx); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.Messages(escChannel)); n != 2 {
		t.Fatalf("%d escalation posts after the acknowledgement, want 2", n)
	}
	got := map[string]int{}
	for _, p := range fake.Pings() {
		got[p.Kind+":"+p.Target]++
	}
	// dana twice (thread and channel), the role twice; never bob, never everyone.
	if len(got) != 2 || got["user:400000000000000003"] != 2 || got["role:300000000000000007"] != 2 {
		t.Fatalf("pings %v", got)
	}
}
