package replay

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
)

// The sample is product copy: what a new user sees on first start. These
// checks keep it covering every path through the pipeline.
func TestSample(t *testing.T) {
	var ms []bot.Mention
	st, err := Scan(bytes.NewReader(Sample()), func(_ int, m bot.Mention) error {
		ms = append(ms, m)
		return nil
	}, func(n int, err error) { t.Errorf("sample line %d: %v", n, err) })
	if err != nil {
		t.Fatal(err)
	}
	if st.Bad != 0 || st.Lines != st.Mentions || len(ms) < 45 || len(ms) > 60 {
		t.Fatalf("stats %+v", st)
	}

	day0 := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	byKey := map[string]int{}
	platforms := map[string]int{}
	langs := map[string]bool{}
	var noise, followUps, highReach, safety int
	for i, m := range ms {
		if _, dup := byKey[m.Key()]; dup {
			t.Errorf("line %d: duplicate %s", i+1, m.Key())
		}
		byKey[m.Key()] = i
		platforms[m.Platform]++
		langs[m.Lang] = true
		if m.URL == "" || m.Author.Display() == "someone" {
			t.Errorf("line %d: want a url and an author", i+1)
		}
		if m.CreatedAt.Before(day0) || !m.CreatedAt.Before(day0.Add(24*time.Hour)) {
			t.Errorf("line %d: created_at %v is not on 2026-11-22", i+1, m.CreatedAt)
		}
		if i > 0 && m.CreatedAt.Before(ms[i-1].CreatedAt) {
			t.Errorf("line %d: out of time order", i+1)
		}
		if !strings.Contains(strings.ToLower(m.Text), "lumio") {
			noise++
		}
		if parent, ok := byKey[m.Platform+":"+m.InReplyTo]; ok && m.IsReply() {
			followUps++
			if !ms[parent].CreatedAt.Before(m.CreatedAt) {
				t.Errorf("line %d answers a later post", i+1)
			}
		}
		if m.Author.Followers >= 250000 {
			highReach++
		}
		lower := strings.ToLower(m.Text)
		if strings.Contains(lower, "overheat") || strings.Contains(lower, "smoke") || strings.Contains(lower, "burn") {
			safety++
		}
	}
	for _, p := range []string{"bluesky", "mastodon", "x", "reddit", "hackernews", "github", "rss", "facebook"} {
		if platforms[p] == 0 {
			t.Errorf("no mention from %s", p)
		}
	}
	for _, l := range []string{"en", "de", "es", "fr"} {
		if !langs[l] {
			t.Errorf("no mention in %s", l)
		}
	}
	if noise < 3 {
		t.Errorf("%d mentions without Lumio, want at least 3", noise)
	}
	if followUps < 5 {
		t.Errorf("%d follow-ups to sample posts, want at least 5", followUps)
	}
	if highReach != 1 {
		t.Errorf("%d high-reach authors, want 1", highReach)
	}
	if safety != 1 {
		t.Errorf("%d safety complaints, want exactly 1", safety)
	}
	if depth := longestChain(ms, byKey); depth < 3 {
		t.Errorf("longest follow-up chain is %d, want 3", depth)
	}
	for _, phrase := range []string{"charged twice", "refund", "4.2", "bricked", "E42", "reset the Lumio hub", "HomeKit",
		"Cancelling Lumio+", "Anyone tried Lumio?", "GIVEAWAY", "Lumio is hiring", "still waiting", "happened again", "thanks, that fixed it"} {
		if !bytes.Contains(bytes.ToLower(Sample()), bytes.ToLower([]byte(phrase))) {
			t.Errorf("sample lacks %q", phrase)
		}
	}
}

// longestChain counts follow-ups in the longest run of replies to replies.
func longestChain(ms []bot.Mention, byKey map[string]int) int {
	best := 0
	for _, m := range ms {
		n := 0
		for m.IsReply() {
			i, ok := byKey[m.Platform+":"+m.InReplyTo]
			if !ok {
				break
			}
			n++
			m = ms[i]
		}
		best = max(best, n)
	}
	return best
}

func TestSampleIsACopy(t *testing.T) {
	a := Sample()
	a[0] = 'X'
	if Sample()[0] == 'X' {
		t.Fatal("Sample shares its bytes with callers")
	}
}
