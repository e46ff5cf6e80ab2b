package x

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Cursors keeps positions and counters across restarts (*store.DB).
type Cursors interface {
	Cursor(ctx context.Context, source string) (string, error)
	SaveCursor(ctx context.Context, source, cursor string) error
}

// UsageOptions configure a Usage meter.
type UsageOptions struct {
	// ReadCap and WriteCap are the month's budgets of posts read and
	// posts written; 0 is unlimited.
	ReadCap, WriteCap int64
	// Store keeps the month's counts (under "x:usage:YYYY-MM"); nil keeps
	// them in memory only.
	Store  Cursors
	Logger *slog.Logger
	Now    func() time.Time
}

// Usage counts the posts read and written this month against the caps:
// X bills every post a read returns, so earshot stops reading at the cap
// (and says so) rather than run up a bill, until the month turns (UTC).
// Counts are kept in the cursors table so a restart keeps them. Several
// replicas add their counts to the stored ones; two flushing at the same
// instant may lose one's increment, an error of a few posts.
type Usage struct {
	o   UsageOptions
	log *slog.Logger

	mu           sync.Mutex
	month        string
	reads        int64 // known total: stored plus pending
	writes       int64
	pendR, pendW int64 // added since the last flush
	loaded       bool
	warned       map[string]bool
}

// NewUsage builds a meter; it reads the stored counts on first Flush or Load.
func NewUsage(o UsageOptions) *Usage {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	u := &Usage{o: o, log: o.Logger.With("source", "x"), warned: map[string]bool{}}
	u.month = monthOf(o.Now())
	return u
}

func monthOf(t time.Time) string { return t.UTC().Format("2006-01") }

// UsageKey is the cursors-table name of a month's counts.
func UsageKey(month string) string { return "x:usage:" + month }

// nextMonth is when the month of t ends (UTC).
func nextMonth(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
}

// roll starts a new month's counts when the month turned. Caller holds mu.
func (u *Usage) roll() {
	if m := monthOf(u.o.Now()); m != u.month {
		u.month, u.reads, u.writes, u.pendR, u.pendW, u.loaded = m, 0, 0, 0, 0, false
		u.warned = map[string]bool{}
	}
}

// Load reads this month's stored counts; Flush does it too.
func (u *Usage) Load(ctx context.Context) error { return u.Flush(ctx) }

// AddReads counts n posts read.
func (u *Usage) AddReads(n int) {
	if n <= 0 {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.roll()
	u.reads += int64(n)
	u.pendR += int64(n)
	u.warn("reads", u.reads, u.o.ReadCap)
}

// AddWrites counts n posts written.
func (u *Usage) AddWrites(n int) {
	if n <= 0 {
		return
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.roll()
	u.writes += int64(n)
	u.pendW += int64(n)
	u.warn("writes", u.writes, u.o.WriteCap)
}

// warn logs once a month at 80%, 95% and 100% of a cap. Caller holds mu.
func (u *Usage) warn(what string, n, limit int64) {
	if limit <= 0 {
		return
	}
	for _, pct := range []int64{100, 95, 80} {
		if n*100 < limit*pct {
			continue
		}
		key := fmt.Sprintf("%s%d", what, pct)
		if u.warned[key] {
			return
		}
		u.warned[key] = true
		if pct == 100 {
			u.log.Error("x: monthly cap reached; stopped until the month turns", "what", what, "count", n, "cap", limit,
				"resumes", nextMonth(u.o.Now()).Format(time.RFC3339))
		} else {
			u.log.Warn(fmt.Sprintf("x: %d%% of the monthly cap used", pct), "what", what, "count", n, "cap", limit)
		}
		return
	}
}

// ReadAllowed reports whether reading may go on; when not, until is when
// the month turns.
func (u *Usage) ReadAllowed() (ok bool, until time.Time) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.roll()
	if u.o.ReadCap > 0 && u.reads >= u.o.ReadCap {
		return false, nextMonth(u.o.Now())
	}
	return true, time.Time{}
}

// WriteAllowed reports whether posting may go on.
func (u *Usage) WriteAllowed() (ok bool, until time.Time) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.roll()
	if u.o.WriteCap > 0 && u.writes >= u.o.WriteCap {
		return false, nextMonth(u.o.Now())
	}
	return true, time.Time{}
}

// Counts are this month's posts read and written.
func (u *Usage) Counts() (reads, writes int64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.roll()
	return u.reads, u.writes
}

// Status is one line for the status page, like
// "x 2026-11: read 1200/10000 (12%), wrote 3/500".
func (u *Usage) Status() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.roll()
	s := fmt.Sprintf("x %s: read %s, wrote %s", u.month, ofCap(u.reads, u.o.ReadCap), ofCap(u.writes, u.o.WriteCap))
	if u.o.ReadCap > 0 && u.reads >= u.o.ReadCap {
		s += "; reading stopped at the cap until " + nextMonth(u.o.Now()).Format("2006-01-02")
	}
	return s
}

func ofCap(n, limit int64) string {
	if limit <= 0 {
		return strconv.FormatInt(n, 10)
	}
	return fmt.Sprintf("%d/%d (%d%%)", n, limit, n*100/limit)
}

// Flush adds the counts since the last flush to the stored ones and saves
// them; the first call of a month also learns what other replicas (or
// earlier runs) counted.
func (u *Usage) Flush(ctx context.Context) error {
	if u.o.Store == nil {
		return nil
	}
	u.mu.Lock()
	u.roll()
	month, r, w, loaded := u.month, u.pendR, u.pendW, u.loaded
	u.pendR, u.pendW = 0, 0
	u.mu.Unlock()
	restore := func() {
		u.mu.Lock()
		if u.month == month {
			u.pendR += r
			u.pendW += w
		}
		u.mu.Unlock()
	}
	if loaded && r == 0 && w == 0 {
		return nil
	}
	key := UsageKey(month)
	raw, err := u.o.Store.Cursor(ctx, key)
	if err != nil {
		restore()
		return fmt.Errorf("x usage: read %s: %w", key, err)
	}
	sr, sw, err := parseUsage(raw)
	if err != nil {
		restore()
		return fmt.Errorf("x usage: %s: %w", key, err)
	}
	if r != 0 || w != 0 || !loaded {
		if err := u.o.Store.SaveCursor(ctx, key, formatUsage(sr+r, sw+w)); err != nil {
			restore()
			return fmt.Errorf("x usage: save %s: %w", key, err)
		}
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.month == month {
		// What is stored now, plus what was added during the flush.
		u.reads, u.writes, u.loaded = sr+r+u.pendR, sw+w+u.pendW, true
		u.warn("reads", u.reads, u.o.ReadCap)
		u.warn("writes", u.writes, u.o.WriteCap)
	}
	return nil
}

func formatUsage(r, w int64) string { return fmt.Sprintf("reads=%d writes=%d", r, w) }

// parseUsage reads "reads=N writes=M"; "" is zero.
func parseUsage(s string) (r, w int64, err error) {
	for f := range strings.FieldsSeq(s) {
		k, v, ok := strings.Cut(f, "=")
		n, perr := strconv.ParseInt(v, 10, 64)
		if !ok || perr != nil || n < 0 {
			return 0, 0, fmt.Errorf("stored counts %q: %q is not name=count", clip(s), clip(f))
		}
		switch k {
		case "reads":
			r = n
		case "writes":
			w = n
		default:
			return 0, 0, fmt.Errorf("stored counts %q: unknown %q", clip(s), clip(k))
		}
	}
	return r, w, nil
}
