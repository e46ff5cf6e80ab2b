// Package bizhours counts working time: weekly opening windows in a time
// zone, minus holidays. An SLA of one hour given at Friday 19:50 to a team
// that works until 20:00 is due on Monday at 08:50, not Friday at 20:50.
// It is a leaf: it knows nothing of teams or cases.
//
// Times are absolute instants; windows are wall-clock times on each date in
// the zone, so daylight-saving changes are honoured (a 08:00–20:00 day is
// 12 hours whatever the offset). A nil *Hours is open all the time.
package bizhours

import (
	"fmt"
	"slices"
	"time"
	_ "time/tzdata" // zone data built in, for machines without /usr/share/zoneinfo
)

// minutesPerDay is the end of the last window a day may have ("24:00").
const minutesPerDay = 24 * 60

// maxDays bounds the walk of Add and Between: a week that is open at all
// reaches any realistic SLA long before a hundred years.
const maxDays = 100 * 366

// Window is an opening on one day, in minutes after local midnight: From is
// included, To is not; To may be 1440 (24:00, the next midnight).
type Window struct{ From, To int }

func (w Window) String() string { return clock(w.From) + "-" + clock(w.To) }

func clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// Week holds each weekday's windows, indexed by time.Weekday, in order and
// not overlapping.
type Week [7][]Window

// Holiday is a date the team does not work: one date, or the same day every
// year when Year is 0.
type Holiday struct {
	Year  int
	Month time.Month
	Day   int
}

func (h Holiday) String() string {
	if h.Year == 0 {
		return fmt.Sprintf("%02d-%02d", h.Month, h.Day)
	}
	return fmt.Sprintf("%04d-%02d-%02d", h.Year, h.Month, h.Day)
}

// Hours are when a team works. Build them with New; the zero value is not
// usable, and a nil *Hours means open around the clock.
type Hours struct {
	loc      *time.Location
	week     Week
	holidays map[Holiday]bool
}

// New checks and builds business hours in zone (an IANA name such as
// Europe/Berlin, or UTC).
func New(zone string, week Week, holidays []Holiday) (*Hours, error) {
	loc, err := LoadZone(zone)
	if err != nil {
		return nil, err
	}
	open := false
	for d, ws := range week {
		if err := checkWindows(ws); err != nil {
			return nil, fmt.Errorf("%s: %w", time.Weekday(d), err)
		}
		open = open || len(ws) > 0
	}
	if !open {
		return nil, fmt.Errorf("no opening hours on any day")
	}
	h := &Hours{loc: loc, holidays: map[Holiday]bool{}}
	for d, ws := range week {
		h.week[d] = slices.Clone(ws)
	}
	for _, hd := range holidays {
		if !validDate(hd) {
			return nil, fmt.Errorf("holiday %s: not a date", hd)
		}
		h.holidays[hd] = true
	}
	return h, nil
}

// LoadZone loads an IANA time zone by name. "Local" is refused: a team's
// hours must not depend on the machine earshot runs on.
func LoadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("zone %q: want an IANA time zone like Europe/Berlin, or UTC", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("zone %q: want an IANA time zone like Europe/Berlin: %w", name, err)
	}
	return loc, nil
}

func checkWindows(ws []Window) error {
	for i, w := range ws {
		if w.From < 0 || w.To > minutesPerDay || w.From >= w.To {
			return fmt.Errorf("window %s: want from before to, within 00:00-24:00", w)
		}
		if i > 0 && w.From < ws[i-1].To {
			return fmt.Errorf("window %s overlaps or comes before %s", w, ws[i-1])
		}
	}
	return nil
}

func validDate(h Holiday) bool {
	year := h.Year
	if year == 0 {
		year = 2024 // a leap year, so 02-29 is a valid yearly holiday
	}
	if h.Month < time.January || h.Month > time.December || h.Day < 1 || year < 1 || year > 9999 {
		return false
	}
	t := time.Date(year, h.Month, h.Day, 0, 0, 0, 0, time.UTC)
	return t.Month() == h.Month && t.Day() == h.Day
}

// Location is the zone the hours are in; UTC for nil Hours.
func (h *Hours) Location() *time.Location {
	if h == nil {
		return time.UTC
	}
	return h.loc
}

