package routing

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/earshothq/earshot/internal/bizhours"
)

// What a missed due time does besides being recorded on the case.
const (
	BreachEscalate = "escalate" // start the team's escalation policy (the default)
	BreachRecord   = "record"   // only record it (stats count it)
)

// DefaultAuto is which intents escalate as soon as a case opens when the
// rules file does not say: someone may be hurt.
func DefaultAuto() []string { return []string{"safety"} }

// Escalation is a team's escalation policy, PagerDuty-style: each step
// @-mentions its people and, if nobody acknowledges within After, the next
// step follows; after the last step the whole policy runs Repeat more times.
type Escalation struct {
	// Auto lists the intents whose cases escalate as soon as they open.
	Auto []string `json:"auto,omitempty"`
	// Steps in order; none means one step paging the team's execs and leads.
	Steps  []EscalationStep `json:"steps,omitempty"`
	Repeat int              `json:"repeat,omitempty"`
}

// EscalationStep is one step of a policy.
type EscalationStep struct {
	// Notify are identities from the rules file: a name ("carol"), a Slack
	// user ("slack:U024BE7LH") or user group ("slack:subteam:S0614TZR7"),
	// a Discord user or role ("discord:80351110224678912",
	// "discord:role:112233445566778899").
	Notify []string `json:"notify"`
	// After is how long to wait for an acknowledgement before the next
	// step; zero only on a last step that is not repeated (the policy ends).
	After time.Duration `json:"after,omitempty"`
}

func (e Escalation) clone() Escalation {
	c := Escalation{Auto: slices.Clone(e.Auto), Repeat: e.Repeat, Steps: slices.Clone(e.Steps)}
	for i := range c.Steps {
		c.Steps[i].Notify = slices.Clone(c.Steps[i].Notify)
	}
	return c
}

// Policy is the escalation policy in force: the rules file's steps, or one
// step paging the team's execs and then its leads.
func (t Team) Policy() Escalation {
	p := t.Escalation.clone()
	if len(p.Steps) == 0 {
		notify := append(slices.Clone(t.Execs), t.Leads...)
		p.Steps = []EscalationStep{{Notify: notify}}
		p.Repeat = 0
	}
	return p
}

// Pages is how many pages the policy makes at most: every step, repeated.
func (e Escalation) Pages() int { return len(e.Steps) * (e.Repeat + 1) }

// Page says what the n-th page of the policy (1-based, counting repeats)
// is: its step (0-based) and round (1-based). ok is false past the end.
func (e Escalation) Page(n int) (step EscalationStep, index, round int, ok bool) {
	if n < 1 || n > e.Pages() {
		return EscalationStep{}, 0, 0, false
	}
	index = (n - 1) % len(e.Steps)
	return e.Steps[index], index, (n-1)/len(e.Steps) + 1, true
}

// AutoEscalates reports whether a case with intent escalates as it opens.
func (t Team) AutoEscalates(intent string) bool { return slices.Contains(t.Escalation.Auto, intent) }

// BreachEscalates reports whether a missed due time starts the policy.
func (t Team) BreachEscalates() bool { return t.Breach != BreachRecord }

// Pageable reports whether id is one of the team's identities in the rules
// file (members, leads, execs or a step of its policy): only those may
// become live mentions on a surface.
func (t Team) Pageable(id string) bool {
	for _, list := range [][]string{t.Members, t.Leads, t.Execs} {
		if slices.Contains(list, id) {
			return true
		}
	}
	for _, s := range t.Escalation.Steps {
		if slices.Contains(s.Notify, id) {
			return true
		}
	}
	return false
}

// Clock is what counts toward the team's SLA: its business hours, or nil
// (every hour counts) when it has none or counts time outside them.
func (t Team) Clock() *bizhours.Hours {
	if t.CountOutsideHours {
		return nil
	}
	return t.Hours
}

// Due is when an answer is due for a clock started at start: SLA of
// counted time later. Zero when the team has no SLA.
func (t Team) Due(start time.Time) time.Time {
	if t.SLA <= 0 {
		return time.Time{}
	}
	return t.Clock().Add(start, t.SLA)
}

