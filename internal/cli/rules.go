package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/app"
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/sources/replay"
)

func rulesCmd(ctx context.Context, std IO, args []string) int {
	if len(args) == 0 || args[0] != "test" {
		fmt.Fprintln(std.Stderr, "Usage: earshot rules test [flags] \"TEXT\" | --file FILE.jsonl")
		fmt.Fprintln(std.Stderr, "\nRun 'earshot rules test --help' for the flags.")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return 0
		}
		return 2
	}
	return rulesTestCmd(ctx, std, args[1:])
}

// rulesTestCmd shows what the rules do with one text, or with a file of
// mentions: a dry run of a rules change against real history.
func rulesTestCmd(_ context.Context, std IO, args []string) int {
	fs := newFlags(std, "rules test", `[flags] "TEXT" | --file FILE.jsonl`,
		"Shows which routes match a text and why (the terms seen, the filters that held), the labels the\n"+
			"classifier gives it and the team it goes to. With --file, runs every mention of a JSONL file\n"+
			"(the replay format; - for standard input) and prints counts per team, per route and per exclusion.\n"+
			"The rules are --rules FILE, else EARSHOT_RULES, else the embedded example.")
	rulesPath := fs.String("rules", "", "rules file (default: EARSHOT_RULES, else the embedded example)")
	file := fs.String("file", "", "a JSONL file of mentions to count, instead of one TEXT")
	platform := fs.String("platform", "bluesky", "platform of the TEXT")
	followers := fs.Int("followers", 0, "the author's follower count")
	lang := fs.String("lang", "en", "language of the TEXT")
	author := fs.String("author", "someone", "the author's handle")
	reply := fs.Bool("reply", false, "the TEXT answers another post")
	asJSON := fs.Bool("json", false, "print JSON")
	if code, done := parse(fs, args); done {
		return code
	}
	path := *rulesPath
	if path == "" {
		path = std.Getenv("EARSHOT_RULES")
	}
	rules, err := app.LoadRules(path)
	if err != nil {
		fmt.Fprintln(std.Stderr, err)
		return 1
	}
	cls := bot.NewBuiltinClassifier()
	if *file != "" {
		if fs.NArg() != 0 {
			fmt.Fprintln(std.Stderr, "earshot rules test: give a TEXT or --file, not both")
			return 2
		}
		return rulesTestFile(std, rules, cls, *file, *asJSON)
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(std.Stderr, `earshot rules test: one TEXT (quote it) or --file FILE is required`)
		fs.Usage()
		return 2
	}
	m := bot.Mention{
		Platform: strings.ToLower(*platform), ExternalID: "test", Text: fs.Arg(0), Lang: *lang,
		Author: bot.Author{Handle: *author, Followers: *followers}, CreatedAt: time.Now(),
	}
	if *reply {
		m.InReplyTo = "parent"
	}
	labels := cls.Classify(m)
	dec, why := rules.Explain(bot.RoutingInput(m, labels))
	if *asJSON {
		enc := json.NewEncoder(std.Stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		_ = enc.Encode(map[string]any{
			"labels": labels, "teams": nonNil(dec.Teams), "excluded": dec.Excluded, "routes": why,
		})
		return 0
	}
	w := std.Stdout
	fmt.Fprintf(w, "labels:   sentiment %s, intent %s, urgency %s", labels.Sentiment, labels.Intent, labels.Urgency)
	if labels.Product != "" {
		fmt.Fprintf(w, ", product %q", labels.Product)
	}
	if labels.Problem != "" {
		fmt.Fprintf(w, ", problem %q", labels.Problem)
	}
	fmt.Fprintln(w)
	switch {
	case dec.Excluded != "":
		fmt.Fprintf(w, "excluded: %s (global exclusion; no route is tried)\n", dec.Excluded)
	case len(why) == 0:
		fmt.Fprintf(w, "no match: the root route %q does not match, so nothing is routed\n", rules.Root.Name)
	default:
		fmt.Fprintln(w, "routes:")
		for _, r := range why {
			because := strings.Join(r.Because, ", ")
			if because == "" {
				because = "matches everything"
			}
			fmt.Fprintf(w, "  %-20s line %-4d team %-10s because %s\n", r.Route, r.Line, r.Team, because)
		}
		fmt.Fprintf(w, "teams:    %s\n", strings.Join(dec.Teams, ", "))
	}
	return 0
}

// fileCounts is the summary of a rules test over a file.
type fileCounts struct {
	Mentions int            `json:"mentions"`
	Bad      int            `json:"bad_lines"`
	Routed   int            `json:"routed"`
	Unrouted int            `json:"unrouted"`
	Excluded map[string]int `json:"excluded"`
	Teams    map[string]int `json:"teams"`
	Routes   map[string]int `json:"routes"`
	Intents  map[string]int `json:"intents"`
}

func rulesTestFile(std IO, rules *routing.Rules, cls bot.Classifier, name string, asJSON bool) int {
	var in io.Reader = std.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(std.Stderr, "earshot rules test: %v\n", err)
			return 1
		}
		defer f.Close()
		in = f
	}
	c := fileCounts{Excluded: map[string]int{}, Teams: map[string]int{}, Routes: map[string]int{}, Intents: map[string]int{}}
	prog := newProgress(std.Stderr, "rules test")
	st, err := replay.Scan(in, func(line int, m bot.Mention) error {
		labels := cls.Classify(m)
		d := rules.Match(bot.RoutingInput(m, labels))
		c.Mentions++
		c.Intents[string(labels.Intent)]++
		switch {
		case d.Excluded != "":
			c.Excluded[d.Excluded]++
		case len(d.Teams) == 0:
			c.Unrouted++
		default:
			c.Routed++
			for _, t := range d.Teams {
				c.Teams[t]++
			}
			for _, r := range d.Routes {
				c.Routes[r]++
			}
		}
		prog.tick(line)
		return nil
	}, reportBad(std, prog))
	prog.done(st.Lines, st.Bad)
	c.Bad = st.Bad
	if err != nil {
		fmt.Fprintf(std.Stderr, "earshot rules test: %v\n", err)
		return 1
	}
	if asJSON {
		enc := json.NewEncoder(std.Stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		_ = enc.Encode(c)
		return 0
	}
	w := std.Stdout
	fmt.Fprintf(w, "%d mentions: %d routed, %d unrouted, %d excluded", c.Mentions, c.Routed, c.Unrouted, sum(c.Excluded))
	if c.Bad > 0 {
		fmt.Fprintf(w, " (%d bad lines skipped)", c.Bad)
	}
	fmt.Fprintln(w)
	printCounts(w, "teams (a mention may reach several)", c.Teams, c.Mentions)
	printCounts(w, "routes", c.Routes, c.Mentions)
	printCounts(w, "excluded by", c.Excluded, c.Mentions)
	printCounts(w, "intents", c.Intents, c.Mentions)
	return 0
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// printCounts prints a table, largest first, names in order on ties.
func printCounts(w io.Writer, title string, m map[string]int, total int) {
	if len(m) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s:\n", title)
	keys := slices.SortedFunc(maps.Keys(m), func(a, b string) int {
		return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b))
	})
	for _, k := range keys {
		fmt.Fprintf(w, "  %-32s %7d  %5.1f%%\n", k, m[k], 100*float64(m[k])/float64(max(total, 1)))
	}
}
