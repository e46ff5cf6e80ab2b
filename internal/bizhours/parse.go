package bizhours

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The parsers below read what a rules file says; their errors name the
// value and say what is wanted, and the caller adds file and line.

var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// DayName is the three-letter name of a weekday, as the rules file writes it.
func DayName(d time.Weekday) string {
	return strings.ToLower(d.String()[:3])
}

// ParseDays reads weekdays: "mon-fri", "sat,sun", "mon-fri, sun", "fri-mon"
// (a range may wrap past Sunday), or "daily".
func ParseDays(s string) ([]time.Weekday, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "daily" || s == "every day" {
		return []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}, nil
	}
	var seen [7]bool
	var out []time.Weekday
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		from, to, isRange := strings.Cut(part, "-")
		a, ok := dayNames[strings.TrimSpace(from)]
		if !ok {
			return nil, fmt.Errorf("%q: unknown day %q (want mon, tue, wed, thu, fri, sat, sun, a range like mon-fri, or daily)", s, strings.TrimSpace(from))
		}
		b := a
		if isRange {
			if b, ok = dayNames[strings.TrimSpace(to)]; !ok {
				return nil, fmt.Errorf("%q: unknown day %q (want mon, tue, wed, thu, fri, sat, sun, a range like mon-fri, or daily)", s, strings.TrimSpace(to))
			}
		}
		for d := a; ; d = (d + 1) % 7 {
			if seen[d] {
				return nil, fmt.Errorf("%q: %s is named twice", s, DayName(d))
			}
			seen[d] = true
			out = append(out, d)
			if d == b {
				break
			}
		}
	}
	return out, nil
}

// ParseClock reads a wall-clock time "08:00" (or "8:00") as minutes after
// midnight; "24:00" is the end of the day.
func ParseClock(s string) (int, error) {
	hh, mm, ok := strings.Cut(strings.TrimSpace(s), ":")
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if !ok || err1 != nil || err2 != nil || len(mm) != 2 || len(hh) < 1 || len(hh) > 2 ||
		h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("%q is not a time of day (want HH:MM from 00:00 to 24:00, like 08:00)", s)
	}
	return h*60 + m, nil
}

// ParseWindow reads "08:00-20:00".
func ParseWindow(s string) (Window, error) {
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return Window{}, fmt.Errorf("%q: want a time range like 08:00-20:00", strings.TrimSpace(s))
	}
	f, err := ParseClock(from)
	if err != nil {
		return Window{}, err
	}
	t, err := ParseClock(to)
	if err != nil {
		return Window{}, err
	}
	if f >= t {
		return Window{}, fmt.Errorf("%q: the end must come after the start on the same day (use 24:00 for midnight)", strings.TrimSpace(s))
	}
	return Window{f, t}, nil
}

// ParseWindows reads a day's openings: "08:00-12:00, 13:00-17:00", or
// "closed" for none.
func ParseWindows(s string) ([]Window, error) {
	if strings.EqualFold(strings.TrimSpace(s), "closed") {
		return nil, nil
	}
	var out []Window
	for part := range strings.SplitSeq(s, ",") {
		w, err := ParseWindow(part)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	if err := checkWindows(out); err != nil {
		return nil, fmt.Errorf("%q: %w", strings.TrimSpace(s), err)
	}
	return out, nil
}

// ParseHoliday reads "2026-12-25" (that date) or "12-25" (every year).
func ParseHoliday(s string) (Holiday, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("%q is not a date (want YYYY-MM-DD like 2026-12-25, or MM-DD like 12-25 for every year)", s)
	parts := strings.Split(s, "-")
	var h Holiday
	nums := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || len(p) < 2 {
			return Holiday{}, bad
		}
		nums[i] = n
	}
	switch len(parts) {
	case 3:
		if len(parts[0]) != 4 {
			return Holiday{}, bad
		}
		h = Holiday{Year: nums[0], Month: time.Month(nums[1]), Day: nums[2]}
	case 2:
		h = Holiday{Month: time.Month(nums[0]), Day: nums[1]}
	default:
		return Holiday{}, bad
	}
	if !validDate(h) {
		return Holiday{}, bad
	}
	return h, nil
}
