package wire

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
)

const full = `{
  "platform": "bluesky",
  "id": "at://did:plc:4x7kq2/app.bsky.feed.post/3lbq7xw2k2s2a",
  "url": "https://bsky.app/profile/mara.bsky.social/post/3lbq7xw2k2s2a",
  "author": {"id": "did:plc:4x7kq2", "handle": "mara.bsky.social", "name": "Mara Lind", "followers": 812},
  "text": "@lumio.bsky.social charged twice for Lumio+ this month 😤",
  "lang": "en",
  "created_at": "2026-11-22T08:14:03+01:00",
  "in_reply_to": "at://did:plc:4x7kq2/app.bsky.feed.post/3lbq7aaaaaaaa",
  "reposts": 3
}`

func TestDecodeFull(t *testing.T) {
	m, err := Decode([]byte(full))
	if err != nil {
		t.Fatal(err)
	}
	want := bot.Mention{
		Platform:   "bluesky",
		ExternalID: "at://did:plc:4x7kq2/app.bsky.feed.post/3lbq7xw2k2s2a",
		URL:        "https://bsky.app/profile/mara.bsky.social/post/3lbq7xw2k2s2a",
		Author:     bot.Author{ID: "did:plc:4x7kq2", Handle: "mara.bsky.social", Name: "Mara Lind", Followers: 812},
		Text:       "@lumio.bsky.social charged twice for Lumio+ this month 😤",
		Lang:       "en",
		CreatedAt:  time.Date(2026, 11, 22, 7, 14, 3, 0, time.UTC),
		InReplyTo:  "at://did:plc:4x7kq2/app.bsky.feed.post/3lbq7aaaaaaaa",
	}
	if m != want {
		t.Errorf("Decode:\n got %+v\nwant %+v", m, want)
	}
	if m.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt location = %v, want UTC", m.CreatedAt.Location())
	}
}

