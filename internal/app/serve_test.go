package app_test

import (
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/earshothq/earshot/internal/app"
	"github.com/earshothq/earshot/internal/config"
)

// served is one earshot serving on a random loopback port.
type served struct {
	*app.App
	Base string
	Ctx  context.Context
	// Stop shuts it down and closes its store; it runs once, at the end of
	// the test if not before (a restart test stops it early).
	Stop func()
}

// serve validates cfg, builds earshot and serves it until the test ends.
// Logs below warnings are dropped unless o.Logger says otherwise.
func serve(tb testing.TB, cfg config.Config, o app.Options) *served {
	tb.Helper()
	if cfg.HTTPAddr == "" {
		cfg.HTTPAddr = "127.0.0.1:0"
	}
	if cfg.LogLevel == "" {
		cfg.LogLevel, cfg.LogFormat = "info", "text"
	}
	if err := cfg.Validate(); err != nil {
		tb.Fatal(err)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, o)
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		a.Store.Close()
		tb.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	var once sync.Once
	s := &served{App: a, Base: "http://" + ln.Addr().String(), Ctx: ctx}
	s.Stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				tb.Errorf("serve: %v", err)
			}
			a.Store.Close()
		})
	}
	tb.Cleanup(s.Stop)
	return s
}

// rulesFile writes a rules file into dir and returns its path.
func rulesFile(tb testing.TB, dir, yaml string) string {
	tb.Helper()
	path := filepath.Join(dir, "earshot.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}
