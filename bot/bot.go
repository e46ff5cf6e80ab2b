package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/earshothq/earshot/routing"
)

// Observer receives the pipeline's measurements (Prometheus in production).
type Observer interface {
	Ingested(outcome IngestOutcome, n int)
	BatchStored(n int, d time.Duration)
	JobFinished(kind JobKind, err error, d time.Duration)
}

type nopObserver struct{}

func (nopObserver) Ingested(IngestOutcome, int)               {}
func (nopObserver) BatchStored(int, time.Duration)            {}
func (nopObserver) JobFinished(JobKind, error, time.Duration) {}

// Config is what a Bot is built from. Store, Rules, Classifier and Suggester
// are required; the rest have defaults.
type Config struct {
	Store      Store
	Rules      *routing.Rules
	Classifier Classifier
	Suggester  Suggester
	// Drafter, when set, drafts instead of Suggester and says more about
	// its drafts (a model's summary, why it fell back).
	Drafter  Drafter
	Surfaces []Surface
	Sources  []Source
	Actions  ActionExecutor
	Observer Observer
	Logger   *slog.Logger
	Now      func() time.Time
	// BatchSize caps how many mentions are stored per transaction.
	BatchSize int
	// Jobs handles job kinds the pipeline does not know itself (the defect
	// loop's); a kind without a handler is never planned.
	Jobs map[JobKind]JobHandler
	// Timers runs SLA and escalation jobs (*handlers.Handlers); without it
	// nothing escalates by itself and timers' jobs fail.
	Timers TimerJobs
	// TimerInterval is how often due timers are fired; default 5s.
	TimerInterval time.Duration
	// Mutes keeps muted authors and terms from opening cases; nil mutes nothing.
	Mutes MuteChecker
	// LeaseRetry is how often a replica without an exclusive source's
	// lease tries to take it (exclusive.go); default DefaultLeaseRetry.
	LeaseRetry time.Duration
}

// Bot is the pipeline: sources → store → route → classify → case → jobs.
type Bot struct {
	store      Store
	rules      atomic.Pointer[routing.Rules]
	classifier Classifier
	drafter    Drafter
	surfaces   map[string]Surface
	surfaceIDs []string
	sources    []Source
	actions    ActionExecutor
	jobs       map[JobKind]JobHandler
	timers     TimerJobs
	timerEvery time.Duration
	obs        Observer
	log        *slog.Logger
	now        func() time.Time
	batchSize  int
	cardLocks  [64]sync.Mutex
	storms     storms
	mutes      MuteChecker
	leaseRetry time.Duration
}

// New checks cfg and builds a Bot.
func New(cfg Config) (*Bot, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("bot: no store")
	case cfg.Rules == nil:
		return nil, errors.New("bot: no rules")
	case cfg.Classifier == nil:
		return nil, errors.New("bot: no classifier")
	case cfg.Suggester == nil:
		return nil, errors.New("bot: no suggester")
	}
	b := &Bot{
		store:      cfg.Store,
		classifier: cfg.Classifier,
		drafter:    cfg.Drafter,
		surfaces:   map[string]Surface{},
		sources:    cfg.Sources,
		actions:    cfg.Actions,
		jobs:       cfg.Jobs,
		timers:     cfg.Timers,
		timerEvery: cfg.TimerInterval,
		obs:        cfg.Observer,
		log:        cfg.Logger,
		now:        cfg.Now,
		batchSize:  cfg.BatchSize,
		mutes:      cfg.Mutes,
		leaseRetry: cfg.LeaseRetry,
	}
	b.rules.Store(cfg.Rules)
	for _, s := range cfg.Surfaces {
		if _, dup := b.surfaces[s.Name()]; dup {
			return nil, fmt.Errorf("bot: surface %q configured twice", s.Name())
		}
		b.surfaces[s.Name()] = s
		b.surfaceIDs = append(b.surfaceIDs, s.Name())
	}
	if b.drafter == nil {
		b.drafter = SuggesterDrafter(cfg.Suggester, "builtin")
	}
	if b.obs == nil {
		b.obs = nopObserver{}
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.batchSize <= 0 {
		b.batchSize = 500
	}
	if b.timerEvery <= 0 {
		b.timerEvery = DefaultTimerInterval
	}
	if b.leaseRetry <= 0 {
		b.leaseRetry = DefaultLeaseRetry
	}
	return b, nil
}