func TestDecodeAccepts(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want func(m bot.Mention) bool
	}{
		{"minimal", `{"platform":"x","id":"1","text":"hi"}`,
			func(m bot.Mention) bool { return m.Platform == "x" && m.ExternalID == "1" && m.CreatedAt.IsZero() }},
		{"numeric id keeps digits", `{"platform":"hackernews","id":42186512,"text":"Lumio?"}`,
			func(m bot.Mention) bool { return m.ExternalID == "42186512" }},
		{"numeric id beyond float precision", `{"platform":"x","id":1859938877012345678,"text":"a"}`,
			func(m bot.Mention) bool { return m.ExternalID == "1859938877012345678" }},
		{"escaped string id", `{"platform":"rss","id":"tag:blog.example,2026:\"q\"\u00e9","text":"a"}`,
			func(m bot.Mention) bool { return m.ExternalID == `tag:blog.example,2026:"q"é` }},
		{"numeric author id and in_reply_to", `{"platform":"x","id":2,"text":"a","author":{"id":99},"in_reply_to":1}`,
			func(m bot.Mention) bool { return m.Author.ID == "99" && m.InReplyTo == "1" }},
		{"nulls are absent", `{"platform":"rss","id":"g","text":"t","url":null,"author":null,"lang":null,"created_at":null,"in_reply_to":null}`,
			func(m bot.Mention) bool { return m.URL == "" && m.Author == bot.Author{} && m.CreatedAt.IsZero() }},
		{"empty optional strings are absent", `{"platform":"rss","id":"g","text":"t","url":"","created_at":"","in_reply_to":""}`,
			func(m bot.Mention) bool { return m.URL == "" && m.InReplyTo == "" }},
		{"fractional seconds", `{"platform":"x","id":"1","text":"a","created_at":"2026-11-22T23:59:59.123456Z"}`,
			func(m bot.Mention) bool { return m.CreatedAt.Nanosecond() == 123456000 }},
		{"text kept verbatim", `{"platform":"x","id":"1","text":"  spaced\n"}`,
			func(m bot.Mention) bool { return m.Text == "  spaced\n" }},
		{"unknown fields ignored", `{"platform":"x","id":"1","text":"a","extra":{"deep":[1,2]}}`,
			func(m bot.Mention) bool { return m.Text == "a" }},
		{"platform with digits and dash", `{"platform":"my-forum_2","id":"1","text":"a"}`,
			func(m bot.Mention) bool { return m.Platform == "my-forum_2" }},
		{"lang region", `{"platform":"x","id":"1","text":"a","lang":"pt-BR"}`,
			func(m bot.Mention) bool { return m.Lang == "pt-BR" }},
		{"http url", `{"platform":"rss","id":"1","text":"a","url":"http://blog.example/p?id=1#c"}`,
			func(m bot.Mention) bool { return m.URL == "http://blog.example/p?id=1#c" }},
		{"text at limit", `{"platform":"x","id":"1","text":"` + strings.Repeat("a", MaxTextBytes) + `"}`,
			func(m bot.Mention) bool { return len(m.Text) == MaxTextBytes }},
		{"id at limit", `{"platform":"x","id":"` + strings.Repeat("9", MaxIDBytes) + `","text":"a"}`,
			func(m bot.Mention) bool { return len(m.ExternalID) == MaxIDBytes }},
		{"escaped unicode", `{"platform":"x","id":"1","text":"caf\u00e9 \ud83d\ude00"}`,
			func(m bot.Mention) bool { return m.Text == "café 😀" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Decode([]byte(tt.in))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !tt.want(m) {
				t.Errorf("unexpected result %+v", m)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	base := func(fields string) string { return `{"platform":"x","id":"1","text":"a"` + fields + `}` }
	tests := []struct {
		name, in, want string
	}{
		{"empty input", ``, `empty input: want a JSON object`},
		{"whitespace input", " \n", `empty input: want a JSON object`},
		{"array", `[{"platform":"x"}]`, `not a JSON object: starts with "[{\"platform\":\"x\"…"`},
		{"null", `null`, `not a JSON object: starts with "null"`},
		{"syntax", `{"platform":"x",}`, `invalid JSON at byte 17: invalid character '}' looking for beginning of object key string`},
		{"truncated", `{"platform":"x"`, `invalid JSON at byte 15: unexpected end of JSON input`},
		{"trailing data", `{"platform":"x","id":"1","text":"a"} {}`, `invalid JSON at byte 38: invalid character '{' after top-level value`},
		{"invalid utf-8", "{\"platform\":\"x\",\"id\":\"1\",\"text\":\"caf\xe9\"}", `invalid UTF-8 at byte 36`},
		{"platform missing", `{"id":"1","text":"a"}`, `field "platform": missing`},
		{"platform not a string", `{"platform":7,"id":"1","text":"a"}`, `field "platform": got JSON number, want a string`},
		{"platform upper case", `{"platform":"Bluesky","id":"1","text":"a"}`, `field "platform": "Bluesky" is not canonical: write "bluesky"`},
		{"platform padded", `{"platform":" x ","id":"1","text":"a"}`, `field "platform": " x " is not canonical: write "x"`},
		{"platform empty", `{"platform":"","id":"1","text":"a"}`, `field "platform": "" is not a lowercase token like "bluesky" (a-z, 0-9, _ or -, at most 32)`},
		{"platform dotted", `{"platform":"bsky.app","id":"1","text":"a"}`, `field "platform": "bsky.app" is not a lowercase token like "bluesky" (a-z, 0-9, _ or -, at most 32)`},
		{"platform leading digit", `{"platform":"4chan","id":"1","text":"a"}`, `field "platform": "4chan" is not a lowercase token like "bluesky" (a-z, 0-9, _ or -, at most 32)`},
		{"platform too long", `{"platform":"` + strings.Repeat("a", 33) + `","id":"1","text":"a"}`, `field "platform": "` + strings.Repeat("a", 33) + `" is not a lowercase token like "bluesky" (a-z, 0-9, _ or -, at most 32)`},
		{"id missing", `{"platform":"x","text":"a"}`, `field "id": missing`},
		{"id null", `{"platform":"x","id":null,"text":"a"}`, `field "id": missing`},
		{"id empty", `{"platform":"x","id":"","text":"a"}`, `field "id": empty`},
		{"id blank", `{"platform":"x","id":"  ","text":"a"}`, `field "id": empty`},
		{"id too long", `{"platform":"x","id":"` + strings.Repeat("9", MaxIDBytes+1) + `","text":"a"}`, `field "id": 257 bytes, limit 256`},
		{"id fractional", `{"platform":"x","id":1.5,"text":"a"}`, `field "id": 1.5 is not an integer`},
		{"id exponent", `{"platform":"x","id":1e9,"text":"a"}`, `field "id": 1e9 is not an integer`},
		{"id negative", `{"platform":"x","id":-4,"text":"a"}`, `field "id": -4 is negative`},
		{"id boolean", `{"platform":"x","id":true,"text":"a"}`, `field "id": got JSON boolean, want a string or an integer`},
		{"id object", `{"platform":"x","id":{},"text":"a"}`, `field "id": got JSON object, want a string or an integer`},
		{"id with NUL", `{"platform":"x","id":"a\u0000b","text":"a"}`, `field "id": contains a NUL character`},
		{"text missing", `{"platform":"x","id":"1"}`, `field "text": missing`},
		{"text empty", `{"platform":"x","id":"1","text":""}`, `field "text": empty`},
		{"text blank", `{"platform":"x","id":"1","text":" \n\t "}`, `field "text": empty`},
		{"text array", `{"platform":"x","id":"1","text":["a"]}`, `field "text": got JSON array, want a string`},
		{"text too long", `{"platform":"x","id":"1","text":"` + strings.Repeat("a", MaxTextBytes+1) + `"}`, `field "text": 40001 bytes, limit 40000`},
		{"text with NUL", `{"platform":"x","id":"1","text":"a\u0000"}`, `field "text": contains a NUL character`},
		{"url relative", base(`,"url":"/p/1"`), `field "url": "/p/1" is not an absolute http(s) URL`},
		{"url javascript", base(`,"url":"javascript:alert(1)"`), `field "url": "javascript:alert(1)" is not an absolute http(s) URL`},
		{"url ftp", base(`,"url":"ftp://files.example/a"`), `field "url": "ftp://files.example/a" is not an absolute http(s) URL`},
		{"url no host", base(`,"url":"https:///path"`), `field "url": "https:///path" has no host`},
		{"url user info", base(`,"url":"https://lumio.example@evil.example/"`), `field "url": "https://lumio.example@evil.example/" carries user info`},
		{"url unparsable", base(`,"url":"https://a b/"`), `field "url": "https://a b/" does not parse`},
		{"url too long", base(`,"url":"https://a.example/` + strings.Repeat("a", MaxURLBytes) + `"`), `field "url": 4114 bytes, limit 4096`},
		{"author not object", base(`,"author":"mara"`), `field "author": got JSON string, want an object`},
		{"author followers negative", base(`,"author":{"followers":-3}`), `field "author.followers": -3 is negative`},
		{"author followers fractional", base(`,"author":{"followers":1.5}`), `field "author.followers": got JSON number 1.5, want an integer`},
		{"author followers string", base(`,"author":{"followers":"12k"}`), `field "author.followers": got JSON string, want an integer`},
		{"author id fractional", base(`,"author":{"id":2.5}`), `field "author.id": 2.5 is not an integer`},
		{"author handle NUL", base(`,"author":{"handle":"a\u0000"}`), `field "author.handle": contains a NUL character`},
		{"author name number", base(`,"author":{"name":5}`), `field "author.name": got JSON number, want a string`},
		{"lang sentence", base(`,"lang":"English please"`), `field "lang": "English please" is not a language tag like "en" or "pt-BR"`},
		{"lang number", base(`,"lang":3`), `field "lang": got JSON number, want a string`},
		{"created_at words", base(`,"created_at":"yesterday"`), `field "created_at": "yesterday" is not an RFC 3339 time`},
		{"created_at no zone", base(`,"created_at":"2026-11-22T10:00:00"`), `field "created_at": "2026-11-22T10:00:00" is not an RFC 3339 time`},
		{"created_at unix", base(`,"created_at":1763805600`), `field "created_at": got JSON number, want a string`},
		{"created_at before year 1 in UTC", base(`,"created_at":"0000-01-01T00:00:00+01:00"`), `field "created_at": "0000-01-01T00:00:00+01:00" is out of range in UTC`},
		{"created_at after 9999 in UTC", base(`,"created_at":"9999-12-31T23:30:00-01:00"`), `field "created_at": "9999-12-31T23:30:00-01:00" is out of range in UTC`},
		{"in_reply_to self", base(`,"in_reply_to":"1"`), `field "in_reply_to": "1" is the mention's own id`},
		{"in_reply_to blank", base(`,"in_reply_to":" "`), `field "in_reply_to": empty`},
		{"in_reply_to fractional", base(`,"in_reply_to":0.5`), `field "in_reply_to": 0.5 is not an integer`},
		{"long value truncated", base(`,"created_at":"` + strings.Repeat("é", 40) + `"`), `field "created_at": "` + strings.Repeat("é", 32) + `…" is not an RFC 3339 time`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.in))
			if err == nil {
				t.Fatalf("Decode accepted %q", tt.in)
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

func TestDecodeErrorReturnsZero(t *testing.T) {
	m, err := Decode([]byte(`{"platform":"x","id":"1","text":"a","created_at":"soon"}`))
	if err == nil || m != (bot.Mention{}) {
		t.Fatalf("got %+v, %v; want the zero mention and an error", m, err)
	}
}

func TestFieldErrorIsTyped(t *testing.T) {
	_, err := Decode([]byte(`{"platform":"x","text":"a"}`))
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != "id" {
		t.Fatalf("want *FieldError for id, got %#v", err)
	}
	_, err = DecodeBody([]byte(`[{"platform":"x","id":"1","text":"a"},{"platform":"x","id":"2","text":""}]`))
	if !errors.As(err, &fe) || fe.Field != "text" {
		t.Fatalf("want *FieldError for text through the index wrapper, got %#v", err)
	}
}

func TestDecodeBody(t *testing.T) {
	one := `{"platform":"x","id":"1","text":"a"}`
	two := `{"platform":"x","id":"2","text":"b"}`
	tests := []struct {
		name    string
		in      string
		wantIDs []string
		wantErr string
	}{
		{"object", one, []string{"1"}, ""},
		{"object with leading space", "\n " + one, []string{"1"}, ""},
		{"array of one", "[" + one + "]", []string{"1"}, ""},
		{"array of two", " [" + one + ",\n" + two + "] ", []string{"1", "2"}, ""},
		{"empty array", "[]", nil, "empty array: no mentions"},
		{"empty body", "", nil, "empty input: want a JSON object"},
		{"invalid element names index", "[" + one + "," + two + `,{"platform":"x","text":"c"}]`, nil, `mention[2]: field "id": missing`},
		{"first element invalid", `[{"platform":"X","id":"1","text":"a"},` + two + `]`, nil, `mention[0]: field "platform": "X" is not canonical: write "x"`},
		{"null element", "[" + one + ",null]", nil, `mention[1]: not a JSON object: starts with "null"`},
		{"string element", `["hello"]`, nil, `mention[0]: not a JSON object: starts with "\"hello\""`},
		{"broken array", "[" + one + ",", nil, `invalid JSON at byte 38: unexpected end of JSON input`},
		{"invalid utf-8 anywhere", "[" + one + ",\"\xff\"]", nil, `invalid UTF-8 at byte 39`},
		{"scalar", `42`, nil, `not a JSON object: starts with "42"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := DecodeBody([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error:\n got %v\nwant %s", err, tt.wantErr)
				}
				if ms != nil {
					t.Errorf("got mentions %v alongside an error", ms)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, m := range ms {
				ids = append(ids, m.ExternalID)
			}
			if strings.Join(ids, ",") != strings.Join(tt.wantIDs, ",") {
				t.Errorf("ids = %v, want %v", ids, tt.wantIDs)
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	data := []byte(full)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}