// ReminderTimes are the instants, in order, at which a clock started at
// start reminds the thread: each RemindBefore point of counted time before
// the due time. Points not after the start are left out.
func (t Team) ReminderTimes(start time.Time) []time.Time {
	if t.SLA <= 0 {
		return nil
	}
	var out []time.Time
	for _, before := range t.RemindBefore {
		if before <= 0 || before >= t.SLA {
			continue
		}
		out = append(out, t.Clock().Add(start, t.SLA-before))
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return slices.CompactFunc(out, time.Time.Equal)
}

// Left is the counted time from now until due; when due has passed it is
// negative: the counted time it is overdue by.
func (t Team) Left(now, due time.Time) time.Duration {
	if now.Before(due) {
		return t.Clock().Between(now, due)
	}
	return -t.Clock().Between(due, now)
}

// sla reads a team's sla: a duration ("1h"), or its full form.
func (p *parser) sla(n *yaml.Node, ctx string, t *Team) {
	if n.Kind != yaml.MappingNode {
		if d, ok := p.positiveDuration(n, ctx, "sla", "15m, 1h, 4h or 1d"); ok {
			t.SLA = d
		}
		return
	}
	ctx += ": sla"
	var reminders *yaml.Node
	p.fields(n, ctx, func(k, v *yaml.Node) bool {
		switch k.Value {
		case "first_response":
			if d, ok := p.positiveDuration(v, ctx, k.Value, "15m, 1h, 4h or 1d"); ok {
				t.SLA = d
			}
		case "reminders":
			reminders = v
		case "count_outside_hours":
			t.CountOutsideHours, _ = p.boolean(v, ctx, k.Value)
		case "breach":
			switch b := p.str(v, ctx, k.Value); b {
			case BreachEscalate, BreachRecord:
				t.Breach = b
			default:
				if v.Kind == yaml.ScalarNode {
					p.add(v.Line, ctx, "breach: unknown value %s (want escalate or record)", describe(v))
				}
			}
		default:
			return false
		}
		return true
	})
	// Reminders are checked against first_response wherever it is written.
	if reminders == nil || isNull(reminders) || !p.want(reminders, yaml.SequenceNode, ctx, "reminders") {
		return
	}
	for _, item := range reminders.Content {
		d, ok := p.positiveDuration(item, ctx, "reminders", "30m or 10m before the due time")
		if !ok {
			continue
		}
		if d >= t.SLA {
			p.add(item.Line, ctx, "reminders: %s is not before the due time (first_response is %s)", item.Value, shortDuration(t.SLA))
			continue
		}
		if slices.Contains(t.RemindBefore, d) {
			p.add(item.Line, ctx, "reminders: %s is listed twice", item.Value)
			continue
		}
		t.RemindBefore = append(t.RemindBefore, d)
	}
	slices.SortFunc(t.RemindBefore, func(a, b time.Duration) int { return int(b - a) })
}

// hours reads a team's business hours:
//
//	hours: {zone: Europe/Berlin, days: mon-fri, from: "08:00", to: "20:00",
//	        sat: "10:00-14:00", holidays: ["2026-12-25", "01-01"]}
func (p *parser) hours(n *yaml.Node, ctx string) *bizhours.Hours {
	ctx += ": hours"
	if isNull(n) || !p.want(n, yaml.MappingNode, ctx, "definition") {
		return nil
	}
	var (
		zone            string
		days            []time.Weekday
		daysLine        int
		from, to        = -1, -1
		week            bizhours.Week
		perDay          [7]bool
		holidays        []bizhours.Holiday
		bad             bool
		fromSet, toSet  bool
		fromLine, tLine int
	)
	p.fields(n, ctx, func(k, v *yaml.Node) bool {
		key := k.Value
		switch key {
		case "zone":
			zone = p.str(v, ctx, key)
			if _, err := bizhours.LoadZone(zone); zone != "" && err != nil {
				p.add(v.Line, ctx, "%v", err)
				bad = true
			}
		case "days":
			daysLine = v.Line
			s := p.daysText(v, ctx)
			if s == "" {
				bad = true
				return true
			}
			var err error
			if days, err = bizhours.ParseDays(s); err != nil {
				p.add(v.Line, ctx, "days: %v", err)
				bad = true
			}
		case "from", "to":
			m, err := bizhours.ParseClock(p.str(v, ctx, key))
			if v.Kind == yaml.ScalarNode && err != nil {
				p.add(v.Line, ctx, "%s: %v", key, err)
				bad = true
			}
			if key == "from" {
				from, fromSet, fromLine = m, true, v.Line
			} else {
				to, toSet, tLine = m, true, v.Line
			}
		case "holidays":
			for i, s := range p.strs(v, ctx, key, "date") {
				h, err := bizhours.ParseHoliday(s)
				if err != nil {
					p.add(v.Content[i].Line, ctx, "holidays: %v", err)
					bad = true
					continue
				}
				holidays = append(holidays, h)
			}
		default:
			d, ok := dayKey(key)
			if !ok {
				return false
			}
			ws, err := bizhours.ParseWindows(p.str(v, ctx, key))
			if v.Kind == yaml.ScalarNode && err != nil {
				p.add(v.Line, ctx, "%s: %v", key, err)
				bad = true
			}
			week[d], perDay[d] = ws, true
		}
		return true
	})
	switch {
	case zone == "":
		p.add(n.Line, ctx, "zone is required (an IANA time zone like Europe/Berlin, or UTC)")
		return nil
	case fromSet != toSet:
		line := max(fromLine, tLine)
		p.add(line, ctx, "from and to go together (like from: \"08:00\", to: \"20:00\")")
		return nil
	case fromSet && !bad && from >= to:
		p.add(tLine, ctx, "to: %s is not after from (the day ends at 24:00 at the latest)", clockText(to))
		return nil
	case bad:
		return nil
	}
	if days == nil && fromSet {
		days, _ = bizhours.ParseDays("mon-fri")
	}
	if len(days) > 0 && !fromSet {
		p.add(daysLine, ctx, "days: say when, with from and to (like from: \"08:00\", to: \"20:00\")")
		return nil
	}
	if len(days) == 0 && perDay == [7]bool{} {
		p.add(n.Line, ctx, "say when the team works: days, from and to (like days: mon-fri, from: \"08:00\", to: \"20:00\")")
		return nil
	}
	for _, d := range days {
		if !perDay[d] { // a day written out on its own wins
			week[d] = []bizhours.Window{{From: from, To: to}}
		}
	}
	h, err := bizhours.New(zone, week, holidays)
	if err != nil {
		p.add(n.Line, ctx, "%v", err)
		return nil
	}
	return h
}

// shortDuration prints 1h rather than 1h0m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func clockText(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// daysText reads days as written: "mon-fri" or a list [mon, wed, fri].
func (p *parser) daysText(n *yaml.Node, ctx string) string {
	if n.Kind == yaml.SequenceNode {
		return strings.Join(p.strs(n, ctx, "days", "day"), ",")
	}
	return p.str(n, ctx, "days")
}

func dayKey(key string) (time.Weekday, bool) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if bizhours.DayName(d) == key {
			return d, true
		}
	}
	return 0, false
}

