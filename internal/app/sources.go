package app

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/config"
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/sources/poll"
	"github.com/earshothq/earshot/store"
)

// sourceDeps is what a platform's wiring may use. hears is the bot's
// matcher, a closure over the bot that is built after the sources: call it
// only once the sources run.
type sourceDeps struct {
	cfg   config.Config
	db    *store.DB
	rules *routing.Rules // the rules at start (brand handles, products)
	hears func(bot.Mention) bool
	log   *slog.Logger
	now   func() time.Time
	// metrics, when set, counts polls too.
	metrics poll.StatusRecorder
}

// sourceParts is what one platform adds: stream sources, feeds for the
// polling scheduler, repliers, and HTTP endpoints (webhooks) by pattern.
type sourceParts struct {
	sources  []bot.Source
	pollers  []poll.Poller
	repliers []bot.Replier
	handlers map[string]http.Handler
}

func (p *sourceParts) add(q sourceParts) {
	p.sources = append(p.sources, q.sources...)
	p.pollers = append(p.pollers, q.pollers...)
	p.repliers = append(p.repliers, q.repliers...)
	for pattern, h := range q.handlers {
		if p.handlers == nil {
			p.handlers = map[string]http.Handler{}
		}
		p.handlers[pattern] = h
	}
}

// platform is one platform's wiring: nothing (zero parts) when its
// settings leave it off. It makes no network call.
type platform struct {
	name string
	wire func(sourceDeps) (sourceParts, error)
}

// platforms are wired in this order. Each platform's file adds itself here.
var platforms = []platform{
	{name: "hackernews", wire: wireHackerNews},
	{name: "github search", wire: wireGitHubSearch},
	{name: "feeds", wire: wireFeeds},
	{name: "reddit", wire: wireReddit},
	{name: "meta", wire: wireMeta},
	{name: "x", wire: wireX},
}

// wirePlatforms builds every platform's parts.
func wirePlatforms(d sourceDeps) (sourceParts, error) {
	var all sourceParts
	for _, p := range platforms {
		parts, err := p.wire(d)
		if err != nil {
			return sourceParts{}, fmt.Errorf("%s: %w", p.name, err)
		}
		all.add(parts)
	}
	return all, nil
}

// newScheduler puts every platform's feeds on the one polling scheduler,
// which keeps their cursors and status lines in the store. nil without feeds.
func newScheduler(d sourceDeps, pollers []poll.Poller) (*poll.Scheduler, error) {
	if len(pollers) == 0 {
		return nil, nil
	}
	s, err := poll.New(pollers, poll.Options{
		Cursors: d.db, Status: recorders(d.db, d.metrics), Concurrency: d.cfg.PollConcurrency, Logger: d.log, Now: d.now,
	})
	if err != nil {
		return nil, err
	}
	d.log.Info("polling on", "feeds", len(pollers))
	return s, nil
}

// recorders are the status recorders that are set.
func recorders(rs ...poll.StatusRecorder) poll.Recorders {
	var out poll.Recorders
	for _, r := range rs {
		if r != nil {
			out = append(out, r)
		}
	}
	return out
}
