package slacksurface

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/routing"
)

// hostile is text a stranger could post to make the card ping or mislead.
const hostile = "<!channel> <!here> <!everyone> hey <@U123> and <@W999|boss>, pay at <https://evil.example|your bank> " +
	"or <!subteam^S777> on <!date^1^{date}|today>; literal &lt; & &amp; > fin\n> not a quote"

func hostileCard() bot.Card {
	c := sampleCard()
	c.Case.ID, c.Case.Rev = 13, 9
	c.First.Text = hostile
	c.First.Author = bot.Author{Handle: "<@U123>", Name: "<!here> Support Team", Followers: 3}
	c.First.URL = "https://evil.example/post?a=1&b=2|<!channel>"
	c.Case.URL = c.First.URL
	c.Case.Labels.Product = "<!channel>"
	c.Case.Labels.Problem = "<https://evil.example|refund>"
	c.Case.Assignee = "slack:U0ALICE"
	c.Suggestions = []bot.Suggestion{{CaseID: 13, Rank: 1, Text: "<!everyone> visit <https://evil.example|our site> & <@U123>", Approach: "<!here>"}}
	// A model repeating the customer's words is as untrusted as they are.
	c.Drafts = bot.DraftInfo{Origin: "<!channel>-7b", Summary: "<!here> wants <https://evil.example|a refund>",
		Instruction: "<@U123> shorter", Note: "1 model draft(s) dropped: warm has <!everyone>.",
		Reading: &bot.Labels{Sentiment: bot.Negative, Intent: bot.IntentComplaint}}
	return c
}

func longCard() bot.Card {
	c := sampleCard()
	c.Case.ID, c.Case.Platform = 14, "github"
	c.First.Text = strings.Repeat("The kettle & the <lid> 🫖👩🏽‍🍳 ", 300) // over 3000 once escaped
	c.First.Author.Name = strings.Repeat("N", 400)
	c.Case.Labels.Problem = strings.Repeat("p", 4000)
	c.Case.Mentions = 4
	c.Suggestions = []bot.Suggestion{
		{CaseID: 14, Rank: 1, Text: strings.Repeat("We hear you & we're fixing it. ", 150)}, // > 3000: shown clipped, no Send
		{CaseID: 14, Rank: 2, Text: "Short & sweet."},
	}
	return c
}

// deletedCard's first post was deleted by its author: the store read it
// back redacted (no text, no address) and blanked the case's summary.
func deletedCard() bot.Card {
	c := sampleCard()
	c.Case.ID, c.Case.Rev = 18, 4
	c.First.Text, c.First.URL, c.First.Deleted = "", "", true
	c.Case.Summary, c.Case.URL, c.Case.Labels.Problem = bot.DeletedText, "", ""
	c.Suggestions = nil
	return c
}

func closedCard() bot.Card {
	c := sampleCard()
	c.Case.ID, c.Case.State, c.Case.DueAt, c.Case.Assignee = 15, bot.StateResolved, time.Time{}, "web:alice"
	return c
}

func overdueCard() bot.Card {
	c := sampleCard()
	c.Case.ID = 16
	c.Case.DueAt = testNow.Add(-10 * time.Minute)
	c.Case.Labels = bot.Labels{Intent: bot.IntentSafety, Urgency: bot.UrgencyCritical}
	c.Suggestions = nil
	c.First.URL, c.Case.URL = "javascript:alert(1)", ""
	return c
}

// escalatedCard is a case in a team with business hours, escalated and
// overdue by working time.
func escalatedCard() bot.Card {
	c := pagingCard()
	c.Case.ID, c.Case.State = 17, bot.StateEscalated
	c.Case.DueAt = testNow.Add(-90 * time.Minute)
	return c
}

// pagingCard's team has an escalation policy naming Slack identities.
func pagingCard() bot.Card {
	c := sampleCard()
	rules, err := routing.Parse("t.yaml", []byte(`
teams:
  care:
    execs: ["slack:U0EXEC"]
    hours: {zone: UTC, days: daily, from: "00:00", to: "24:00"}
    escalation:
      steps:
        - {notify: ["slack:U0BOB", carol], after: 15m}
        - {notify: ["slack:subteam:S0LEADS"], after: 30m}
    slack: {channel: C0CARE, escalation_channel: C0ESC}
route: {team: care}
`))
	if err != nil {
		panic(err)
	}
	c.Team, _ = rules.Team("care")
	return c
}

