package bizhours

import (
	"testing"
	"time"
)

// fuzzHours are shapes real teams use, in zones with unusual rules: a
// 30-minute DST shift (Lord Howe), a 45-minute offset (Kathmandu), DST in
// the southern hemisphere (Sydney), a midnight change (Santiago).
func fuzzHours(t testing.TB, pick uint8) *Hours {
	shapes := []struct {
		zone string
		week Week
		hol  []Holiday
	}{
		{"Europe/Berlin", weekdays(Window{8 * 60, 20 * 60}, monFri...), []Holiday{{2026, 12, 25}, {0, 1, 1}}},
		{"America/New_York", weekdays(Window{0, 24 * 60}, everyDay...), nil},
		{"Australia/Lord_Howe", Week{time.Monday: {{60, 150}, {150, 180}, {22 * 60, 24 * 60}}, time.Sunday: {{0, 4 * 60}}}, nil},
		{"Asia/Kathmandu", weekdays(Window{22 * 60, 24 * 60}, time.Saturday), nil},
		{"Australia/Sydney", weekdays(Window{2 * 60, 3 * 60}, everyDay...), []Holiday{{0, 10, 4}}},
		{"America/Santiago", Week{time.Saturday: {{23 * 60, 24 * 60}}, time.Sunday: {{0, 60}, {90, 24 * 60}}}, nil},
		{"UTC", weekdays(Window{9 * 60, 17 * 60}, time.Wednesday), nil},
	}
	s := shapes[int(pick)%len(shapes)]
	h, err := New(s.zone, s.week, s.hol)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// FuzzHours checks the invariants due times rely on: the open time between
// a start and Add(start, d) is d, Add never goes backwards, and open time
// adds up over consecutive intervals.
func FuzzHours(f *testing.F) {
	seeds := []struct {
		start      int64 // unix minutes
		d1, d2, ab uint32
		pick       uint8
	}{
		{29461310, 60, 90, 600, 0},        // 2026-01-02 19:50 Berlin, Friday
		{29561460, 120, 24 * 60, 3000, 0}, // around the March change
		{29922540, 180, 300, 60, 2},       // Lord Howe
		{29590000, 1, 2, 1, 3},
		{29900000, 59, 61, 7 * 24 * 60, 4},
		{29700000, 600, 6000, 60000, 5},
		{0, 0, 10, 10, 6},
	}
	for _, s := range seeds {
		f.Add(s.start, s.d1, s.d2, s.ab, s.pick)
	}
	f.Fuzz(func(t *testing.T, startMin int64, d1, d2, ab uint32, pick uint8) {
		// Keep to dates time zones and calendars agree on: 1970-2200.
		startMin = startMin % (230 * 366 * 24 * 60)
		if startMin < 0 {
			startMin = -startMin
		}
		h := fuzzHours(t, pick)
		start := time.Unix(startMin*60, 0)
		a := time.Duration(d1%(60*24*60)) * time.Minute
		b := time.Duration(d2%(60*24*60)) * time.Minute
		if a > b {
			a, b = b, a
		}
		ta, tb := h.Add(start, a), h.Add(start, b)
		if ta.IsZero() || tb.IsZero() {
			t.Fatalf("Add ran out of calendar for %s, %s from %s", a, b, start)
		}
		if got := h.Between(start, ta); got != a {
			t.Fatalf("Between(start, Add(start, %s)) = %s (start %s, end %s)", a, got, start.In(h.loc), ta.In(h.loc))
		}
		if got := h.Between(start, tb); got != b {
			t.Fatalf("Between(start, Add(start, %s)) = %s (start %s, end %s)", b, got, start.In(h.loc), tb.In(h.loc))
		}
		if ta.Before(start) || tb.Before(ta) {
			t.Fatalf("Add not monotonic: start %s, Add(%s) %s, Add(%s) %s", start, a, ta, b, tb)
		}
		if a > 0 && !h.Open(ta.Add(-time.Nanosecond)) {
			t.Fatalf("the moment before Add(start, %s) = %s is closed", a, ta.In(h.loc))
		}
		mid := start.Add(time.Duration(ab%(30*24*60)) * time.Minute)
		end := mid.Add(time.Duration(d2%(30*24*60)) * time.Minute)
		if x, y, z := h.Between(start, mid), h.Between(mid, end), h.Between(start, end); x+y != z {
			t.Fatalf("Between does not add up: %s + %s != %s", x, y, z)
		}
	})
}

// The fuzzer rarely lands on a clock change; this walks every shape through
// the weeks of 2026 in which the zones above change their clocks.
func TestInvariantsAroundClockChanges(t *testing.T) {
	periods := [][2]time.Time{
		{time.Date(2026, 3, 25, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 10, 0, 0, 0, 0, time.UTC)},
		{time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 9, 10, 0, 0, 0, 0, time.UTC)},
		{time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)},
	}
	for pick := range uint8(7) {
		h := fuzzHours(t, pick)
		for _, p := range periods {
			for start := p[0]; start.Before(p[1]); start = start.Add(37 * time.Minute) {
				for _, d := range []time.Duration{time.Minute, 45 * time.Minute, 3 * time.Hour, 26 * time.Hour} {
					end := h.Add(start, d)
					if got := h.Between(start, end); got != d {
						t.Fatalf("%s: Between(%s, Add(+%s) = %s) = %s", h.loc, start.In(h.loc), d, end.In(h.loc), got)
					}
				}
			}
		}
	}
}
