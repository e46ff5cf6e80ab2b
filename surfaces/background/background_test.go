package background

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"
)

func TestGroupRunsRecoversAndStops(t *testing.T) {
	g := New(context.Background(), time.Second, slog.New(slog.NewTextHandler(io.Discard, nil)), "test")
	var ran atomic.Int32
	g.Go(func(ctx context.Context) {
		if _, ok := ctx.Deadline(); !ok {
			t.Error("work without a deadline")
		}
		ran.Add(1)
	})
	g.Go(func(context.Context) { panic("boom") })
	g.Go(nil)
	g.Close()
	if ran.Load() != 1 {
		t.Fatalf("ran %d times before Close returned, want 1", ran.Load())
	}
	g.Go(func(context.Context) { ran.Add(1) })
	time.Sleep(10 * time.Millisecond)
	if ran.Load() != 1 {
		t.Fatal("work taken after Close")
	}
}
