// Package app wires earshot together: config → store → sources → surfaces →
// bot. It is main's body, kept out of main so tests run the whole product.
// It never touches signals or os.Exit; the caller owns the context.
package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/handlers"
	"github.com/earshothq/earshot/internal/config"
	"github.com/earshothq/earshot/internal/metrics"
	"github.com/earshothq/earshot/internal/tuning"
	"github.com/earshothq/earshot/llm"
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/sources/replay"
	"github.com/earshothq/earshot/sources/webhook"
	"github.com/earshothq/earshot/store"
	discordsurface "github.com/earshothq/earshot/surfaces/discord"
	slacksurface "github.com/earshothq/earshot/surfaces/slack"
	"github.com/earshothq/earshot/surfaces/web"
)

// The store serves every consumer's interface; each is declared where used.
var (
	_ bot.Store      = (*store.DB)(nil)
	_ handlers.Store = (*store.DB)(nil)
	_ web.Store      = (*store.DB)(nil)
	_ web.Actions    = (*handlers.Handlers)(nil)
	_ web.Mutes      = (*handlers.Handlers)(nil)
)

// App is a wired earshot, ready to Run.
type App struct {
	Config  config.Config
	Store   *store.DB
	Bot     *bot.Bot
	Web     *web.Server
	Metrics *metrics.Metrics
	// Slack is the Slack surface; nil when not configured.
	Slack *slacksurface.Surface
	// Discord is the Discord surface; nil when not configured.
	Discord *discordsurface.Surface
	// Rules reloads the rules file; nil on the embedded example.
	Rules *Reloader
	// Mutes are the muted authors and terms in force.
	Mutes   *bot.Mutes
	log     *slog.Logger
	handler http.Handler
}

// Options are seams for tests; zero values are production defaults.
type Options struct {
	Logger *slog.Logger
	Now    func() time.Time
}

// LoadRules reads the rules file, or the embedded example when path is empty.
func LoadRules(path string) (*routing.Rules, error) {
	if path == "" {
		return routing.Example(), nil
	}
	return routing.Load(path)
}

