package feeds_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/earshothq/earshot/internal/testkit/feedfake"
	"github.com/earshothq/earshot/sources/feeds"
)

func FuzzParseConvert(f *testing.F) {
	f.Add(mustRead(f, "testdata/google_alerts.xml"))
	items := []feedfake.Item{item(0, time.Minute), {ID: "x", Title: "AT&amp;T <i>x</i>", Link: "/relative/path", Summary: "<script>x</script>ok"}}
	for _, k := range []feedfake.Kind{feedfake.RSS, feedfake.Atom, feedfake.Alerts} {
		f.Add(feedfake.Render(k, "Lumio", items))
	}
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","url":"https://a.example/1","content_text":"hi"}]}`))
	f.Add([]byte(`<rss version="2.0"><channel><item><title>x</ite`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ms, err := feeds.ParseConvert(body, "https://feeds.example.com/feed.xml", now)
		if err != nil {
			return
		}
		for _, m := range ms {
			if m.Platform != "rss" || m.ExternalID == "" || len(m.ExternalID) > 512 {
				t.Fatalf("bad id %q", m.ExternalID)
			}
			if !utf8.ValidString(m.Text) || len(m.Text) > 2000 {
				t.Fatalf("bad text (%d bytes) %q", len(m.Text), m.Text)
			}
			// Markup is stripped, but text a feed escaped twice ("&amp;lt;b&gt;")
			// is literal text and stays: no check on "<" here.
			if strings.ContainsFunc(m.Text, func(r rune) bool { return r < ' ' && r != '\n' }) {
				t.Fatalf("control characters in %q", m.Text)
			}
			if m.URL != "" && !strings.HasPrefix(m.URL, "http") {
				t.Fatalf("url %q", m.URL)
			}
			if m.CreatedAt.IsZero() || m.CreatedAt.After(now.Add(time.Hour)) {
				t.Fatalf("created %s", m.CreatedAt)
			}
		}
	})
}
