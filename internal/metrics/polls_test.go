package metrics

import (
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/earshothq/earshot/bot"
)

func TestPollsCountedByPlatform(t *testing.T) {
	m := New()
	ctx := context.Background()
	for _, p := range []bot.SourcePoll{
		{Name: "rss:a", Platform: "rss", Mentions: 2},
		{Name: "rss:b", Platform: "rss", Mentions: 1},
		{Name: "reddit:search:x", Platform: "reddit", Err: "429 Too Many Requests"},
	} {
		if err := m.RecordSourcePoll(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`earshot_polls_total{platform="rss",result="ok"} 2`,
		`earshot_polls_total{platform="reddit",result="error"} 1`,
		`earshot_poll_mentions_total{platform="rss"} 3`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(string(body), "rss:a") {
		t.Error("a feed's name became a label")
	}
}
