package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SystemActor is who acts when earshot itself does what a person could (an
// automatic escalation); surfaces cannot produce it: theirs are qualified
// ("slack:U123", "web:alice").
const SystemActor = "earshot"

// ErrTimerGone is returned by a change whose FiredTimer was already
// consumed (its job ran before) or dropped (the case moved on).
var ErrTimerGone = errors.New("timer already handled or dropped")

// DefaultTimerInterval is how often the bot looks for due timers.
const DefaultTimerInterval = 5 * time.Second

// Timer is a durable alarm: at Due, by the bot's clock, its Job is queued.
// Timers live in the database, so a restart, a crash or a deploy does not
// lose them, and with several replicas each fires once.
type Timer struct {
	Due time.Time
	Job Job
}

// SLAClock says when a team's answer is due. routing.Team implements it
// with its business hours; FixedSLA counts every hour.
type SLAClock interface {
	// Due is when an answer is due for a clock started at start; zero
	// when none is.
	Due(start time.Time) time.Time
	// ReminderTimes are when to remind the thread before that, in order.
	ReminderTimes(start time.Time) []time.Time
}

// FixedSLA is an SLA where every hour counts and nobody is reminded.
type FixedSLA time.Duration

// Due is start plus the SLA; zero for none.
func (d FixedSLA) Due(start time.Time) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return start.Add(time.Duration(d))
}

// ReminderTimes is empty: a plain SLA has no reminders.
func (FixedSLA) ReminderTimes(time.Time) []time.Time { return nil }

// SLATimers starts an answer clock at start: the due time (at the
// precision the store keeps, milliseconds) and the timers that follow it,
// reminders first (JobSLA steps 1, 2, …) and the breach (step 0) at the
// due time. Each timer's job names the due time, so a timer left over from
// an earlier due time does nothing.
func SLATimers(clock SLAClock, start time.Time) (time.Time, []Timer) {
	due := clock.Due(start)
	if due.IsZero() {
		return time.Time{}, nil
	}
	due = time.UnixMilli(due.UnixMilli()).UTC()
	var out []Timer
	for i, at := range clock.ReminderTimes(start) {
		if at.After(start) && at.Before(due) {
			out = append(out, Timer{Due: at, Job: Job{Kind: JobSLA, Step: i + 1, Due: due.UnixMilli()}})
		}
	}
	out = append(out, Timer{Due: due, Job: Job{Kind: JobSLA, Due: due.UnixMilli()}})
	return due, out
}

// TimerStore is a store that keeps timers (store.DB does). FireTimers
// queues the jobs of every timer due at now, in one transaction with
// marking them fired, and reports how many it queued.
type TimerStore interface {
	FireTimers(ctx context.Context, now time.Time) (int, error)
}

// TimerJobs runs the jobs timers and automatic escalations queue:
// *handlers.Handlers implements it.
type TimerJobs interface {
	// Escalation starts a policy automatically (Step 0) or pages its
	// Step-th page, unless the escalation was acknowledged.
	Escalation(ctx context.Context, j Job) error
	// SLA reminds (Step >= 1) or records the breach (Step 0) of the due
	// time j.Due, unless the case moved on.
	SLA(ctx context.Context, j Job) error
}

// Broadcaster is a surface that posts some events outside the card's
// thread too: Slack posts each page of an escalation in the team's
// escalation channel. ref is the case's card there: "" when it has none
// (yet), or a storm card's (IsStormRef) when it is counted on one.
type Broadcaster interface {
	Broadcast(ctx context.Context, card Card, ref string, ev Event) error
}

// FireTimers queues the jobs of every timer due by the bot's clock. Run
// calls it every TimerInterval; tests call it after moving a fake clock.
func (b *Bot) FireTimers(ctx context.Context) (int, error) {
	ts, ok := b.store.(TimerStore)
	if !ok {
		return 0, nil
	}
	n, err := ts.FireTimers(ctx, b.now())
	if err != nil {
		return n, fmt.Errorf("fire timers: %w", err)
	}
	return n, nil
}

