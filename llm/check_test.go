package llm

import (
	"strings"
	"testing"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/openaifake"
	"github.com/earshothq/earshot/routing"
)

func exampleChecker(platform, prefix string) *checker {
	b := routing.Example().Brand
	links := []string{b.SupportURL, "https://lumio.example/help/hub-reset"}
	for _, u := range b.Links {
		links = append(links, u)
	}
	return newChecker(platform, bot.ReplyLimit(platform), prefix, strings.TrimSpace(strings.TrimPrefix(prefix, "@")), b.Handles, links, b.SignOff, b.Name)
}

func TestCheckReply(t *testing.T) {
	k := exampleChecker("bluesky", "@sam.bsky.social ")
	ok := []struct{ in, want string }{
		{"Sorry about that, that's on us. DM us your order number?", "@sam.bsky.social Sorry about that, that's on us. DM us your order number?"},
		{"@sam.bsky.social Thanks for telling us!", "@sam.bsky.social Thanks for telling us!"},
		{"Steps: https://lumio.example/help/hub-reset.", ""},
		{"See lumio.example/help or https://status.lumio.example/ (live).", ""},
		{"Write to billing@lumio.example and we'll check.", ""},
		{"DM @lumio.bsky.social or @Sam.bsky.social here.", ""},
		{"Thanks! – the Lumio team", ""},
		{"Thanks!\n\n- The Lumio Team", ""},
		{"We'll never ask for your password or card number.", ""},
		{"Version 4.2.1 fixes it, e.g. for the hub.", ""},
		{"I'm sorry about that – we'll fix it", ""},
		{"Sorry about that – We'll fix it today", ""},
		{"We're on it. – Thanks again", ""},
		{"Sorry \u200bfor the wait\x00!", "@sam.bsky.social Sorry for the wait!"},
		{"Our engineers are on it, and the product manager knows.", ""},
	}
	for _, tt := range ok {
		got, why := k.reply(tt.in)
		if why != "" {
			t.Errorf("reply(%q) dropped: %s", tt.in, why)
			continue
		}
		if tt.want != "" && got != tt.want {
			t.Errorf("reply(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	bad := []struct{ in, why string }{
		{"", "empty"},
		{"@sam.bsky.social ", "empty"},
		{strings.Repeat("very long ", 30), "over the bluesky limit of 300"},
		{"Claim it at https://evil.example/claim!", "links to https://evil.example/claim, not one of our links"},
		{"Claim it at evil.example", "names the address evil.example"},
		{"Claim it at ｅｖｉｌ．ｅｘａｍｐｌｅ", "names the address evil.example"},
		{"Go to www.evil.example", "links to www.evil.example"},
		{"Go to https://lumio.example.evil.example/help", "not one of our links"},
		{"Go to https://lumio.example/help/../../evil", "not one of our links"},
		{"ftp://lumio.example/help", `links to "ftp://lumio.example/help"`},
		{"Recovery page: http://lumio-hub.local/recovery", "not one of our links"},
		{"hey @everyone", "mentions @everyone"},
		{"hey ＠here", "mentions @here"},
		{"(@channel) look", "mentions @channel"},
		{"<!channel> urgent", `chat mention code "<!channel>"`},
		{"ping <@U024BE7LH>", `chat mention code "<@U024BE7LH>"`},
		{"cc @dana.bsky.social", "mentions @dana.bsky.social, who is not the customer"},
		{"cc @evil@mastodon.social", "mentions @evil@mastodon.social"},
		{"This is Tom from Lumio, I'll sort it.", `introduces itself as "Tom"`},
		{"Hi, I'm Priya and I can help.", `introduces itself as "Priya"`},
		{"I'm the CEO and I promise a refund.", "claims a title"},
		{"Speaking as your community manager: sorry.", "claims a title"},
		{"Sorry about that. – Tom", `signs as "Tom"`},
		{"Sign every reply as – Tom, CEO", `signs as "Tom, CEO"`},
		{"Sorry about that.\n-- Maya, Lumio Care", `signs as "Maya, Lumio Care"`},
		{"Sorry about that. Kind regards, Tom Baker", `signs as "Tom Baker"`},
		{"Please DM us your password so we can check.", "asks for password"},
		{"Reply with your card number and CVV to verify.", "asks for card number"},
		{"Text ends UNTRUSTED>>> here", "markers"},
		{"<<<UNTRUSTED", "markers"},
	}
	for _, tt := range bad {
		got, why := k.reply(tt.in)
		if why == "" {
			t.Errorf("reply(%q) kept as %q; want it dropped for %q", tt.in, got, tt.why)
		} else if !strings.Contains(why, tt.why) {
			t.Errorf("reply(%q) dropped for %q; want %q", tt.in, why, tt.why)
		}
	}

	// Without a prefix (Reddit), the limit is the platform's, and a
	// configured sign-off naming a person is that person's to use.
	r := newChecker("reddit", 10000, "", "u/samlee", nil, nil, "– Maya, Lumio Care", "Lumio")
	for _, in := range []string{"Hi Sam, sorry. – Maya, Lumio Care", "I'm Maya from Lumio Care, sorry about this."} {
		if _, why := r.reply(in); why != "" {
			t.Errorf("reddit reply(%q) dropped: %s", in, why)
		}
	}
	if _, why := r.reply("See https://lumio.example/help"); !strings.Contains(why, "not one of our links") {
		t.Errorf("a brand without links let a link through: %q", why)
	}
}

func TestNormalise(t *testing.T) {
	same := []string{
		"@lumio I was charged TWICE for Lumio+   this month https://t.co/abc",
		"RT @kev_ortiz: @lumio I was charged twice for Lumio+ this month https://t.co/xyz",
		"rt @a: RT @b: I was charged twice\nfor lumio+ this month",
	}
	want := "i was charged twice for lumio+ this month"
	for _, s := range same {
		if got := normalise(s); got != want {
			t.Errorf("normalise(%q) = %q, want %q", s, got, want)
		}
	}
	a := keyParts{system: "s", model: "m", platform: "x", limit: 248, intent: "complaint", turns: []string{"customer:" + want}}
	b := a
	b.instruction = "shorter"
	c := a
	c.turns = []string{"customer:", "customer:" + want}
	if a.key() == b.key() || a.key() == c.key() || a.key() != a.key() {
		t.Error("keys do not tell different requests apart")
	}
}

func TestParseAnswerFences(t *testing.T) {
	body := goodOutput.JSON()
	for _, in := range []string{body, "```json\n" + body + "\n```", "  ```\n" + body + "```  "} {
		a, err := parseAnswer(in)
		if err != nil || len(a.Replies) != 3 || a.Labels.Intent != bot.IntentComplaint {
			t.Errorf("parseAnswer(%.30q…) = %+v, %v", in, a, err)
		}
	}
	shuffled := goodOutput
	shuffled.Replies = []openaifake.OutputReply{goodOutput.Replies[2], goodOutput.Replies[0], goodOutput.Replies[1]}
	a, err := parseAnswer(shuffled.JSON())
	if err != nil || a.Replies[0].Approach != "concise" || a.Replies[2].Approach != "next step" || a.Replies[0].Text != goodOutput.Replies[0].Text {
		t.Errorf("replies not put in approach order: %+v, %v", a, err)
	}
	long := goodOutput
	long.Summary = strings.Repeat("Customer is upset. ", 30)
	long.Labels.Product = "Lumio\nAurora"
	if a, _ := parseAnswer(long.JSON()); bot.Length(a.Summary) > maxSummary || a.Labels.Product != "Lumio Aurora" {
		t.Errorf("summary %d long, product %q", bot.Length(a.Summary), a.Labels.Product)
	}
}

// FuzzAnswer feeds model output through the parser and the checks: no
// panic, and whatever passes obeys the rules a card relies on.
func FuzzAnswer(f *testing.F) {
	f.Add(goodOutput.JSON())
	f.Add("```json\n" + goodOutput.JSON() + "\n```")
	f.Add(openaifake.Drafts("other", "@everyone look", "https://evil.example", "This is Tom, the CEO").JSON())
	f.Add(openaifake.Drafts("question", "Steps: https://lumio.example/help/hub-reset", "DM @lumio.bsky.social", "– the Lumio team").JSON())
	f.Add(`{"labels":{"sentiment":"negative","intent":"safety","urgency":"critical","product":"lamp"},"summary":"Lamp caught fire",` +
		`"replies":[{"approach":"warm","text":"Are you OK?"},{"approach":"concise","text":"Please stop using it."},{"approach":"next step","text":"DM us a phone number."}]}`)
	f.Add(`{"drafts":[]}`)
	f.Add(`{"labels":null,"summary":"","replies":[null,null,null]}`)
	f.Add("")
	k := exampleChecker("x", "@kev_ortiz ")
	f.Fuzz(func(t *testing.T, content string) {
		a, err := parseAnswer(content)
		if err != nil {
			if _, ok := err.(*OutputError); !ok {
				t.Fatalf("error %T: %v", err, err)
			}
			return
		}
		if len(a.Replies) != 3 {
			t.Fatalf("%d replies", len(a.Replies))
		}
		for i, r := range a.Replies {
			if r.Approach != approaches[i] {
				t.Fatalf("reply %d approach %q", i, r.Approach)
			}
			text, why := k.reply(r.Text)
			if why != "" {
				continue
			}
			if bot.Length(text) > 280 || !strings.HasPrefix(text, "@kev_ortiz ") {
				t.Fatalf("kept %q", text)
			}
			lower := strings.ToLower(text)
			for _, bad := range []string{"@everyone", "@here", "@channel", "<!", "untrusted", "evil.example"} {
				if strings.Contains(lower, bad) {
					t.Fatalf("kept %q with %q", text, bad)
				}
			}
		}
	})
}

func BenchmarkCheckLongReply(b *testing.B) {
	k := exampleChecker("github", "")
	texts := []string{strings.Repeat("@ ", 30000), strings.Repeat("a.b ", 15000), strings.Repeat("password ", 7000), strings.Repeat("x", 60000)}
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range texts {
			k.reply(s)
		}
	}
}
