package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRulesTestText(t *testing.T) {
	code, out, errs := runMain(t, "", map[string]string{"EARSHOT_RULES": ""}, "rules", "test", "--followers", "52000",
		"@lumio you charged me twice for Lumio+ and I want a refund")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"labels:", "sentiment negative", "routes:", "lumio", "billing", `"refund*"`, "teams:    billing"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	code, out, _ = runMain(t, "", nil, "rules", "test", "We're hiring at Lumio! Apply now")
	if code != 0 || !strings.Contains(out, `excluded: term "we're hiring"`) {
		t.Errorf("exit %d, exclusion not shown:\n%s", code, out)
	}
	code, out, _ = runMain(t, "", nil, "rules", "test", "nothing about any brand")
	if code != 0 || !strings.Contains(out, "no match") {
		t.Errorf("exit %d, no-match not shown:\n%s", code, out)
	}

	code, out, errs = runMain(t, "", nil, "rules", "test", "--json", "--platform", "reddit", "my lumio lamp caught fire")
	if code != 0 {
		t.Fatalf("json: exit %d: %s", code, errs)
	}
	var got struct {
		Teams  []string `json:"teams"`
		Routes []struct {
			Route   string   `json:"Route"`
			Because []string `json:"Because"`
		} `json:"routes"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("json output: %v\n%s", err, out)
	}
	if len(got.Teams) == 0 || got.Teams[0] != "safety" {
		t.Errorf("teams %v, want safety first", got.Teams)
	}
}

func TestRulesTestFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "m.jsonl")
	lines := []string{
		`{"platform":"bluesky","id":"1","author":{"handle":"a"},"text":"@lumio refund please, charged twice","created_at":"2026-01-01T00:00:00Z"}`,
		`{"platform":"bluesky","id":"2","author":{"handle":"b"},"text":"lumio app crashes on start","created_at":"2026-01-01T00:00:00Z"}`,
		`{"platform":"bluesky","id":"3","author":{"handle":"c"},"text":"we're hiring at lumio","created_at":"2026-01-01T00:00:00Z"}`,
		`{"platform":"bluesky","id":"4","author":{"handle":"d"},"text":"unrelated","created_at":"2026-01-01T00:00:00Z"}`,
		`not json`,
	}
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runMain(t, "", nil, "rules", "test", "--file", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"4 mentions: 2 routed, 1 unrouted, 1 excluded (1 bad lines skipped)", "billing", "product", `term "we're hiring"`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errs, "line 5") {
		t.Errorf("bad line not reported: %s", errs)
	}

	// A rules file given with --rules is used; a broken one is an error naming it.
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("teams: {care: {}}\nroute: {name: x, team: car}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs = runMain(t, "", nil, "rules", "test", "--rules", bad, "text")
	if code != 1 || !strings.Contains(errs, `bad.yaml:2: route "x": unknown team "car"`) {
		t.Errorf("exit %d: %s", code, errs)
	}
	if code, _, _ := runMain(t, "", nil, "rules"); code != 2 {
		t.Errorf("bare 'rules' exit %d, want 2", code)
	}
}
