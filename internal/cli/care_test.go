package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/store"
)

func writeTemp(t *testing.T, name, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCoupons(t *testing.T) {
	env := map[string]string{"EARSHOT_DATABASE_URL": filepath.Join(t.TempDir(), "e.db")}
	codes := writeTemp(t, "codes.txt", "\uFEFF# sorry-10, November\nSORRY-A1\n\nSORRY-A2\nSORRY-A1\n  SORRY-A3  \n")
	code, out, errs := runMain(t, "", env, "coupons", "add", "sorry-10", codes)
	if code != 0 || !strings.Contains(out, "sorry-10: 3 codes loaded, 1 duplicates skipped") || !strings.Contains(errs, `codes.txt:5: "SORRY-A1" repeats line 2`) {
		t.Fatalf("add: %d\n%s\n%s", code, out, errs)
	}
	// Again, with one new code: the stored ones are reported, the new one loaded.
	more := writeTemp(t, "more.txt", "SORRY-A3\nSORRY-A4\n")
	code, out, errs = runMain(t, "", env, "coupons", "add", "vip", more)
	if code != 0 || !strings.Contains(out, "vip: 1 codes loaded, 1 duplicates skipped") || !strings.Contains(errs, `already stored: "SORRY-A3" (pool sorry-10)`) {
		t.Fatalf("add again: %d\n%s\n%s", code, out, errs)
	}
	// A bad line loads nothing.
	bad := writeTemp(t, "bad.txt", "GOOD-1\nTWO WORDS\n")
	code, _, errs = runMain(t, "", env, "coupons", "add", "sorry-10", bad)
	if code != 1 || !strings.Contains(errs, `bad.txt:2: "TWO WORDS": a code is one word`) || !strings.Contains(errs, "nothing was loaded") {
		t.Fatalf("bad file: %d %s", code, errs)
	}
	code, _, errs = runMain(t, "", env, "coupons", "add", "Sorry 10", codes)
	if code != 2 || !strings.Contains(errs, "is not a pool name") {
		t.Fatalf("bad pool: %d %s", code, errs)
	}
	code, out, _ = runMain(t, "CODE-FROM-STDIN\n", env, "coupons", "add", "vip", "-")
	if code != 0 || !strings.Contains(out, "vip: 1 codes loaded") {
		t.Fatalf("stdin: %d %s", code, out)
	}
	code, out, _ = runMain(t, "", env, "coupons", "list")
	if code != 0 || !strings.Contains(out, "sorry-10") || !strings.Contains(out, "       3        0        3") || !strings.Contains(out, "vip") {
		t.Fatalf("list: %d\n%s", code, out)
	}
	code, out, _ = runMain(t, "", env, "coupons", "list", "--json")
	var pools []store.CouponPool
	if err := json.Unmarshal([]byte(out), &pools); code != 0 || err != nil || len(pools) != 2 || pools[1].Total != 2 {
		t.Fatalf("list --json: %d %s %v", code, out, err)
	}
	if code, _, _ := runMain(t, "", env, "coupons"); code != 2 {
		t.Fatalf("no subcommand: %d", code)
	}
}

func TestDismissals(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "e.db")
	ctx := context.Background()
	db, err := store.Open(ctx, dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, who := range []string{"dealsbot", "dealsbot", "maya"} {
		m := bot.Mention{Platform: "x", ExternalID: string(rune('a' + i)), Author: bot.Author{Handle: who}, CreatedAt: time.Now(),
			Text: map[bool]string{true: "Lumio #giveaway retweet to win", false: "my lumio lamp flickers"}[who == "dealsbot"]}
		res, err := db.Ingest(ctx, []bot.Incoming{{Mention: m, Teams: []string{"care"}, Rules: []string{"brand"}}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		c := res[0].Cases[0].Case
		if who != "dealsbot" {
			continue
		}
		a, _, err := db.ClaimAction(ctx, bot.Action{CaseID: c.ID, Kind: bot.ActDismiss, Actor: "web:sam", Key: m.ExternalID, Reason: bot.ReasonSpam}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateCase(ctx, c.ID, func(cc *bot.Case) (bot.CaseChange, error) {
			cc.State = bot.StateDismissed
			return bot.CaseChange{Finish: &bot.ActionOutcome{ActionID: a.ID, Status: bot.ActionDone}}, nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	env := map[string]string{"EARSHOT_DATABASE_URL": dbPath, "EARSHOT_RULES": ""}
	code, out, errs := runMain(t, "", env, "dismissals", "--since", "1d")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"3 cases, 2 dismissed (spam 2)", "care/brand", "* dealsbot", `authors: ["dealsbot"]`, `terms: ["#giveaway"]`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runMain(t, "", env, "dismissals", "--json")
	var rep struct{ Dismissed int }
	if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil || rep.Dismissed != 2 {
		t.Fatalf("--json: %d %s", code, out)
	}
	if code, _, errs := runMain(t, "", env, "dismissals", "--since", "forever"); code != 2 || !strings.Contains(errs, "since") {
		t.Fatalf("bad since: %d %s", code, errs)
	}
}

// FuzzReadCodes: any file reads or fails with its line; what reads is
// unique codes of one printable word each.
func FuzzReadCodes(f *testing.F) {
	for _, s := range []string{"\uFEFF# pool\nSORRY-A1\n\nSORRY-A2\nSORRY-A1\n", "A B\n", strings.Repeat("x", 65), "\x00\n", "ok\r\nok2\r\n", "#only a comment"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		codes, _, err := readCodes("f", strings.NewReader(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f:") {
				t.Fatalf("error %q does not name the line", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, c := range codes {
			if c == "" || len(c) > maxCode || strings.ContainsAny(c, " \t\r\n") || seen[c] {
				t.Fatalf("code %q from %q", c, data)
			}
			seen[c] = true
		}
	})
}
