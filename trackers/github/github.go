// Package github files customers' defects as GitHub issues and hears when
// they are closed or released. It is earshot's one user of go-github: the
// REST client (search, issues, comments, with rate limits mapped to
// bot.RetryError) and the signed webhook endpoint (/hooks/github).
//
// Every call is safe to repeat after a crash: the issues and comments it
// writes carry an invisible marker naming the case, so a retry finds what an
// interrupted attempt already wrote instead of writing it twice.
package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	gh "github.com/google/go-github/v60/github"

	"github.com/earshothq/earshot/bot"
)

// Name is the tracker's name in links and deliveries.
const Name = "github"

// DefaultAPIURL is github.com's REST API.
const DefaultAPIURL = "https://api.github.com/"

const (
	// maxQuery is GitHub's limit on a search query's length.
	maxQuery = 256
	// searchResults is how many open issues a search brings back to choose from.
	searchResults = 5
	// listPages caps the pages of recent issues or comments looked through
	// for a marker (100 each).
	listPages = 5
	// defaultWait is how long to wait on a rate limit that names no time
	// (GitHub: "wait at least one minute").
	defaultWait = time.Minute
	// maxWait caps a wait a response asks for.
	maxWait = time.Hour
)

// Options configure a Tracker.
type Options struct {
	// Token is a personal access token or an app installation token with
	// issues read and write on the repositories defects go to.
	Token string
	// APIURL is the REST API's base URL: DefaultAPIURL, or GitHub
	// Enterprise Server's https://HOST/api/v3/ (a test double in tests).
	APIURL string
	// HTTPClient carries the requests; default one with a 30s timeout.
	HTTPClient *http.Client
}

// Tracker talks to GitHub's REST API.
type Tracker struct {
	c *gh.Client
}

// New builds a Tracker. The token is never part of an error or a log line.
func New(o Options) (*Tracker, error) {
	if strings.TrimSpace(o.Token) == "" {
		return nil, errors.New("github: no token")
	}
	base := o.APIURL
	if base == "" {
		base = DefaultAPIURL
	}
	if !strings.HasSuffix(base, "/") {
		base += "/" // go-github refuses a base URL without the trailing slash
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("github: API URL %q is not an http(s) URL", o.APIURL)
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	c := gh.NewClient(hc).WithAuthToken(o.Token)
	c.BaseURL = u
	c.UserAgent = "earshot"
	return &Tracker{c: c}, nil
}

// Name is "github".
func (t *Tracker) Name() string { return Name }

// splitRepo reads "owner/name".
func splitRepo(repo string) (owner, name string, err error) {
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return "", "", bot.Permanent(fmt.Errorf("github: repository %q is not owner/name", repo))
	}
	return owner, name, nil
}

// Find returns open issues of repo whose text has every one of terms, best
// match first, at most a handful. Terms are added while the query stays
// within GitHub's 256 characters; with no terms nothing is searched.
func (t *Tracker) Find(ctx context.Context, repo string, terms []string) ([]bot.Issue, error) {
	if _, _, err := splitRepo(repo); err != nil {
		return nil, err
	}
	q := "repo:" + repo + " is:issue is:open"
	n := 0
	for _, term := range terms {
		term = searchTerm(term)
		if term == "" {
			continue
		}
		if len(q)+1+len(term) > maxQuery {
			break
		}
		q += " " + term
		n++
	}
	if n == 0 {
		return nil, nil
	}
	res, _, err := t.c.Search.Issues(ctx, q, &gh.SearchOptions{ListOptions: gh.ListOptions{PerPage: searchResults}})
	if err != nil {
		return nil, classify(fmt.Errorf("github: search issues of %s: %w", repo, err))
	}
	var out []bot.Issue
	for _, is := range res.Issues {
		if is.IsPullRequest() || is.GetState() != "open" {
			continue
		}
		out = append(out, issueOf(repo, is))
	}
	return out, nil
}

// searchTerm keeps a term to letters, digits and dashes, so it cannot add a
// qualifier (repo:, is:) or an operator to the query.
func searchTerm(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r > 127 && unicode.IsLetter(r) {
			b.WriteRune(r)
		}
	}
	w := strings.Trim(b.String(), "-")
	switch w {
	case "and", "or", "not":
		return ""
	}
	return w
}

// Issue reads one issue; open reports whether it is still open.
func (t *Tracker) Issue(ctx context.Context, repo string, number int) (issue bot.Issue, open bool, err error) {
	owner, name, err := splitRepo(repo)
	if err != nil {
		return bot.Issue{}, false, err
	}
	is, _, err := t.c.Issues.Get(ctx, owner, name, number)
	if err != nil {
		return bot.Issue{}, false, classify(fmt.Errorf("github: read %s#%d: %w", repo, number, err))
	}
	return issueOf(repo, is), is.GetState() == "open", nil
}

