package store

import (
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
)

func TestSourceStatus(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		rec := func(p bot.SourcePoll) {
			t.Helper()
			if err := e.db.RecordSourcePoll(e.ctx, p); err != nil {
				t.Fatal(err)
			}
		}
		get := func() map[string]bot.SourceStatus {
			t.Helper()
			list, err := e.db.SourceStatuses(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]bot.SourceStatus{}
			for _, s := range list {
				out[s.Name] = s
			}
			return out
		}
		t0 := e.clk.Now()
		rec(bot.SourcePoll{Name: "reddit:search:acme", Platform: "reddit", At: t0, Mentions: 3, Next: t0.Add(time.Minute)})
		rec(bot.SourcePoll{Name: "reddit:search:acme", Platform: "reddit", At: t0.Add(time.Minute), Mentions: 2})
		rec(bot.SourcePoll{Name: "hackernews:acme", Platform: "hackernews", At: t0, Err: "fetch: 503 Service Unavailable"})
		st := get()
		r := st["reddit:search:acme"]
		if r.MentionsToday != 5 || r.MentionsTotal != 5 || !r.LastOK.Equal(t0.Add(time.Minute)) || r.LastError != "" {
			t.Fatalf("reddit status %+v", r)
		}
		h := st["hackernews:acme"]
		if h.LastError == "" || !h.ErrorAt.Equal(t0) || !h.LastOK.IsZero() {
			t.Fatalf("failing source %+v", h)
		}

		// A second failure keeps the last success; a success clears the error.
		rec(bot.SourcePoll{Name: "reddit:search:acme", Platform: "reddit", At: t0.Add(2 * time.Minute), Err: "429 Too Many Requests"})
		if r := get()["reddit:search:acme"]; r.LastError == "" || !r.LastOK.Equal(t0.Add(time.Minute)) || r.MentionsToday != 5 {
			t.Fatalf("after a failure %+v", r)
		}
		rec(bot.SourcePoll{Name: "reddit:search:acme", Platform: "reddit", At: t0.Add(3 * time.Minute), Mentions: 1})
		if r := get()["reddit:search:acme"]; r.LastError != "" || r.MentionsToday != 6 {
			t.Fatalf("after recovering %+v", r)
		}

		// A new day starts today's count again; the total keeps going.
		e.clk.Add(24 * time.Hour)
		if r := get()["reddit:search:acme"]; r.MentionsToday != 0 || r.MentionsTotal != 6 {
			t.Fatalf("next day, before polling: %+v", r)
		}
		rec(bot.SourcePoll{Name: "reddit:search:acme", Platform: "reddit", At: e.clk.Now(), Mentions: 4})
		if r := get()["reddit:search:acme"]; r.MentionsToday != 4 || r.MentionsTotal != 10 {
			t.Fatalf("next day: %+v", r)
		}
	})
}
