package app_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/app"
	"github.com/earshothq/earshot/internal/config"
	"github.com/earshothq/earshot/internal/testkit/openaifake"
	"github.com/earshothq/earshot/llm"
)

// withModel runs earshot with drafts by the fake model at model.URL.
func withModel(tb testing.TB, model *openaifake.Server, timeout time.Duration) (*app.App, string, context.Context) {
	tb.Helper()
	cfg := config.Config{
		DatabaseURL: filepath.Join(tb.TempDir(), "e.db"), HTTPAddr: "127.0.0.1:0", Sample: "false",
		JobWorkers: 32, LogLevel: "info", LogFormat: "text",
	}
	if model != nil {
		cfg.LLM = llm.Config{BaseURL: model.URL, Model: "fake-model", Timeout: timeout, MaxConcurrent: 4, CacheSize: 64}
	}
	srv := serve(tb, cfg, app.Options{})
	return srv.App, srv.Base, srv.Ctx
}

func ingestOne(tb testing.TB, ctx context.Context, a *app.App, id, text string) int64 {
	tb.Helper()
	res, err := a.Bot.IngestBatch(ctx, []bot.Mention{{Platform: "bluesky", ExternalID: id, CreatedAt: time.Now(),
		Author: bot.Author{Handle: "jen.bsky.social", Followers: 120}, Text: text}})
	if err != nil || len(res) == 0 || len(res[0].Cases) == 0 {
		tb.Fatalf("ingest %s: %+v %v", id, res, err)
	}
	return res[0].Cases[0].Case.ID
}

// Regenerate from the web inbox asks the model again, past the cache, with
// the person's instruction, and the card shows what the model said.
func TestRegenerateAsksTheModelAgainWithTheInstruction(t *testing.T) {
	model := openaifake.New(t, openaifake.Func(func(r openaifake.Request) string {
		if strings.Contains(r.User(), "shorter") {
			return openaifake.Drafts("complaint", "Sorry, Jen. Fix is coming.", "So sorry, Jen. Fix soon.", "Sorry! DM us?").JSON()
		}
		return openaifake.Drafts("complaint", "Sorry about the lamp, Jen. We're on it.",
			"Jen, we're sorry your lamp stopped connecting after the update. That's on us.",
			"Could you DM us your app version? We'll get you connected.").JSON()
	}))
	a, base, ctx := withModel(t, model, 5*time.Second)
	id := ingestOne(t, ctx, a, "r1", "@lumio my lamp won't connect since the update")
	eventually(t, "the model's drafts", func() bool {
		s, _ := a.Store.Suggestions(ctx, id)
		return len(s) == 3 && s[0].Origin == "fake-model"
	})
	info, err := a.Store.DraftInfo(ctx, id)
	if err != nil || info.Origin != "fake-model" || info.Summary == "" || info.Reading == nil {
		t.Fatalf("draft info %+v %v: want the model's summary and labels", info, err)
	}
	before := model.Count()

	res, err := http.Post(base+fmt.Sprintf("/api/cases/%d/actions", id), "application/json", strings.NewReader(`{"kind":"regenerate","text":"shorter"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("regenerate: %s", res.Status)
	}
	eventually(t, "the shorter drafts", func() bool {
		s, _ := a.Store.Suggestions(ctx, id)
		return len(s) == 3 && strings.HasSuffix(s[0].Text, "Sorry, Jen. Fix is coming.")
	})
	if got := model.Count(); got != before+1 {
		t.Errorf("model asked %d more times, want 1 (a regeneration is never a cached answer)", got-before)
	}
	reqs := model.Requests()
	if last := reqs[len(reqs)-1]; !strings.Contains(last.User(), "shorter") {
		t.Errorf("the instruction did not reach the model: %q", last.User())
	}
	if info, _ := a.Store.DraftInfo(ctx, id); info.Instruction != "shorter" {
		t.Errorf("draft info %+v does not say what was asked", info)
	}
}

// BenchmarkCardLatency measures how long a mention takes to become a card
// in the web inbox: with no model, and with a model that takes 10 s per
// answer. Drafting runs in its own job queue, so the two should match.
func BenchmarkCardLatency(b *testing.B) {
	for _, bc := range []struct {
		name  string
		model bool
	}{{"no-model", false}, {"model-10s", true}} {
		b.Run(bc.name, func(b *testing.B) {
			var model *openaifake.Server
			if bc.model {
				model = openaifake.New(b, openaifake.Slow(10*time.Second,
					openaifake.Fixed(openaifake.Drafts("complaint", "Sorry!", "So sorry!", "DM us?").JSON())))
			}
			a, _, ctx := withModel(b, model, 20*time.Second)
			n := 0
			for b.Loop() {
				n++
				id := ingestOne(b, ctx, a, fmt.Sprintf("bench-%d", n), fmt.Sprintf("@lumio lamp %d won't connect since the update", n))
				for {
					if ref, _ := a.Store.CardRef(ctx, id, "web"); ref != "" {
						break
					}
					time.Sleep(200 * time.Microsecond)
				}
			}
			if model != nil {
				b.ReportMetric(float64(model.Count()), "model-calls")
			}
		})
	}
}