// File opens an issue in repo about r, with labels.
func (t *Tracker) File(ctx context.Context, repo string, labels []string, r bot.DefectReport) (bot.Issue, error) {
	owner, name, err := splitRepo(repo)
	if err != nil {
		return bot.Issue{}, err
	}
	req := &gh.IssueRequest{Title: gh.String(Title(r)), Body: gh.String(IssueBody(r))}
	if len(labels) > 0 {
		req.Labels = &labels
	}
	is, _, err := t.c.Issues.Create(ctx, owner, name, req)
	if err != nil {
		return bot.Issue{}, classify(fmt.Errorf("github: open an issue in %s for case %d: %w", repo, r.CaseID, err))
	}
	return issueOf(repo, is), nil
}

// Filed finds the issue an earlier attempt opened in repo for caseID, by
// the marker in its body, among the issues updated since since (when that
// attempt started). The list is read, not searched: search lags behind by
// up to a minute, and a retry may come sooner.
func (t *Tracker) Filed(ctx context.Context, repo string, caseID int64, since time.Time) (bot.Issue, bool, error) {
	owner, name, err := splitRepo(repo)
	if err != nil {
		return bot.Issue{}, false, err
	}
	mark := Marker(caseID)
	opts := &gh.IssueListByRepoOptions{State: "all", Sort: "created", Direction: "desc", Since: since.Add(-time.Minute),
		ListOptions: gh.ListOptions{PerPage: 100}}
	for page := 0; page < listPages; page++ {
		list, resp, err := t.c.Issues.ListByRepo(ctx, owner, name, opts)
		if err != nil {
			return bot.Issue{}, false, classify(fmt.Errorf("github: list recent issues of %s: %w", repo, err))
		}
		for _, is := range list {
			if !is.IsPullRequest() && strings.Contains(is.GetBody(), mark) {
				return issueOf(repo, is), true, nil
			}
		}
		if resp == nil || resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	return bot.Issue{}, false, nil
}

// PlusOne adds "+1 from another customer" with r's link and reach to issue,
// and returns the comment's address.
func (t *Tracker) PlusOne(ctx context.Context, issue bot.Issue, r bot.DefectReport) (string, error) {
	owner, name, err := splitRepo(issue.Repo)
	if err != nil {
		return "", err
	}
	c, _, err := t.c.Issues.CreateComment(ctx, owner, name, issue.Number, &gh.IssueComment{Body: gh.String(PlusOneBody(r))})
	if err != nil {
		return "", classify(fmt.Errorf("github: comment on %s for case %d: %w", issue.Ref(), r.CaseID, err))
	}
	return c.GetHTMLURL(), nil
}

// Commented finds the comment an earlier attempt added to issue for
// caseID, among those since since, and returns its address.
func (t *Tracker) Commented(ctx context.Context, issue bot.Issue, caseID int64, since time.Time) (string, bool, error) {
	owner, name, err := splitRepo(issue.Repo)
	if err != nil {
		return "", false, err
	}
	mark := Marker(caseID)
	from := since.Add(-time.Minute)
	opts := &gh.IssueListCommentsOptions{Since: &from, ListOptions: gh.ListOptions{PerPage: 100}}
	for page := 0; page < listPages; page++ {
		list, resp, err := t.c.Issues.ListComments(ctx, owner, name, issue.Number, opts)
		if err != nil {
			return "", false, classify(fmt.Errorf("github: list comments of %s: %w", issue.Ref(), err))
		}
		for _, c := range list {
			if strings.Contains(c.GetBody(), mark) {
				return c.GetHTMLURL(), true, nil
			}
		}
		if resp == nil || resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	return "", false, nil
}

func issueOf(repo string, is *gh.Issue) bot.Issue {
	return bot.Issue{Tracker: Name, Repo: strings.ToLower(repo), Number: is.GetNumber(), URL: is.GetHTMLURL(), Title: is.GetTitle()}
}

// classify maps go-github's errors to the job runner's: a rate limit waits
// for the time GitHub names (the reset, Retry-After, or a minute); any
// other 4xx is permanent (bad repository, no access, invalid labels);
// 5xx and network errors are retried with back-off.
func classify(err error) error {
	var (
		rl    *gh.RateLimitError
		abuse *gh.AbuseRateLimitError
		er    *gh.ErrorResponse
	)
	switch {
	case errors.As(err, &rl):
		return &bot.RetryError{After: clampWait(time.Until(rl.Rate.Reset.Time)), Err: err}
	case errors.As(err, &abuse):
		wait := defaultWait
		if abuse.RetryAfter != nil {
			wait = *abuse.RetryAfter
		}
		return &bot.RetryError{After: clampWait(wait), Err: err}
	case errors.As(err, &er) && er.Response != nil:
		code := er.Response.StatusCode
		if code == http.StatusTooManyRequests || code == http.StatusForbidden && er.Response.Header.Get("X-RateLimit-Remaining") == "0" {
			return &bot.RetryError{After: clampWait(waitOf(er.Response)), Err: err}
		}
		if code >= 400 && code < 500 {
			return bot.Permanent(err)
		}
	}
	return err
}

// waitOf reads Retry-After (seconds), then X-RateLimit-Reset (epoch).
func waitOf(r *http.Response) time.Duration {
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if s, err := strconv.ParseInt(r.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
		return time.Until(time.Unix(s, 0))
	}
	return defaultWait
}

func clampWait(d time.Duration) time.Duration {
	return min(max(d, time.Second), maxWait)
}
