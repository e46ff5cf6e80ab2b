package discordsurface

import (
	"strings"
	"testing"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/discordfake"
)

const escChannel = "700000000000000009"

func pagingCard() bot.Card {
	c := sampleCard()
	c.Case.State = bot.StateEscalated
	c.Team.Execs = []string{"discord:" + dana}
	c.Team.Leads = []string{"discord:role:" + careRole}
	c.Team.Discord.EscalationChannel = escChannel
	return c
}

// A page goes to the team's escalation channel, pinging exactly the users
// and roles the rules name, with the reason escaped, a link to the card
// and an Acknowledge button that acts on the case.
func TestEscalationPostedInTheEscalationChannel(t *testing.T) {
	e := newEnv(t, nil)
	e.connect()
	e.fake.AddChannel(escChannel)
	card := pagingCard()
	ref, msg := e.post(card)
	page := bot.Event{ID: 40, Kind: bot.EventPaged, Text: bot.Page{
		Notify: []string{"discord:" + dana, "discord:role:" + careRole, "carol"}, Step: 1, Steps: 2, Round: 1, Rounds: 1,
		Reason: "Escalated: hospital @everyone (page discord:" + bob + ")",
	}.Text()}
	if err := e.s.Broadcast(t.Context(), card, ref, page); err != nil {
		t.Fatalf("Broadcast: %v", err)
	}
	posts := e.fake.Messages(escChannel)
	if len(posts) != 1 {
		t.Fatalf("escalation channel has %d messages, want 1", len(posts))
	}
	m := posts[0]
	link := "https://discord.com/channels/" + discordfake.GuildID + "/" + careChannel + "/" + msg
	for _, want := range []string{"Paging <@" + dana + ">, <@&" + careRole + ">, carol · step 1 of 2", "[Open the case card](<" + link + ">)", `\@everyone`} {
		if !strings.Contains(m.Content, want) {
			t.Errorf("escalation %q lacks %q", m.Content, want)
		}
	}
	pings := map[string]bool{}
	for _, p := range e.fake.Pings() {
		pings[p.Kind+":"+p.Target] = true
	}
	if len(pings) != 2 || !pings["user:"+dana] || !pings["role:"+careRole] {
		t.Fatalf("pings %v, want dana and the care role only", pings)
	}
	content, paged, embed, comps := escalationMessage(card, mustPage(t, page.Text), link)
	golden(t, "escalation.golden.json", marshal(t, map[string]any{"content": content, "pings": paged, "embed": embed, "components": comps}))

	// Its Acknowledge button acknowledges the case.
	e.deliver(e.fake.ClickPayload(member(dana), m.ID, click{Kind: btnAck, Case: card.Case.ID, Rev: card.Case.Rev}.encode()), answered)
	if r := e.lastRequest(); r.Kind != bot.ActAck || r.CaseID != card.Case.ID || r.Actor != "discord:"+dana {
		t.Fatalf("request %+v, want an acknowledgement", r)
	}

	// Without an escalation channel, or for any other event, nothing is posted.
	if err := e.s.Broadcast(t.Context(), sampleCard(), ref, page); err != nil || len(e.fake.Messages(escChannel)) != 1 {
		t.Fatalf("Broadcast without a channel: %v", err)
	}
	if err := e.s.Broadcast(t.Context(), card, ref, bot.Event{Kind: bot.EventEscalated, Text: "x"}); err != nil || len(e.fake.Messages(escChannel)) != 1 {
		t.Fatalf("Broadcast of a non-page: %v", err)
	}
	// Before the card exists it waits for it; a case on a storm card has
	// none of its own, and its page goes out without the link.
	if err := e.s.Broadcast(t.Context(), card, "", page); err == nil {
		t.Fatal("Broadcast before the card was posted should ask to retry")
	}
	if err := e.s.Broadcast(t.Context(), card, "storm:3", page); err != nil {
		t.Fatalf("Broadcast of a case on a storm card: %v", err)
	}
	if posts := e.fake.Messages(escChannel); len(posts) != 2 || strings.Contains(posts[1].Content, "Open the case card") {
		t.Fatalf("storm case's page: %+v", posts)
	}
}

func mustPage(t *testing.T, text string) bot.Page {
	t.Helper()
	p, ok := bot.ParsePage(text)
	if !ok {
		t.Fatalf("not a page: %q", text)
	}
	return p
}
