// Package cli is earshot's command line: run (the default), replay,
// check-config and version. Each command parses its own flags and returns an
// exit status, so tests call Main like a shell would.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"

	"github.com/earshothq/earshot/internal/app"
	"github.com/earshothq/earshot/internal/config"
)

// IO is where a command reads and writes; Main gets the process's.
type IO struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Getenv reads the environment (tests pass a map's lookup).
	Getenv func(string) string
}

type command struct {
	name, summary string
	run           func(ctx context.Context, std IO, args []string) int
}

func commands() []command {
	return []command{
		{"run", "run earshot: ingest, route, show cards, act (the default)", runCmd},
		{"replay", "replay a JSONL file of mentions into the store, or --dry-run to print decisions", replayCmd},
		{"check-config", "validate a rules file and the EARSHOT_* environment", checkConfigCmd},
		{"rules", "rules test: show which routes match a text or a file of mentions, and why", rulesCmd},
		{"eval", "score the built-in classifier on a labelled JSONL file", evalCmd},
		{"coupons", "coupons add POOL FILE | coupons list: codes for delight gestures", couponsCmd},
		{"dismissals", "what was dismissed and why, and the exclusions that would keep it out", dismissalsCmd},
		{"status", "each polled source's last poll, errors and mentions today, from the database", statusCmd},
		{"version", "print the version", versionCmd},
	}
}

// Main runs the command named by args[0] (run when there is none).
func Main(ctx context.Context, std IO, args []string) int {
	if std.Getenv == nil {
		std.Getenv = os.Getenv
	}
	name := "run"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	} else if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		usage(std.Stdout)
		return 0
	}
	if name == "help" {
		usage(std.Stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, std, args)
		}
	}
	fmt.Fprintf(std.Stderr, "earshot: unknown command %q\n\n", name)
	usage(std.Stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "earshot — social listening and customer care from chat")
	fmt.Fprintln(w, "\nUsage: earshot [command] [flags]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'earshot COMMAND --help' for a command's flags.")
	fmt.Fprintln(w, "\nEnvironment (defaults):")
	fmt.Fprint(w, config.Usage())
}

// newFlags makes a FlagSet whose --help prints the command's usage and
// returns 0 rather than failing.
func newFlags(std IO, name, args, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(std.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: earshot %s %s\n\n%s\n", name, args, about)
		var has bool
		fs.VisitAll(func(*flag.Flag) { has = true })
		if has {
			fmt.Fprintln(fs.Output(), "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parse returns (exit status, done): done is true when the command must stop.
func parse(fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, true
		}
		return 2, true
	}
	return 0, false
}

func logger(w io.Writer, cfg config.Config) *slog.Logger {
	level, _ := cfg.Level()
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func loadConfig(std IO) (config.Config, error) {
	// envconfig reads the process environment; tests set it with t.Setenv.
	return config.Load()
}

func runCmd(ctx context.Context, std IO, args []string) int {
	fs := newFlags(std, "run", "", "Runs earshot until interrupted: sources, the pipeline, the web inbox on EARSHOT_HTTP_ADDR.\nWith no configuration it uses SQLite (earshot.db), the example rules and the bundled sample mentions.")
	if code, done := parse(fs, args); done {
		return code
	}
	cfg, err := loadConfig(std)
	if err != nil {
		fmt.Fprintf(std.Stderr, "earshot: %v\n", err)
		return 2
	}
	log := logger(std.Stderr, cfg)
	a, err := app.New(ctx, cfg, app.Options{Logger: log})
	if err != nil {
		fmt.Fprintf(std.Stderr, "earshot: %v\n", err)
		return 1
	}
	if err := a.Run(ctx); err != nil {
		fmt.Fprintf(std.Stderr, "earshot: %v\n", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

func checkConfigCmd(ctx context.Context, std IO, args []string) int {
	fs := newFlags(std, "check-config", "[FILE]", "Validates the rules file (FILE, else EARSHOT_RULES, else the embedded example) and the EARSHOT_* environment.\nExits 0 when both are valid; otherwise prints every error, with file and line, and exits 1.")
	if code, done := parse(fs, args); done {
		return code
	}
	if fs.NArg() > 1 {
		fmt.Fprintln(std.Stderr, "earshot check-config: at most one FILE")
		return 2
	}
	path := std.Getenv("EARSHOT_RULES")
	if fs.NArg() == 1 {
		path = fs.Arg(0)
	}
	status := 0
	rules, err := app.LoadRules(path)
	if err != nil {
		fmt.Fprintln(std.Stderr, err)
		status = 1
	} else {
		name := path
		if name == "" {
			name = "embedded example rules"
		}
		fmt.Fprintf(std.Stdout, "%s: ok (%d teams, reactions: %d)\n", name, len(rules.Teams), len(rules.Reactions))
	}
	if _, err := config.Load(); err != nil {
		fmt.Fprintln(std.Stderr, err)
		status = 1
	} else {
		fmt.Fprintln(std.Stdout, "environment: ok")
	}
	return status
}

func versionCmd(_ context.Context, std IO, args []string) int {
	fs := newFlags(std, "version", "", "Prints earshot's version and the Go version it was built with.")
	if code, done := parse(fs, args); done {
		return code
	}
	fmt.Fprintln(std.Stdout, Version())
	return 0
}

// Version is the module version stamped by the Go toolchain (a tag, or a
// pseudo-version with the commit), plus the VCS revision when built from git.
func Version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "earshot (unknown version)"
	}
	v := info.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev != "" {
		v += " (" + rev[:min(12, len(rev))] + dirty + ")"
	}
	return "earshot " + v + " " + info.GoVersion
}
