package wire

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/earshothq/earshot/bot"
)

var seeds = []string{
	full,
	`{"platform":"mastodon","id":"113527730095218311","url":"https://mastodon.social/@jonas_k/113527730095218311","author":{"id":"109318","handle":"jonas_k@mastodon.social","name":"Jonas K.","followers":341},"text":"Nach dem Update 4.2 stürzt die Lumio-App beim Start ab. @lumio@mastodon.social","lang":"de","created_at":"2026-11-22T09:02:11Z"}`,
	`{"platform":"hackernews","id":42186512,"url":"https://news.ycombinator.com/item?id=42186512","author":{"handle":"tptacek"},"text":"Anyone tried Lumio lamps with HomeKit?","created_at":"2026-11-22T11:30:00Z","in_reply_to":42186400}`,
	`{"platform":"x","id":"1859938877012345678","text":"🔥 FREE $LUMIO airdrop, claim now @lumio","author":{"handle":"crypto_gains_4u","followers":12}}`,
	`{"platform":"github","id":"lumio/app#1182","url":"https://github.com/lumio/app/issues/1182","text":"Crash on startup after 4.2 (error E42)","created_at":"2026-11-22T13:45:00.5+02:00"}`,
	`[{"platform":"rss","id":"tag:blog.example,2026:1","text":"a"}]`,
	`{"platform":"x","id":"1","text":"a","created_at":"yesterday"}`,
	`{"platform":"X","id":1.5,"text":""}`,
	`{}`,
	`null`,
}

func FuzzDecode(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	if sample, err := os.ReadFile("../replay/sample/mentions.jsonl"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(sample))
		for i := 0; sc.Scan() && i < 12; i++ {
			f.Add(bytes.Clone(sc.Bytes()))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Decode(data)
		if err != nil {
			return
		}
		checkInvariants(t, m)

		// What Decode accepted, encoded again, decodes to the same mention.
		again, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		m2, err := Decode(again)
		if err != nil {
			t.Fatalf("re-decoding %s: %v", again, err)
		}
		if !same(m, m2) {
			t.Fatalf("round trip changed the mention:\n%+v\n%+v", m, m2)
		}

		// DecodeBody agrees with Decode on a single object.
		ms, err := DecodeBody(data)
		if err != nil || len(ms) != 1 || !same(ms[0], m) {
			t.Fatalf("DecodeBody disagrees with Decode: %v %v", ms, err)
		}
	})
}

func checkInvariants(t *testing.T, m bot.Mention) {
	t.Helper()
	if !platformRE.MatchString(m.Platform) {
		t.Fatalf("accepted platform %q", m.Platform)
	}
	if m.ExternalID == "" || len(m.ExternalID) > MaxIDBytes {
		t.Fatalf("accepted id %q", m.ExternalID)
	}
	if strings.TrimSpace(m.Text) == "" || len(m.Text) > MaxTextBytes {
		t.Fatalf("accepted text of %d bytes", len(m.Text))
	}
	for _, s := range []string{m.ExternalID, m.Text, m.URL, m.Author.ID, m.Author.Handle, m.Author.Name, m.Lang, m.InReplyTo} {
		if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
			t.Fatalf("accepted invalid string %q", s)
		}
	}
	if m.Author.Followers < 0 {
		t.Fatalf("accepted followers %d", m.Author.Followers)
	}
	if m.URL != "" {
		u, err := url.Parse(m.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			t.Fatalf("accepted url %q", m.URL)
		}
	}
	if m.InReplyTo == m.ExternalID {
		t.Fatalf("accepted a mention answering itself")
	}
}

func same(a, b bot.Mention) bool {
	return a.CreatedAt.Equal(b.CreatedAt) && a.CreatedAt.IsZero() == b.CreatedAt.IsZero() &&
		a.Platform == b.Platform && a.ExternalID == b.ExternalID && a.URL == b.URL &&
		a.Author == b.Author && a.Text == b.Text && a.Lang == b.Lang && a.InReplyTo == b.InReplyTo
}