// Rules returns the rules in force.
func (b *Bot) Rules() *routing.Rules { return b.rules.Load() }

// SetRules swaps the rules in force; mentions in flight finish with the old ones.
func (b *Bot) SetRules(r *routing.Rules) { b.rules.Store(r) }

// Run works durable jobs and runs every source until ctx ends. A source that
// returns nil (a replay that reached its end) is done; one that fails is
// logged and the others go on. Run returns when ctx ends or the job runner fails.
func (b *Bot) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for _, src := range b.sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.runSource(ctx, src) // exclusive.go
		}()
	}
	if _, ok := b.store.(TimerStore); ok {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.runTimers(ctx)
		}()
	}
	err := b.store.RunJobs(ctx, b.HandleJob)
	cancel()
	wg.Wait()
	if ctx.Err() != nil && (err == nil || errors.Is(err, context.Canceled)) {
		return nil
	}
	return err
}

// Decide classifies and routes one mention without storing it.
func (b *Bot) Decide(m Mention) Incoming {
	return Decider{Rules: b.rules.Load(), Classifier: b.classifier, Mutes: b.mutes}.Decide(m)
}

// Ingest is the Emit every source feeds: it decides each mention and stores
// the batch with its jobs, in chunks of BatchSize.
func (b *Bot) Ingest(ctx context.Context, ms []Mention) error {
	for len(ms) > 0 {
		n := min(len(ms), b.batchSize)
		if _, err := b.IngestBatch(ctx, ms[:n]); err != nil {
			return err
		}
		ms = ms[n:]
	}
	return nil
}

// IngestBatch stores one batch in one transaction and returns what happened.
func (b *Bot) IngestBatch(ctx context.Context, ms []Mention) ([]IngestResult, error) {
	batch := make([]Incoming, len(ms))
	for i, m := range ms {
		if m.CreatedAt.IsZero() {
			m.CreatedAt = b.now()
		}
		if m.Deleted {
			batch[i] = Incoming{Mention: m} // nothing to classify or route
			continue
		}
		batch[i] = b.Decide(m)
	}
	start := time.Now()
	res, err := b.store.Ingest(ctx, batch, b.planJobs)
	if err != nil {
		return nil, fmt.Errorf("store %d mentions: %w", len(ms), err)
	}
	b.obs.BatchStored(len(ms), time.Since(start))
	counts := map[IngestOutcome]int{}
	for _, r := range res {
		counts[r.Outcome]++
	}
	for o, n := range counts {
		b.obs.Ingested(o, n)
	}
	return res, nil
}

// planJobs is the policy of what durable work follows a stored mention.
func (b *Bot) planJobs(r IngestResult) []Job {
	var jobs []Job
	for _, t := range r.Cases {
		for _, s := range b.surfaceIDs {
			jobs = append(jobs, Job{Kind: JobCard, CaseID: t.Case.ID, Surface: s, Rev: t.Case.Rev})
			if !t.Opened {
				jobs = append(jobs, Job{Kind: JobNote, CaseID: t.Case.ID, Surface: s, EventID: t.Event.ID})
			}
			for _, ev := range t.Also {
				jobs = append(jobs, Job{Kind: JobNote, CaseID: t.Case.ID, Surface: s, EventID: ev.ID})
			}
		}
		// A follow-up changes what a good answer is, so drafts are redone.
		if !t.Event.Kind.ours() {
			jobs = append(jobs, Job{Kind: JobSuggest, CaseID: t.Case.ID, Rev: t.Case.Rev})
		}
		if t.Opened && b.jobs[JobAutoDefect] != nil && b.rules.Load().AutoDefect(t.Case.Rules, t.Case.Team) != "" {
			jobs = append(jobs, Job{Kind: JobAutoDefect, CaseID: t.Case.ID})
		}
		// Someone may be hurt: the team's policy starts at once, without
		// waiting for a person to click (see TimerJobs.Escalation, step 0).
		if t.Opened && b.timers != nil {
			if team, ok := b.rules.Load().Teams[t.Case.Team]; ok && team.AutoEscalates(string(t.Case.Labels.Intent)) {
				jobs = append(jobs, Job{Kind: JobEscalation, CaseID: t.Case.ID})
			}
		}
	}
	return jobs
}

