package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/app"
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/sources/replay"
)

// decision is one line of `replay` output.
type decision struct {
	Platform    string     `json:"platform"`
	ID          string     `json:"id"`
	Team        *string    `json:"team"`
	Teams       []string   `json:"teams"`
	Rules       []string   `json:"rules"`
	Excluded    string     `json:"excluded,omitempty"`
	Labels      labelsJSON `json:"labels"`
	Suggestions []string   `json:"suggestions"`
	// Outcome and Cases are set by a real (not dry) replay.
	Outcome string  `json:"outcome,omitempty"`
	Cases   []int64 `json:"cases,omitempty"`
}

type labelsJSON struct {
	Sentiment bot.Sentiment `json:"sentiment"`
	Intent    bot.Intent    `json:"intent"`
	Urgency   bot.Urgency   `json:"urgency"`
	Score     float64       `json:"score"`
}

func newDecision(in bot.Incoming) decision {
	d := decision{
		Platform: in.Mention.Platform, ID: in.Mention.ExternalID,
		Teams: nonNil(in.Teams), Rules: nonNil(in.Rules), Excluded: in.Excluded,
		Labels:      labelsJSON{in.Labels.Sentiment, in.Labels.Intent, in.Labels.Urgency, in.Labels.Score},
		Suggestions: []string{},
	}
	if len(in.Teams) > 0 {
		d.Team = &in.Teams[0]
	}
	return d
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func replayCmd(ctx context.Context, std IO, args []string) int {
	fs := newFlags(std, "replay", "[--dry-run] [--out FILE] FILE",
		"Reads a JSONL file of mentions (FILE, or - for standard input).\n"+
			"--dry-run prints one JSON decision per mention (platform, id, team, rules, labels, suggestions) and stores nothing.\n"+
			"Without it, the mentions go into the store (EARSHOT_DATABASE_URL) exactly once each; their cards are shown by 'earshot run'.\n"+
			"Bad lines are reported with their line number and skipped.")
	dry := fs.Bool("dry-run", false, "print decisions, store nothing")
	out := fs.String("out", "", "write decisions to this file instead of standard output")
	if code, done := parse(fs, args); done {
		return code
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(std.Stderr, "earshot replay: exactly one FILE (or -) is required")
		fs.Usage()
		return 2
	}
	var in io.Reader = std.Stdin
	if name := fs.Arg(0); name != "-" {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(std.Stderr, "earshot replay: %v\n", err)
			return 1
		}
		defer f.Close()
		in = f
	}
	var w io.Writer = std.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintf(std.Stderr, "earshot replay: %v\n", err)
			return 1
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	prog := newProgress(std.Stderr, "replay")
	var (
		stats replay.Stats
		err   error
	)
	if *dry {
		stats, err = dryRun(std, in, bw, prog)
	} else {
		stats, err = storeRun(ctx, std, in, bw, prog)
	}
	prog.done(stats.Lines, stats.Bad)
	if ferr := bw.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("write decisions: %w", ferr)
	}
	fmt.Fprintf(std.Stderr, "%d lines, %d mentions, %d bad lines skipped\n", stats.Lines, stats.Mentions, stats.Bad)
	if err != nil {
		fmt.Fprintf(std.Stderr, "earshot replay: %v\n", err)
		return 1
	}
	return 0
}

func reportBad(std IO, prog *progress) func(int, error) {
	return func(line int, err error) {
		prog.clear()
		fmt.Fprintf(std.Stderr, "line %d: %v (skipped)\n", line, err)
	}
}

func dryRun(std IO, in io.Reader, w io.Writer, prog *progress) (replay.Stats, error) {
	rules, err := app.LoadRules(std.Getenv("EARSHOT_RULES"))
	if err != nil {
		return replay.Stats{}, err
	}
	dec := bot.Decider{Rules: rules, Classifier: bot.NewBuiltinClassifier()}
	sugg, err := bot.NewBuiltinSuggester(func() routing.Brand { return rules.Brand })
	if err != nil {
		return replay.Stats{}, err
	}
	sugg.FAQ = bot.RulesFAQ(func() *routing.Rules { return rules })
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	stats, err := replay.Scan(in, func(line int, m bot.Mention) error {
		if m.CreatedAt.IsZero() {
			m.CreatedAt = time.Now()
		}
		inc := dec.Decide(m)
		d := newDecision(inc)
		if len(inc.Teams) > 0 {
			c := bot.Case{Team: inc.Teams[0], Platform: m.Platform, Labels: inc.Labels, Customer: m.Author, Mentions: 1, Rules: inc.Rules}
			team, _ := rules.Team(c.Team)
			ss, err := sugg.Suggest(context.Background(), c, team, []bot.Mention{m})
			if err != nil {
				return fmt.Errorf("line %d: %w", line, err)
			}
			for _, s := range ss {
				d.Suggestions = append(d.Suggestions, s.Text)
			}
		}
		prog.tick(line)
		return enc.Encode(d)
	}, reportBad(std, prog))
	return stats, err
}

func storeRun(ctx context.Context, std IO, in io.Reader, w io.Writer, prog *progress) (replay.Stats, error) {
	cfg, err := loadConfig(std)
	if err != nil {
		return replay.Stats{}, err
	}
	cfg.Sample, cfg.Replay = "false", ""
	a, err := app.New(ctx, cfg, app.Options{Logger: logger(std.Stderr, cfg)})
	if err != nil {
		return replay.Stats{}, err
	}
	defer a.Store.Close()
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	var batch []bot.Mention
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		res, err := a.Bot.IngestBatch(ctx, batch)
		if err != nil {
			return err
		}
		for i, r := range res {
			d := newDecision(a.Bot.Decide(batch[i]))
			d.Outcome = string(r.Outcome)
			for _, t := range r.Cases {
				d.Cases = append(d.Cases, t.Case.ID)
			}
			if err := enc.Encode(d); err != nil {
				return err
			}
		}
		batch = batch[:0]
		return nil
	}
	stats, err := replay.Scan(in, func(line int, m bot.Mention) error {
		batch = append(batch, m)
		prog.tick(line)
		if len(batch) >= 500 {
			return flush()
		}
		return nil
	}, reportBad(std, prog))
	if err != nil {
		return stats, err
	}
	return stats, flush()
}
