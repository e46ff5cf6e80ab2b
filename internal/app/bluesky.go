package app

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/config"
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/sources/bluesky"
	"github.com/earshothq/earshot/store"
)

// The store keeps the Jetstream cursor and lists the open threads.
var (
	_ bluesky.Cursors      = (*store.DB)(nil)
	_ bluesky.ThreadLister = (*store.DB)(nil)
)

// blueskyParts are the Bluesky source and replier, each nil when off.
type blueskyParts struct {
	source  *bluesky.Source
	replier *bluesky.Replier
}

func (p blueskyParts) sources() []bot.Source {
	if p.source == nil {
		return nil
	}
	return []bot.Source{p.source}
}

func (p blueskyParts) repliers() []bot.Replier {
	if p.replier == nil {
		return nil
	}
	return []bot.Replier{p.replier}
}

// newBluesky builds what EARSHOT_BLUESKY_* asks for: the Jetstream source
// (WATCH) and the replier (HANDLE with APP_PASSWORD), sharing the set of
// tracked threads so answers to our replies are followed at once. hears is
// the bot's matcher, called only once the bot exists. No network call here.
func newBluesky(cfg config.Bluesky, db *store.DB, rules *routing.Rules, hears func(bot.Mention) bool, log *slog.Logger, now func() time.Time) (blueskyParts, error) {
	var p blueskyParts
	threads := bluesky.NewThreads(0)
	if cfg.Handle != "" && !rules.IsOurs(cfg.Handle) {
		log.Warn("EARSHOT_BLUESKY_HANDLE is not among the rules' brand handles: our own Bluesky posts would look like a customer's",
			"handle", cfg.Handle)
	}
	if cfg.Watch {
		var dict []byte
		if cfg.ZstdDictionary != "" {
			var err error
			if dict, err = os.ReadFile(cfg.ZstdDictionary); err != nil {
				return p, fmt.Errorf("EARSHOT_BLUESKY_ZSTD_DICTIONARY: %w", err)
			}
		}
		o := bluesky.Options{
			JetstreamURLs: cfg.JetstreamURLs, AppViewURL: cfg.AppViewURL, Handle: cfg.Handle,
			Hears: hears, Cursors: db, ThreadLister: db, Threads: threads, ZstdDictionary: dict, Logger: log, Now: now,
		}
		src, err := bluesky.New(o)
		if err != nil {
			return p, fmt.Errorf("EARSHOT_BLUESKY_JETSTREAM_URLS: %w", err)
		}
		p.source = src
		log.Info("bluesky watch on", "hosts", len(src.Hosts()), "compressed", dict != nil)
	}
	if cfg.ReplyOn() {
		r, err := bluesky.NewReplier(bluesky.ReplierOptions{
			Handle: cfg.Handle, AppPassword: cfg.AppPassword, PDSURL: cfg.PDSURL, AppViewURL: cfg.AppViewURL,
			Threads: threads, Logger: log, Now: now,
		})
		if err != nil {
			return p, fmt.Errorf("bluesky replies: %w", err)
		}
		p.replier = r
		log.Info("bluesky replies on", "handle", cfg.Handle)
	}
	return p, nil
}
