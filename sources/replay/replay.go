// Package replay is a Source that reads mentions from a JSONL file, one
// wire-format mention per line: the bundled sample that makes `go run .`
// show something on first start, a capture from production replayed against
// new rules, or a load test. Bad lines are reported by number and skipped.
package replay

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/earshothq/earshot/bot"
)

// Options tune a replay. The zero value replays as fast as the pipeline
// takes it, in batches of 200, keeping each mention's own time.
type Options struct {
	// BatchSize is how many mentions go to emit at once; default 200.
	BatchSize int
	// Interval is the pause between mentions, to trickle a file in as if
	// live; each mention is then emitted on its own. 0 = as fast as possible.
	Interval time.Duration
	// Live stamps CreatedAt with the time of emission, so SLA clocks and
	// "new" badges behave as they would for a post made just now.
	Live bool
	Now  func() time.Time
	// Logger receives one warning per bad line.
	Logger *slog.Logger
	// Progress is called after each emitted batch and at the end with the
	// lines read and bad lines skipped so far.
	Progress func(lines, bad int)
}

// Source replays a JSONL stream of mentions. It implements bot.Source.
type Source struct {
	name string
	open func() (io.ReadCloser, error)
	opts Options
	log  *slog.Logger
	// wait pauses between mentions; a seam so tests need not sleep.
	wait func(ctx context.Context, d time.Duration) error
}

var _ bot.Source = (*Source)(nil)

// New returns a Source named "replay:"+name that reads what open returns.
// open is called once per Run, so a Source can be run again from the start.
func New(name string, open func() (io.ReadCloser, error), opts Options) *Source {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 200
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Source{name: name, open: open, opts: opts, log: log, wait: sleep}
}

// NewFile returns a Source replaying the JSONL file at path.
func NewFile(path string, opts Options) *Source {
	return New(path, func() (io.ReadCloser, error) { return os.Open(path) }, opts)
}

//go:embed sample/mentions.jsonl
var sample string

// Sample returns the bundled sample: a day of mentions of the fictional
// brand Lumio across every platform, with follow-ups, noise and spam.
func Sample() []byte { return []byte(sample) }

// Name identifies the source in logs and cursors.
func (s *Source) Name() string { return "replay:" + s.name }

// Run reads the stream to its end, handing mentions to emit, and returns nil
// at EOF so the caller decides whether to stop or replay again. It returns
// ctx.Err() when ctx ends first, and stops on the first emit error.
func (s *Source) Run(ctx context.Context, emit bot.Emit) error {
	rc, err := s.open()
	if err != nil {
		return fmt.Errorf("replay %s: open: %w", s.name, err)
	}
	defer rc.Close()

	size := s.opts.BatchSize
	if s.opts.Interval > 0 {
		size = 1
	}
	var (
		batch   = make([]bot.Mention, 0, size)
		emitted int
		lines   int
		bad     int
	)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		now := s.opts.Now()
		for i := range batch {
			if s.opts.Live || batch[i].CreatedAt.IsZero() {
				batch[i].CreatedAt = now
			}
		}
		if err := emit(ctx, batch); err != nil {
			return fmt.Errorf("replay %s: emit %d mentions: %w", s.name, len(batch), err)
		}
		emitted += len(batch)
		// A fresh slice: emit may keep the one it was given.
		batch = make([]bot.Mention, 0, size)
		return nil
	}
	st, err := Scan(rc, func(line int, m bot.Mention) error {
		lines = line
		if err := ctx.Err(); err != nil {
			return err
		}
		if s.opts.Interval > 0 && emitted > 0 {
			if err := s.wait(ctx, s.opts.Interval); err != nil {
				return err
			}
		}
		batch = append(batch, m)
		if len(batch) < size {
			return nil
		}
		if err := flush(); err != nil {
			return err
		}
		if s.opts.Progress != nil {
			s.opts.Progress(lines, bad)
		}
		return nil
	}, func(line int, err error) {
		lines = line
		bad++
		s.log.Warn("replay: bad line skipped", "source", s.Name(), "err", fmt.Sprintf("line %d: %v", line, err))
	})
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		err = flush()
	}
	if err != nil {
		return err
	}
	if s.opts.Progress != nil {
		s.opts.Progress(st.Lines, st.Bad)
	}
	s.log.Info("replay: finished", "source", s.Name(), "lines", st.Lines, "mentions", st.Mentions, "bad", st.Bad)
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
