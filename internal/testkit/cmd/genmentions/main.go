// Command genmentions writes a deterministic JSONL corpus of mentions for
// load tests: `go run ./internal/testkit/cmd/genmentions -n 100000 > m.jsonl`,
// then `earshot replay m.jsonl` (measure with /usr/bin/time -v for peak memory).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/earshothq/earshot/internal/testkit"
)

func main() {
	n := flag.Int("n", 10000, "how many mentions")
	seed := flag.Uint64("seed", 1, "corpus seed; equal seeds give equal files")
	flag.Parse()
	if *n < 0 {
		fmt.Fprintln(os.Stderr, "genmentions: -n must not be negative")
		os.Exit(2)
	}
	if _, err := os.Stdout.Write(testkit.GenerateJSONL(*n, *seed)); err != nil {
		fmt.Fprintln(os.Stderr, "genmentions:", err)
		os.Exit(1)
	}
}
