package app_test

import (
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

// With a model configured, a model that answers garbage still leaves the
// case with drafts (the built-in ones), and the thread says why; a model
// that is slow does not hold up the card.
func TestLLMFallbackIsNotedAndCardIsNotHeldUp(t *testing.T) {
	model := openaifake.New(t, openaifake.Malformed())
	dir := t.TempDir()
	cfg := config.Config{
		DatabaseURL: filepath.Join(dir, "e.db"), HTTPAddr: "127.0.0.1:0", Sample: "false",
		JobWorkers: 4, LogLevel: "info", LogFormat: "text",
		LLM: llm.Config{BaseURL: model.URL, Model: "fake-model", Timeout: 5 * time.Second, MaxConcurrent: 2, CacheSize: 16},
	}
	srv := serve(t, cfg, app.Options{})
	a, ctx := srv.App, srv.Ctx

	ingest := func(id, text string) int64 {
		res, err := a.Bot.IngestBatch(ctx, []bot.Mention{{Platform: "bluesky", ExternalID: id, CreatedAt: time.Now(),
			Author: bot.Author{Handle: "jen.bsky.social"}, Text: text}})
		if err != nil || len(res[0].Cases) == 0 {
			t.Fatalf("ingest: %+v %v", res, err)
		}
		return res[0].Cases[0].Case.ID
	}
	id := ingest("m1", "@lumio my lamp won't connect since the update")
	eventually(t, "built-in drafts", func() bool {
		s, err := a.Store.Suggestions(ctx, id)
		return err == nil && len(s) > 0
	})
	s, _ := a.Store.Suggestions(ctx, id)
	if s[0].Origin != "builtin" {
		t.Errorf("origin %q, want builtin after a malformed answer", s[0].Origin)
	}
	eventually(t, "a note saying why", func() bool {
		_, evs, _ := a.Store.Thread(ctx, id)
		for _, e := range evs {
			if e.Kind == bot.EventNote && strings.Contains(strings.ToLower(e.Text), "built-in") {
				return true
			}
		}
		return false
	})
	if model.Count() == 0 {
		t.Error("the model was never asked")
	}

	// A model that takes longer than the card: the card is shown first.
	model.SetHandler(openaifake.Slow(3*time.Second, openaifake.Malformed()))
	id = ingest("m2", "@lumio is the hub worth it?")
	eventually(t, "the card", func() bool { ref, _ := a.Store.CardRef(ctx, id, "web"); return ref != "" })
	if s, _ := a.Store.Suggestions(ctx, id); len(s) != 0 {
		t.Errorf("drafts before the card: the card waited for the model")
	}
}
