package discordsurface

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/routing"
)

// hostile is text a stranger could post to make the card ping, link under
// a false label or pass for ours.
const hostile = "@everyone @here hey <@123456789012345678> and <@!223456789012345678> and <@&323456789012345678>, " +
	"pay at [your bank](https://evil.example/login) or <https://evil.example> on <t:1700000000:R>; " +
	"**bold** __under__ ~~gone~~ ||spoiler|| `code` <#423456789012345678> <:pwn:523456789012345678>\n" +
	"# Official statement\n> not a quote\n- not a list\n1. nor this\n\\<@123456789012345678>"

func hostileCard() bot.Card {
	c := sampleCard()
	c.Case.ID, c.Case.Rev = 13, 9
	c.First.Text = hostile
	c.First.Author = bot.Author{Handle: "<@123456789012345678>", Name: "@everyone Support Team", Followers: 3}
	c.First.URL = "https://evil.example/post?a=1&b=2|@everyone"
	c.Case.URL = c.First.URL
	c.Case.Labels.Product = "@everyone"
	c.Case.Labels.Problem = "[refund](https://evil.example)"
	c.Case.Assignee = "discord:" + alice
	c.Suggestions = []bot.Suggestion{{CaseID: 13, Rank: 1, Text: "@everyone visit [our site](https://evil.example) & <@123456789012345678>", Approach: "@here"}}
	// A model repeating the customer's words is as untrusted as they are.
	c.Drafts = bot.DraftInfo{Origin: "@everyone-7b", Summary: "@here wants [a refund](https://evil.example)",
		Instruction: "<@123456789012345678> shorter", Note: "1 model draft(s) dropped: warm has @everyone.",
		Reading: &bot.Labels{Sentiment: bot.Negative, Intent: bot.IntentComplaint}}
	return c
}

