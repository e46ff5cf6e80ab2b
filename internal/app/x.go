package app

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/sources/poll"
	"github.com/earshothq/earshot/sources/x"
	"github.com/earshothq/earshot/store"
)

// The store keeps the usage counts and lists the open threads.
var (
	_ x.Cursors      = (*store.DB)(nil)
	_ x.ThreadPoster = (*store.DB)(nil)
)

// wireX builds what EARSHOT_X_* asks for: the filtered stream (modes auto
// and stream), a recent-search poller per query plus one for the brand
// account's mentions and answers (modes auto, searching only while the
// stream is down, and search), the deletion check, and the replier. They
// share one usage meter (the monthly caps) and one set of followed posts.
// No network call.
func wireX(d sourceDeps) (sourceParts, error) {
	c := d.cfg.X
	if !c.ReadOn() && !c.ReplyOn() {
		return sourceParts{}, nil
	}
	log := d.log
	acct := x.Account{UserID: c.UserID, Handle: strings.TrimPrefix(c.Handle, "@")}
	if acct.Handle != "" && d.rules != nil && !d.rules.IsOurs(acct.Handle) {
		log.Warn("EARSHOT_X_HANDLE is not among the rules' brand handles: our own X posts would look like a customer's", "handle", acct.Handle)
	}
	usage := x.NewUsage(x.UsageOptions{ReadCap: c.MonthlyReadCap, WriteCap: c.MonthlyWriteCap, Store: d.db, Logger: log, Now: d.now})
	tracker := x.NewTracker()
	var parts sourceParts
	var app *x.Client
	if c.ReadOn() {
		var err error
		if app, err = x.NewClient(c.APIURL, c.BearerToken, nil); err != nil {
			return sourceParts{}, fmt.Errorf("EARSHOT_X_API_URL: %w", err)
		}
		mode := c.Mode
		if mode == "" {
			mode = "auto"
		}
		var health *x.Health
		if mode != "search" {
			// The stream's client has no overall timeout: the stall timer
			// ends a dead connection instead.
			sc, err := x.NewClient(c.APIURL, c.BearerToken, &http.Client{})
			if err != nil {
				return sourceParts{}, err
			}
			health = x.NewHealth()
			src, err := x.NewStream(x.StreamOptions{
				Client: sc, Queries: c.Queries, Account: acct, BackfillMinutes: c.BackfillMinutes,
				Usage: usage, Health: health, Tracker: tracker, Threads: d.db, Hears: d.hears, Logger: log, Now: d.now,
			})
			if err != nil {
				return sourceParts{}, err
			}
			parts.sources = append(parts.sources, src)
		}
		if mode != "stream" {
			ps, err := xSearches(c.Queries, acct, app, health, usage, tracker, d, c.SearchInterval)
			if err != nil {
				return sourceParts{}, err
			}
			parts.pollers = append(parts.pollers, ps...)
		}
		if c.DeletionCheck > 0 {
			del, err := x.NewDeletions(x.DeletionsOptions{Client: app, Threads: d.db, Usage: usage, Interval: c.DeletionCheck, Logger: log, Now: d.now})
			if err != nil {
				return sourceParts{}, err
			}
			parts.pollers = append(parts.pollers, del)
		}
		log.Info("x reading on", "mode", mode, "queries", len(c.Queries), "handle", acct.Handle, "usage", usage.Status())
	}
	if c.ReplyOn() {
		uc, err := c.User().Client(c.APIURL, 30*time.Second)
		if err != nil {
			return sourceParts{}, err
		}
		r, err := x.NewReplier(x.ReplierOptions{User: uc, Search: app, Account: acct, Usage: usage, Tracker: tracker, Logger: log, Now: d.now})
		if err != nil {
			return sourceParts{}, err
		}
		parts.repliers = append(parts.repliers, r)
		log.Info("x replies on", "handle", acct.Handle, "oauth1", c.User().OAuth1())
	}
	return parts, nil
}

// xSearches is one poller per query, and one for the brand account.
func xSearches(queries []string, acct x.Account, app *x.Client, health *x.Health, usage *x.Usage, tracker *x.Tracker, d sourceDeps, every time.Duration) ([]poll.Poller, error) {
	var out []poll.Poller
	for _, r := range x.WantedRules(queries, acct.Handle) {
		o := x.SearchOptions{Client: app, Query: r.Value, Account: acct, Health: health, Usage: usage, Tracker: tracker,
			Threads: d.db, Hears: d.hears, Interval: every, Logger: d.log, Now: d.now}
		if r.Tag == x.TagReplies {
			o.Name, o.Always = "x:search:account", true
		}
		s, err := x.NewSearch(o)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

var _ bot.Source = (*x.Stream)(nil)
