package x

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func readSample(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestDecodeDocumentedStreamMessage(t *testing.T) {
	msg, err := Decode(readSample(t, "stream_doc.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Data) != 1 || len(msg.Includes.Posts) != 1 || msg.MatchingRules[0].Tag != "brand" {
		t.Fatalf("decoded %+v", msg)
	}
	m := msg.Data[0].Mention(msg.Includes, "111")
	want := "1234567800"
	if m.InReplyTo != want || m.Author.Handle != "catperson" || m.Author.Name != "Cat Person" || m.Ours || m.Lang != "en" ||
		m.URL != "https://x.com/catperson/status/1234567890" || !m.CreatedAt.Equal(time.Date(2024, 1, 15, 10, 35, 0, 0, time.UTC)) {
		t.Fatalf("mention %+v", m)
	}
	if got := msg.Data[0].MentionedUserIDs; len(got) != 1 || got[0] != "111" {
		t.Fatalf("mentioned %v", got)
	}
}

func TestDecodePostNames(t *testing.T) {
	msg, err := Decode(readSample(t, "stream_posts.json"))
	if err != nil {
		t.Fatal(err)
	}
	m := msg.Data[0].Mention(msg.Includes, "")
	if m.InReplyTo != "1234567890" || m.Author.Followers != 42 || m.Text != "@acme still broken & slow" || len(msg.Includes.Posts) != 1 {
		t.Fatalf("mention %+v includes %+v", m, msg.Includes)
	}
}

func TestDecodeSearchPage(t *testing.T) {
	msg, err := Decode(readSample(t, "search_doc.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Data) != 2 || msg.Meta.NextToken == "" || msg.Meta.NewestID != "1373001119480344583" {
		t.Fatalf("page %+v", msg)
	}
	if f := msg.Data[0].Mention(msg.Includes, "").Author.Followers; f != 513962 {
		t.Fatalf("followers %d", f)
	}
}

func TestDecodeInlineError(t *testing.T) {
	msg, err := Decode(readSample(t, "stream_error.json"))
	if err != nil || len(msg.Data) != 0 || msg.Errors[0].DisconnectType == "" {
		t.Fatalf("%+v %v", msg, err)
	}
}

func TestDecodeRejects(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"\r\n", "keep-alive"},
		{`{"data":{"id":"12/../34","text":"x"}}`, `post id "12/../34": not a decimal id`},
		{`{"data":{"id":"1","created_at":"yesterday"}}`, `created_at "yesterday"`},
		{`{"data":{"id":"1","author_id":"me"}}`, `author_id "me"`},
		{`{"data":"hello"}`, "neither a post nor a list"},
		{`{"data":[{"id":""}]}`, "post id: missing"},
		{`{"data":{"id":"1"`, "decode"},
		{`{"meta":{"newest_id":"abc"}}`, `meta.newest_id "abc"`},
	} {
		_, err := Decode([]byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Decode(%q) = %v, want %q", tc.in, err, tc.want)
		}
	}
	if _, err := Decode([]byte("  \r\n")); !errors.Is(err, ErrEmpty) {
		t.Fatalf("keep-alive: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	for _, n := range []string{"stream_doc.json", "stream_posts.json", "search_doc.json", "stream_error.json"} {
		f.Add(readSample(f, n))
	}
	f.Add([]byte("\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		msg, err := Decode(b)
		if err != nil {
			return
		}
		for _, p := range msg.Data {
			if checkID("id", p.ID) != nil {
				t.Fatalf("accepted a bad id %q", p.ID)
			}
			m := p.Mention(msg.Includes, "1")
			if m.Platform != Platform || !strings.HasPrefix(m.URL, "https://x.com/") {
				t.Fatalf("mention %+v", m)
			}
		}
	})
}

func FuzzSearchCursor(f *testing.F) {
	for _, s := range []string{"", "1373001119480344583", "since=1;next=b26v8;newest=2", "since=x", "next=a;b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseCursor(s)
		if err != nil {
			return
		}
		back, err := parseCursor(c.String())
		if err != nil || (back.since != c.since) || (c.next != "" && back != c) {
			t.Fatalf("%q → %+v → %q → %+v %v", s, c, c.String(), back, err)
		}
	})
}

func BenchmarkDecodeStream(b *testing.B) {
	line := readSample(b, "stream_doc.json")
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		msg, err := Decode(line)
		if err != nil {
			b.Fatal(err)
		}
		_ = msg.Data[0].Mention(msg.Includes, "111")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
}

func TestWeightedLength(t *testing.T) {
	for _, tc := range []struct {
		text string
		want int
	}{
		{"hello", 5},
		{"こんにちは", 10},
		{"see https://example.com/a/very/long/path/that/goes/on?and=on", 4 + 23},
		{"visit acme.com.", 6 + 23 + 1},
		{"👍", 2},
		{"👍🏽", 2},
		{"👨‍👩‍👧‍👦", 2},
		{"🇫🇷", 2},
		{"café", 4},
		{"cafe\u0301", 4}, // NFC
		{"“quotes” — dash", 15},
		{strings.Repeat("a", 280), 280},
		{strings.Repeat("中", 140), 280},
	} {
		if got := WeightedLength(tc.text); got != tc.want {
			t.Errorf("WeightedLength(%q) = %d, want %d", tc.text, got, tc.want)
		}
	}
}

func FuzzWeightedLength(f *testing.F) {
	for _, s := range []string{"hello https://x.com", "こんにちは 👍🏽", "acme.com", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Never negative, never more than a link or two units per byte.
		if n := WeightedLength(s); n < 0 || n > 25*len(s) {
			t.Fatalf("%q: %d", s, n)
		}
	})
}

func TestSnowflakeTimes(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	got, ok := TimeOf(IDAt(at))
	if !ok || !got.Equal(at) {
		t.Fatalf("round trip %v %v", got, ok)
	}
	if tm, _ := TimeOf("1373001119480344583"); tm.Year() != 2021 {
		t.Fatalf("documented id's time %v", tm)
	}
}