func longCard() bot.Card {
	c := sampleCard()
	c.Case.ID, c.Case.Platform = 14, "github"
	c.First.Text = strings.Repeat("The kettle & the <lid> 🫖👩🏽‍🍳 ", 300)
	c.First.Author.Name = strings.Repeat("N", 400)
	c.Case.Labels.Problem = strings.Repeat("p", 4000)
	c.Case.Mentions = 4
	c.Suggestions = []bot.Suggestion{
		{CaseID: 14, Rank: 1, Text: strings.Repeat("We hear you & we're fixing it. ", 60)}, // over 1,024 escaped: no Send
		{CaseID: 14, Rank: 2, Text: "Short & sweet."},
	}
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

func escalatedCard() bot.Card {
	c := sampleCard()
	c.Case.ID, c.Case.State, c.Case.Rev = 17, bot.StateEscalated, 5
	c.First.CreatedAt = testNow.Add(-20 * time.Minute)
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

type rendered struct {
	Content    string                       `json:"content"`
	Embeds     []*discordgo.MessageEmbed    `json:"embeds"`
	Components []discordgo.MessageComponent `json:"components"`
}

func TestGoldenCards(t *testing.T) {
	for _, tc := range cardCases {
		t.Run(tc.name, func(t *testing.T) {
			content, embed, comps := cardMessage(tc.card(), testNow)
			if n := embedSize(embed); n > maxEmbedsTotal {
				t.Fatalf("embed of %d characters, Discord takes %d", n, maxEmbedsTotal)
			}
			golden(t, tc.name+".golden.json", marshal(t, rendered{content, []*discordgo.MessageEmbed{embed}, comps}))
		})
	}
}

// Everything public on the hostile card shows as typed: no masked link, no
// mention, no markdown of the stranger's survives escaping.
func TestHostileCardShowsTextAsTyped(t *testing.T) {
	content, embed, comps := cardMessage(hostileCard(), testNow)
	all := string(marshal(t, rendered{content, []*discordgo.MessageEmbed{embed}, comps}))
	for _, live := range []string{"[your bank](", "<@123456789012345678>", "<@&", "<t:1700000000", "||spoiler", "**bold**", "\n# Official", "(https://evil.example)"} {
		if strings.Contains(all, live) {
			t.Errorf("the card carries %q unescaped", live)
		}
	}
	// URL fields are never parsed: a URL with | stays a URL, not a label.
	if embed.URL != hostileCard().First.URL {
		t.Errorf("embed url %q", embed.URL)
	}
	if !strings.Contains(embed.Description, `\[your bank\]\(https\://evil.example/login\)`) {
		t.Errorf("the masked link is not shown as typed: %s", embed.Description)
	}
}

func TestGoldenStormCards(t *testing.T) {
	card := bot.StormCard{
		Team: routing.Team{Name: "care"}, Since: testNow.Add(-3 * time.Minute), Count: 240,
		Authors: []bot.AuthorCount{{Author: bot.Author{Handle: "@everyone", Followers: 1200000}, Cases: 40}, {Author: bot.Author{Handle: "jane"}, Cases: 2}},
		Samples: []bot.StormSample{{CaseID: 101, First: bot.Mention{Text: "[click](https://evil.example) <@123456789012345678>", Author: bot.Author{Handle: "x"}}}},
	}
	for name, over := range map[string]bool{"storm_open": false, "storm_over": true} {
		t.Run(name, func(t *testing.T) {
			card.Over = over
			content, embed := stormMessage(card, testNow)
			golden(t, name+".golden.json", marshal(t, rendered{Content: content, Embeds: []*discordgo.MessageEmbed{embed}}))
		})
	}
}

func TestGoldenModals(t *testing.T) {
	long := sampleCard()
	long.Case.Platform = "reddit"
	long.Suggestions[0].Text = strings.Repeat("x", 5000) // over what a text input holds: not prefilled
	for name, resp := range map[string]*discordgo.InteractionResponse{
		"modal_edit":      editModal(sampleCard()),
		"modal_edit_long": editModal(long),
		"modal_escalate":  escalateModal(sampleCard()),
		"modal_defect":    defectModal(hostileCard()),
		"modal_redraft":   redraftModal(sampleCard()),
	} {
		t.Run(name, func(t *testing.T) {
			golden(t, name+".golden.json", marshal(t, resp))
		})
	}
}

func TestGoldenNotes(t *testing.T) {
	card := sampleCard()
	// Only identities the rules name are pinged: dana is an exec, the role a
	// step pages; erin's id is typed in a note and stays text.
	card.Team.Execs = []string{"discord:" + dana}
	card.Team.Escalation.Steps = []routing.EscalationStep{{Notify: []string{"discord:role:" + careRole}}}
	events := []bot.Event{
		{Kind: bot.EventOpened},
		{Kind: bot.EventFollowUp, Actor: "@everyone", Text: hostile, URL: "https://bsky.app/profile/jane/post/2"},
		{Kind: bot.EventClaimed, Actor: "discord:" + alice},
		{Kind: bot.EventReplied, Actor: "discord:" + alice, Text: "Thanks Jane, a new kettle is on its way.", URL: "https://bsky.app/profile/lumio/post/9"},
		{Kind: bot.EventAssisted, Actor: "web:sam", Text: "Posted by hand", URL: "javascript:alert(1)"},
		{Kind: bot.EventEscalated, Actor: "discord:" + alice, Text: "Escalated to discord:" + dana + ", slack:U1, dana: @everyone <@123456789012345678> look, and discord:400000000000000099"},
		{Kind: bot.EventPaged, Text: bot.Page{Notify: []string{"discord:role:" + careRole, "discord:" + dana}, Step: 1, Steps: 2, Round: 1, Rounds: 1}.Text()},
		{Kind: bot.EventAcked, Actor: "discord:" + dana},
		{Kind: bot.EventDefect, Actor: "discord:" + alice, Text: "Filed acme/kettle#42", URL: "https://github.com/acme/kettle/issues/42"},
		{Kind: bot.EventDismissed, Actor: "discord:" + bob},
		{Kind: bot.EventActionFail, Actor: "discord:" + bob, Text: "reply failed: bluesky said 400"},
		{Kind: bot.EventNote, Actor: "earshot", Text: "The model did not answer within 20s; built-in drafts."},
		{Kind: bot.EventSuggested},
		{Kind: bot.EventDeleted, Actor: "Jane @everyone (@jane.bsky.social)", MentionID: 7},
	}
	type note struct {
		Kind  bot.EventKind `json:"kind"`
		Text  string        `json:"text"`
		Pings pings         `json:"pings,omitzero"`
	}
	var out []note
	for _, ev := range events {
		text, pings := noteText(card, ev)
		if units(text) > maxContent {
			t.Fatalf("%s note of %d characters", ev.Kind, units(text))
		}
		out = append(out, note{ev.Kind, text, pings})
	}
	golden(t, "notes.golden.json", marshal(t, out))
	if _, p := noteText(card, events[5]); len(p.Users) != 1 || p.Users[0] != dana || len(p.Roles) != 0 {
		t.Fatalf("escalation pings %+v, want only %s", p, dana)
	}
	if _, p := noteText(card, events[6]); len(p.Users) != 1 || p.Users[0] != dana || len(p.Roles) != 1 || p.Roles[0] != careRole {
		t.Fatalf("page pings %+v, want %s and role %s", p, dana, careRole)
	}
}

func TestEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain words", "plain words"},
		{"@everyone", `\@everyone`},
		{"<@123>", `\<\@123\>`},
		{"[a](https://x.example)", `\[a\]\(https\://x.example\)`},
		{"2. second\n10. tenth", "2\\. second\n10\\. tenth"},
		{`a\b`, `a\\b`},
		{"e.g. fine", "e.g. fine"},
	} {
		if got := escape(tc.in); got != tc.want {
			t.Errorf("escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := fit(strings.Repeat("<", 10), 6); got != `\<\<…` {
		t.Errorf("fit cut an escape in half: %q", got)
	}
}

func TestClickRoundTrip(t *testing.T) {
	for _, c := range []click{
		{Kind: btnSend, Case: 12, Rev: 3, Rank: 2, Hash: textHash("x")},
		{Kind: btnClaim, Case: 9223372036854775807, Rev: 9223372036854775807},
		{Kind: modalRedraft, Case: 1},
	} {
		s := c.encode()
		if len(s) > maxCustomID {
			t.Fatalf("%q is over %d characters", s, maxCustomID)
		}
		back, err := decodeClick(s)
		if err != nil || back != c {
			t.Fatalf("decodeClick(%q) = %+v, %v; want %+v", s, back, err, c)
		}
	}
	for _, bad := range []string{"", "es1:claim:0:1", "es1:claim:01:1", "es0:claim:1:1", "es1:send:1:1", "es1:claim:1:1:1:" + textHash("x"),
		"es1:send:1:1:0:" + textHash("x"), "es1:send:1:1:1:zz", "es1:nope:1:1", "es1:claim:1:-1"} {
		if _, err := decodeClick(bad); err == nil {
			t.Errorf("decodeClick(%q) accepted", bad)
		}
	}
}

func TestShortcodesAreBare(t *testing.T) {
	for e, name := range shortcodes {
		if bare(e) != e {
			t.Errorf("shortcode key for %s carries a selector: %q", name, e)
		}
	}
	r := routing.DefaultReactions()
	for _, tc := range []struct {
		emoji discordgo.Emoji
		want  string
	}{
		{discordgo.Emoji{Name: "👀"}, "claim"},
		{discordgo.Emoji{Name: "1\ufe0f\u20e3"}, "reply:1"},
		{discordgo.Emoji{Name: "3\ufe0f\u20e3"}, "reply:3"},
		{discordgo.Emoji{Name: "🚨"}, "escalate"},
		{discordgo.Emoji{Name: "✅"}, "reply:1"},
	} {
		got, _, ok := reactionFor(r, tc.emoji)
		if s := got.Action; got.Action == "reply" {
			s = "reply:" + string(rune('0'+got.Suggestion))
			if !ok || s != tc.want {
				t.Errorf("%q → %+v, %v; want %s", tc.emoji.Name, got, ok, tc.want)
			}
			continue
		}
		if !ok || got.Action != tc.want {
			t.Errorf("%q → %+v, %v; want %s", tc.emoji.Name, got, ok, tc.want)
		}
	}
	// Written as the emoji itself, with a skin tone on the card.
	custom := map[string]routing.Reaction{"👍": {Action: "claim"}, "earshot_defect": {Action: "defect"}}
	if got, _, ok := reactionFor(custom, discordgo.Emoji{Name: "👍🏽"}); !ok || got.Action != "claim" {
		t.Errorf("👍🏽 → %+v, %v", got, ok)
	}
	if got, _, ok := reactionFor(custom, discordgo.Emoji{Name: "earshot_defect", ID: "600000000000000001"}); !ok || got.Action != "defect" {
		t.Errorf("custom emoji → %+v, %v", got, ok)
	}
	if _, _, ok := reactionFor(custom, discordgo.Emoji{Name: "👀"}); ok {
		t.Error("an unmapped emoji did something")
	}
}

func TestRedactInteractionToken(t *testing.T) {
	err := errors.New(`Post "https://discord.com/api/v9/interactions/1/aW50ZXJhY3Rpb24.tok/callback": dial tcp: refused`)
	if got := redact(err, "aW50ZXJhY3Rpb24.tok"); strings.Contains(got, "aW50ZXJhY3Rpb24") || !strings.Contains(got, "<token>") {
		t.Fatalf("redact: %s", got)
	}
}
