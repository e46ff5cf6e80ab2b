package bot

import (
	"slices"
	"testing"
	"time"
)

func TestPageRoundTrip(t *testing.T) {
	tests := []struct {
		page Page
		text string
	}{
		{Page{Notify: []string{"carol", "slack:U024BE7LH"}, Step: 1, Steps: 2, Round: 1, Rounds: 1},
			"Paged carol, slack:U024BE7LH (step 1 of 2)"},
		{Page{Notify: []string{"slack:subteam:S0614TZR7", "dana"}, Step: 2, Steps: 2, Round: 2, Rounds: 2, Reason: "Safety: kid burned\n(page slack:U0BOB)"},
			"Paged slack:subteam:S0614TZR7, dana (step 2 of 2, round 2 of 2)\nSafety: kid burned\n(page slack:U0BOB)"},
		{Page{Step: 1, Steps: 1, Round: 1, Rounds: 1}, "Paged no one (step 1 of 1)"},
	}
	for _, tt := range tests {
		if got := tt.page.Text(); got != tt.text {
			t.Errorf("Text() = %q, want %q", got, tt.text)
		}
		back, ok := ParsePage(tt.text)
		if !ok || back.Text() != tt.text || !slices.Equal(back.Notify, tt.page.Notify) {
			t.Errorf("ParsePage(%q) = %+v, %v", tt.text, back, ok)
		}
	}
	for _, bad := range []string{"", "Escalated to dana", "Paged dana", "Paged dana (step 3 of 2)", "Paged dana (step 1 of 2", "Paged , (step 1 of 1)", "Paged dana (step 01 of 2)"} {
		if p, ok := ParsePage(bad); ok {
			t.Errorf("ParsePage(%q) = %+v, want no page", bad, p)
		}
	}
}

// FuzzParsePage: whatever an event's text holds, a page read from it
// writes back to the same first line, so a surface never renders a page
// that says something the text did not.
func FuzzParsePage(f *testing.F) {
	for _, s := range []string{
		"Paged carol, slack:U024BE7LH (step 1 of 2)",
		"Paged slack:subteam:S0614TZR7, dana (step 2 of 2, round 2 of 2)\nSafety: kid burned",
		"Paged no one (step 1 of 1)",
		"Escalated: <!channel> hospital",
		"Paged <!here> (step 1 of 1)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := ParsePage(s)
		if !ok {
			return
		}
		line, _, _ := cut(s)
		got, _, _ := cut(p.Text())
		if got != line {
			t.Fatalf("ParsePage(%q) writes back %q", s, got)
		}
	})
}

func cut(s string) (string, string, bool) {
	for i := range len(s) {
		if s[i] == '\n' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

type stepClock struct{}

func (stepClock) Due(start time.Time) time.Time { return start.Add(time.Hour + 500*time.Microsecond) }
func (stepClock) ReminderTimes(start time.Time) []time.Time {
	return []time.Time{start.Add(-time.Minute), start.Add(30 * time.Minute), start.Add(2 * time.Hour)}
}

func TestSLATimers(t *testing.T) {
	start := time.Date(2026, 1, 2, 18, 50, 0, 0, time.UTC)
	due, ts := SLATimers(stepClock{}, start)
	if !due.Equal(start.Add(time.Hour)) {
		t.Fatalf("due %s, want whole milliseconds an hour on", due)
	}
	want := []Timer{
		{Due: start.Add(30 * time.Minute), Job: Job{Kind: JobSLA, Step: 2, Due: due.UnixMilli()}},
		{Due: due, Job: Job{Kind: JobSLA, Due: due.UnixMilli()}},
	}
	if !slices.EqualFunc(ts, want, func(a, b Timer) bool { return a.Due.Equal(b.Due) && a.Job == b.Job }) {
		t.Fatalf("timers %+v, want %+v (reminders outside the clock dropped)", ts, want)
	}
	if due, ts := SLATimers(FixedSLA(0), start); !due.IsZero() || ts != nil {
		t.Fatalf("no SLA: due %s timers %v", due, ts)
	}
}

func TestSpan(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "under a minute", 29 * time.Second: "under a minute", 45 * time.Minute: "45m", -10 * time.Minute: "10m",
		65 * time.Minute: "1h 5m", 2 * time.Hour: "2h", 51*time.Hour + 7*time.Minute: "2d 3h",
	} {
		if got := Span(d); got != want {
			t.Errorf("Span(%s) = %q, want %q", d, got, want)
		}
	}
}
