package bluesky

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/earshothq/earshot/bot"
	goldenfile "github.com/earshothq/earshot/internal/testkit/golden"
)

func samples(tb testing.TB) map[string][]byte {
	tb.Helper()
	paths, err := filepath.Glob("testdata/jetstream/*.json")
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no samples: %v", err)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(p), ".json")] = b
	}
	return out
}

// testSource is a Source for decoding alone: our account is the DID the
// sample mentions, the rules hear posts naming "acme".
func testSource(tb testing.TB) *Source {
	tb.Helper()
	s, err := New(Options{
		JetstreamURLs: []string{"ws://127.0.0.1:1/subscribe"}, Handle: "acme.com", DID: "did:plc:ewvi7nxzyoun6zhxrhs64oiz",
		Hears: func(m bot.Mention) bool { return strings.Contains(m.Text, "acme") },
	})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// The documented samples decode to the mentions in testdata/mentions.golden.json.
func TestSamplesGolden(t *testing.T) {
	src := testSource(t)
	src.threads.Add("at://did:plc:eygmaihciaxprqvxpfvl6flk/app.bsky.feed.post/3l3qo2vuowo2b") // so its deletion is a tombstone
	got := map[string]any{}
	for name, data := range samples(t) {
		ev, err := decodeEvent(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		m, key, ok, err := src.mention(&ev)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !ok {
			got[name] = nil
			continue
		}
		got[name] = map[string]any{"key": key, "mention": m, "deleted": m.Deleted, "author_id": m.Author.ID}
	}
	out, _ := json.MarshalIndent(got, "", "  ")
	out = append(out, '\n')
	goldenfile.Check(t, "mentions.golden.json", out)
}

func TestDecodeEventErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"not json", `{"did":`, "decode jetstream event"},
		{"no time", `{"did":"did:plc:x","kind":"identity"}`, `identity event of "did:plc:x": no time_us`},
		{"commit without commit", `{"did":"did:plc:x","time_us":5,"kind":"commit"}`, "commit event at 5 has no commit"},
		{"commit without rkey", `{"did":"did:plc:x","time_us":5,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post"}}`, `rkey ""`},
		{"slash in rkey", `{"did":"did:plc:x","time_us":5,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"a/b"}}`, "none may contain /"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeEvent([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
	src := testSource(t)
	ev, err := decodeEvent([]byte(`{"did":"did:plc:x","time_us":5,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"k","record":{"text":5}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := src.mention(&ev); err == nil || !strings.Contains(err.Error(), "at://did:plc:x/app.bsky.feed.post/k: record") {
		t.Fatalf("bad record: %v", err)
	}
}

func TestCreatedAt(t *testing.T) {
	seen := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"2026-01-02T03:00:00.000Z", time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)},
		{"2026-01-02T04:00:00+01:00", time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)},
		{"2099-01-01T00:00:00Z", seen}, // in the future: Jetstream's time
		{"yesterday", seen},
		{"1970-01-01T00:00:00Z", seen},
	} {
		p := post{TimeUS: seen.UnixMicro(), Record: postRecord{CreatedAt: tc.in}}
		if got := p.createdAt(); !got.Equal(tc.want) {
			t.Errorf("%q: %s, want %s", tc.in, got, tc.want)
		}
	}
}

// FuzzDecodeEvent feeds arbitrary messages through decoding and the
// decision: nothing panics, and what becomes a mention is well formed.
func FuzzDecodeEvent(f *testing.F) {
	for _, data := range samples(f) {
		f.Add(data)
	}
	f.Add([]byte(`{"did":"did:plc:x","time_us":1,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"k","record":{"text":"acme","reply":{"root":{"uri":"x"},"parent":{}},"facets":[{"index":{"byteStart":-1,"byteEnd":99}}]}}}`))
	f.Add([]byte(`{"did":"did:plc:x","time_us":1,"kind":"commit","commit":{"operation":"update","collection":"app.bsky.feed.post","rkey":"k","record":null}}`))
	src := testSource(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := decodeEvent(data)
		if err != nil {
			return
		}
		m, key, ok, err := src.mention(&ev)
		if err != nil || !ok {
			return
		}
		if key == "" || m.Platform != Platform {
			t.Fatalf("mention %+v key %q", m, key)
		}
		did, coll, rkey, err := parseATURI(m.ExternalID)
		if err != nil || did != ev.Did || coll != PostCollection || rkey != ev.Commit.RKey {
			t.Fatalf("external id %q from %s/%s: %v", m.ExternalID, ev.Did, ev.Commit.RKey, err)
		}
		if !m.Deleted && (m.CreatedAt.IsZero() || m.URL == "") {
			t.Fatalf("incomplete mention %+v", m)
		}
		if utf8.ValidString(string(data)) && !utf8.ValidString(m.Text) {
			t.Fatalf("invalid text from valid input")
		}
	})
}

func FuzzParseATURI(f *testing.F) {
	for _, s := range []string{
		"at://did:plc:wa7b35aakoll7hugkrjtf3xf/app.bsky.feed.post/3l3pte3p2e325",
		"at://did:plc:x/app.bsky.feed.post",
		"https://bsky.app/profile/x/post/y",
		"at:///a/b",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		did, coll, rkey, err := parseATURI(s)
		if err != nil {
			return
		}
		if ATURI(did, coll, rkey) != s {
			t.Fatalf("%q parsed as %q %q %q", s, did, coll, rkey)
		}
	})
}

func FuzzJWTExpiry(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	f.Add("eyJ0eXAiOiJhdCtqd3QiLCJhbGciOiJFUzI1NksifQ.eyJzY29wZSI6ImNvbS5hdHByb3RvLmFjY2VzcyIsInN1YiI6ImRpZDpwbGM6eCIsImV4cCI6MTgwMDAwNzIwMH0.c2ln")
	f.Add("a.b.c")
	f.Add("not a token")
	f.Fuzz(func(t *testing.T, tok string) {
		if exp := jwtExpiry(tok, now); exp.IsZero() {
			t.Fatalf("zero expiry for %q", tok)
		}
	})
}
