package hackernews

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestDecodeDocSample(t *testing.T) {
	data, err := os.ReadFile("testdata/doc_sample.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Hits) != 1 || p.NbPages != 1 {
		t.Fatalf("page = %+v", p)
	}
	m := p.Hits[0].Mention()
	if m.Platform != "hackernews" || m.ExternalID != "40000123" || m.URL != "https://news.ycombinator.com/item?id=40000123" ||
		m.Author.Handle != "pg" || m.Text != "I think acme fixed it" || m.InReplyTo != "40000001" ||
		!m.CreatedAt.Equal(time.Unix(1714564800, 0)) {
		t.Errorf("mention = %+v", m)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"not json", `<html>502</html>`, "decode search answer"},
		{"no hits", `{"message":"oops"}`, `no "hits" array`},
		{"hits not array", `{"hits":{}}`, "decode search answer"},
		{"no object id", `{"hits":[{"created_at_i":1}]}`, `hit 0: objectID ""`},
		{"bad object id", `{"hits":[{"objectID":"x1","created_at_i":1}]}`, `objectID "x1"`},
		{"no time", `{"hits":[{"objectID":"5"}]}`, "hit 0 (item 5): created_at_i 0"},
		{"truncated", `{"hits":[{"objectID":"5"`, "decode search answer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestHitMention(t *testing.T) {
	s := func(v string) *string { return &v }
	for _, tc := range []struct {
		name string
		hit  Hit
		text string
		irt  string
	}{
		{"link story", Hit{Title: s("Acme is down"), URL: s("https://status.acme.com/"), Tags: []string{"story"}},
			"Acme is down\n\nhttps://status.acme.com/", ""},
		{"ask story", Hit{Title: s("Ask HN: Acme support?"), StoryText: s("Has anyone&#x27;s <i>acme</i> broken?<p>Mine did."), Tags: []string{"story", "ask_hn"}},
			"Ask HN: Acme support?\n\nHas anyone's acme broken?\n\nMine did.", ""},
		{"comment with link", Hit{CommentText: s(`See <a href="https://acme.com/a/very/long/path" rel="nofollow">https://acme.com/a/very/lo...</a> &gt; that`), ParentID: ptr(int64(7)), Tags: []string{"comment"}},
			"See https://acme.com/a/very/long/path > that", "7"},
		{"comment without tags", Hit{CommentText: s("plain &amp; simple"), ParentID: ptr(int64(9))}, "plain & simple", "9"},
		{"code", Hit{CommentText: s("<p>try<p><pre><code>  acme --fix\n</code></pre>"), ParentID: ptr(int64(1))}, "try\n\n  acme --fix", "1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.hit.ObjectID, tc.hit.CreatedAtI, tc.hit.Author = "42", 1714564800, "someone"
			m := tc.hit.Mention()
			if m.Text != tc.text || m.InReplyTo != tc.irt {
				t.Errorf("text %q in reply to %q, want %q in reply to %q", m.Text, m.InReplyTo, tc.text, tc.irt)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestCursorErrors(t *testing.T) {
	for _, in := range []string{"garbage", `{"since":0}`, `{"since":10,"until":5}`, `{"since":10,"page":-1}`} {
		if _, err := parseCursor(in); err == nil || !strings.Contains(err.Error(), "cursor") {
			t.Errorf("parseCursor(%q) err = %v", in, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	data, err := os.ReadFile("testdata/doc_sample.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`{"hits":[{"objectID":"1","created_at_i":5,"title":"t","story_text":"<p>x &amp; y","_tags":["story"]}],"nbPages":3}`))
	f.Add([]byte(`{"hits":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Decode(data)
		if err != nil {
			return
		}
		for _, h := range p.Hits {
			m := h.Mention()
			if m.ExternalID == "" || m.CreatedAt.IsZero() || !strings.HasSuffix(m.URL, "="+m.ExternalID) {
				t.Fatalf("bad mention %+v from %q", m, data)
			}
		}
	})
}

func FuzzHTMLText(f *testing.F) {
	for _, s := range []string{"I think <em>acme</em> fixed it", `<p>a<a href="https://x">https://x...</a>`, "&#x2F;&quot;", "<pre><code>x</code></pre>", "<a>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := HTMLText(s)
		if len(out) > len(s)+len(s)/2+8 && !strings.Contains(s, "href") && !strings.Contains(s, "&") && !strings.Contains(s, "<") {
			t.Fatalf("HTMLText grew %q to %q", s, out)
		}
	})
}