func (k EventKind) ours() bool { return k == EventOurPost }

// Decider classifies and routes mentions: the part of the pipeline that
// needs no storage, shared by the bot and `earshot replay --dry-run`.
type Decider struct {
	Rules      *routing.Rules
	Classifier Classifier
	// Mutes, when set, keeps a muted author's or term's mention from opening
	// a case; it is still stored, and still joins a case it answers.
	Mutes MuteChecker
}

// Decide classifies and routes one mention without storing it.
func (d Decider) Decide(m Mention) Incoming {
	rules := d.Rules
	labels := d.Classifier.Classify(m)
	if rules.IsOurs(m.Author.Handle) {
		m.Ours = true
	}
	// Every team's SLA, not only the routed ones: a follow-up rarely names the
	// brand, routes nowhere, and still reopens its case with the clock running.
	in := Incoming{Mention: m, Labels: labels, SLA: rules.SLAs(), Clock: func(team string) SLAClock {
		if t, ok := rules.Teams[team]; ok {
			return t // business hours and reminders
		}
		return nil
	}}
	if m.Ours {
		return in // our own posts only ever extend a case
	}
	dec := rules.Match(RoutingInput(m, labels))
	in.Teams, in.Rules, in.Excluded = dec.Teams, dec.Routes, dec.Excluded
	// Only a mention that would open a case pays for the mute check.
	if len(in.Teams) > 0 && d.Mutes != nil {
		if mu, ok := d.Mutes.Muted(m); ok {
			in.Teams, in.Rules, in.Excluded = nil, nil, mu.Describe()
			return in
		}
	}
	for _, name := range dec.Teams {
		t, ok := rules.Teams[name]
		if !ok {
			continue
		}
		if u := TeamUrgency(labels, m.Author.Followers, t.Urgency); u != labels.Urgency {
			if in.Urgency == nil {
				in.Urgency = map[string]Urgency{}
			}
			in.Urgency[name] = u
		}
	}
	return in
}

// RoutingInput is what routing sees of a labelled mention.
func RoutingInput(m Mention, labels Labels) routing.Input {
	return routing.Input{
		Text:      m.Text,
		Platform:  m.Platform,
		Lang:      m.Lang,
		Author:    m.Author.Handle,
		URL:       m.URL,
		Followers: m.Author.Followers,
		IsReply:   m.IsReply(),
		// The post's own address is not a link in it: every post has one.
		HasLink:   containsLink(m.Text),
		Sentiment: string(labels.Sentiment),
		Intent:    string(labels.Intent),
		Urgency:   string(labels.Urgency),
	}
}

func containsLink(s string) bool {
	return strings.Contains(s, "http://") || strings.Contains(s, "https://")
}

// Hears reports whether a streaming source should hand m to the pipeline at
// all: it would open a case for some team, or it comes from one of our
// accounts. Firehose sources (Bluesky's Jetstream sees every public post on
// the network) call it on every post, so the pipeline only stores what
// concerns the brand. Follow-ups to known threads are the source's call.
func (b *Bot) Hears(m Mention) bool {
	rules := b.rules.Load()
	if rules.IsOurs(m.Author.Handle) {
		return true
	}
	// Most of a firehose never names the brand: the term scan alone says
	// so, and classification (most of Decide's cost) is skipped.
	if !rules.MayMatch(RoutingInput(m, Labels{})) {
		return false
	}
	in := b.Decide(m)
	return len(in.Teams) > 0
}
