package app

import (
	"github.com/earshothq/earshot/sources/hackernews"
	"github.com/earshothq/earshot/store"
)

var _ hackernews.ThreadLister = (*store.DB)(nil)

// wireHackerNews makes one feed per query and one that follows the
// comments under open cases' stories. Hacker News has no write API, so
// there is no replier: replies are assisted ones linking the item.
func wireHackerNews(d sourceDeps) (sourceParts, error) {
	h := d.cfg.HackerNews
	if !h.On() {
		return sourceParts{}, nil
	}
	stories := hackernews.NewStories()
	var parts sourceParts
	for _, q := range h.Queries {
		s, err := hackernews.NewSearch(hackernews.Options{Query: q, APIURL: h.APIURL, Interval: h.Interval, Stories: stories, Now: d.now})
		if err != nil {
			return sourceParts{}, err
		}
		parts.pollers = append(parts.pollers, s)
	}
	th, err := hackernews.NewThreads(hackernews.ThreadOptions{Threads: d.db, Stories: stories, APIURL: h.APIURL, Interval: h.Interval, Now: d.now})
	if err != nil {
		return sourceParts{}, err
	}
	parts.pollers = append(parts.pollers, th)
	d.log.Info("hackernews on", "queries", len(h.Queries))
	return parts, nil
}
