package app

import (
	"fmt"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/sources/reddit"
	"github.com/earshothq/earshot/store"
)

// The store lists the open threads the Reddit feeds follow.
var _ reddit.ThreadLister = (*store.DB)(nil)

// wireReddit builds what EARSHOT_REDDIT_* asks for: the feeds (searches,
// subreddits, the account's inbox, the deletion watch) for the polling
// scheduler, all on one rate budget, and the replier when the account's
// password is given. Nothing when off; no network call here.
func wireReddit(d sourceDeps) (sourceParts, error) {
	c := d.cfg.Reddit
	if !c.On() {
		return sourceParts{}, nil
	}
	if c.Username != "" && d.rules != nil && !d.rules.IsOurs("u/"+c.Username) && !d.rules.IsOurs(c.Username) {
		d.log.Warn("EARSHOT_REDDIT_USERNAME is not among the rules' brand handles: our own Reddit comments would look like a customer's",
			"username", c.Username)
	}
	o := reddit.Options{
		Credentials: reddit.Credentials{ClientID: c.ClientID, Secret: c.Secret, Username: c.Username, Password: c.Password},
		UserAgent:   c.UserAgent, APIURL: c.APIURL, AuthURL: c.AuthURL,
		Queries: c.Queries, Subreddits: c.Subreddits, Deny: c.Deny, Interval: c.Interval,
		Hears: d.hears, Logger: d.log, Now: d.now,
	}
	if d.db != nil {
		o.Threads = d.db
	}
	r, err := reddit.New(o)
	if err != nil {
		return sourceParts{}, fmt.Errorf("EARSHOT_REDDIT_*: %w", err)
	}
	parts := sourceParts{pollers: r.Pollers()}
	if rp := r.Replier(); rp != nil {
		parts.repliers = []bot.Replier{rp}
	}
	d.log.Info("reddit on", "queries", len(c.Queries), "subreddits", len(c.Subreddits), "replies", len(parts.repliers) == 1)
	return parts, nil
}
