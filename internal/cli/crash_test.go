package cli

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/earshothq/earshot/internal/testkit"
)

// TestMain lets a test run this binary as `earshot ARGS...` in a child
// process, so a real process can be killed with SIGKILL mid-work.
func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv("EARSHOT_TEST_CHILD_ARGS"); ok {
		os.Exit(Main(context.Background(), IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}, strings.Split(args, "\x1f")))
	}
	os.Exit(m.Run())
}

func child(t *testing.T, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, "EARSHOT_TEST_CHILD_ARGS="+strings.Join(args, "\x1f"))...)
	return cmd
}

// counts is what "exactly once" is checked on.
type counts struct {
	Mentions, Cases, CaseMentions, Events int
	CardJobs, DistinctCardJobs            int
	CasesWithoutCardJob                   int
}

func readCounts(t *testing.T, dbPath string) counts {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var c counts
	for _, q := range []struct {
		dst *int
		sql string
	}{
		{&c.Mentions, `SELECT count(*) FROM mentions`},
		{&c.Cases, `SELECT count(*) FROM cases`},
		{&c.CaseMentions, `SELECT count(*) FROM case_mentions`},
		{&c.Events, `SELECT count(*) FROM events`},
		{&c.CardJobs, `SELECT count(*) FROM river_job WHERE json_extract(args, '$.kind') = 'card'`},
		{&c.DistinctCardJobs, `SELECT count(*) FROM (SELECT DISTINCT json_extract(args, '$.case_id'), json_extract(args, '$.surface'), json_extract(args, '$.rev') FROM river_job WHERE json_extract(args, '$.kind') = 'card')`},
		{&c.CasesWithoutCardJob, `SELECT count(*) FROM cases WHERE id NOT IN (SELECT json_extract(args, '$.case_id') FROM river_job WHERE json_extract(args, '$.kind') = 'card')`},
	} {
		if err := db.QueryRow(q.sql).Scan(q.dst); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	return c
}

func countMentions(dbPath string) int {
	db, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro&_pragma=busy_timeout(1000)")
	if err != nil {
		return 0
	}
	defer db.Close()
	var n int
	_ = db.QueryRow(`SELECT count(*) FROM mentions`).Scan(&n)
	return n
}

// TestKill9MidReplayStoresEverythingOnce kills a replay with SIGKILL halfway,
// replays the same file again, and compares every table with a replay that
// was never interrupted: each mention stored once, no case doubled, no card
// job lost or doubled.
func TestKill9MidReplayStoresEverythingOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes; skipped in -short")
	}
	dir := t.TempDir()
	const n = 20000
	file := filepath.Join(dir, "mentions.jsonl")
	if err := os.WriteFile(file, testkit.GenerateJSONL(n, 7), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(dbPath string) *exec.Cmd {
		return child(t, []string{"EARSHOT_DATABASE_URL=" + dbPath, "EARSHOT_LOG_LEVEL=error"}, "replay", "--out", os.DevNull, file)
	}

	crashed := filepath.Join(dir, "crashed.db")
	cmd := run(crashed)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for countMentions(crashed) < n/4 {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the replay never got a quarter of the way")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	mid := countMentions(crashed)
	t.Logf("killed after %d of %d mentions were stored", mid, n)
	if mid >= n {
		t.Skip("the replay finished before it could be killed; nothing to check")
	}
	if out, err := run(crashed).CombinedOutput(); err != nil {
		t.Fatalf("replay after the crash: %v\n%s", err, out)
	}

	clean := filepath.Join(dir, "clean.db")
	if out, err := run(clean).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted replay: %v\n%s", err, out)
	}

	got, want := readCounts(t, crashed), readCounts(t, clean)
	if got != want {
		t.Fatalf("after kill -9 and a second replay:\n got %+v\nwant %+v (uninterrupted)", got, want)
	}
	if got.Mentions != n || got.CardJobs != got.DistinctCardJobs || got.CasesWithoutCardJob != 0 {
		t.Fatalf("counts %+v: want %d mentions, no doubled card job, none missing", got, n)
	}
}