var cardCases = []struct {
	name string
	card func() bot.Card
}{
	{"card", sampleCard},
	{"card_hostile", hostileCard},
	{"card_long", longCard},
	{"card_closed", closedCard},
	{"card_overdue", overdueCard},
	{"card_escalated", escalatedCard},
	{"card_deleted", deletedCard},
}

// marshal renders v as the golden files keep it: indented, and with <, >
// and & as themselves so escaping mistakes are easy to see.
func marshal(t *testing.T, v any) []byte {
	t.Helper()
	// slack-go's own marshallers escape HTML; a round trip undoes it.
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var plain any
	if err := json.Unmarshal(raw, &plain); err != nil {
		t.Fatal(err)
	}
	v = plain
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGoldenCards(t *testing.T) {
	for _, tt := range cardCases {
		t.Run(tt.name, func(t *testing.T) {
			blocks, text := cardMessage(tt.card(), testNow)
			got := marshal(t, map[string]any{"text": text, "blocks": blocks})
			golden(t, tt.name+".golden.json", got)
			checkPayload(t, got)
		})
	}
}

func TestGoldenModals(t *testing.T) {
	card := sampleCard()
	meta := click{Case: 12, Rev: 3, Rank: 2, Hash: textHash(card.Suggestions[1].Text), Channel: "C0CARE", Platform: "bluesky"}
	hc := hostileCard()
	hmeta := click{Case: 13, Rev: 9, Rank: 1, Channel: "C0CARE", Platform: "bluesky"}
	tests := []struct {
		name string
		view slack.ModalViewRequest
	}{
		{"modal_edit", editModal(card, meta)},
		{"modal_escalate", escalateModal(card, meta)},
		{"modal_defect", defectModal(card, meta)},
		{"modal_edit_hostile", editModal(hc, hmeta)},
		{"modal_defect_long", defectModal(longCard(), hmeta)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := marshal(t, tt.view)
			golden(t, tt.name+".golden.json", got)
			checkPayload(t, got)
		})
	}
}

func TestEditModalLimits(t *testing.T) {
	for _, tt := range []struct {
		platform string
		want     int
	}{{"bluesky", 300}, {"x", 280}, {"mastodon", 500}, {"reddit", maxInputValue}, {"github", maxInputValue}, {"unknown", bot.DefaultReplyLimit}} {
		card := sampleCard()
		card.Case.Platform = tt.platform
		v := editModal(card, click{Case: 12, Rev: 3, Rank: 1})
		in := v.Blocks.BlockSet[1].(*slack.InputBlock).Element.(*slack.PlainTextInputBlockElement)
		if in.MaxLength != tt.want {
			t.Errorf("%s: max_length %d, want %d", tt.platform, in.MaxLength, tt.want)
		}
		if in.InitialValue != card.Suggestions[0].Text {
			t.Errorf("%s: prefilled %q, want suggestion 1", tt.platform, in.InitialValue)
		}
	}
}