// date is a calendar date in the hours' zone.
type date struct {
	y int
	m time.Month
	d int
}

func dateOf(t time.Time) date {
	y, m, d := t.Date()
	return date{y, m, d}
}

// add moves by n days, normalising across months and years.
func (d date) add(n int) date {
	return dateOf(time.Date(d.y, d.m, d.d+n, 12, 0, 0, 0, time.UTC))
}

func (d date) before(o date) bool {
	if d.y != o.y {
		return d.y < o.y
	}
	if d.m != o.m {
		return d.m < o.m
	}
	return d.d < o.d
}

type span struct{ start, end time.Time }

// raw is date d's windows as instants, before any overlap is removed. A
// holiday has none.
func (h *Hours) raw(d date) []span {
	if h.holidays[Holiday{d.y, d.m, d.d}] || h.holidays[Holiday{0, d.m, d.d}] {
		return nil
	}
	wd := time.Date(d.y, d.m, d.d, 12, 0, 0, 0, time.UTC).Weekday()
	ws := h.week[wd]
	out := make([]span, 0, len(ws))
	for _, w := range ws {
		out = append(out, span{h.at(d, w.From), h.at(d, w.To)})
	}
	return out
}

// at is minute m of date d in the zone; 1440 is the next midnight. For a
// wall time that does not exist (the hour skipped in spring) or exists twice
// (autumn), time.Date picks one; day removes the overlaps that can cause.
func (h *Hours) at(d date, m int) time.Time {
	return time.Date(d.y, d.m, d.d, 0, m, 0, 0, h.loc)
}

// day is date d's open spans, in order and disjoint from each other and
// from the day before. Only d and the day before decide them, so every walk
// over the calendar sees the same spans whichever date it starts from.
func (h *Hours) day(d date) []span {
	spans := h.raw(d)
	if len(spans) == 0 {
		return nil
	}
	var floor time.Time
	for _, s := range h.raw(d.add(-1)) {
		if s.end.After(floor) {
			floor = s.end
		}
	}
	out := spans[:0]
	for _, s := range spans {
		if s.start.Before(floor) {
			s.start = floor
		}
		if s.end.After(s.start) {
			out = append(out, s)
			floor = s.end
		}
	}
	return out
}

// Add is the instant at which d of open time has passed since start. Time
// outside the hours does not count: from a closed moment the count starts
// at the next opening. When d runs out exactly at a closing time, that
// closing time is the answer. Non-positive d returns start.
func (h *Hours) Add(start time.Time, d time.Duration) time.Time {
	if h == nil {
		return start.Add(d)
	}
	if d <= 0 {
		return start
	}
	day := dateOf(start.In(h.loc)).add(-1)
	for range maxDays {
		for _, s := range h.day(day) {
			if !s.end.After(start) {
				continue
			}
			from := s.start
			if start.After(from) {
				from = start
			}
			if avail := s.end.Sub(from); d <= avail {
				return from.Add(d)
			} else {
				d -= avail
			}
		}
		day = day.add(1)
	}
	return time.Time{}
}

// Between is the open time from a to b; zero when b is not after a.
func (h *Hours) Between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	if h == nil {
		return b.Sub(a)
	}
	var sum time.Duration
	last := dateOf(b.In(h.loc)).add(1)
	day := dateOf(a.In(h.loc)).add(-1)
	for n := 0; !last.before(day) && n < maxDays; n++ {
		for _, s := range h.day(day) {
			from, to := s.start, s.end
			if a.After(from) {
				from = a
			}
			if b.Before(to) {
				to = b
			}
			if to.After(from) {
				sum += to.Sub(from)
			}
		}
		day = day.add(1)
	}
	return sum
}

// Open reports whether t is within the hours.
func (h *Hours) Open(t time.Time) bool {
	if h == nil {
		return true
	}
	d := dateOf(t.In(h.loc))
	for _, day := range []date{d.add(-1), d, d.add(1)} {
		for _, s := range h.day(day) {
			if !t.Before(s.start) && t.Before(s.end) {
				return true
			}
		}
	}
	return false
}
