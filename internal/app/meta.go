package app

import (
	"fmt"
	"net/http"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/sources/meta"
	"github.com/earshothq/earshot/store"
)

// The store lists the threads the Meta feeds follow.
var _ meta.Threads = (*store.DB)(nil)

// wireMeta builds what EARSHOT_META_* asks for: the webhook endpoint (with
// an app secret), a polling feed per page and account named in
// EARSHOT_META_POLL, and the Facebook and Instagram repliers. No network
// call here.
func wireMeta(d sourceDeps) (sourceParts, error) {
	m := d.cfg.Meta
	if !m.On() {
		return sourceParts{}, nil
	}
	g, err := meta.NewGraph(m.GraphURL, m.GraphVersion, m.AppSecret, nil, d.now)
	if err != nil {
		return sourceParts{}, err
	}
	pages, accounts := []meta.Page(m.Pages), []meta.Account(m.InstagramAccounts)
	var parts sourceParts
	// One followed-post set per platform for the webhook, the pollers and
	// the repliers: deliveries check it in memory, and our replies join it
	// the moment they are posted.
	followed := meta.NewFollowed(d.db)
	if m.AppSecret != "" {
		src := meta.New(meta.Options{
			AppSecret: m.AppSecret, VerifyToken: m.VerifyToken, Pages: pages, Accounts: accounts,
			Graph: g, Threads: d.db, Followed: followed, Hears: d.hears, Logger: d.log, Now: d.now,
		})
		parts.sources = []bot.Source{src}
		parts.handlers = map[string]http.Handler{meta.Path: src}
	}
	po := meta.PollOptions{Threads: d.db, Followed: followed, Hears: d.hears, Interval: m.PollInterval, Now: d.now}
	tokens := map[string]string{}
	for _, p := range pages {
		tokens[p.ID] = p.Token
		if m.Polled(p.ID) {
			parts.pollers = append(parts.pollers, meta.NewPagePoller(g, p, po))
		}
	}
	for _, a := range accounts {
		if m.Polled(a.ID) {
			parts.pollers = append(parts.pollers, meta.NewIGPoller(g, a, tokens[a.PageID], po))
		}
	}
	platforms := []string{meta.Facebook}
	if len(accounts) > 0 {
		platforms = append(platforms, meta.Instagram)
	}
	for _, platform := range platforms {
		r, err := meta.NewReplier(meta.ReplierOptions{
			Platform: platform, Graph: g, Pages: pages, Accounts: accounts, Private: m.PrivateReplies, Followed: followed, Now: d.now,
		})
		if err != nil {
			return sourceParts{}, fmt.Errorf("%s replies: %w", platform, err)
		}
		parts.repliers = append(parts.repliers, r)
	}
	d.log.Info("meta on", "pages", len(pages), "instagram_accounts", len(accounts),
		"webhook", m.AppSecret != "", "polled", len(parts.pollers), "private_replies", m.PrivateReplies)
	return parts, nil
}
