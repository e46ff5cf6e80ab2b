// Package testkit holds what tests and benchmarks share: generated mention
// corpora and fakes of external APIs built from their documented formats.
package testkit

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"
)

// wireMention is the documented mention JSON (replay lines, webhook bodies).
type wireMention struct {
	Platform  string     `json:"platform"`
	ID        string     `json:"id"`
	URL       string     `json:"url,omitempty"`
	Author    wireAuthor `json:"author"`
	Text      string     `json:"text"`
	Lang      string     `json:"lang,omitempty"`
	CreatedAt string     `json:"created_at"`
	InReplyTo string     `json:"in_reply_to,omitempty"`
}

type wireAuthor struct {
	ID        string `json:"id"`
	Handle    string `json:"handle"`
	Name      string `json:"name"`
	Followers int    `json:"followers"`
}

// texts is a spread of posts about the example brand (Lumio) and noise,
// in proportions like a real listening stream: mostly routable, some not.
var texts = []string{
	"@lumio I was charged twice for Lumio+ this month, can someone help me get a refund?",
	"The Lumio app crashes on startup since update 4.2. Really annoying.",
	"How do I reset my Lumio hub? The manual doesn't say.",
	"Love my new Lumio lamps, the sunrise mode is perfect ❤️",
	"my lumio lamp started smoking last night and the plug melted. kids were asleep next to it",
	"Does Lumio work with HomeKit? Thinking of buying a few bulbs.",
	"Cancelling my Lumio+ subscription, switching to another brand. Done with the firmware bugs.",
	"Lumio firmware update bricked my hub, error code E42 every time",
	"Still waiting for Lumio support to answer my email from last week…",
	"Lumio is hiring! Job opening for a senior designer, apply now",
	"Free crypto giveaway!!! tag @lumio and DM me for 1000 tokens",
	"What a beautiful sunset over the lake tonight",
	"Anyone know a good pizza place in Lyon?",
	"Thanks @lumio, the replacement arrived today and works great!",
	"Die Lumio App stürzt ständig ab, sehr ärgerlich",
	"¿Alguien sabe si Lumio tiene envío a México?",
}

var platforms = []string{"bluesky", "mastodon", "x", "reddit", "hackernews", "github", "rss", "facebook"}

// GenerateJSONL returns n mention lines, deterministic for a seed. About a
// tenth answer an earlier post (follow-ups), so threading is exercised too.
func GenerateJSONL(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	base := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	out := make([]byte, 0, n*300)
	for i := 0; i < n; i++ {
		p := platforms[r.IntN(len(platforms))]
		m := wireMention{
			Platform: p,
			ID:       fmt.Sprintf("gen-%d-%d", seed, i),
			URL:      fmt.Sprintf("https://%s.example/post/%d-%d", p, seed, i),
			Author: wireAuthor{
				ID: fmt.Sprintf("u%d", r.IntN(5000)), Handle: fmt.Sprintf("user%d", r.IntN(5000)),
				Name: "Test User", Followers: r.IntN(20000),
			},
			Text:      texts[r.IntN(len(texts))],
			Lang:      "en",
			CreatedAt: base.Add(time.Duration(i) * time.Second).Format(time.RFC3339),
		}
		if i > 10 && r.IntN(10) == 0 {
			// Answer an earlier post; same platform only when it was, which
			// keeps follow-ups realistic (threads never cross platforms).
			j := r.IntN(i)
			m.InReplyTo = fmt.Sprintf("gen-%d-%d", seed, j)
		}
		line, _ := json.Marshal(m)
		out = append(out, line...)
		out = append(out, '\n')
	}
	return out
}
