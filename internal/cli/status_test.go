package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/store"
)

func TestStatus(t *testing.T) {
	path := filepath.Join(t.TempDir(), "e.db")
	env := map[string]string{"EARSHOT_DATABASE_URL": path}
	code, out, errs := runMain(t, "", env, "status")
	if code != 0 || !strings.Contains(out, "no polled source has reported yet") {
		t.Fatalf("empty: %d\n%s\n%s", code, out, errs)
	}

	db, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, p := range []bot.SourcePoll{
		{Name: "hackernews:acme", Platform: "hackernews", At: now.Add(-30 * time.Second), Mentions: 4, Next: now.Add(30 * time.Second)},
		{Name: "reddit:r/acme:new", Platform: "reddit", At: now.Add(-2 * time.Minute), Mentions: 2},
		{Name: "reddit:r/acme:new", Platform: "reddit", At: now.Add(-10 * time.Second), Err: "429 Too Many Requests", Next: now.Add(50 * time.Second)},
	} {
		if err := db.RecordSourcePoll(context.Background(), p); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	code, out, errs = runMain(t, "", env, "status")
	if code != 0 {
		t.Fatalf("status: %d %s", code, errs)
	}
	for _, want := range []string{
		"hackernews:acme  polled 30s ago · 4 today · next in",
		"reddit:r/acme:new  polled 10s ago · 2 today · failing since 10s ago: 429 Too Many Requests (last worked 2m ago)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	if code, _, _ = runMain(t, "", env, "status", "--strict"); code != 1 {
		t.Fatalf("--strict with a failing source exits %d, want 1", code)
	}
	code, out, _ = runMain(t, "", env, "status", "--json")
	var got struct {
		Sources []bot.SourceStatus `json:"sources"`
		Failing int                `json:"failing"`
	}
	if err := json.Unmarshal([]byte(out), &got); code != 0 || err != nil || len(got.Sources) != 2 || got.Failing != 1 {
		t.Fatalf("--json: %d %v %s", code, err, out)
	}
}