// New opens the store and builds every part named by cfg.
func New(ctx context.Context, cfg config.Config, o Options) (_ *App, err error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	// The file is read once: the reloader compares later versions with
	// exactly the bytes these rules came from.
	rules, rulesData := routing.Example(), []byte(nil)
	if cfg.Rules != "" {
		if rulesData, err = os.ReadFile(cfg.Rules); err != nil {
			return nil, fmt.Errorf("read rules: %w", err)
		}
		if rules, err = routing.Parse(cfg.Rules, rulesData); err != nil {
			return nil, err
		}
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, store.Options{Logger: log, Now: now, JobWorkers: cfg.JobWorkers,
		// Drafting jobs wait on the model's concurrency limit; twice that lets
		// cached answers through while the slots are busy.
		DraftWorkers: 2 * max(cfg.LLM.MaxConcurrent, llm.DefaultMaxConcurrent)})
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	m := metrics.New()

	var sources []bot.Source
	hook := webhook.New(cfg.WebhookSecret, webhook.Options{Logger: log, Now: now})
	sources = append(sources, hook)
	if cfg.SampleOn() {
		sample := replay.Sample()
		sources = append(sources, replay.New("sample", func() (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(sample)), nil
		}, replay.Options{Interval: cfg.SampleInterval, BatchSize: 1, Live: true, Now: now, Logger: log}))
	}
	if cfg.Replay != "" {
		sources = append(sources, replay.NewFile(cfg.Replay, replay.Options{Now: now, Logger: log}))
	}

	var b *bot.Bot
	masto, err := newMastodon(cfg, db, func(m bot.Mention) bool { return b.Hears(m) }, log, now)
	if err != nil {
		return nil, fmt.Errorf("mastodon: %w", err)
	}
	if masto != nil {
		sources = append(sources, masto)
	}

	var reloader *Reloader
	bsky, err := newBluesky(cfg.Bluesky, db, rules, func(m bot.Mention) bool { return b.Hears(m) }, log, now)
	if err != nil {
		return nil, err
	}
	sources = append(sources, bsky.sources()...)
	deps := sourceDeps{cfg: cfg, db: db, rules: rules, metrics: m, hears: func(m bot.Mention) bool { return b.Hears(m) }, log: log, now: now}
	more, err := wirePlatforms(deps)
	if err != nil {
		return nil, err
	}
	sources = append(sources, more.sources...)
	if sched, err := newScheduler(deps, more.pollers); err != nil {
		return nil, err
	} else if sched != nil {
		sources = append(sources, sched)
	}
	teams := func(name string) (bot.Team, bool) { return b.Rules().Team(name) }
	surfaceNames := []string{"web"}
	if cfg.SlackBotToken != "" {
		surfaceNames = append(surfaceNames, slacksurface.Name)
	}
	if cfg.DiscordToken != "" {
		surfaceNames = append(surfaceNames, discordsurface.Name)
	}
	builtin, err := bot.NewBuiltinSuggester(func() routing.Brand { return b.Rules().Brand })
	if err != nil {
		return nil, err
	}
	builtin.FAQ = bot.RulesFAQ(func() *routing.Rules { return b.Rules() })
	var suggester bot.Suggester = builtin
	drafter := bot.SuggesterDrafter(builtin, llm.Builtin)
	if cfg.LLM.Enabled() {
		lc := cfg.LLM
		lc.Rules = func() *routing.Rules { return b.Rules() }
		lc.OnNote = func(ctx context.Context, c bot.Case, note string) { noteOnCase(ctx, db, surfaceNames, c.ID, note, log) }
		d, err := llm.New(lc, builtin)
		if err != nil {
			return nil, fmt.Errorf("llm: %w", err)
		}
		suggester, drafter = d, d
		log.Info("drafts by model", "model", lc.Model)
	}
	defects, err := defectConfig(cfg, db, func() *routing.Rules { return b.Rules() })
	if err != nil {
		return nil, err
	}
	teamList := func() []bot.Team {
		r := b.Rules()
		list := make([]bot.Team, 0, len(r.TeamOrder))
		for _, name := range r.TeamOrder {
			t, _ := r.Team(name)
			list = append(list, t)
		}
		return list
	}
	mutes, err := loadMutes(ctx, db, now, log)
	if err != nil {
		return nil, err
	}
	repliers, err := webhookRepliers(cfg, now, log)
	if err != nil {
		return nil, err
	}
	if masto != nil {
		repliers = append(repliers, masto)
	}
	repliers = append(repliers, bsky.repliers()...)
	repliers = append(repliers, more.repliers...)
	h, err := handlers.New(handlers.Config{
		Store: db, Teams: teams, Surfaces: surfaceNames, Logger: log, Now: now,
		Drafter: drafter, Defects: defects,
		Repliers: repliers, AllTeams: teamList, Mutes: db, MutesChanged: mutes.Reload,
	})
	if err != nil {
		return nil, err
	}
	w, err := web.New(web.Options{
		Store: db, Actions: h, TeamList: teamList, Token: cfg.WebToken, Users: cfg.WebUsers, Addr: cfg.HTTPAddr,
		Logger: log, Now: now, Metrics: m.Handler(),
		Ready: db.Ping, Mutes: h, Sources: db.SourceStatuses,
		Tuning: func(ctx context.Context, since time.Time) (tuning.Report, error) {
			return TuningReport(ctx, db, b.Rules(), since)
		},
		Status: func(ctx context.Context) any {
			st := status(ctx, db, sources)
			if reloader != nil {
				st["rules"] = reloader.Status()
			} else {
				st["rules"] = map[string]any{"file": "(embedded example)", "routes": b.Rules().Stats().Routes}
			}
			return st
		},
	})
	if err != nil {
		return nil, err
	}
	surfaces := []bot.Surface{w}
	classifier := bot.NewBuiltinClassifier()
	var sl *slacksurface.Surface
	if cfg.SlackBotToken != "" {
		sl, err = slacksurface.New(slacksurface.Options{
			BotToken: cfg.SlackBotToken, AppToken: cfg.SlackAppToken, SigningSecret: cfg.SlackSigningSecret,
			APIURL: cfg.SlackAPIURL, Actions: h, CaseByRef: db.CaseByCardRef,
			Card:      func(ctx context.Context, id int64) (bot.Card, error) { return b.CardFor(ctx, id) },
			Reactions: func() map[string]routing.Reaction { return b.Rules().Reactions },
			RouteTest: func(text string) string { return RouteTest(b.Rules(), classifier, text) },
			Stats: func(ctx context.Context, team string, days int) (string, error) {
				return StatsText(ctx, db, team, days, now())
			},
			Mutes:  h,
			Logger: log, Now: now,
		})
		if err != nil {
			return nil, fmt.Errorf("slack: %w", err)
		}
		surfaces = append(surfaces, sl)
	}
	dc, err := newDiscord(discordParts{cfg: cfg, actions: h, db: db, bot: func() *bot.Bot { return b }, classifier: classifier, log: log, now: now})
	if err != nil {
		return nil, err
	}
	if dc != nil {
		surfaces = append(surfaces, dc)
	}
	b, err = bot.New(bot.Config{
		Store: db, Rules: rules, Classifier: classifier, Suggester: suggester, Drafter: drafter,
		Surfaces: surfaces, Sources: sources, Actions: h, Observer: m, Logger: log, Now: now,
		Jobs: defectJobs(h), Timers: h, TimerInterval: cfg.TimerInterval, Mutes: mutes,
	})
	if err != nil {
		return nil, err
	}
	if cfg.Rules != "" {
		reloader = NewReloader(cfg.Rules, rulesData, rules, b.SetRules, log)
	}
	mux := http.NewServeMux()
	if sl != nil && !sl.SocketMode() {
		mux.Handle("/slack/", sl.Handler())
	}
	if dc != nil && dc.HTTPInteractions() {
		mux.Handle(discordsurface.InteractionsPath, dc.Handler())
	}
	mux.Handle("/hooks/mentions", hook)
	for pattern, h := range more.handlers {
		mux.Handle(pattern, h)
	}
	if gh, err := githubHook(cfg, h, log, now); err != nil {
		return nil, err
	} else if gh != nil {
		mux.Handle("/hooks/github", gh)
	}
	mux.Handle("/", w.Handler())
	return &App{Config: cfg, Store: db, Bot: b, Web: w, Metrics: m, Slack: sl, Discord: dc, Rules: reloader, Mutes: mutes, log: log, handler: mux}, nil
}

