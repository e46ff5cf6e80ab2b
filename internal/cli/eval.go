package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/classify"
	"github.com/earshothq/earshot/classify/eval"
	"github.com/earshothq/earshot/sources/replay"
	"github.com/earshothq/earshot/sources/wire"
)

// goldLabels is the "labels" object of a labelled mention. A field left
// empty is not scored for that mention.
type goldLabels struct {
	Sentiment string `json:"sentiment"`
	Intent    string `json:"intent"`
	Urgency   string `json:"urgency"`
}

// miss is one mention the classifier labelled differently from the gold.
type miss struct {
	Line int    `json:"line"`
	Text string `json:"text"`
	// Wrong maps each field that differs to [gold, predicted].
	Wrong map[string][2]string `json:"wrong"`
}

// evalReport is what `eval --json` prints.
type evalReport struct {
	File      string       `json:"file"`
	Mentions  int          `json:"mentions"` // labelled mentions scored
	Skipped   int          `json:"skipped"`  // mentions without labels
	Sentiment eval.Summary `json:"sentiment"`
	Intent    eval.Summary `json:"intent"`
	Urgency   eval.Summary `json:"urgency"`
	Misses    int          `json:"misses"` // mentions with any field wrong
	Examples  []miss       `json:"examples"`
}

// evalRun is one pass over a labelled file.
type evalRun struct {
	sentiment, intent, urgency *eval.Confusion
	mentions, skipped          int
	misses                     []miss
	missCount                  int
	keep                       int // how many misses to keep as examples
}

func evalCmd(_ context.Context, std IO, args []string) int {
	fs := newFlags(std, "eval", "[flags] FILE",
		"Scores the built-in classifier on a labelled JSONL file (FILE, or - for standard input): mentions in\n"+
			"the replay format, each with a \"labels\" object {sentiment, intent, urgency} holding the gold labels.\n"+
			"Prints accuracy, precision/recall/F1 per class, macro F1 and a confusion matrix (rows gold, columns\n"+
			"predicted) for each label, then examples the classifier got wrong. Mentions without labels are\n"+
			"skipped and counted; a line that is not a valid mention stops the run with its file and line.\n"+
			"Exits 1 when a --min-* threshold is not met, so CI can gate on it.")
	asJSON := fs.Bool("json", false, "print one JSON report instead of text")
	errorsN := fs.Int("errors", 20, "how many misclassified examples to list")
	minAcc := fs.Float64("min-sentiment-accuracy", 0, "fail (exit 1) below this sentiment accuracy, 0..1")
	minSafety := fs.Float64("min-safety-recall", 0, "fail (exit 1) below this recall of the safety intent, 0..1")
	minNegF1 := fs.Float64("min-negative-f1", 0, "fail (exit 1) below this F1 of the negative sentiment, 0..1")
	// Flags may come after FILE as well as before it.
	if code, done := parse(fs, args); done {
		return code
	}
	var name string
	if fs.NArg() > 0 {
		name = fs.Arg(0)
		if code, done := parse(fs, fs.Args()[1:]); done {
			return code
		}
	}
	if name == "" || fs.NArg() > 0 {
		fmt.Fprintln(std.Stderr, "earshot eval: exactly one FILE (or -) is required")
		fs.Usage()
		return 2
	}
	if *errorsN < 0 {
		fmt.Fprintf(std.Stderr, "earshot eval: --errors %d is negative\n", *errorsN)
		return 2
	}
	var in io.Reader = std.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(std.Stderr, "earshot eval: %v\n", err)
			return 1
		}
		defer f.Close()
		in = f
	}

	run := &evalRun{
		sentiment: eval.NewConfusion(classify.Positive, classify.Neutral, classify.Negative),
		intent:    eval.NewConfusion(classify.Intents()...),
		urgency:   eval.NewConfusion(classify.Low, classify.Normal, classify.High, classify.Critical),
		keep:      *errorsN,
	}
	if err := run.read(in, name, bot.NewBuiltinClassifier()); err != nil {
		fmt.Fprintf(std.Stderr, "earshot eval: %v\n", err)
		return 1
	}

	if *asJSON {
		enc := json.NewEncoder(std.Stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		examples := run.misses
		if examples == nil {
			examples = []miss{}
		}
		if err := enc.Encode(evalReport{
			File: name, Mentions: run.mentions, Skipped: run.skipped,
			Sentiment: run.sentiment.Summary(), Intent: run.intent.Summary(), Urgency: run.urgency.Summary(),
			Misses: run.missCount, Examples: examples,
		}); err != nil {
			fmt.Fprintf(std.Stderr, "earshot eval: %v\n", err)
			return 1
		}
	} else if err := run.writeText(std.Stdout, name); err != nil {
		fmt.Fprintf(std.Stderr, "earshot eval: %v\n", err)
		return 1
	}

	status := 0
	fail := func(format string, args ...any) {
		fmt.Fprintf(std.Stderr, "earshot eval: "+format+"\n", args...)
		status = 1
	}
	if *minAcc > 0 {
		if acc := run.sentiment.Accuracy(); run.sentiment.Total() == 0 || acc < *minAcc {
			fail("sentiment accuracy %.3f is below %.3f", acc, *minAcc)
		}
	}
	if *minNegF1 > 0 {
		if c := run.sentiment.Class(classify.Negative); c.Support == 0 || c.F1 < *minNegF1 {
			fail("negative F1 %.3f (%d gold) is below %.3f", c.F1, c.Support, *minNegF1)
		}
	}
	if *minSafety > 0 {
		// No gold safety mention measures nothing: a gate that passes on
		// it would pass on the wrong file.
		if c := run.intent.Class(classify.Safety); c.Support == 0 || c.Recall < *minSafety {
			fail("safety recall %.3f (%d gold) is below %.3f", c.Recall, c.Support, *minSafety)
		}
	}
	return status
}

