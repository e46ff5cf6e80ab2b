package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/earshothq/earshot/internal/testkit"
)

func runMain(t *testing.T, stdin string, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	var out, errb bytes.Buffer
	getenv := func(k string) string { return os.Getenv(k) }
	code := Main(context.Background(), IO{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: getenv}, args)
	return code, out.String(), errb.String()
}

func TestDryRunPrintsOneDecisionPerMention(t *testing.T) {
	const n = 10000
	file := filepath.Join(t.TempDir(), "m.jsonl")
	if err := os.WriteFile(file, testkit.GenerateJSONL(n, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(t.TempDir(), "never.db")
	code, out, errs := runMain(t, "", map[string]string{"EARSHOT_DATABASE_URL": dbPath}, "replay", "--dry-run", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	lines, routed, withDrafts := 0, 0, 0
	for sc.Scan() {
		lines++
		var d map[string]any
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatalf("line %d: %v", lines, err)
		}
		for _, k := range []string{"platform", "id", "team", "rules", "labels", "suggestions"} {
			if _, ok := d[k]; !ok {
				t.Fatalf("line %d lacks %q: %s", lines, k, sc.Text())
			}
		}
		labels := d["labels"].(map[string]any)
		if s := labels["sentiment"]; s != "positive" && s != "neutral" && s != "negative" {
			t.Fatalf("line %d: sentiment %v", lines, s)
		}
		if d["team"] != nil {
			routed++
			if len(d["suggestions"].([]any)) > 0 {
				withDrafts++
			}
		}
	}
	if lines != n {
		t.Fatalf("%d decisions, want %d", lines, n)
	}
	if routed == 0 || routed == n || withDrafts == 0 {
		t.Fatalf("routed %d of %d, %d with drafts: the corpus has both noise and brand mentions", routed, n, withDrafts)
	}
	if _, err := os.Stat(dbPath); !os.IsNotExist(err) {
		t.Fatal("a dry run created the database")
	}
}

func TestReplayReportsBadLines(t *testing.T) {
	in := `{"platform":"x","id":"1","text":"Lumio lamp is great"}
not json
{"platform":"x","text":"no id"}

{"platform":"x","id":"2","text":"Lumio app crashed"}
`
	out := filepath.Join(t.TempDir(), "decisions.jsonl")
	code, _, errs := runMain(t, in, nil, "replay", "--dry-run", "--out", out, "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"line 2:", "line 3:", `"id"`, "2 bad lines skipped"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(string(data), "\n"); got != 2 {
		t.Fatalf("%d decisions in --out, want 2", got)
	}
}

func TestReplayStoresOnce(t *testing.T) {
	file := filepath.Join(t.TempDir(), "m.jsonl")
	if err := os.WriteFile(file, testkit.GenerateJSONL(300, 2), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"EARSHOT_DATABASE_URL": filepath.Join(t.TempDir(), "e.db"), "EARSHOT_LOG_LEVEL": "error"}
	code, first, errs := runMain(t, "", env, "replay", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	code, second, errs := runMain(t, "", env, "replay", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if strings.Contains(first, `"outcome":"duplicate"`) {
		t.Fatal("first replay saw duplicates")
	}
	if got := strings.Count(second, `"outcome":"duplicate"`); got != 300 {
		t.Fatalf("second replay: %d duplicates, want 300", got)
	}
}

func TestCheckConfig(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "earshot.yaml")
	os.WriteFile(good, []byte("teams:\n  care: {}\nroute:\n  team: care\n"), 0o644)
	os.WriteFile(bad, []byte("teams:\n  care: {}\nroute:\n  team: care\n  routes:\n    - name: billing\n      any: [refund]\n      team: suport\n"), 0o644)
	tests := []struct {
		name string
		args []string
		env  map[string]string
		code int
		want string
	}{
		{"embedded example", []string{"check-config"}, nil, 0, "embedded example rules: ok"},
		{"good file", []string{"check-config", good}, nil, 0, "good.yaml: ok"},
		{"bad file", []string{"check-config", bad}, nil, 1, `earshot.yaml:8: route "billing": unknown team "suport"`},
		{"rules from env", []string{"check-config"}, map[string]string{"EARSHOT_RULES": bad}, 1, "unknown team"},
		{"missing file", []string{"check-config", filepath.Join(dir, "nope.yaml")}, nil, 1, "nope.yaml"},
		{"bad environment", []string{"check-config"}, map[string]string{"EARSHOT_HTTP_ADDR": "0.0.0.0:80"}, 1, "EARSHOT_WEB_TOKEN is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("EARSHOT_RULES", "")
			code, out, errs := runMain(t, "", tt.env, tt.args...)
			if code != tt.code || !strings.Contains(out+errs, tt.want) {
				t.Fatalf("exit %d (want %d), output:\n%s%s\nwant it to contain %q", code, tt.code, out, errs, tt.want)
			}
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--help"}, 0, "Commands:"},
		{[]string{"help"}, 0, "EARSHOT_DATABASE_URL"},
		{[]string{"version"}, 0, "earshot "},
		{[]string{"replay", "--help"}, 0, "--dry-run"},
		{[]string{"check-config", "-h"}, 0, "Usage: earshot check-config"},
		{[]string{"run", "--help"}, 0, "Usage: earshot run"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"replay"}, 2, "exactly one FILE"},
		{[]string{"replay", "--nope", "x"}, 2, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errs := runMain(t, "", nil, tt.args...)
			if code != tt.code || !strings.Contains(out+errs, tt.want) {
				t.Fatalf("exit %d (want %d), output:\n%s%s", code, tt.code, out, errs)
			}
		})
	}
}