func TestGoldenNotes(t *testing.T) {
	card := pagingCard()
	at := testNow
	events := []bot.Event{
		{Kind: bot.EventFollowUp, Actor: "Jane Doe (@jane.bsky.social)", Text: "Still nothing. <!channel> help!", URL: "https://bsky.app/profile/jane.bsky.social/post/3l"},
		{Kind: bot.EventFollowUp, Actor: "slack:U0ADMIN", Text: "an author who named themselves like a Slack id"},
		{Kind: bot.EventOurPost, Actor: "@acme", Text: "We're on it."},
		{Kind: bot.EventReopened},
		{Kind: bot.EventClaimed, Actor: "slack:U0ALICE", Text: "Claimed by slack:U0ALICE"},
		{Kind: bot.EventReplied, Actor: "slack:U0ALICE", Text: "Sorry <@U123> & thanks", URL: "https://bsky.app/profile/acme/post/9"},
		{Kind: bot.EventAssisted, Actor: "web:bob", Text: "Reply text\n\nPosting on hackernews is done by hand"},
		{Kind: bot.EventEscalated, Actor: "slack:U0ALICE", Text: "Escalated to slack:U0EXEC, slack:S0LEADS, carol: hospital <!here> (page slack:U0BOB)"},
		{Kind: bot.EventAcked, Actor: "discord:42"},
		{Kind: bot.EventAcked, Actor: "slack:U0ALICE", Text: "Acknowledged the escalation; paging stopped"},
		// Identities the rules name become mentions; any other stays text.
		{Kind: bot.EventPaged, Text: "Paged slack:U0BOB, carol, slack:U0STRANGER, slack:subteam:S0LEADS (step 1 of 2, round 1 of 2)\nEscalated: hospital <!here>"},
		{Kind: bot.EventPaged, Text: "Paged no one (step 1 of 1)"},
		{Kind: bot.EventPaged, Text: "Paged <!channel>, <@U0ALICE> (step 1 of 1)"},
		{Kind: bot.EventPaged, Text: "not a page <!channel>"},
		{Kind: bot.EventSLAReminder, Text: "Answer due in 10m (Mon 5 Jan 08:50 CET)"},
		{Kind: bot.EventSLABreach, Text: "No first answer within the SLA (1h): it was due Mon 5 Jan 08:50 CET"},
		{Kind: bot.EventDefect, Actor: "slack:U0ALICE", Text: "Defect recorded: kettle stops heating", URL: "https://github.com/acme/kettle/issues/7"},
		{Kind: bot.EventDismissed, Actor: "slack:U0ALICE", Text: "Dismissed"},
		{Kind: bot.EventResolved, Actor: "slack:U0ALICE", Text: "Resolved"},
		{Kind: bot.EventMuted, Actor: "slack:U0ALICE", Text: "Muted: author spam for 24h"},
		{Kind: bot.EventActionFail, Actor: "slack:U0ALICE", Text: "reply failed: bluesky said 400"},
		{Kind: bot.EventNote, Actor: "web:bob", Text: "Called the customer & left a message"},
		{Kind: bot.EventSuggested},
		{Kind: bot.EventFollowUp, Actor: "Long", Text: strings.Repeat("<>&", 2000)},
		{Kind: bot.EventDeleted, Actor: "Jane <!channel> (@jane.bsky.social)", MentionID: 7},
	}
	var out []map[string]string
	for _, ev := range events {
		ev.At = at
		out = append(out, map[string]string{"kind": string(ev.Kind), "text": noteText(card, ev)})
	}
	got := marshal(t, out)
	golden(t, "notes.golden.json", got)
	checkPayload(t, got)
}

// controlSequence finds Slack's live control sequences in escaped text.
var controlSequence = regexp.MustCompile(`<[^<>]*>`)

// allowedSequences are the only control sequences we write ourselves: dates,
// our own sanitised links, and mentions of people who acted (from signed
// events) or who are paged in an escalation.
var allowedSequences = regexp.MustCompile(`^(<!date\^\d+\^\{date_short_pretty\} at \{time\}\|[^<>|]+>` +
	`|<https?://[^\s<>|]+\|view post>` +
	`|<https://earshot-fake\.slack\.com/archives/C0CARE/p\d+\|Open the case card>` + // the card's permalink
	`|<@U0(ALICE|EXEC|BOB)>|<!subteam\^S0LEADS>)$`)

// checkPayload asserts that no text in a rendered payload can ping anyone
// or link anywhere but through the sequences we write, and that Slack's
// length limits hold.
func checkPayload(t *testing.T, payload []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(payload, &v); err != nil {
		t.Fatal(err)
	}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				walk(k, c)
			}
		case []any:
			for _, c := range x {
				walk(key, c)
			}
		case string:
			if key == "initial_value" || key == "url" || key == "value" || key == "private_metadata" {
				return // not parsed by Slack as mrkdwn
			}
			for _, seq := range controlSequence.FindAllString(x, -1) {
				if !allowedSequences.MatchString(seq) {
					t.Errorf("live control sequence %q in %s", seq, key)
				}
			}
			if units(x) > maxSectionText {
				t.Errorf("%s of %d characters exceeds Slack's limit", key, units(x))
			}
		}
	}
	walk("", v)
}