// read scores every labelled line of in, which is named name in errors.
func (r *evalRun) read(in io.Reader, name string, c bot.Classifier) error {
	br := bufio.NewReaderSize(in, 64<<10)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("%s:%d: %w", name, n, err)
		}
		if n == 1 {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
		}
		if len(line) > replay.MaxLine {
			return fmt.Errorf("%s:%d: line longer than %d bytes", name, n, replay.MaxLine)
		}
		if len(bytes.TrimSpace(line)) > 0 {
			if lerr := r.line(line, n, c); lerr != nil {
				return fmt.Errorf("%s:%d: %w", name, n, lerr)
			}
		}
		if err != nil { // io.EOF
			return nil
		}
	}
}

func (r *evalRun) line(line []byte, n int, c bot.Classifier) error {
	m, err := wire.Decode(line)
	if err != nil {
		return err
	}
	// wire.Decode ignores fields it does not know, so the gold labels are
	// read from the same line on their own.
	var rec struct {
		Labels *goldLabels `json:"labels"`
	}
	if err := json.Unmarshal(line, &rec); err != nil {
		return fmt.Errorf("field \"labels\": %w", err)
	}
	if rec.Labels == nil {
		r.skipped++
		return nil
	}
	g := rec.Labels
	norm := func(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
	g.Sentiment, g.Intent, g.Urgency = norm(g.Sentiment), norm(g.Intent), norm(g.Urgency)
	if *g == (goldLabels{}) {
		r.skipped++
		return nil
	}
	r.mentions++
	got := c.Classify(m)
	wrong := map[string][2]string{}
	score := func(field string, conf *eval.Confusion, gold, pred string) {
		if gold == "" {
			return
		}
		conf.Add(gold, pred)
		if gold != pred {
			wrong[field] = [2]string{gold, pred}
		}
	}
	score("sentiment", r.sentiment, g.Sentiment, string(got.Sentiment))
	score("intent", r.intent, g.Intent, string(got.Intent))
	score("urgency", r.urgency, g.Urgency, string(got.Urgency))
	if len(wrong) > 0 {
		r.missCount++
		if len(r.misses) < r.keep {
			r.misses = append(r.misses, miss{Line: n, Text: m.Text, Wrong: wrong})
		}
	}
	return nil
}

func (r *evalRun) writeText(w io.Writer, name string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d labelled mentions scored, %d without labels skipped\n\n", name, r.mentions, r.skipped)
	for _, s := range []struct {
		name string
		c    *eval.Confusion
	}{{"sentiment", r.sentiment}, {"intent", r.intent}, {"urgency", r.urgency}} {
		if err := s.c.WriteText(&b, s.name); err != nil {
			return err
		}
		b.WriteByte('\n')
	}
	if s := r.intent.Class(classify.Safety); s.Support > 0 {
		fmt.Fprintf(&b, "safety recall %.3f (%d of %d)\n\n", s.Recall, r.intent.Count(classify.Safety, classify.Safety), s.Support)
	}
	if r.missCount > 0 && r.keep > 0 {
		fmt.Fprintf(&b, "misclassified: %d (first %d; field gold → predicted)\n", r.missCount, len(r.misses))
		for _, m := range r.misses {
			var parts []string
			for _, f := range []string{"sentiment", "intent", "urgency"} {
				if v, ok := m.Wrong[f]; ok {
					parts = append(parts, fmt.Sprintf("%s %s → %s", f, v[0], v[1]))
				}
			}
			fmt.Fprintf(&b, "  line %d: %s\n    %q\n", m.Line, strings.Join(parts, ", "), excerpt(m.Text, 120))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// excerpt puts text on one line and cuts it to n runes.
func excerpt(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	runes := []rune(text)
	return string(runes[:n-1]) + "…"
}
