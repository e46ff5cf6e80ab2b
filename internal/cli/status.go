package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/earshothq/earshot/bot"
)

// statusCmd prints every source's status line from the database, so it
// works from any machine that reaches the database, whichever replica polls
// and whether or not earshot is running.
func statusCmd(ctx context.Context, std IO, args []string) int {
	fs := newFlags(std, "status", "[--json] [--strict]",
		"Shows each polled source's status line: when it last polled, the mentions it brought today, its\n"+
			"last error (until the next poll that works) and when it polls next; and the durable jobs waiting.")
	asJSON := fs.Bool("json", false, "print JSON")
	strict := fs.Bool("strict", false, "exit 1 when a source's last poll failed (for monitoring)")
	if code, done := parse(fs, args); done {
		return code
	}
	db, err := openStore(ctx, std)
	if err != nil {
		fmt.Fprintf(std.Stderr, "earshot status: %v\n", err)
		return 1
	}
	defer db.Close()
	list, err := db.SourceStatuses(ctx)
	if err != nil {
		fmt.Fprintf(std.Stderr, "earshot status: %v\n", err)
		return 1
	}
	pending, err := db.PendingJobs(ctx)
	if err != nil {
		fmt.Fprintf(std.Stderr, "earshot status: %v\n", err)
		return 1
	}
	failing := 0
	for _, s := range list {
		if s.LastError != "" {
			failing++
		}
	}
	if *asJSON {
		if list == nil {
			list = []bot.SourceStatus{}
		}
		_ = json.NewEncoder(std.Stdout).Encode(map[string]any{
			"database": db.Dialect(), "sources": list, "pending_jobs": pending, "failing": failing,
		})
	} else {
		now := time.Now()
		fmt.Fprintf(std.Stdout, "database %s · %d jobs pending\n", db.Dialect(), pending)
		if len(list) == 0 {
			fmt.Fprintln(std.Stdout, "no polled source has reported yet (polling sources report after their first poll)")
		}
		for _, s := range list {
			fmt.Fprintln(std.Stdout, s.Line(now))
		}
	}
	if *strict && failing > 0 {
		return 1
	}
	return 0
}
