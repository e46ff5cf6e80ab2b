package discordsurface

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/discordfake"
)

func FuzzDecodeClick(f *testing.F) {
	for _, s := range []string{
		click{Kind: btnSend, Case: 12, Rev: 3, Rank: 1, Hash: textHash("x")}.encode(),
		click{Kind: btnClaim, Case: 12, Rev: 3}.encode(),
		click{Kind: modalEdit, Case: 1, Rev: 0}.encode(),
		"approve:123", "es1:claim:12:3:", "es1::::", "es1:send:1:1:1:0123456789abcdef", "es1:claim:+1:0", "es1:claim:1:1\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := decodeClick(s)
		if err != nil {
			return
		}
		if c.Case <= 0 || c.Rev < 0 || !knownKinds[c.Kind] || (c.Kind == btnSend) != (c.Rank > 0) {
			t.Fatalf("decodeClick(%q) = %+v", s, c)
		}
		// What decodes is exactly what we write.
		if back := c.encode(); back != s {
			t.Fatalf("decodeClick(%q) = %+v encodes as %q", s, c, back)
		}
	})
}

// live reports the first markdown character of s that no backslash
// escapes, or -1.
func live(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++ // escapes the next byte
		case '*', '_', '~', '`', '|', '>', '<', '#', '-', '[', ']', '(', ')', '@', ':':
			return i
		}
	}
	return -1
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{hostile, "@everyone", "<@123>", "[a](https://x.example)", "1. one\n  22. two", `\`, `\\<`, "👩🏽‍🍳<>&", "plain"} {
		f.Add(s, 20)
	}
	f.Fuzz(func(t *testing.T, s string, limit int) {
		if limit < 0 || limit > 5000 {
			return
		}
		e := escape(s)
		if i := live(e); i >= 0 {
			t.Fatalf("escape(%q) = %q leaves %q live at %d", s, e, e[i], i)
		}
		out := fit(s, limit)
		if units(out) > limit {
			t.Fatalf("fit(%q, %d) = %q: %d units", s, limit, out, units(out))
		}
		if i := live(strings.TrimSuffix(out, ellipsis)); i >= 0 {
			t.Fatalf("fit(%q, %d) = %q leaves %q live", s, limit, out, out[i])
		}
		trimmed := strings.TrimSuffix(out, ellipsis)
		if n := len(trimmed) - len(strings.TrimRight(trimmed, `\`)); n%2 == 1 {
			t.Fatalf("fit(%q, %d) = %q ends in half an escape", s, limit, out)
		}
	})
}

// FuzzInteraction feeds payloads to the interaction handler as the HTTP
// endpoint would after a valid signature: nothing panics, the answer is
// one Discord takes, and no work is scheduled for a payload without a
// member of the server.
func FuzzInteraction(f *testing.F) {
	// Real samples: Discord's documented slash-command interaction, a
	// button click, and the payloads the fake sends.
	f.Add(`{"type":2,"token":"A_UNIQUE_TOKEN","member":{"user":{"id":"53908232506183680","username":"Mason"},"roles":["539082325061836999"],"permissions":"2147483647"},"id":"786008729715212338","guild_id":"290926798626357999","app_permissions":"442368","guild_locale":"en-US","locale":"en-US","data":{"options":[{"type":3,"name":"cardname","value":"The Gitrog Monster"}],"type":1,"name":"cardsearch","id":"771825006014889984"},"channel_id":"645027906669510667"}`)
	f.Add(`{"type":3,"token":"t","id":"1","guild_id":"` + discordfake.GuildID + `","channel_id":"` + careChannel + `","member":{"user":{"id":"` + alice + `"},"roles":[]},"message":{"id":"1200000000000000001","channel_id":"` + careChannel + `"},"data":{"component_type":2,"custom_id":"approve:123"}}`)
	f.Add(`{"type":1,"id":"1","token":"t","version":1}`)
	fake := discordfake.New()
	defer fake.Close()
	fake.AddChannel(careChannel)
	for _, in := range []*discordfake.Interaction{
		fake.ClickPayload(member(alice), "1", click{Kind: btnClaim, Case: 12, Rev: 3}.encode()),
		fake.ClickPayload(member(alice), "1", click{Kind: btnEdit, Case: 12, Rev: 3}.encode()),
		fake.SubmitPayload(member(alice), careChannel, "", click{Kind: modalEdit, Case: 12, Rev: 3}.encode(), map[string]string{inputText: "thanks"}),
		fake.SlashPayload(member(alice), careChannel, "earshot", discordfake.CommandOption{Name: "send", Type: 1,
			Options: []discordfake.CommandOption{{Name: "case", Type: 4, Value: 12}, {Name: "draft", Type: 4, Value: 2}}}),
		fake.SlashPayload(member(alice), careChannel, "earshot", discordfake.CommandOption{Name: "mute", Type: 1,
			Options: []discordfake.CommandOption{{Name: "what", Type: 3, Value: "author @x for 24h"}}}),
	} {
		f.Add(string(in.Payload))
	}
	s, err := New(Options{Token: "fuzz", AppID: discordfake.AppID, GuildIDs: []string{discordfake.GuildID}, Actions: &fakeActions{done: map[string]bool{}},
		CaseByRef: func(context.Context, string, string) (int64, error) { return 0, bot.ErrNotFound },
		Card:      func(context.Context, int64) (bot.Card, error) { return sampleCard(), nil }})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		var i discordgo.Interaction
		if json.Unmarshal([]byte(payload), &i) != nil {
			return
		}
		a := s.handle(&i) // work is not run: it would call Discord
		if a.resp == nil {
			t.Fatalf("no answer to %s", payload)
		}
		b, err := json.Marshal(a.resp)
		if err != nil {
			t.Fatalf("answer does not marshal: %v", err)
		}
		if a.resp.Data != nil && a.resp.Type != discordgo.InteractionResponseModal {
			if a.resp.Data.AllowedMentions == nil || a.resp.Data.AllowedMentions.Parse == nil || len(a.resp.Data.AllowedMentions.Parse) != 0 {
				t.Fatalf("answer without allowed_mentions parse []: %s", b)
			}
			if units(a.resp.Data.Content) > maxContent {
				t.Fatalf("answer of %d characters", units(a.resp.Data.Content))
			}
		}
		member := i.Member != nil && i.Member.User != nil && snowflake(i.Member.User.ID) && i.GuildID == discordfake.GuildID
		if a.work != nil && !member {
			t.Fatalf("work scheduled for %s", payload)
		}
	})
}