// notifyID is what a step may page. Names stay one word so a page's list
// reads back unambiguously.
var notifyID = regexp.MustCompile(`^(?:[A-Za-z0-9][A-Za-z0-9._-]{0,63}|slack:[UW][A-Z0-9]{2,23}|slack:subteam:S[A-Z0-9]{2,23}|discord:[0-9]{5,25}|discord:role:[0-9]{5,25}|web:[A-Za-z0-9][A-Za-z0-9._-]{0,63})$`)

// escalation reads a team's escalation policy.
func (p *parser) escalation(n *yaml.Node, ctx string) Escalation {
	e := Escalation{Auto: DefaultAuto()}
	ctx += ": escalation"
	if isNull(n) || !p.want(n, yaml.MappingNode, ctx, "definition") {
		return e
	}
	var steps *yaml.Node
	p.fields(n, ctx, func(k, v *yaml.Node) bool {
		switch k.Value {
		case "auto":
			e.Auto = p.oneOf(v, ctx, k.Value, Intents())
			if e.Auto == nil {
				e.Auto = []string{} // written empty: nothing escalates by itself
			}
		case "repeat":
			e.Repeat = p.count(v, ctx, k.Value)
			if e.Repeat > 10 {
				p.add(v.Line, ctx, "repeat: %d is more than 10; nobody answers the eleventh page either", e.Repeat)
				e.Repeat = 10
			}
		case "steps":
			steps = v
		default:
			return false
		}
		return true
	})
	if steps == nil || isNull(steps) {
		p.add(n.Line, ctx, "steps are required (a list of {notify: [...], after: 15m})")
		return e
	}
	if !p.want(steps, yaml.SequenceNode, ctx, "steps") {
		return e
	}
	if len(steps.Content) == 0 {
		p.add(steps.Line, ctx, "steps: want at least one step")
	}
	for i, sn := range steps.Content {
		sctx := fmt.Sprintf("%s: step %d", ctx, i+1)
		if !p.want(sn, yaml.MappingNode, sctx, "definition") {
			continue
		}
		var s EscalationStep
		p.fields(sn, sctx, func(k, v *yaml.Node) bool {
			switch k.Value {
			case "notify":
				for j, id := range p.strs(v, sctx, k.Value, "identity") {
					if !notifyID.MatchString(id) {
						p.add(v.Content[j].Line, sctx, "notify: %q: want a name (carol), a Slack user (slack:U024BE7LH) or user group (slack:subteam:S0614TZR7), or a Discord user or role (discord:80351110224678912, discord:role:112233445566778899)", id)
						continue
					}
					s.Notify = append(s.Notify, id)
				}
			case "after":
				if d, ok := p.positiveDuration(v, sctx, k.Value, "15m or 1h"); ok {
					s.After = d
				}
			default:
				return false
			}
			return true
		})
		if nn := lookup(sn, "notify"); nn == nil || isNull(nn) || isEmptyList(nn) {
			p.add(sn.Line, sctx, "notify: want at least one person or group to page")
		}
		last := i == len(steps.Content)-1
		if s.After == 0 && lookup(sn, "after") == nil && (!last || e.Repeat > 0) {
			p.add(sn.Line, sctx, "after is required (how long to wait for an acknowledgement before the next step, like 15m)")
		}
		e.Steps = append(e.Steps, s)
	}
	return e
}

func isEmptyList(n *yaml.Node) bool { return n.Kind == yaml.SequenceNode && len(n.Content) == 0 }
