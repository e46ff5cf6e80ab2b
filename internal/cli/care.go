package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode"

	"github.com/earshothq/earshot/internal/app"
	"github.com/earshothq/earshot/internal/tuning"
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/store"
)

// openStore opens the configured store for a command that only reads or
// writes data (no sources, no surfaces, no jobs run).
func openStore(ctx context.Context, std IO) (*store.DB, error) {
	cfg, err := loadConfig(std)
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, cfg.DatabaseURL, store.Options{Logger: logger(std.Stderr, cfg)})
}

func couponsCmd(ctx context.Context, std IO, args []string) int {
	usage := func(w io.Writer) {
		fmt.Fprintln(w, "Usage: earshot coupons add POOL FILE   load codes, one a line (- for standard input)")
		fmt.Fprintln(w, "       earshot coupons list            codes per pool: loaded, given, left")
	}
	if len(args) == 0 {
		usage(std.Stderr)
		return 2
	}
	switch args[0] {
	case "add":
		return couponsAdd(ctx, std, args[1:])
	case "list":
		return couponsList(ctx, std, args[1:])
	case "-h", "--help", "help":
		usage(std.Stdout)
		return 0
	}
	fmt.Fprintf(std.Stderr, "earshot coupons: unknown subcommand %q\n", args[0])
	usage(std.Stderr)
	return 2
}

// maxCode bounds a coupon code: it goes into a public reply.
const maxCode = 64

// readCodes reads one code a line, skipping blank lines and # comments. A
// bad line is an error naming it; a code repeated in the file is reported
// and loaded once.
func readCodes(name string, r io.Reader) (codes []string, repeats []string, err error) {
	sc := bufio.NewScanner(r)
	seen := map[string]int{}
	line := 0
	for sc.Scan() {
		line++
		code := strings.TrimSpace(sc.Text())
		if line == 1 {
			code = strings.TrimPrefix(code, "\uFEFF") // a byte-order mark from a spreadsheet export
		}
		if code == "" || strings.HasPrefix(code, "#") {
			continue
		}
		switch {
		case len(code) > maxCode:
			return nil, nil, fmt.Errorf("%s:%d: code of %d bytes; at most %d", name, line, len(code), maxCode)
		case strings.IndexFunc(code, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) >= 0:
			return nil, nil, fmt.Errorf("%s:%d: %q: a code is one word of printable characters", name, line, clipCode(code))
		}
		if first, dup := seen[code]; dup {
			repeats = append(repeats, fmt.Sprintf("%s:%d: %q repeats line %d", name, line, code, first))
			continue
		}
		seen[code] = line
		codes = append(codes, code)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	return codes, repeats, nil
}

func clipCode(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func couponsAdd(ctx context.Context, std IO, args []string) int {
	fs := newFlags(std, "coupons add", "POOL FILE",
		"Loads coupon codes into POOL, one a line (blank lines and # comments are skipped; - reads standard input).\n"+
			"All of them are loaded or, on an error, none. A code already stored, in this pool or another, is reported\n"+
			"and not loaded again: a code is never handed out twice. Teams name the pool as delight.coupon_pool.")
	if code, done := parse(fs, args); done {
		return code
	}
	if fs.NArg() != 2 {
		fmt.Fprintln(std.Stderr, "earshot coupons add: POOL and FILE are required")
		fs.Usage()
		return 2
	}
	pool, name := fs.Arg(0), fs.Arg(1)
	if !routing.ValidPoolName(pool) {
		fmt.Fprintf(std.Stderr, "earshot coupons add: %q is not a pool name (lower-case letters, digits, '.', '-' and '_', like sorry-10)\n", pool)
		return 2
	}
	var in io.Reader = std.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(std.Stderr, "earshot coupons add: %v\n", err)
			return 1
		}
		defer f.Close()
		in = f
	}
	codes, repeats, err := readCodes(name, in)
	if err != nil {
		fmt.Fprintf(std.Stderr, "earshot coupons add: %v; nothing was loaded\n", err)
		return 1
	}
	db, err := openStore(ctx, std)
	if err != nil {
		fmt.Fprintf(std.Stderr, "earshot coupons add: %v\n", err)
		return 1
	}
	defer db.Close()
	added, dups, err := db.AddCoupons(ctx, pool, codes)
	if err != nil {
		fmt.Fprintf(std.Stderr, "earshot coupons add: %v; nothing was loaded\n", err)
		return 1
	}
	for _, r := range repeats {
		fmt.Fprintln(std.Stderr, "duplicate in the file:", r)
	}
	for _, d := range dups {
		fmt.Fprintf(std.Stderr, "already stored: %q (pool %s)\n", d.Code, d.Pool)
	}
	fmt.Fprintf(std.Stdout, "%s: %d codes loaded, %d duplicates skipped\n", pool, added, len(repeats)+len(dups))
	return 0
}

func couponsList(ctx context.Context, std IO, args []string) int {
	fs := newFlags(std, "coupons list", "", "Lists the coupon pools: codes loaded, given to cases, left.")
	asJSON := fs.Bool("json", false, "print JSON")
	if code, done := parse(fs, args); done {
		return code
	}
	db, err := openStore(ctx, std)
	if err != nil {
		fmt.Fprintf(std.Stderr, "earshot coupons list: %v\n", err)
		return 1
	}
	defer db.Close()
	pools, err := db.CouponPools(ctx)
	if err != nil {
		fmt.Fprintf(std.Stderr, "earshot coupons list: %v\n", err)
		return 1
	}
	if *asJSON {
		if pools == nil {
			pools = []store.CouponPool{}
		}
		_ = json.NewEncoder(std.Stdout).Encode(pools)
		return 0
	}
	if len(pools) == 0 {
		fmt.Fprintln(std.Stdout, "no coupon codes loaded; `earshot coupons add POOL FILE` loads some")
		return 0
	}
	fmt.Fprintf(std.Stdout, "%-24s %8s %8s %8s\n", "POOL", "LOADED", "GIVEN", "LEFT")
	for _, p := range pools {
		fmt.Fprintf(std.Stdout, "%-24s %8d %8d %8d\n", p.Pool, p.Total, p.Given, p.Left())
	}
	return 0
}

func dismissalsCmd(ctx context.Context, std IO, args []string) int {
	fs := newFlags(std, "dismissals", "[--since 7d] [--json]",
		"Reports what people dismissed, and why, for the cases opened in the period: counts per reason and per\n"+
			"team and route, the authors and words that spam and not-about-us cases share (with how much of each one's\n"+
			"cases was noise), and the exclude section that would have kept them out. It changes nothing.")
	since := fs.String("since", "7d", "period back from now: 24h, 7d, 30d, …")
	asJSON := fs.Bool("json", false, "print JSON")
	rulesPath := fs.String("rules", "", "rules file whose brand names are never suggested (default: EARSHOT_RULES, else the example)")
	if code, done := parse(fs, args); done {
		return code
	}
	from, err := tuning.ParseSince(*since, time.Now())
	if err != nil {
		fmt.Fprintf(std.Stderr, "earshot dismissals: %v\n", err)
		return 2
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
	db, err := openStore(ctx, std)
	if err != nil {
		fmt.Fprintf(std.Stderr, "earshot dismissals: %v\n", err)
		return 1
	}
	defer db.Close()
	rep, err := app.TuningReport(ctx, db, rules, from)
	if err != nil {
		fmt.Fprintf(std.Stderr, "earshot dismissals: %v\n", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(std.Stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(rep)
		return 0
	}
	fmt.Fprint(std.Stdout, tuning.Text(rep))
	return 0
}
