package bizhours

import (
	"testing"
	"time"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// weekdays opens the given days with one window each.
func weekdays(w Window, days ...time.Weekday) Week {
	var wk Week
	for _, d := range days {
		wk[d] = []Window{w}
	}
	return wk
}

var monFri = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
var everyDay = []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}

func mustHours(t testing.TB, zone string, wk Week, holidays ...string) *Hours {
	t.Helper()
	var hs []Holiday
	for _, s := range holidays {
		h, err := ParseHoliday(s)
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, h)
	}
	h, err := New(zone, wk, hs)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestAddAndBetween(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	office := mustHours(t, "Europe/Berlin", weekdays(Window{8 * 60, 20 * 60}, monFri...), "2026-12-25", "01-01")
	nights := mustHours(t, "Europe/Berlin", weekdays(Window{20 * 60, 24 * 60}, everyDay...))
	allDay := mustHours(t, "Europe/Berlin", weekdays(Window{0, 24 * 60}, everyDay...))
	early := mustHours(t, "Europe/Berlin", weekdays(Window{60, 4 * 60}, everyDay...))
	split := mustHours(t, "Europe/Berlin", Week{time.Wednesday: {{9 * 60, 12 * 60}, {13 * 60, 17 * 60}}})

	tests := []struct {
		name  string
		h     *Hours
		start string
		d     time.Duration
		want  string
	}{
		{"inside the day", office, "2026-01-06 10:00", 30 * time.Minute, "2026-01-06 10:30"},
		{"friday evening runs into monday", office, "2026-01-02 19:50", time.Hour, "2026-01-05 08:50"},
		{"saturday counts from monday's opening", office, "2026-01-03 10:00", time.Hour, "2026-01-05 09:00"},
		{"before opening", office, "2026-01-06 06:00", time.Hour, "2026-01-06 09:00"},
		{"runs out at closing time", office, "2026-01-06 19:00", time.Hour, "2026-01-06 20:00"},
		{"a whole day", office, "2026-01-06 08:00", 12 * time.Hour, "2026-01-06 20:00"},
		{"over several days", office, "2026-01-06 14:00", 30 * time.Hour, "2026-01-08 20:00"},
		{"holiday skipped", office, "2026-12-24 19:30", time.Hour, "2026-12-28 08:30"},
		{"yearly holiday skipped", office, "2026-12-31 19:30", time.Hour, "2027-01-04 08:30"},
		{"until midnight", nights, "2026-01-05 23:30", time.Hour, "2026-01-06 20:30"},
		{"midnight is the end of the day", nights, "2026-01-05 20:00", 4 * time.Hour, "2026-01-06 00:00"},
		{"split day: lunch does not count", split, "2026-01-07 11:30", time.Hour, "2026-01-07 13:30"},
		{"split day: next week", split, "2026-01-07 16:30", time.Hour, "2026-01-14 09:30"},
		{"zero", office, "2026-01-03 10:00", 0, "2026-01-03 10:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, want := at(tt.start), at(tt.want)
			got := tt.h.Add(start, tt.d)
			if !got.Equal(want) {
				t.Fatalf("Add(%s, %s) = %s, want %s", tt.start, tt.d, got.In(berlin).Format("Mon 2006-01-02 15:04"), tt.want)
			}
			if b := tt.h.Between(start, got); b != tt.d {
				t.Fatalf("Between(%s, %s) = %s, want %s", tt.start, tt.want, b, tt.d)
			}
		})
	}

	// Daylight saving: 2026-03-29 02:00 CET jumps to 03:00 CEST, and
	// 2026-10-25 03:00 CEST falls back to 02:00 CET.
	dst := []struct {
		name string
		h    *Hours
		a, b time.Time
		want time.Duration
	}{
		{"a business day is 12 hours on either side of the change", office,
			at("2026-03-27 19:00"), at("2026-03-30 09:00"), 2 * time.Hour},
		{"open all day: the short day is 23 hours", allDay,
			at("2026-03-29 00:00"), at("2026-03-30 00:00"), 23 * time.Hour},
		{"open all day: the long day is 25 hours", allDay,
			at("2026-10-25 00:00"), at("2026-10-26 00:00"), 25 * time.Hour},
		{"01:00-04:00 on the short day is 2 hours", early,
			at("2026-03-29 00:00"), at("2026-03-29 12:00"), 2 * time.Hour},
		{"01:00-04:00 on the long day is 4 hours", early,
			at("2026-10-25 00:00"), at("2026-10-25 12:00"), 4 * time.Hour},
		{"nil hours count everything", nil,
			at("2026-03-28 12:00"), at("2026-03-29 12:00"), 23 * time.Hour},
		{"backwards is zero", office, at("2026-01-06 12:00"), at("2026-01-06 10:00"), 0},
	}
	for _, tt := range dst {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.h.Between(tt.a, tt.b); got != tt.want {
				t.Fatalf("Between = %s, want %s", got, tt.want)
			}
			if tt.want > 0 {
				if got := tt.h.Add(tt.a, tt.want); got.After(tt.b) || tt.h.Between(got, tt.b) != 0 {
					t.Fatalf("Add(a, %s) = %s, want the last open moment before %s", tt.want, got, tt.b)
				}
			}
		})
	}
}