// runTimers fires due timers at start (catching up on what came due while
// no replica ran) and then every interval, until ctx ends.
func (b *Bot) runTimers(ctx context.Context) {
	t := time.NewTicker(b.timerEvery)
	defer t.Stop()
	for {
		if n, err := b.FireTimers(ctx); err != nil && ctx.Err() == nil {
			b.log.Warn("timers not fired; trying again", "error", err)
		} else if n > 0 {
			b.log.Debug("timers fired", "jobs", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (b *Bot) timerJob(ctx context.Context, j Job) error {
	if b.timers == nil {
		return Permanent(fmt.Errorf("%s job: no timer handlers configured", j.Kind))
	}
	if j.Kind == JobSLA {
		return b.timers.SLA(ctx, j)
	}
	return b.timers.Escalation(ctx, j)
}

// broadcast posts an event of the case outside its card's thread, on a
// surface that does so.
func (b *Bot) broadcast(ctx context.Context, j Job) error {
	s, err := b.surface(j.Surface)
	if err != nil {
		return err
	}
	bc, ok := s.(Broadcaster)
	if !ok {
		return nil
	}
	ref, err := b.store.CardRef(ctx, j.CaseID, j.Surface)
	if err != nil {
		return fmt.Errorf("load card ref: %w", err)
	}
	card, ev, err := b.cardAndEvent(ctx, j.CaseID, j.EventID)
	if err != nil {
		return err
	}
	if err := bc.Broadcast(ctx, card, ref, ev); err != nil {
		return fmt.Errorf("broadcast event %d on %s: %w", ev.ID, j.Surface, err)
	}
	return nil
}

// Page is one page of an escalation: whom a step @-mentioned. It travels as
// the text of an EventPaged event, so every surface shows it and a chat
// surface can turn the rules file's identities, and only those, into live
// mentions:
//
//	Paged carol, slack:U024BE7LH (step 1 of 2, round 1 of 2)
//	<the escalation's reason, on the lines after>
type Page struct {
	Notify        []string
	Step, Steps   int
	Round, Rounds int // Rounds is how many times the policy runs (1 + repeat)
	Reason        string
}

const pagePrefix = "Paged "

// nobody is what a page without people says; it cannot be an identity
// (identities are one word).
const nobody = "no one"

// Text is the page as an event's text.
func (p Page) Text() string {
	who := nobody
	if len(p.Notify) > 0 {
		who = strings.Join(p.Notify, ", ")
	}
	s := fmt.Sprintf("%s%s (step %d of %d", pagePrefix, who, p.Step, p.Steps)
	if p.Rounds > 1 {
		s += fmt.Sprintf(", round %d of %d", p.Round, p.Rounds)
	}
	s += ")"
	if r := strings.TrimSpace(p.Reason); r != "" {
		s += "\n" + r
	}
	return s
}

// ParsePage reads a page back from an event's text.
func ParsePage(text string) (Page, bool) {
	line, reason, _ := strings.Cut(text, "\n")
	rest, ok := strings.CutPrefix(line, pagePrefix)
	if !ok || !strings.HasSuffix(rest, ")") {
		return Page{}, false
	}
	i := strings.LastIndex(rest, " (step ")
	if i < 0 {
		return Page{}, false
	}
	who, nums := rest[:i], strings.TrimSuffix(rest[i+len(" (step "):], ")")
	p := Page{Reason: reason, Round: 1, Rounds: 1}
	steps, rounds, hasRound := strings.Cut(nums, ", round ")
	var err error
	if p.Step, p.Steps, err = ofNumbers(steps); err != nil {
		return Page{}, false
	}
	if hasRound {
		if p.Round, p.Rounds, err = ofNumbers(rounds); err != nil || p.Rounds == 1 {
			return Page{}, false
		}
	}
	if who != nobody {
		for id := range strings.SplitSeq(who, ", ") {
			// Identities are one word (names with spaces come from execs and
			// leads); none holds a comma or brackets.
			if strings.TrimSpace(id) != id || id == "" || strings.ContainsAny(id, ",()\n") {
				return Page{}, false
			}
			p.Notify = append(p.Notify, id)
		}
	}
	return p, true
}

// ofNumbers reads "2 of 3".
func ofNumbers(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, " of ")
	x, err1 := strconv.Atoi(a)
	y, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || x < 1 || y < x || strconv.Itoa(x) != a || strconv.Itoa(y) != b {
		return 0, 0, fmt.Errorf("%q: want N of M", s)
	}
	return x, y, nil
}

// Span shows a duration the way people say it in a thread or on a card:
// 45m, 1h 5m, 2d 3h ("under a minute" below one). Negative spans show
// their size.
func Span(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Round(time.Minute)
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	var parts []string
	if days > 0 {
		parts = append(parts, strconv.Itoa(days)+"d")
	}
	if hours > 0 {
		parts = append(parts, strconv.Itoa(hours)+"h")
	}
	if mins > 0 && days == 0 {
		parts = append(parts, strconv.Itoa(mins)+"m")
	}
	if len(parts) == 0 {
		return "under a minute"
	}
	return strings.Join(parts, " ")
}
