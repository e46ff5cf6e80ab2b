package cli

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"
)

// progress draws a one-line counter on a terminal; elsewhere (pipes, CI
// logs) it stays silent so output is not littered with carriage returns.
type progress struct {
	w     io.Writer
	label string
	on    bool
	last  time.Time
	start time.Time
}

func newProgress(w io.Writer, label string) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, label: label, on: ok && term.IsTerminal(int(f.Fd())), start: time.Now()}
}

func (p *progress) tick(lines int) {
	if !p.on || time.Since(p.last) < 200*time.Millisecond {
		return
	}
	p.last = time.Now()
	rate := float64(lines) / time.Since(p.start).Seconds()
	fmt.Fprintf(p.w, "\r%s: %d lines (%.0f/s)\x1b[K", p.label, lines, rate)
}

func (p *progress) clear() {
	if p.on {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

func (p *progress) done(lines, bad int) {
	p.clear()
}
