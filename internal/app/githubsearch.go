package app

import (
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/sources/githubsearch"
	"github.com/earshothq/earshot/store"
)

var _ githubsearch.ThreadLister = (*store.DB)(nil)

// wireGitHubSearch makes one issue feed per query and one discussion feed
// per query that may find discussions, one that follows comments on open
// cases' issues and discussions, and the replier that comments there, all with the
// token defects are filed with. The repositories defects are filed in are
// left out of the search: their issues are ours, and the defect loop
// (trackers/github) follows them.
func wireGitHubSearch(d sourceDeps) (sourceParts, error) {
	g := d.cfg.GitHubSearch
	if !g.On() {
		return sourceParts{}, nil
	}
	cl, err := githubsearch.NewClient(githubsearch.ClientOptions{Token: d.cfg.GitHubToken, APIURL: d.cfg.GitHubAPIURL, Now: d.now})
	if err != nil {
		return sourceParts{}, err
	}
	deny := githubsearch.DenyList(append(defectRepos(d.rules), g.Deny...))
	var parts sourceParts
	for _, q := range g.Queries {
		s, err := githubsearch.NewSearch(githubsearch.SearchOptions{Client: cl, Query: q, Deny: deny, Interval: g.Interval})
		if err != nil {
			return sourceParts{}, err
		}
		parts.pollers = append(parts.pollers, s)
		if g.Discussions && githubsearch.SearchesDiscussions(q) {
			ds, err := githubsearch.NewDiscussionSearch(githubsearch.SearchOptions{Client: cl, Query: q, Deny: deny, Interval: g.Interval})
			if err != nil {
				return sourceParts{}, err
			}
			parts.pollers = append(parts.pollers, ds)
		}
	}
	th, err := githubsearch.NewThreads(githubsearch.ThreadOptions{Client: cl, Threads: d.db, Interval: g.Interval})
	if err != nil {
		return sourceParts{}, err
	}
	parts.pollers = append(parts.pollers, th)
	parts.repliers = append(parts.repliers, githubsearch.NewReplier(cl))
	d.log.Info("github search on", "queries", len(g.Queries), "discussions", g.Discussions, "denied", len(g.Deny))
	return parts, nil
}

// defectRepos are the repositories the rules file defects in at start.
// A reload that moves them takes effect at the next start.
func defectRepos(r *routing.Rules) []string {
	if r == nil {
		return nil
	}
	var out []string
	if r.Defects.Set() {
		out = append(out, r.Defects.GitHub.Repo)
	}
	for name := range r.Teams {
		if d := r.DefectsFor(name); d.Set() {
			out = append(out, d.GitHub.Repo)
		}
	}
	return out
}
