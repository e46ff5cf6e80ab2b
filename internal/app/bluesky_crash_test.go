package app_test

import (
	"bufio"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/earshothq/earshot/internal/app"
	"github.com/earshothq/earshot/internal/testkit/blueskyfake"
	"github.com/earshothq/earshot/store"
)

// TestBlueskyCrashChild is the earshot TestBlueskyKillDuringStream kills:
// it watches the parent's fake Jetstream until it is killed.
func TestBlueskyCrashChild(t *testing.T) {
	path := os.Getenv("EARSHOT_BSKY_CRASH_DB")
	if path == "" {
		return // only ever run as the child of the crash test
	}
	cfg := blueskyConfig(os.Getenv("EARSHOT_BSKY_CRASH_JETSTREAM"), os.Getenv("EARSHOT_BSKY_CRASH_XRPC"), path)
	serve(t, cfg, app.Options{})
	fmt.Println("serving")
	select {}
}

// earshot is killed (SIGKILL) in the middle of a stream of posts about the
// brand, more are posted while it is down, and it is started again: every
// post is stored once, and each opened its cases once.
func TestBlueskyKillDuringStream(t *testing.T) {
	if testing.Short() {
		t.Skip("starts earshot twice in subprocesses")
	}
	f := newBlueskyFake(t)
	path := filepath.Join(t.TempDir(), "earshot.db")
	// The schema exists before the child starts, so the parent can read.
	db, err := store.Open(t.Context(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	ro, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	count := func() int {
		var n int
		if err := ro.QueryRow(`SELECT count(*) FROM mentions WHERE platform = 'bluesky'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	startChild := func() *exec.Cmd {
		t.Helper()
		child := exec.Command(os.Args[0], "-test.run=^TestBlueskyCrashChild$", "-test.count=1")
		child.Env = append(os.Environ(), "EARSHOT_BSKY_CRASH_DB="+path,
			"EARSHOT_BSKY_CRASH_JETSTREAM="+f.JetstreamURL(), "EARSHOT_BSKY_CRASH_XRPC="+f.URL())
		out, err := child.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		child.Stderr = os.Stderr
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil || strings.TrimSpace(line) != "serving" {
			t.Fatalf("child said %q (%v)", line, err)
		}
		return child
	}

	const n = 300
	var published atomic.Int64
	publish := func(from, to int) {
		for i := from; i < to; i++ {
			for j := range 5 {
				_, _, _ = f.Post(fmt.Sprintf("did:plc:noise%d", j), "what a lovely day", blueskyfake.PostOptions{Ephemeral: true})
			}
			if _, _, err := f.Post(bskyCustomer.DID, fmt.Sprintf("The Lumio app crashes on startup, attempt %d", i), blueskyfake.PostOptions{}); err != nil {
				t.Error(err)
				return
			}
			published.Add(1)
			time.Sleep(2 * time.Millisecond)
		}
	}

	child := startChild()
	waitSubscribed(t, f.Host(0))
	done := make(chan struct{})
	go func() { defer close(done); publish(0, n) }()
	eventually(t, "some posts stored", func() bool { return count() >= n/4 })
	if err := child.Process.Kill(); err != nil { // SIGKILL: no flush, no cursor saved at exit
		t.Fatal(err)
	}
	_ = child.Wait()
	killedAt := count()
	<-done
	if killedAt >= n {
		t.Fatalf("all %d posts were stored before the kill; the test proves nothing", n)
	}
	startChild()
	eventually(t, "every post stored", func() bool { return count() >= n })
	time.Sleep(300 * time.Millisecond) // would a double follow?
	if got := count(); got != n {
		t.Fatalf("%d posts stored, want %d", got, n)
	}
	var doubled int
	if err := ro.QueryRow(`SELECT count(*) FROM (SELECT first_mention_id, team FROM cases GROUP BY 1, 2 HAVING count(*) > 1)`).Scan(&doubled); err != nil {
		t.Fatal(err)
	}
	var uncased int
	if err := ro.QueryRow(`SELECT count(*) FROM mentions m WHERE platform = 'bluesky' AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.first_mention_id = m.id)`).Scan(&uncased); err != nil {
		t.Fatal(err)
	}
	if doubled != 0 || uncased != 0 {
		t.Fatalf("%d posts opened a case twice, %d opened none", doubled, uncased)
	}
	t.Logf("killed with %d of %d stored; after the restart all %d, each once", killedAt, n, n)
}
