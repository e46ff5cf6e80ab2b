package bot_test

import (
	"fmt"
	"testing"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/routing"
)

// firehose is a stream like Bluesky's Jetstream: every public post on the
// network, of which a handful concern the brand. Lengths and languages vary
// as they do there; one post in fifty names Lumio.
var (
	firehoseNoise = []string{
		"good morning everyone ☀️",
		"What a beautiful sunset over the lake tonight",
		"Anyone know a good pizza place in Lyon?",
		"just finished reading the new Le Guin biography and honestly I need a minute",
		"hot take: tabs > spaces, fight me",
		"My cat has decided the keyboard is her bed now. Working from the couch I guess 🐈",
		"The train is late again. Third time this week. @sncf when will this stop?",
		"New blog post: how we cut our Postgres bill in half by moving cold data to object storage https://example.com/blog/pg",
		"lol",
		"Can't believe it's already December. Where did the year go?",
		"Thread 🧵 on why the housing crisis is a zoning crisis (1/12)",
		"Je cherche un bon roman policier pour les vacances, des idées ?",
		"Heute ist so ein schöner Tag, ich gehe gleich spazieren",
		"¿Alguien más vio el partido anoche? Increíble el segundo tiempo",
		"I'm so tired of my phone's battery dying by 3pm. Time for a new one?",
		"Shipping a new release of our open source library today, changelog in the replies",
		"reminder to drink water and stretch",
		"The new coffee place downtown charges $7 for a latte and it's not even good",
		"Looking for recommendations: noise cancelling headphones under $200?",
		"This lamp I bought from a random shop online started flickering after a week. Never again.",
		"Can someone explain why my smart bulbs from another brand keep disconnecting from wifi",
		"Watching the election results come in, nervous",
		"Finally got my garden beds built! Tomatoes next spring 🍅",
		"the way this song just hits different at 2am",
		"Our team is hiring a backend engineer (Go, Postgres), remote EU. DM me!",
		"That moment when your code works on the first try and you don't trust it",
		"Photos from the mountains this weekend. The light was unreal. #photography #alps",
		"Why does every app need a subscription now? I just want to pay once.",
		"Breaking: storm warning for the whole coast tonight, stay safe everyone",
		"gm gm, coffee first, then emails",
	}
	firehoseBrand = []string{
		"@lumio I was charged twice for Lumio+ this month, can someone help me get a refund?",
		"The Lumio app crashes on startup since update 4.2. Really annoying.",
		"my lumio lamp started smoking last night and the plug melted. kids were asleep next to it",
		"Love my new Lumio lamps, the sunrise mode is perfect ❤️",
	}
)

func firehosePosts(n int) []bot.Mention {
	out := make([]bot.Mention, n)
	for i := range out {
		text := firehoseNoise[i%len(firehoseNoise)]
		if i%50 == 0 {
			text = firehoseBrand[(i/50)%len(firehoseBrand)]
		}
		out[i] = bot.Mention{Platform: "bluesky", ExternalID: fmt.Sprintf("3l%08d", i), Text: text, Lang: "en",
			Author: bot.Author{Handle: fmt.Sprintf("user%d.bsky.social", i%997), Followers: i % 5000}}
	}
	return out
}

// BenchmarkHears is a firehose source's cost per post: Bot.Hears with the
// example rules (what `earshot` runs without a rules file) and the built-in
// classifier, over a mix where one post in fifty is about the brand.
//
//	go test ./bot -run XXX -bench Hears -benchmem
func BenchmarkHears(b *testing.B) {
	f := newBot(b)
	if f.bot.Rules() == nil {
		b.Fatal("no rules")
	}
	posts := firehosePosts(5000)
	for _, bc := range []struct {
		name  string
		hears func(bot.Mention) bool
	}{
		// What Hears did before the pre-check: classify and route every post.
		{"decide-all", func(m bot.Mention) bool { return len(f.bot.Decide(m).Teams) > 0 }},
		{"hears", f.bot.Hears},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			heard := 0
			for i := 0; b.Loop(); i++ {
				if bc.hears(posts[i%len(posts)]) {
					heard++
				}
			}
			b.ReportMetric(float64(heard)/float64(b.N), "heard/op")
		})
	}
}

// TestHearsFirehose: the brand's posts are heard, the rest are not.
func TestHearsFirehose(t *testing.T) {
	f := newBot(t)
	for _, text := range firehoseBrand {
		if !f.bot.Hears(bot.Mention{Platform: "bluesky", ExternalID: "x", Text: text}) {
			t.Errorf("not heard: %q", text)
		}
	}
	for _, text := range firehoseNoise {
		if f.bot.Hears(bot.Mention{Platform: "bluesky", ExternalID: "x", Text: text}) {
			t.Errorf("heard: %q", text)
		}
	}
	for _, h := range routing.Example().Brand.Handles {
		if !f.bot.Hears(bot.Mention{Platform: "bluesky", ExternalID: "x", Text: "lovely day", Author: bot.Author{Handle: h}}) {
			t.Errorf("our account %q not heard", h)
		}
	}
}
