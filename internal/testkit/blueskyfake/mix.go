package blueskyfake

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Texts of a day on the network: almost nothing is about the brand.
var (
	noise = []string{
		"What a beautiful sunset over the lake tonight",
		"Anyone know a good pizza place in Lyon?",
		"just finished the new season and I have thoughts",
		"Reminder that the library has free museum passes",
		"my cat has decided the keyboard is her bed now",
		"Hot take: pineapple belongs on pizza",
		"Working from the café today, the wifi is surprisingly good",
		"The train is late again. Third time this week.",
		"New blog post about Rust lifetimes, feedback welcome",
		"gm everyone ☀️",
		"Can't believe it's already December",
		"Looking for recommendations for a lightweight hiking tent",
		"This thread about the history of typography is fantastic",
		"Je cherche un bon livre pour les vacances, des idées ?",
		"Heute ist ein guter Tag zum Programmieren",
		"¿Alguien más viendo el partido esta noche?",
		"今日はとても良い天気ですね",
		"the new phone update broke my bluetooth headphones, anyone else?",
		"Replying to all the birthday wishes, thank you so much!!",
		"Our team is hiring a backend engineer, remote friendly, DMs open",
		"Photo dump from the weekend trip 📸",
		"Does anyone actually read the terms of service?",
		"I made sourdough for the first time and it was… flat",
		"Big news coming next week, stay tuned",
	}
	about = []string{
		"@lumio I was charged twice for Lumio+ this month, can someone help me get a refund?",
		"The Lumio app crashes on startup since update 4.2. Really annoying.",
		"How do I reset my Lumio hub? The manual doesn't say.",
		"Love my new Lumio lamps, the sunrise mode is perfect ❤️",
		"my lumio lamp started smoking last night and the plug melted. kids were asleep next to it",
		"Lumio firmware update bricked my hub, error code E42 every time",
		"Still waiting for Lumio support to answer my email from last week…",
	}
)

// MixOptions shape a generated stream.
type MixOptions struct {
	// About is the share of posts about the example brand (Lumio); default 0.02.
	About float64
	// Authors is how many distinct accounts post; default 50,000.
	Authors int
}

// Mix returns n Jetstream events (without time_us, which publishing sets)
// shaped like the post firehose: creates, a share of them replies, some with
// links and mention facets, deletes, and identity events. Deterministic per seed.
func Mix(n int, seed uint64, o MixOptions) []map[string]any {
	if o.About <= 0 {
		o.About = 0.02
	}
	if o.Authors <= 0 {
		o.Authors = 50_000
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	created := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	var recent []string // URIs of earlier posts, for replies and deletes
	out := make([]map[string]any, 0, n)
	for i := range n {
		did := fmt.Sprintf("did:plc:mix%021d", r.IntN(o.Authors))
		rkey := tidOf(uint64(created.UnixMicro()) + uint64(i))
		switch x := r.Float64(); {
		case x < 0.01:
			out = append(out, map[string]any{"did": did, "kind": "identity", "identity": map[string]any{
				"did": did, "handle": fmt.Sprintf("user%d.bsky.social", r.IntN(o.Authors)), "seq": i, "time": created.Format(time.RFC3339Nano)}})
			continue
		case x < 0.09 && len(recent) > 0:
			u := recent[r.IntN(len(recent))]
			parts := strings.Split(strings.TrimPrefix(u, "at://"), "/")
			out = append(out, map[string]any{"did": parts[0], "kind": "commit", "commit": map[string]any{
				"rev": rkey, "operation": "delete", "collection": Collection, "rkey": parts[2]}})
			continue
		}
		text := noise[r.IntN(len(noise))]
		if r.Float64() < o.About {
			text = about[r.IntN(len(about))]
		}
		rec := Record{Type: Collection, Text: text, CreatedAt: created.Add(time.Duration(i) * time.Millisecond).Format("2006-01-02T15:04:05.000Z"), Langs: []string{"en"}}
		if r.IntN(5) == 0 && len(recent) > 0 {
			p := recent[r.IntN(len(recent))]
			ref := StrongRef{URI: p, CID: cidOf([]byte(p))}
			rec.Reply = &ReplyRef{Root: ref, Parent: ref}
		}
		if r.IntN(8) == 0 {
			link := "https://example.com/" + rkey
			var fc Facet
			fc.Index.ByteStart, fc.Index.ByteEnd = len(rec.Text)+1, len(rec.Text)+1+len(link)
			fc.Features = []map[string]any{{"$type": "app.bsky.richtext.facet#link", "uri": link}}
			rec.Text += " " + link
			rec.Facets = append(rec.Facets, fc)
		}
		uri := "at://" + did + "/" + Collection + "/" + rkey
		raw, _ := json.Marshal(rec)
		out = append(out, commitEvent(did, "create", rkey, cidOf(raw), rec))
		if len(recent) < 1000 {
			recent = append(recent, uri)
		} else {
			recent[r.IntN(len(recent))] = uri
		}
	}
	return out
}

// MixJSON is Mix encoded as Jetstream sends it, time_us a millisecond apart.
func MixJSON(n int, seed uint64, o MixOptions) [][]byte {
	evs := Mix(n, seed, o)
	out := make([][]byte, len(evs))
	start := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC).UnixMicro()
	for i, ev := range evs {
		ev["time_us"] = start + int64(i)*1000
		out[i], _ = json.Marshal(ev)
	}
	return out
}

func tidOf(v uint64) string {
	v = v<<10 | 7
	var b [13]byte
	for i := 12; i >= 0; i-- {
		b[i] = tidAlphabet[v&31]
		v >>= 5
	}
	return string(b[:])
}
