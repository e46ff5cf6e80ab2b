package app_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/app"
	"github.com/earshothq/earshot/internal/config"
	"github.com/earshothq/earshot/internal/testkit/slackfake"
)

const escalationRules = `
teams:
  care:
    members: ["slack:U0ALICE"]
    leads: ["slack:U024BE7LH"]
    sla: {first_response: 1h, reminders: [30m, 10m], breach: escalate}
    hours: {zone: Europe/Berlin, days: mon-fri, from: "08:00", to: "20:00"}
    escalation:
      steps:
        - notify: ["slack:U024BE7LH", carol]
          after: 15m
        - notify: ["slack:subteam:S0614TZR7", dana]
          after: 30m
    slack: {channel: C0CARE, escalation_channel: C0ESC}
route:
  name: brand
  query: lumio
  team: care
`

// testClock is real time moved by an offset the test sets: the pacing of
// Slack posts needs time to pass, the timers need it to jump.
type testClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func clockAt(t time.Time) *testClock { return &testClock{offset: time.Until(t)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.offset = time.Until(t)
	c.mu.Unlock()
}

// escApp is one earshot on dbPath with Slack in Socket Mode against fake;
// stop shuts it down and closes its store, as a deploy would.
type escApp struct {
	*app.App
	stop func()
}

func startEscApp(t *testing.T, fake *slackfake.Fake, dbPath string, clk *testClock) *escApp {
	t.Helper()
	rules := rulesFile(t, filepath.Dir(dbPath), escalationRules)
	cfg := config.Config{
		DatabaseURL: dbPath, HTTPAddr: "127.0.0.1:0", Rules: rules, Sample: "false",
		JobWorkers: 8, LogLevel: "info", LogFormat: "text",
		SlackBotToken: fake.BotToken, SlackAppToken: fake.AppToken, SlackAPIURL: fake.APIURL(),
	}
	srv := serve(t, cfg, app.Options{Now: clk.Now})
	ctx := srv.Ctx
	e := &escApp{App: srv.App, stop: srv.Stop}
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if err := fake.WaitConnected(wctx); err != nil {
		t.Fatalf("socket mode never connected: %v", err)
	}
	return e
}

func newEscFake(t *testing.T) *slackfake.Fake {
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	fake.AddChannel("C0CARE", "care")
	fake.AddChannel("C0ESC", "escalations")
	return fake
}

// open ingests a mention and waits for its card in Slack.
func (e *escApp) open(t *testing.T, fake *slackfake.Fake, id, text string) (bot.Case, slackfake.Message) {
	t.Helper()
	res, err := e.Bot.IngestBatch(t.Context(), []bot.Mention{{Platform: "bluesky", ExternalID: id,
		URL: "https://bsky.app/profile/jen/post/" + id, Author: bot.Author{Handle: "jen.bsky.social", Followers: 300}, Text: text}})
	if err != nil || len(res) != 1 || len(res[0].Cases) != 1 {
		t.Fatalf("ingest: %+v, %v", res, err)
	}
	c := res[0].Cases[0].Case
	var card slackfake.Message
	eventually(t, "the card of case "+fmt.Sprint(c.ID), func() bool {
		ref, _ := e.Store.CardRef(t.Context(), c.ID, "slack")
		for _, m := range fake.Messages("C0CARE") {
			if "C0CARE/"+m.TS == ref {
				card = m
				return true
			}
		}
		return false
	})
	return c, card
}

// slash runs "/earshot <text>" as user and waits for Slack's ack.
func slash(t *testing.T, fake *slackfake.Fake, user, text string) {
	t.Helper()
	id, err := fake.PushSlashCommand(t.Context(), slackfake.SlashCommand(user, "C0CARE", "/earshot", text, fake.TriggerID(), fake.ResponseURL()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitAck(t.Context(), id); err != nil {
		t.Fatal(err)
	}
}

func threadHas(fake *slackfake.Fake, card slackfake.Message, substr string) int {
	n := 0
	for _, m := range fake.Thread("C0CARE", card.TS) {
		if strings.Contains(m.Text, substr) {
			n++
		}
	}
	return n
}

func escalationPosts(fake *slackfake.Fake) []string {
	var out []string
	for _, m := range fake.Messages("C0ESC") {
		out = append(out, m.Text)
	}
	return out
}

func (e *escApp) fire(t *testing.T) {
	t.Helper()
	if _, err := e.Bot.FireTimers(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func (e *escApp) settle(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	if err := e.Store.WaitForJobs(ctx); err != nil {
		t.Fatal(err)
	}
}

var berlin = func() *time.Location {
	l, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return l
}()

// Escalate from Slack: the thread and the escalation channel page step 1
// with real mentions; 15 minutes later step 2 is paged; an acknowledgement
// (the ok_hand reaction) stops the rest.
func TestEscalationThroughSlack(t *testing.T) {
	fake := newEscFake(t)
	clk := clockAt(time.Date(2026, 1, 6, 10, 0, 0, 0, berlin)) // a Tuesday
	a := startEscApp(t, fake, filepath.Join(t.TempDir(), "e.db"), clk)
	c, card := a.open(t, fake, "p1", "lumio lamp flickers every evening <!channel>")

	slash(t, fake, "U0ALICE", fmt.Sprintf("escalate #%d third lamp this week <!here>", c.ID))
	eventually(t, "step 1 paged in the thread and the escalation channel", func() bool {
		posts := escalationPosts(fake)
		return threadHas(fake, card, ":loudspeaker: Paging <@U024BE7LH>, carol · step 1 of 2") == 1 &&
			len(posts) == 1 && strings.Contains(posts[0], "<@U024BE7LH>")
	})
	esc := fake.Messages("C0ESC")[0]
	if link := slackfake.PermalinkBase + "C0CARE/p" + strings.ReplaceAll(card.TS, ".", ""); !strings.Contains(string(esc.Blocks), link) {
		t.Errorf("escalation post lacks the card's link %s: %s", link, esc.Blocks)
	}
	if threadHas(fake, card, "<!here>") > 0 || strings.Contains(string(esc.Blocks), "<!here>") {
		t.Error("the note's text became a live mention")
	}
	eventually(t, "the card to offer Acknowledge", func() bool {
		m := fake.Messages("C0CARE")[0]
		return strings.Contains(string(m.Blocks), "earshot.ack")
	})

	clk.Advance(14 * time.Minute)
	a.fire(t)
	a.settle(t)
	if n := len(escalationPosts(fake)); n != 1 {
		t.Fatalf("%d escalation posts before step 1's 15 minutes, want 1", n)
	}
	clk.Advance(time.Minute)
	a.fire(t)
	eventually(t, "step 2 paged", func() bool {
		posts := escalationPosts(fake)
		return len(posts) == 2 && strings.Contains(posts[1], "<!subteam^S0614TZR7>, dana · step 2 of 2") &&
			threadHas(fake, card, "step 2 of 2") == 1
	})

	// The lead acknowledges with a reaction on the card.
	id, err := fake.PushEvent(t.Context(), slackfake.ReactionAdded("EvAck", "U024BE7LH", "ok_hand", "C0CARE", card.TS), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fake.WaitAck(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the acknowledgement", func() bool { return countEvents(t, a.App, c.ID, bot.EventAcked) == 1 })
	eventually(t, "the acknowledgement in the thread", func() bool {
		return threadHas(fake, card, ":ok_hand: <@U024BE7LH>: Acknowledged the escalation; paging stopped") == 1
	})

	clk.Advance(time.Hour)
	a.fire(t)
	a.settle(t)
	if posts := escalationPosts(fake); len(posts) != 2 {
		t.Fatalf("paged after the acknowledgement: %q", posts)
	}
	if n := countEvents(t, a.App, c.ID, bot.EventPaged); n != 2 {
		t.Fatalf("%d pages, want 2", n)
	}
	if threadHas(fake, card, "Nobody acknowledged") != 0 {
		t.Fatal("the policy ran out although it was acknowledged")
	}
}

// Timers live in the database: escalate, shut earshot down, start a new
// one on the same file with the clock past step 1's wait, and step 2 is
// paged exactly once.
func TestEscalationTimerSurvivesRestart(t *testing.T) {
	fake := newEscFake(t)
	dbPath := filepath.Join(t.TempDir(), "e.db")
	clk := clockAt(time.Date(2026, 1, 6, 10, 0, 0, 0, berlin))
	a := startEscApp(t, fake, dbPath, clk)
	c, card := a.open(t, fake, "p1", "lumio lamp flickers every evening")
	slash(t, fake, "U0ALICE", fmt.Sprintf("escalate #%d", c.ID))
	eventually(t, "step 1 paged", func() bool { return len(escalationPosts(fake)) == 1 })
	a.settle(t)
	a.stop()

	clk.Advance(20 * time.Minute)
	b := startEscApp(t, fake, dbPath, clk)
	b.fire(t) // the new replica also fires at start; either way, once
	b.fire(t)
	eventually(t, "step 2 paged after the restart", func() bool { return len(escalationPosts(fake)) == 2 })
	b.settle(t)
	if posts := escalationPosts(fake); len(posts) != 2 || !strings.Contains(posts[1], "step 2 of 2") {
		t.Fatalf("escalation posts %q, want step 1 and step 2 once each", posts)
	}
	if n := countEvents(t, b.App, c.ID, bot.EventPaged); n != 2 {
		t.Fatalf("%d pages recorded, want 2", n)
	}
	if n := threadHas(fake, card, "step 2 of 2"); n != 1 {
		t.Fatalf("step 2 noted %d times in the thread", n)
	}
}

// A case opened on Friday at 19:50 under a 1h SLA in 08:00-20:00 hours is
// due Monday 08:50: reminded at 08:20 and 08:40, breached at 08:50, and the
// breach escalates as earshot, paging step 1.
func TestSLAReminderBreachAndAutoEscalation(t *testing.T) {
	fake := newEscFake(t)
	clk := clockAt(time.Date(2026, 1, 2, 19, 50, 0, 0, berlin))
	a := startEscApp(t, fake, filepath.Join(t.TempDir(), "e.db"), clk)
	c, card := a.open(t, fake, "p1", "my lumio order never arrived, where is it?")
	// The clock runs in real time from where the test puts it: allow for
	// the moments the test itself takes.
	if want := time.Date(2026, 1, 5, 8, 50, 0, 0, berlin); c.DueAt.Before(want) || c.DueAt.Sub(want) > 5*time.Second {
		t.Fatalf("due %s, want Monday 08:50", c.DueAt.In(berlin))
	}
	if !strings.Contains(string(card.Blocks), "answer due in 1h of working time") {
		t.Errorf("the card should say the whole hour of working time is left: %s", card.Blocks)
	}

	clk.Set(time.Date(2026, 1, 3, 12, 0, 0, 0, berlin)) // Saturday: nothing
	a.fire(t)
	a.settle(t)
	if n := countEvents(t, a.App, c.ID, bot.EventSLAReminder); n != 0 {
		t.Fatalf("%d reminders on the weekend", n)
	}

	clk.Set(time.Date(2026, 1, 5, 8, 20, 5, 0, berlin))
	a.fire(t)
	eventually(t, "the 30-minute reminder in the thread", func() bool {
		return threadHas(fake, card, ":hourglass_flowing_sand: Answer due in 30m (Mon 5 Jan 08:50 CET)") == 1
	})
	clk.Set(time.Date(2026, 1, 5, 8, 40, 5, 0, berlin))
	a.fire(t)
	eventually(t, "the 10-minute reminder", func() bool { return threadHas(fake, card, "Answer due in 10m") == 1 })
	eventually(t, "the card redrawn with the time left", func() bool {
		return strings.Contains(string(fake.Messages("C0CARE")[0].Blocks), "answer due in 10m of working time")
	})

	clk.Set(time.Date(2026, 1, 5, 8, 50, 5, 0, berlin))
	a.fire(t)
	eventually(t, "the breach, the automatic escalation and its first page", func() bool {
		return threadHas(fake, card, ":alarm_clock: No first answer within the SLA (1h)") == 1 &&
			threadHas(fake, card, "earshot: Escalated: No first answer within the SLA (1h)") == 1 &&
			len(escalationPosts(fake)) == 1
	})
	a.settle(t)
	as, err := a.Store.Actions(t.Context(), c.ID)
	if err != nil || len(as) != 1 || as[0].Actor != bot.SystemActor || as[0].Status != bot.ActionDone {
		t.Fatalf("actions %+v, %v: want one automatic escalation", as, err)
	}
	st, err := app.StatsText(t.Context(), a.Store, "care", 7, clk.Now())
	if err != nil || !strings.Contains(st, "1 missed the SLA") {
		t.Fatalf("stats %q, %v: want the breach counted", st, err)
	}
}

// A safety mention escalates by itself, once, however often its job runs.
func TestSafetyEscalatesOnce(t *testing.T) {
	fake := newEscFake(t)
	clk := clockAt(time.Date(2026, 1, 6, 10, 0, 0, 0, berlin))
	a := startEscApp(t, fake, filepath.Join(t.TempDir(), "e.db"), clk)
	c, card := a.open(t, fake, "p1", "My Lumio lamp caught fire and burned my daughter's hand, we're at the hospital")
	if c.Labels.Intent != bot.IntentSafety {
		t.Fatalf("intent %s, want safety", c.Labels.Intent)
	}
	eventually(t, "the automatic escalation", func() bool {
		return threadHas(fake, card, "Automatic: the mention reads as safety") == 1 && len(escalationPosts(fake)) == 1
	})
	for range 2 {
		if err := a.Bot.HandleJob(t.Context(), bot.Job{Kind: bot.JobEscalation, CaseID: c.ID}); err != nil {
			t.Fatal(err)
		}
	}
	a.settle(t)
	if n := countEvents(t, a.App, c.ID, bot.EventEscalated); n != 1 {
		t.Fatalf("%d escalations, want 1", n)
	}
	if n := len(escalationPosts(fake)); n != 1 {
		t.Fatalf("%d escalation posts, want 1", n)
	}
}
