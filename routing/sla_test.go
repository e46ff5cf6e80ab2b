package routing

import (
	"slices"
	"testing"
	"time"
)

const slaRules = `
teams:
  care:
    execs: [dana]
    sla: {first_response: 1h, reminders: [10m, 30m], count_outside_hours: false, breach: escalate}
    hours: {zone: Europe/Berlin, days: mon-fri, from: "08:00", to: "20:00", holidays: ["2026-12-25"]}
    escalation:
      auto: [safety]            # intents that escalate as soon as the case opens
      repeat: 1                 # times the whole policy runs again after the last step
      steps:
        - notify: [carol, "slack:U024BE7LH"]
          after: 15m
        - notify: ["slack:subteam:S0614TZR7", dana]
          after: 30m
    slack: {channel: C0123CARE, escalation_channel: C0999ESC}
  billing:
    execs: [erin, "slack:U0EXEC"]
    leads: [frank]
    sla: 4h
  nights:
    sla: {first_response: 2h, count_outside_hours: true, breach: record}
    hours:
      zone: UTC
      days: [sat, sun]
      from: "20:00"
      to: "24:00"
      mon: "08:00-12:00, 13:00-17:00"
    escalation: {auto: [], steps: [{notify: [gus]}]}
route:
  team: care
`

func TestParseSLAHoursAndEscalation(t *testing.T) {
	r, err := Parse("t.yaml", []byte(slaRules))
	if err != nil {
		t.Fatal(err)
	}
	care, _ := r.Team("care")
	if care.SLA != time.Hour || !slices.Equal(care.RemindBefore, []time.Duration{30 * time.Minute, 10 * time.Minute}) ||
		care.CountOutsideHours || !care.BreachEscalates() || care.Hours == nil || care.Slack.EscalationChannel != "C0999ESC" {
		t.Fatalf("care = %+v", care)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	friday := time.Date(2026, 1, 2, 19, 50, 0, 0, berlin)
	if due, want := care.Due(friday), time.Date(2026, 1, 5, 8, 50, 0, 0, berlin); !due.Equal(want) {
		t.Errorf("Due(Friday 19:50) = %s, want Monday 08:50", due.In(berlin))
	}
	rem := care.ReminderTimes(friday)
	wantRem := []time.Time{time.Date(2026, 1, 5, 8, 20, 0, 0, berlin), time.Date(2026, 1, 5, 8, 40, 0, 0, berlin)}
	if !slices.EqualFunc(rem, wantRem, time.Time.Equal) {
		t.Errorf("ReminderTimes = %v, want %v", rem, wantRem)
	}
	saturday := time.Date(2026, 1, 3, 12, 0, 0, 0, berlin)
	if left := care.Left(saturday, care.Due(friday)); left != 50*time.Minute {
		t.Errorf("Left on Saturday = %s, want 50m (the weekend does not count)", left)
	}
	if left := care.Left(time.Date(2026, 1, 5, 9, 0, 0, 0, berlin), care.Due(friday)); left != -10*time.Minute {
		t.Errorf("Left at Monday 09:00 = %s, want -10m", left)
	}

	p := care.Policy()
	if p.Pages() != 4 || !care.AutoEscalates("safety") || care.AutoEscalates("complaint") {
		t.Fatalf("care policy = %+v", p)
	}
	pages := []struct {
		n            int
		first        string
		index, round int
		after        time.Duration
	}{{1, "carol", 0, 1, 15 * time.Minute}, {2, "slack:subteam:S0614TZR7", 1, 1, 30 * time.Minute}, {3, "carol", 0, 2, 15 * time.Minute}, {4, "slack:subteam:S0614TZR7", 1, 2, 30 * time.Minute}}
	for _, tt := range pages {
		s, i, round, ok := p.Page(tt.n)
		if !ok || s.Notify[0] != tt.first || i != tt.index || round != tt.round || s.After != tt.after {
			t.Errorf("Page(%d) = %+v %d %d %v", tt.n, s, i, round, ok)
		}
	}
	if _, _, _, ok := p.Page(5); ok {
		t.Error("Page(5) of a 2-step policy repeated once should not exist")
	}
	if !care.Pageable("slack:U024BE7LH") || !care.Pageable("dana") || care.Pageable("slack:U0STRANGER") {
		t.Error("Pageable should hold the rules file's identities only")
	}

	// Without an escalation block: execs then leads, safety escalates.
	billing, _ := r.Team("billing")
	bp := billing.Policy()
	if len(bp.Steps) != 1 || !slices.Equal(bp.Steps[0].Notify, []string{"erin", "slack:U0EXEC", "frank"}) || bp.Pages() != 1 ||
		!billing.AutoEscalates("safety") || !billing.BreachEscalates() || billing.Hours != nil {
		t.Errorf("billing policy = %+v", bp)
	}
	monday := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	if due := billing.Due(monday); !due.Equal(monday.Add(4 * time.Hour)) {
		t.Errorf("billing without hours: due %s, want 4h later", due)
	}

	// count_outside_hours: every hour counts, hours or not.
	nights, _ := r.Team("nights")
	if nights.AutoEscalates("safety") || nights.BreachEscalates() || nights.Hours == nil {
		t.Errorf("nights = %+v", nights)
	}
	if due := nights.Due(monday); !due.Equal(monday.Add(2 * time.Hour)) {
		t.Errorf("count_outside_hours: due %s, want 2h later", due)
	}
	if !nights.Hours.Open(time.Date(2026, 1, 5, 13, 30, 0, 0, time.UTC)) || nights.Hours.Open(time.Date(2026, 1, 5, 12, 30, 0, 0, time.UTC)) ||
		!nights.Hours.Open(time.Date(2026, 1, 3, 23, 0, 0, 0, time.UTC)) {
		t.Error("nights hours: Monday's split day or the weekend evenings are wrong")
	}

	// Team returns copies.
	care.Escalation.Steps[0].Notify[0] = "mallory"
	care.RemindBefore[0] = 0
	if again, _ := r.Team("care"); again.Escalation.Steps[0].Notify[0] != "carol" || again.RemindBefore[0] == 0 {
		t.Error("Team returned the rules' own escalation or reminders")
	}
}
