package slacksurface

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/slackfake"
)

// A page goes to the team's escalation channel with live mentions of the
// rules file's people, the reason escaped, a link to the card and an
// Acknowledge button that acts on the case.
func TestEscalationPostedInTheEscalationChannel(t *testing.T) {
	e := newEnv(t, nil)
	e.fake.AddChannel("C0ESC", "escalations")
	card := pagingCard()
	card.Case.State = bot.StateEscalated
	ref := e.post(card)
	_, ts, _ := splitRef(ref)
	page := bot.Event{ID: 40, Kind: bot.EventPaged, Text: bot.Page{
		Notify: []string{"slack:U0BOB", "carol"}, Step: 1, Steps: 2, Round: 1, Rounds: 1,
		Reason: "Escalated: hospital <!here> (page slack:U0ALICE)",
	}.Text()}
	if err := e.s.Broadcast(t.Context(), card, ref, page); err != nil {
		t.Fatalf("Broadcast: %v", err)
	}
	msgs := e.fake.Messages("C0ESC")
	if len(msgs) != 1 {
		t.Fatalf("escalation channel has %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	var decoded any
	if err := json.Unmarshal(m.Blocks, &decoded); err != nil {
		t.Fatal(err)
	}
	blocksText := string(marshal(t, decoded))
	if !strings.Contains(m.Text, "Paging <@U0BOB>, carol · step 1 of 2") {
		t.Errorf("notification text %q should mention the paged people", m.Text)
	}
	link := slackfake.PermalinkBase + "C0CARE/p" + strings.ReplaceAll(ts, ".", "")
	if !strings.Contains(blocksText, "<"+link+"|Open the case card>") {
		t.Errorf("no link to the card %s in %s", link, m.Blocks)
	}
	if strings.Contains(blocksText, "<!here>") || strings.Contains(blocksText, "<@U0ALICE>") {
		t.Errorf("the reason's text became live: %s", m.Blocks)
	}
	checkPayload(t, marshal(t, map[string]any{"text": m.Text, "blocks": json.RawMessage(m.Blocks)}))
	blocks, text := escalationMessage(card, mustPage(t, page.Text), slackfake.PermalinkBase+"C0CARE/p1795440000000100")
	golden(t, "escalation.golden.json", marshal(t, map[string]any{"text": text, "blocks": blocks}))

	// Its Acknowledge button acknowledges the case.
	var ackValue string
	for _, part := range strings.Split(blocksText, `"value": "`)[1:] {
		ackValue, _, _ = strings.Cut(part, `"`)
	}
	e.deliver(slackfake.InteractionDelivery(slackfake.BlockAction("U0DANA", "C0ESC", m.TS, actionAck, ackValue, "", "")))
	if got := e.actions.requests(); len(got) != 1 || got[0].Kind != bot.ActAck || got[0].CaseID != card.Case.ID || got[0].Actor != "slack:U0DANA" {
		t.Fatalf("requests %+v, want one acknowledgement", got)
	}

	// Without an escalation channel, or for any other event, nothing is posted.
	plain := sampleCard()
	if err := e.s.Broadcast(t.Context(), plain, ref, page); err != nil || len(e.fake.Messages("C0ESC")) != 1 {
		t.Fatalf("Broadcast without a channel: %v, %d messages", err, len(e.fake.Messages("C0ESC")))
	}
	if err := e.s.Broadcast(t.Context(), card, ref, bot.Event{Kind: bot.EventEscalated, Text: "x"}); err != nil || len(e.fake.Messages("C0ESC")) != 1 {
		t.Fatalf("Broadcast of a non-page: %v", err)
	}
	// Before the card exists, it waits for it; a case on a storm card has
	// none of its own, and its page goes out without the link.
	if err := e.s.Broadcast(t.Context(), card, "", page); err == nil {
		t.Fatal("Broadcast before the card was posted should ask to retry")
	}
	if err := e.s.Broadcast(t.Context(), card, "storm:3", page); err != nil {
		t.Fatalf("Broadcast of a case on a storm card: %v", err)
	}
	if posts := e.fake.Messages("C0ESC"); len(posts) != 2 || strings.Contains(string(posts[1].Blocks), "Open the case card") {
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

// ok_hand acknowledges by default, and the escalated card's button does too.
func TestAcknowledgeFromTheCard(t *testing.T) {
	e := newEnv(t, nil)
	card := escalatedCard()
	ch, ts, _ := splitRef(e.post(card))
	if id, _ := e.s.caseByRef(t.Context(), Name, ch+"/"+ts); id != card.Case.ID {
		t.Fatalf("card not registered: %d", id)
	}
	e.deliver(slackfake.EventDelivery(slackfake.ReactionAdded("Ev9", "U0ALICE", "ok_hand", ch, ts)))
	e.deliver(slackfake.InteractionDelivery(slackfake.BlockAction("U0BOB", ch, ts, actionAck, click{Case: card.Case.ID, Rev: card.Case.Rev}.encode(), "", "")))
	got := e.actions.requests()
	if len(got) != 2 || got[0].Kind != bot.ActAck || got[1].Kind != bot.ActAck || got[1].Target != "r3" {
		t.Fatalf("requests %+v, want two acknowledgements", got)
	}
}
