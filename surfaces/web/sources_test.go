package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
)

func TestInboxShowsSourceStatus(t *testing.T) {
	ts := newTestServer(t, func(o *Options) {
		o.Sources = func(context.Context) ([]bot.SourceStatus, error) {
			now := fixedNow()
			return []bot.SourceStatus{
				{Name: "hackernews:acme", LastPoll: now.Add(-12 * time.Second), LastOK: now.Add(-12 * time.Second), MentionsToday: 3},
				{Name: "rss:<script>x</script>", LastPoll: now.Add(-5 * time.Minute), MentionsToday: 0,
					LastError: `parse feed: unexpected "<b>" at line 3`, ErrorAt: now.Add(-5 * time.Minute)},
			}, nil
		}
	})
	rec := ts.get("/")
	if rec.Code != http.StatusOK {
		t.Fatalf("inbox: %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`<span class="source-name">hackernews:acme</span><span class="source-line">12s ago · 3 today</span>`,
		`class="source failing"`,
		`parse feed: unexpected &#34;&lt;b&gt;&#34; at line 3`,
		`rss:&lt;script&gt;x&lt;/script&gt;`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("inbox lacks %q", want)
		}
	}
	if strings.Contains(body, "<script>x") {
		t.Fatal("a feed's name reached the page unescaped")
	}
}

func TestInboxWithoutSourceStatus(t *testing.T) {
	ts := newTestServer(t, func(o *Options) {
		o.Sources = func(context.Context) ([]bot.SourceStatus, error) { return nil, errors.New("database is locked") }
	})
	rec := ts.get("/")
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `id="sources"`) {
		t.Fatalf("inbox with the status unavailable: %d", rec.Code)
	}
}
