package app

import (
	"fmt"

	"github.com/earshothq/earshot/sources/feeds"
	"github.com/earshothq/earshot/sources/poll"
)

// wireFeeds makes one poller per EARSHOT_FEEDS entry, for the polling
// scheduler. Feeds have nothing to reply to: no replier. Items of an
// ordinary feed pass the rules' pre-check before they are emitted; a
// Google Alerts feed is already a search and skips it.
func wireFeeds(d sourceDeps) (sourceParts, error) {
	if len(d.cfg.Feeds) == 0 {
		return sourceParts{}, nil
	}
	var parts sourceParts
	for i, f := range d.cfg.Feeds {
		p, err := feeds.New(feeds.Options{
			URL: f.URL, Label: f.Name,
			Interval:  d.cfg.FeedsPolling.Interval,
			UserAgent: d.cfg.FeedsPolling.UserAgent,
			Hears:     d.hears, Logger: d.log, Now: d.now,
		})
		if err != nil {
			return sourceParts{}, fmt.Errorf("EARSHOT_FEEDS entry %d: %w", i+1, err)
		}
		parts.pollers = append(parts.pollers, poll.Poller(p))
	}
	d.log.Info("feeds on", "feeds", len(parts.pollers))
	return parts, nil
}