// Handler is every HTTP endpoint earshot serves.
func (a *App) Handler() http.Handler { return a.handler }

// Run serves HTTP on cfg.HTTPAddr and runs the bot until ctx ends, then
// shuts both down gracefully and closes the store.
func (a *App) Run(ctx context.Context) error {
	defer a.Store.Close()
	ln, err := net.Listen("tcp", a.Config.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.Config.HTTPAddr, err)
	}
	return a.Serve(ctx, ln)
}

// Serve is Run on a listener the caller opened (tests use port 0).
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv := web.HTTPServer(a.handler, a.log)
	httpErr := make(chan error, 1)
	go func() {
		a.log.Info("web inbox listening", "url", "http://"+ln.Addr().String()+"/")
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			httpErr <- err
		}
		close(httpErr)
	}()
	botErr := make(chan error, 1)
	go func() { botErr <- a.Bot.Run(ctx) }()
	go a.Mutes.Watch(ctx, muteReload)
	if a.Slack != nil {
		defer a.Slack.Close()
		if a.Slack.SocketMode() {
			go func() {
				if err := a.Slack.Run(ctx); err != nil && ctx.Err() == nil {
					a.log.Error("slack socket mode stopped", "error", err)
				}
			}()
		}
	}
	defer a.runDiscord(ctx)()
	if a.Rules != nil {
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
		go func() {
			if err := a.Rules.Watch(ctx, hup); err != nil {
				a.log.Error("rules file not watched; SIGHUP and restarts still reload it", "error", err)
			}
		}()
	}

	var err error
	select {
	case err = <-httpErr:
		cancel()
		<-botErr
	case err = <-botErr:
	case <-ctx.Done():
		err = <-botErr
	}
	// Live streams never end by themselves; close them so Shutdown can finish.
	_ = a.Web.Close()
	shutCtx, done := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer done()
	if serr := srv.Shutdown(shutCtx); serr != nil && err == nil {
		err = fmt.Errorf("shut down http: %w", serr)
	}
	return err
}

// status is what GET /api/status shows operators.
func status(ctx context.Context, db *store.DB, sources []bot.Source) map[string]any {
	names := make([]string, len(sources))
	for i, s := range sources {
		names[i] = s.Name()
	}
	st := map[string]any{"database": db.Dialect(), "sources": names}
	if lines, err := db.SourceStatuses(ctx); err == nil {
		if lines == nil {
			lines = []bot.SourceStatus{}
		}
		st["source_status"] = lines
	} else {
		st["source_status_error"] = "unavailable"
	}
	if n, err := db.PendingJobs(ctx); err == nil {
		st["pending_jobs"] = n
	} else {
		st["pending_jobs_error"] = "unavailable"
	}
	return st
}

// noteOnCase tells a case's thread, on every surface, something about its
// drafts (why the built-in drafter wrote them, which model drafts were
// dropped). A lost note is logged, not retried: the drafts are there anyway.
func noteOnCase(ctx context.Context, db *store.DB, surfaces []string, caseID int64, note string, log *slog.Logger) {
	_, err := db.UpdateCase(ctx, caseID, func(c *bot.Case) (bot.CaseChange, error) {
		ch := bot.CaseChange{Events: []bot.Event{{Kind: bot.EventNote, Actor: "earshot", Text: note}}}
		for _, s := range surfaces {
			ch.Jobs = append(ch.Jobs, bot.Job{Kind: bot.JobNote, Surface: s, EventID: -1})
		}
		return ch, nil
	})
	if err != nil {
		log.Warn("draft note not added", "case", caseID, "note", note, "error", err)
	}
}
