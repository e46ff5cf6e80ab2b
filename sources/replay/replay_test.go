package replay

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
)

var clock = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

type recorder struct {
	batches  [][]bot.Mention
	err      error // returned from the call numbered failAt (1-based)
	failAt   int
	cancel   context.CancelFunc // called after the call numbered cancelAt
	cancelAt int
}

func (r *recorder) emit(ctx context.Context, ms []bot.Mention) error {
	r.batches = append(r.batches, ms)
	n := len(r.batches)
	if n == r.cancelAt && r.cancel != nil {
		r.cancel()
	}
	if n == r.failAt {
		return r.err
	}
	return nil
}

func (r *recorder) sizes() []int {
	var s []int
	for _, b := range r.batches {
		s = append(s, len(b))
	}
	return s
}

func (r *recorder) all() []bot.Mention {
	var all []bot.Mention
	for _, b := range r.batches {
		all = append(all, b...)
	}
	return all
}

func fromString(s string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(s)), nil }
}

func lines(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, `{"platform":"x","id":"%d","text":"Lumio %d","created_at":"2026-11-22T10:00:%02dZ"}`+"\n", i, i, i%60)
	}
	return b.String()
}

func TestRunBatches(t *testing.T) {
	tests := []struct {
		name  string
		n     int
		batch int
		want  []int
	}{
		{"default batch size", 450, 0, []int{200, 200, 50}},
		{"exact multiple", 6, 3, []int{3, 3}},
		{"one batch", 2, 10, []int{2}},
		{"empty file", 0, 10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			src := New("t", fromString(lines(tt.n)), Options{BatchSize: tt.batch, Now: func() time.Time { return clock }})
			if err := src.Run(t.Context(), rec.emit); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(rec.sizes()) != fmt.Sprint(tt.want) {
				t.Fatalf("batch sizes = %v, want %v", rec.sizes(), tt.want)
			}
			for i, m := range rec.all() {
				if m.ExternalID != fmt.Sprint(i+1) {
					t.Fatalf("mention %d has id %s: order lost", i, m.ExternalID)
				}
			}
		})
	}
}

func TestRunTimes(t *testing.T) {
	in := `{"platform":"x","id":"1","text":"a","created_at":"2026-11-22T08:00:00Z"}` + "\n" +
		`{"platform":"x","id":"2","text":"b"}` + "\n"
	stamped := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		live bool
		want []time.Time
	}{
		{"own times kept, missing ones get now", false, []time.Time{stamped, clock}},
		{"live stamps every mention with now", true, []time.Time{clock, clock}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			src := New("t", fromString(in), Options{Live: tt.live, Now: func() time.Time { return clock }})
			if err := src.Run(t.Context(), rec.emit); err != nil {
				t.Fatal(err)
			}
			all := rec.all()
			if len(all) != len(tt.want) {
				t.Fatalf("got %d mentions", len(all))
			}
			for i, m := range all {
				if !m.CreatedAt.Equal(tt.want[i]) {
					t.Errorf("mention %d CreatedAt = %v, want %v", i, m.CreatedAt, tt.want[i])
				}
			}
		})
	}
}

func TestRunInterval(t *testing.T) {
	var rec recorder
	var waits []time.Duration
	tick := clock
	src := New("t", fromString(lines(4)), Options{
		BatchSize: 100, Interval: 3 * time.Second, Live: true,
		Now: func() time.Time { return tick },
	})
	src.wait = func(_ context.Context, d time.Duration) error {
		waits = append(waits, d)
		tick = tick.Add(d)
		return nil
	}
	if err := src.Run(t.Context(), rec.emit); err != nil {
		t.Fatal(err)
	}
	// One mention per emit, a pause between mentions and none before the first.
	if fmt.Sprint(rec.sizes()) != "[1 1 1 1]" {
		t.Fatalf("batch sizes = %v", rec.sizes())
	}
	if fmt.Sprint(waits) != "[3s 3s 3s]" {
		t.Fatalf("waits = %v", waits)
	}
	for i, m := range rec.all() {
		if want := clock.Add(time.Duration(i) * 3 * time.Second); !m.CreatedAt.Equal(want) {
			t.Errorf("mention %d stamped %v, want %v", i, m.CreatedAt, want)
		}
	}
}

func TestRunIntervalCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	rec := recorder{cancel: cancel, cancelAt: 1}
	src := New("t", fromString(lines(5)), Options{Interval: time.Hour})
	if err := src.Run(ctx, rec.emit); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if len(rec.batches) != 1 {
		t.Fatalf("emitted %d batches after cancel", len(rec.batches))
	}
}

