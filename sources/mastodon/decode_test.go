package mastodon

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/earshothq/earshot/bot"
)

func readFile(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestHTMLText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "just text", "just text"},
		{"paragraphs", "<p>one</p><p>two</p>", "one\n\ntwo"},
		{"line breaks", "<p>one<br>two<br/><br />three</p>", "one\ntwo\n\nthree"},
		{"entities", "<p>Tom &amp; Jerry &lt;3 &quot;hi&quot; &#39;x&#39; caf&eacute;</p>", `Tom & Jerry <3 "hi" 'x' café`},
		{"mention", `<p><span class="h-card"><a href="https://mastodon.social/@trwnh" class="u-url mention">@<span>trwnh</span></a></span> sup!</p>`, "@trwnh sup!"},
		{"link kept whole", `<p>see <a href="https://example.com/a/very/long/path/indeed"><span class="invisible">https://</span><span class="ellipsis">example.com/a/very/long/pat</span><span class="invisible">h/indeed</span></a> now</p>`,
			"see https://example.com/a/very/long/path/indeed now"},
		{"hashtag", `<p><a href="https://x/tags/lumio" class="mention hashtag" rel="tag">#<span>lumio</span></a></p>`, "#lumio"},
		{"remote markup", "<div><p>a</p>\n<ul><li>x</li><li>y</li></ul><blockquote>q</blockquote></div>", "a\n\n- x\n- y\n\nq"},
		{"script dropped", "<p>hi<script>alert(1)</script><style>p{}</style> there</p>", "hi there"},
		{"source newlines between blocks", "<p>a</p>\n\n<p>b</p>\n", "a\n\nb"},
		{"unclosed", "<p>a <b>bold", "a bold"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := HTMLText(tc.in); got != tc.want {
				t.Errorf("HTMLText(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestDecodeStatusSample(t *testing.T) {
	s, err := DecodeStatus(readFile(t, "status.json"))
	if err != nil {
		t.Fatal(err)
	}
	m := s.Mention()
	want := bot.Mention{
		Platform: "mastodon", ExternalID: "113532480233417810", URL: "https://social.example/@ana/113532480233417810",
		Author: bot.Author{ID: "109348123", Handle: "ana@social.example", Name: "Ana 🌻", Followers: 1240},
		Text: "CW: product rant\n\n@lumio my hub reboots every night & the app says \"all good\" 🙄\n" +
			"logs: https://paste.example/raw/8c2f1d0e4b7a9f6e3d2c1b0a\n\n#lumio #SmartHome",
		Lang: "en", CreatedAt: time.Date(2024, 11, 23, 10, 14, 45, 0, time.UTC),
	}
	if m != want {
		t.Errorf("mention\n got %+v\nwant %+v", m, want)
	}
}

func TestDecodeErrorsNameTheField(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"content":"x"}`, "status id: missing"},
		{`{"id":"1/../2"}`, `status id "1/../2": not a plain id`},
		{`{"id":"1","in_reply_to_id":"a b"}`, `in_reply_to_id "a b"`},
		{`{"id":"1","created_at":"yesterday"}`, "status:"},
		{`{"id":1}`, "status:"},
		{`{"id":"1","reblog":{"content":"x"}}`, "status 1: reblog: status id: missing"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			_, err := DecodeStatus([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestSSEReader(t *testing.T) {
	r := NewSSEReader(bytes.NewReader(readFile(t, "stream.sse")))
	var names []string
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, ev.Name)
		switch ev.Name {
		case "update", "status.update":
			if _, err := DecodeStatus(ev.Data); err != nil {
				t.Errorf("%s: %v", ev.Name, err)
			}
		case "notification":
			n, err := DecodeNotification(ev.Data)
			if err != nil || n.Type != "mention" || n.Status.ID != "103186126728896492" {
				t.Errorf("notification %+v %v", n, err)
			}
		case "delete":
			if id := DeletedID(ev.Data); id != "103186126728896492" {
				t.Errorf("delete %q", id)
			}
		}
	}
	if got := strings.Join(names, ","); got != "update,notification,delete,status.update" {
		t.Errorf("events %s", got)
	}

	multi := NewSSEReader(strings.NewReader("data: a\ndata:b\nid: 7\nretry: 10\nfield\n\nevent: x\n\ndata: cut off"))
	ev, err := multi.Next()
	if err != nil || ev.Name != "message" || string(ev.Data) != "a\nb" {
		t.Errorf("multi-line event %q %q %v", ev.Name, ev.Data, err)
	}
	if _, err := multi.Next(); !errors.Is(err, io.EOF) {
		t.Errorf("event cut off by the end: %v, want EOF", err)
	}

	huge := NewSSEReader(strings.NewReader("data: " + strings.Repeat("x", maxEventBytes+1) + "\n\n"))
	if _, err := huge.Next(); !errors.Is(err, ErrEventTooLarge) {
		t.Errorf("huge event: %v", err)
	}
}

func TestDeletedID(t *testing.T) {
	for in, want := range map[string]string{"123": "123", ` "123"` + "\n": "123", `"12`: "", "": ""} {
		if got := DeletedID([]byte(in)); got != want {
			t.Errorf("DeletedID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCountAndCompose(t *testing.T) {
	me := Account{ID: "1", Acct: "lumio"}
	ana := Status{Account: Account{ID: "2", Acct: "ana@social.example"}}
	tests := []struct {
		name, text, composed string
		count                int
	}{
		{"adds the mention", "Sorry!", "@ana@social.example Sorry!", 11},
		{"already there", "Hi @Ana@social.example, sorry!", "Hi @Ana@social.example, sorry!", 15},
		{"a different ana", "Hi @ana, sorry!", "@ana@social.example Hi @ana, sorry!", 20},
		{"emoji is one", "👍🏽", "@ana@social.example 👍🏽", 6},
		{"link is 23", "see https://lumio.example/a/very/long/support/article/about/rebooting.", "@ana@social.example see https://lumio.example/a/very/long/support/article/about/rebooting.", 33},
		{"e-mail is no mention", "write to care@lumio.example", "@ana@social.example write to care@lumio.example", 32},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Compose(ana, me, tc.text)
			if got != tc.composed {
				t.Errorf("Compose = %q, want %q", got, tc.composed)
			}
			if n := CountCharacters(got, 23); n != tc.count {
				t.Errorf("CountCharacters(%q) = %d, want %d", got, n, tc.count)
			}
		})
	}
	if got := Compose(Status{Account: me}, me, "thread continues"); got != "thread continues" {
		t.Errorf("answering ourselves: %q", got)
	}
}

func TestNewer(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"10", "9", true}, {"9", "10", false}, {"103186126728896492", "103186126728896491", true},
		{"1", "", true}, {"", "", false}, {"01HZX", "01HZW", true}, {"0", "0", false},
	}
	for _, tc := range tests {
		if got := newer(tc.a, tc.b); got != tc.want {
			t.Errorf("newer(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
}

func FuzzDecodeStatus(f *testing.F) {
	f.Add(readFile(f, "status.json"))
	var ns []json.RawMessage
	_ = json.Unmarshal(readFile(f, "notifications.json"), &ns)
	for _, n := range ns {
		f.Add([]byte(n))
	}
	f.Add([]byte(`{"id":"1","reblog":{"id":"2","content":"<p>x</p>"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if s, err := DecodeStatus(data); err == nil {
			if s.ID == "" {
				t.Fatal("a decoded status without an id")
			}
			m := s.Mention()
			if m.ExternalID != s.ID || m.Platform != Platform {
				t.Fatalf("mention %+v of status %s", m, s.ID)
			}
		}
		if n, err := DecodeNotification(data); err == nil && n.ID == "" {
			t.Fatal("a decoded notification without an id")
		}
	})
}

func FuzzSSE(f *testing.F) {
	f.Add(readFile(f, "stream.sse"))
	f.Add([]byte("data: a\r\ndata: b\r\n\r\n:thump\n"))
	f.Add([]byte("event: delete\ndata: \"103186126728896492\"\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := NewSSEReader(bytes.NewReader(data))
		for i := 0; ; i++ {
			ev, err := r.Next()
			if err != nil {
				return
			}
			if i > len(data) {
				t.Fatal("more events than bytes")
			}
			if len(ev.Data) > maxEventBytes+len(data) || ev.Name == "" {
				t.Fatalf("event %q with %d bytes", ev.Name, len(ev.Data))
			}
			_ = DeletedID(ev.Data)
		}
	})
}

func FuzzHTMLText(f *testing.F) {
	var s Status
	_ = json.Unmarshal(readFile(f, "status.json"), &s)
	f.Add(s.Content)
	var ns []Notification
	_ = json.Unmarshal(readFile(f, "notifications.json"), &ns)
	for _, n := range ns {
		f.Add(n.Status.Content)
	}
	f.Add("<p>a<br>b</p><ul><li>x</li></ul><script>y</script>&amp;&#x1F600;")
	f.Fuzz(func(t *testing.T, in string) {
		out := HTMLText(in)
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of valid input: %q", out)
		}
		if out != strings.TrimSpace(out) {
			t.Fatalf("untrimmed %q", out)
		}
	})
}

func FuzzCountCharacters(f *testing.F) {
	f.Add("@ana@social.example see https://lumio.example/x. 👍🏽")
	f.Add("mail care@lumio.example or @bo")
	f.Fuzz(func(t *testing.T, text string) {
		n := CountCharacters(text, 23)
		if n < 0 || (!strings.Contains(text, "http") && n > bot.Length(text)) {
			t.Fatalf("CountCharacters(%q) = %d", text, n)
		}
	})
}