func TestEscapeAndClip(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  string
	}{
		{"<!channel>", 100, "&lt;!channel&gt;"},
		{"a & b", 100, "a &amp; b"},
		{"&lt;", 100, "&amp;lt;"},
		{"abc&def", 6, "abc…"},  // never "abc&am…"
		{"ab<cd", 7, "ab&lt;…"}, // whole entity kept
		{"👩🏽‍🍳👩🏽‍🍳👩🏽‍🍳", 10, "👩🏽‍🍳…"}, // a cook is 7 units and never split
		{"short", 5, "short"},
	}
	for _, tt := range tests {
		if got := fit(tt.in, tt.limit); got != tt.want {
			t.Errorf("fit(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
		}
		if got := fit(tt.in, tt.limit); units(got) > tt.limit {
			t.Errorf("fit(%q, %d) is %d units", tt.in, tt.limit, units(got))
		}
	}
}

func TestSafeURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://bsky.app/profile/a/post/1", "https://bsky.app/profile/a/post/1"},
		{"https://x.com/a?b=1&c=2", "https://x.com/a?b=1&amp;c=2"},
		{"https://evil.example/|<!channel>", "https://evil.example/%7C%3C!channel%3E"},
		{"javascript:alert(1)", ""},
		{"//no-scheme.example", ""},
		{"https://a.example/with space", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := safeURL(tt.in); got != tt.want {
			t.Errorf("safeURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPlainFromSlack(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Thanks &amp; sorry &lt;3", "Thanks & sorry <3"},
		{"typed &amp;lt; literally", "typed &lt; literally"},
		{"see <https://acme.example/help|acme.example/help>", "see acme.example/help"},
		{"see <https://acme.example/help>", "see https://acme.example/help"},
		{"see <https://acme.example/x|the guide>", "see the guide (https://acme.example/x)"},
		{"ask <@U123|alice> or <@U456>", "ask @alice or @U456"},
		{"in <#C123|general>", "in #general"},
		{"<!here> and <!subteam^S1|@care>", "@here and @care"},
		{"mail <mailto:a@b.example|a@b.example>", "mail a@b.example"},
	}
	for _, tt := range tests {
		if got := plainFromSlack(tt.in); got != tt.want {
			t.Errorf("plainFromSlack(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestClickRoundTrip(t *testing.T) {
	c := click{Case: 12, Rev: 3, Rank: 2, Hash: textHash("x"), Channel: "C0CARE", Platform: "bluesky"}
	got, err := decodeClick(c.encode())
	if err != nil || got != c {
		t.Fatalf("decodeClick(encode(%+v)) = %+v, %v", c, got, err)
	}
	for _, bad := range []string{"", "c=0&r=1", "c=x&r=1", "c=1&r=-1", "c=1&r=1&s=0", "c=1&r=1&s=100", "%zz", strings.Repeat("c", 2001)} {
		if _, err := decodeClick(bad); err == nil {
			t.Errorf("decodeClick(%q) accepted", bad)
		}
	}
}

func TestGoldenStormCards(t *testing.T) {
	card := bot.StormCard{
		Team:  bot.Team{Name: "care", Slack: routing.SlackTarget{Channel: "C0CARE"}},
		Since: testNow.Add(-5 * time.Minute),
		Count: 412,
		Authors: []bot.AuthorCount{
			{Author: bot.Author{Handle: "<!channel>", Followers: 52000}, Cases: 9},
			{Author: bot.Author{Handle: "jen.bsky.social", Followers: 300}, Cases: 3},
		},
		Samples: []bot.StormSample{
			{CaseID: 101, First: bot.Mention{Author: bot.Author{Handle: "a"}, Text: "@here lumio is DOWN <https://evil.example|your bank> & worse", URL: "https://bsky.app/profile/a/post/1"}},
			{CaseID: 102, First: bot.Mention{Author: bot.Author{Handle: "<@U123>"}, Text: strings.Repeat("outage ", 100), URL: "javascript:alert(1)"}},
		},
	}
	for name, over := range map[string]bool{"storm_open": false, "storm_over": true} {
		t.Run(name, func(t *testing.T) {
			c := card
			c.Over = over
			blocks, text := stormMessage(c, testNow)
			got := marshal(t, map[string]any{"text": text, "blocks": blocks})
			golden(t, name+".golden.json", got)
			checkPayload(t, got)
			for _, bad := range []string{"<!channel>", "<@U123>", "<https://evil", "javascript:"} {
				if bytes.Contains(got, []byte(bad)) {
					t.Errorf("storm card carries %q unescaped", bad)
				}
			}
		})
	}
}