func TestOpen(t *testing.T) {
	office := mustHours(t, "America/New_York", weekdays(Window{9 * 60, 17 * 60}, monFri...), "2026-07-03")
	ny := mustZone(t, "America/New_York")
	tests := []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2026, 7, 6, 9, 0, 0, 0, ny), true},
		{time.Date(2026, 7, 6, 8, 59, 0, 0, ny), false},
		{time.Date(2026, 7, 6, 17, 0, 0, 0, ny), false},
		{time.Date(2026, 7, 3, 12, 0, 0, 0, ny), false}, // holiday
		{time.Date(2026, 7, 4, 12, 0, 0, 0, ny), false}, // Saturday
		{time.Date(2026, 7, 6, 13, 0, 0, 0, time.UTC), true},
	}
	for _, tt := range tests {
		if got := office.Open(tt.at); got != tt.want {
			t.Errorf("Open(%s) = %v, want %v", tt.at, got, tt.want)
		}
	}
	if !(*Hours)(nil).Open(time.Time{}) {
		t.Error("nil hours should always be open")
	}
}

func TestParsers(t *testing.T) {
	days := []struct {
		in   string
		want []time.Weekday
		err  bool
	}{
		{"mon-fri", monFri, false},
		{"sat, sun", []time.Weekday{time.Saturday, time.Sunday}, false},
		{"fri-mon", []time.Weekday{time.Friday, time.Saturday, time.Sunday, time.Monday}, false},
		{"daily", everyDay, false},
		{"MON", []time.Weekday{time.Monday}, false},
		{"mon-fri,wed", nil, true},
		{"monday", nil, true},
		{"", nil, true},
	}
	for _, tt := range days {
		got, err := ParseDays(tt.in)
		if (err != nil) != tt.err || (!tt.err && !equalDays(got, tt.want)) {
			t.Errorf("ParseDays(%q) = %v, %v", tt.in, got, err)
		}
	}
	clocks := map[string]int{"08:00": 480, "8:30": 510, "24:00": 1440, "00:00": 0, "23:59": 1439}
	for in, want := range clocks {
		if got, err := ParseClock(in); err != nil || got != want {
			t.Errorf("ParseClock(%q) = %d, %v", in, got, err)
		}
	}
	for _, in := range []string{"24:01", "8", "8:0", "25:00", "-1:00", "08:60", "noon", "008:00"} {
		if _, err := ParseClock(in); err == nil {
			t.Errorf("ParseClock(%q) succeeded", in)
		}
	}
	if ws, err := ParseWindows("08:00-12:00, 13:00-24:00"); err != nil || len(ws) != 2 || ws[1].To != 1440 {
		t.Errorf("ParseWindows: %v, %v", ws, err)
	}
	for _, in := range []string{"20:00-08:00", "08:00-12:00, 11:00-13:00", "08:00", "08:00-08:00"} {
		if _, err := ParseWindows(in); err == nil {
			t.Errorf("ParseWindows(%q) succeeded", in)
		}
	}
	for _, in := range []string{"2026-12-25", "12-25", "02-29", "2028-02-29"} {
		if _, err := ParseHoliday(in); err != nil {
			t.Errorf("ParseHoliday(%q): %v", in, err)
		}
	}
	for _, in := range []string{"2026-02-29", "2026-13-01", "25.12.2026", "12/25", "2026-1-5", "christmas"} {
		if _, err := ParseHoliday(in); err == nil {
			t.Errorf("ParseHoliday(%q) succeeded", in)
		}
	}
	if _, err := New("Mars/Olympus", weekdays(Window{0, 60}, time.Monday), nil); err == nil {
		t.Error("New accepted an unknown zone")
	}
	if _, err := New("UTC", Week{}, nil); err == nil {
		t.Error("New accepted hours that are never open")
	}
}

func equalDays(a, b []time.Weekday) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// BenchmarkAdd is the cost of a due time: a 1h SLA from Friday evening over
// a weekend in business hours.
func BenchmarkAdd(b *testing.B) {
	h := mustHours(b, "Europe/Berlin", weekdays(Window{8 * 60, 20 * 60}, monFri...), "2026-12-25")
	start := time.Date(2026, 1, 2, 18, 50, 0, 0, time.UTC)
	for b.Loop() {
		h.Add(start, time.Hour)
	}
}
