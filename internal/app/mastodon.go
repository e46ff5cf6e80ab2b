package app

import (
	"log/slog"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/config"
	"github.com/earshothq/earshot/sources/mastodon"
	"github.com/earshothq/earshot/store"
)

// The store keeps the source's cursors (and, where it has them, the list
// of followed posts: see newMastodon).
var _ mastodon.Cursors = (*store.DB)(nil)

// newMastodon builds the Mastodon source (which also answers on Mastodon)
// when a server and token are configured, nil otherwise. It makes no
// network call. hears is consulted for every post that neither mentions
// the brand account nor answers a followed thread; the bot is built after
// the sources, so it is a closure over the bot to come.
func newMastodon(cfg config.Config, db *store.DB, hears func(bot.Mention) bool, log *slog.Logger, now func() time.Time) (*mastodon.Source, error) {
	m := cfg.Mastodon
	if !m.On() {
		return nil, nil
	}
	ctxEvery := m.ContextInterval
	if ctxEvery == 0 {
		ctxEvery = -1 // off
	}
	o := mastodon.Options{
		Server: m.Server, Token: m.Token, Hashtags: m.Hashtags, Keywords: m.Keywords, Public: m.Public,
		Polling: m.Polling, PollInterval: m.PollInterval, ContextInterval: ctxEvery,
		Hears: hears, Cursors: db, Logger: log, Now: now,
	}
	if tp, ok := any(db).(mastodon.ThreadPoster); ok {
		o.Threads = tp
	}
	src, err := mastodon.New(o)
	if err != nil {
		return nil, err
	}
	log.Info("mastodon on", "server", m.Server, "hashtags", len(m.Hashtags), "keywords", len(m.Keywords), "public", m.Public)
	return src, nil
}
