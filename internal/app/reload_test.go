package app_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/app"
	"github.com/earshothq/earshot/internal/config"
	"github.com/earshothq/earshot/routing"
)

const rulesV1 = `teams:
  care: {}
  billing: {}
route:
  name: brand
  query: lumio
  team: care
`

const rulesV2 = `teams:
  care: {}
  billing: {}
route:
  name: brand
  query: lumio
  team: care
  routes:
    - name: billing
      query: 'refund* OR "charged twice"'
      team: billing
`

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	// Write then rename, as editors and ConfigMaps do.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func TestReloaderFileChangeAndBrokenFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "earshot.yaml")
	writeFile(t, path, rulesV1)
	first, err := routing.Parse(path, []byte(rulesV1))
	if err != nil {
		t.Fatal(err)
	}
	var inForce atomic.Pointer[routing.Rules]
	inForce.Store(first)
	r := app.NewReloader(path, []byte(rulesV1), first, func(x *routing.Rules) { inForce.Store(x) }, slog.New(slog.DiscardHandler))
	r.Debounce = 20 * time.Millisecond
	results := make(chan error, 16)
	r.OnReload = func(err error) { results <- err }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hup := make(chan os.Signal, 1)
	watching := make(chan struct{})
	r.OnWatching = func() { close(watching) }
	go func() { _ = r.Watch(ctx, hup) }()
	<-watching // a write before the watch is in place would go unseen

	teams := func() []string {
		return inForce.Load().Match(routing.Input{Text: "lumio charged twice"}).Teams
	}
	if got := teams(); !slices.Equal(got, []string{"care"}) {
		t.Fatalf("before reload: %v", got)
	}

	writeFile(t, path, rulesV2)
	if err := wait(t, results); err != nil {
		t.Fatalf("reload of a good file: %v", err)
	}
	if got := teams(); !slices.Equal(got, []string{"billing"}) {
		t.Fatalf("after reload: %v, want billing", got)
	}

	// A broken file is refused with its problems; the rules in force stay.
	writeFile(t, path, strings.Replace(rulesV2, "team: billing", "team: biling", 1))
	err = wait(t, results)
	if err == nil || !strings.Contains(err.Error(), `unknown team "biling"`) {
		t.Fatalf("reload of a broken file: %v", err)
	}
	if got := teams(); !slices.Equal(got, []string{"billing"}) {
		t.Fatalf("after a broken reload: %v, want the old rules (billing)", got)
	}
	if st := r.Status(); !strings.Contains(st.LastError, "biling") || st.Routes != 2 {
		t.Errorf("status = %+v", st)
	}

	// SIGHUP reloads too (here after the file was fixed behind the watch's back).
	if err := os.WriteFile(path, []byte(rulesV1), 0o600); err != nil {
		t.Fatal(err)
	}
	drain(results)
	hup <- syscall.SIGHUP
	deadline := time.After(30 * time.Second)
	for !slices.Equal(teams(), []string{"care"}) {
		select {
		case <-results:
		case <-deadline:
			t.Fatal("SIGHUP did not reload the rules")
		}
	}
	if st := r.Status(); st.LastError != "" || st.Routes != 1 {
		t.Errorf("status after a good reload = %+v", st)
	}
}

func wait(t *testing.T, results chan error) error {
	t.Helper()
	select {
	case err := <-results:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("no reload happened")
		return nil
	}
}

func drain(c chan error) {
	for {
		select {
		case <-c:
		default:
			return
		}
	}
}

// Reloading while mentions stream in loses none of them.
func TestReloadDropsNoMention(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "earshot.yaml")
	writeFile(t, path, rulesV1)
	cfg := config.Config{
		DatabaseURL: filepath.Join(dir, "earshot.db"), HTTPAddr: "127.0.0.1:0", Rules: path,
		Sample: "false", JobWorkers: 4, LogLevel: "info", LogFormat: "text",
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := app.New(ctx, cfg, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Store.Close()

	const batches, per = 40, 25
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 30 {
			v := rulesV1
			if i%2 == 0 {
				v = rulesV2
			}
			writeFile(t, path, v)
			_ = a.Rules.Reload()
		}
	}()
	var ids []bot.IngestResult
	for b := range batches {
		ms := make([]bot.Mention, per)
		for i := range ms {
			ms[i] = bot.Mention{
				Platform: "bluesky", ExternalID: fmt.Sprintf("m-%d-%d", b, i), Author: bot.Author{Handle: fmt.Sprintf("u%d", i)},
				Text: "lumio charged twice, refund please", CreatedAt: time.Now(),
			}
		}
		res, err := a.Bot.IngestBatch(ctx, ms)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res...)
	}
	wg.Wait()
	n := 0
	for _, r := range ids {
		if m, err := a.Store.Mention(ctx, r.MentionID); err == nil && strings.HasPrefix(m.ExternalID, "m-") {
			n++
		}
	}
	if n != batches*per {
		t.Fatalf("stored %d of %d mentions", n, batches*per)
	}
}
