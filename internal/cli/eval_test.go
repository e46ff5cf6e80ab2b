package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/classify/eval"
)

// labelled holds gold labels the classifier agrees with, except line 4,
// whose gold is deliberately wrong so there is a miss to report.
const labelled = `{"platform":"x","id":"1","text":"My Lumio lamp caught fire last night","labels":{"sentiment":"negative","intent":"safety","urgency":"critical"}}
{"platform":"x","id":"2","text":"I love my new lamp, thank you!","labels":{"sentiment":"positive","intent":"praise","urgency":"low"}}
{"platform":"x","id":"3","text":"how do I reset the hub?","labels":{"sentiment":"neutral","intent":"question"}}
{"platform":"x","id":"4","text":"the app keeps crashing","labels":{"sentiment":"Positive","intent":"bug","urgency":"normal"}}
{"platform":"x","id":"5","text":"no labels here"}

{"platform":"x","id":"6","text":"also no labels","labels":{}}
`

func writeFile(t *testing.T, name, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEvalText(t *testing.T) {
	file := writeFile(t, "labelled.jsonl", labelled)
	code, out, errs := runMain(t, "", nil, "eval", file)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"4 labelled mentions scored, 2 without labels skipped",
		"sentiment: accuracy 0.750 (3/4)",
		"intent: accuracy 1.000 (4/4)",
		"urgency: accuracy 1.000 (3/3)", // line 3 has no gold urgency
		"confusion (rows gold, columns predicted)",
		"safety recall 1.000 (1 of 1)",
		"misclassified: 1",
		"line 4: sentiment positive → negative",
		`"the app keeps crashing"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestEvalJSON(t *testing.T) {
	file := writeFile(t, "labelled.jsonl", labelled)
	// Flags after FILE count as well as before it.
	code, out, errs := runMain(t, "", nil, "eval", file, "--json", "--errors", "0")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r evalReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if r.Mentions != 4 || r.Skipped != 2 || r.Misses != 1 || len(r.Examples) != 0 {
		t.Errorf("mentions %d, skipped %d, misses %d, examples %d", r.Mentions, r.Skipped, r.Misses, len(r.Examples))
	}
	if r.Sentiment.N != 4 || r.Sentiment.Correct != 3 || r.Intent.Accuracy != 1 {
		t.Errorf("sentiment %+v, intent accuracy %v", r.Sentiment, r.Intent.Accuracy)
	}
}

func TestEvalGates(t *testing.T) {
	file := writeFile(t, "labelled.jsonl", labelled)
	noSafety := writeFile(t, "nosafety.jsonl", strings.SplitN(labelled, "\n", 3)[1]+"\n")
	bad := writeFile(t, "bad.jsonl", strings.Replace(labelled, `"id":"3",`, "", 1))
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"accuracy met", []string{file, "--min-sentiment-accuracy", "0.75"}, 0, ""},
		{"accuracy missed", []string{file, "--min-sentiment-accuracy", "0.8"}, 1, "sentiment accuracy 0.750 is below 0.800"},
		{"negative f1 missed", []string{file, "--min-negative-f1", "0.9"}, 1, "negative F1 0.667 (1 gold) is below 0.900"},
		{"safety recall met", []string{file, "--min-safety-recall", "1"}, 0, ""},
		{"no safety to measure", []string{noSafety, "--min-safety-recall", "1"}, 1, "safety recall 0.000 (0 gold)"},
		{"bad line names file and line", []string{bad}, 1, `bad.jsonl:3: field "id": missing`},
		{"missing file", []string{filepath.Join(t.TempDir(), "nope.jsonl")}, 1, "nope.jsonl"},
		{"no file", nil, 2, "exactly one FILE"},
		{"two files", []string{file, file}, 2, "exactly one FILE"},
		{"negative errors", []string{"--errors", "-1", file}, 2, "negative"},
		{"help", []string{"--help"}, 0, "Usage: earshot eval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runMain(t, "", nil, append([]string{"eval"}, tt.args...)...)
			if code != tt.code || !strings.Contains(errs, tt.want) {
				t.Fatalf("exit %d (want %d), stderr %q, want it to contain %q\n%s", code, tt.code, errs, tt.want, out)
			}
		})
	}
}

func TestEvalStdin(t *testing.T) {
	code, out, errs := runMain(t, labelled, nil, "eval", "-")
	if code != 0 || !strings.Contains(out, "-: 4 labelled mentions scored") {
		t.Fatalf("exit %d: %s\n%s", code, errs, out)
	}
}

func FuzzEvalRead(f *testing.F) {
	f.Add(labelled)
	f.Add("\xef\xbb\xbf" + strings.SplitN(labelled, "\n", 2)[0])
	f.Add(`{"platform":"x","id":"1","text":"a","labels":"positive"}`)
	f.Add(`{"platform":"x","id":"1","text":"a","labels":{"sentiment":7}}` + "\n\n\n")
	f.Add("{}\n[]\nnull")
	c := bot.NewBuiltinClassifier()
	f.Fuzz(func(t *testing.T, data string) {
		run := &evalRun{
			sentiment: eval.NewConfusion(), intent: eval.NewConfusion(), urgency: eval.NewConfusion(), keep: 3,
		}
		err := run.read(strings.NewReader(data), "f.jsonl", c)
		if err != nil && !strings.HasPrefix(err.Error(), "f.jsonl:") {
			t.Fatalf("error %q does not name the file and line", err)
		}
		lines := strings.Count(data, "\n") + 1
		if run.mentions+run.skipped > lines || len(run.misses) > 3 || run.missCount > run.mentions {
			t.Fatalf("%d mentions, %d skipped, %d misses (%d kept) from %d lines", run.mentions, run.skipped, run.missCount, len(run.misses), lines)
		}
		for _, c := range []*eval.Confusion{run.sentiment, run.intent, run.urgency} {
			if c.Total() > run.mentions {
				t.Fatalf("%d scored of %d mentions", c.Total(), run.mentions)
			}
		}
	})
}
