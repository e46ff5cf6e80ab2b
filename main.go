// Command earshot watches what people say about a brand in public, routes
// each mention that matters to the right team as one card per conversation
// with replies drafted, and lets people act from chat or the web inbox.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/earshothq/earshot/internal/cli"
)

func main() { os.Exit(run()) }

func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return cli.Main(ctx, cli.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}, os.Args[1:])
}