func TestSleep(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	// Returns as soon as ctx ends rather than sleeping the hour out.
	if err := sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("sleep on a cancelled ctx = %v", err)
	}
	if err := sleep(t.Context(), time.Nanosecond); err != nil {
		t.Fatalf("sleep = %v", err)
	}
}

func TestRunCancelledBetweenBatches(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	rec := recorder{cancel: cancel, cancelAt: 1}
	src := New("t", fromString(lines(10)), Options{BatchSize: 3})
	if err := src.Run(ctx, rec.emit); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if len(rec.batches) != 1 {
		t.Fatalf("emitted %d batches after cancel", len(rec.batches))
	}
}

func TestRunEmitError(t *testing.T) {
	full := errors.New("database is locked")
	rec := recorder{err: full, failAt: 2}
	src := New("t", fromString(lines(10)), Options{BatchSize: 3})
	err := src.Run(t.Context(), rec.emit)
	if !errors.Is(err, full) {
		t.Fatalf("err = %v, want %v", err, full)
	}
	if want := "replay t: emit 3 mentions: database is locked"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	if len(rec.batches) != 2 {
		t.Fatalf("went on after the emit error: %d batches", len(rec.batches))
	}
}

func TestRunEmitErrorOnLastBatch(t *testing.T) {
	full := errors.New("disk full")
	rec := recorder{err: full, failAt: 1}
	src := New("t", fromString(lines(2)), Options{})
	if err := src.Run(t.Context(), rec.emit); !errors.Is(err, full) {
		t.Fatalf("err = %v, want %v", err, full)
	}
}

func TestRunBadLinesLoggedAndCounted(t *testing.T) {
	var logs bytes.Buffer
	var progress [][2]int
	in := lines(2) + "{oops\n" + `{"platform":"X","id":"9","text":"a"}` + "\n" + lines(1)
	var rec recorder
	src := New("t", fromString(in), Options{
		BatchSize: 2,
		Logger:    slog.New(slog.NewTextHandler(&logs, nil)),
		Progress:  func(l, b int) { progress = append(progress, [2]int{l, b}) },
	})
	if err := src.Run(t.Context(), rec.emit); err != nil {
		t.Fatal(err)
	}
	if len(rec.all()) != 3 {
		t.Fatalf("emitted %d mentions, want 3", len(rec.all()))
	}
	for _, want := range []string{
		`line 3: invalid JSON at byte 2`,
		`line 4: field \"platform\": \"X\" is not canonical: write \"x\"`,
		`source=replay:t`,
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs.String())
		}
	}
	if got := progress[len(progress)-1]; got != [2]int{5, 2} {
		t.Errorf("final progress = %v, want [5 2] (all: %v)", got, progress)
	}
	if progress[0] != [2]int{2, 0} {
		t.Errorf("first progress = %v, want [2 0]", progress[0])
	}
}

func TestRunOpenError(t *testing.T) {
	src := NewFile(filepath.Join(t.TempDir(), "missing.jsonl"), Options{})
	err := src.Run(t.Context(), (&recorder{}).emit)
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v, want not exist", err)
	}
}

func TestNewFileRunsTwice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "capture.jsonl")
	if err := os.WriteFile(path, []byte(lines(3)), 0o600); err != nil {
		t.Fatal(err)
	}
	src := NewFile(path, Options{})
	if src.Name() != "replay:"+path {
		t.Errorf("Name = %q", src.Name())
	}
	for run := range 2 {
		var rec recorder
		if err := src.Run(t.Context(), rec.emit); err != nil {
			t.Fatal(err)
		}
		if len(rec.all()) != 3 {
			t.Fatalf("run %d emitted %d mentions", run, len(rec.all()))
		}
	}
}

type closeCounter struct {
	io.Reader
	closed int
}

func (c *closeCounter) Close() error { c.closed++; return nil }

func TestRunClosesReader(t *testing.T) {
	cc := &closeCounter{Reader: strings.NewReader(lines(1))}
	src := New("t", func() (io.ReadCloser, error) { return cc, nil }, Options{})
	rec := recorder{err: errors.New("x"), failAt: 1}
	_ = src.Run(t.Context(), rec.emit)
	if cc.closed != 1 {
		t.Fatalf("closed %d times", cc.closed)
	}
}

func BenchmarkRunSample(b *testing.B) {
	data := bytes.Repeat(Sample(), 40)
	b.SetBytes(int64(len(data)))
	emit := func(context.Context, []bot.Mention) error { return nil }
	for b.Loop() {
		src := New("bench", fromString(string(data)), Options{})
		if err := src.Run(b.Context(), emit); err != nil {
			b.Fatal(err)
		}
	}
}
