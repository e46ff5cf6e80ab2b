package githubsearch

import (
	"context"
	"errors"
	"fmt"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/sources/poll"
)

// ThreadLister lists the posts of open cases on a platform (store.DB).
type ThreadLister interface {
	ThreadPosts(ctx context.Context, platform string) ([]string, error)
}

// maxIssuesPerPoll bounds the requests of one thread poll (one per issue
// or discussion).
const maxIssuesPerPoll = 50

// discussionThreadComments is how many of a discussion's latest comments,
// and of each comment's latest replies, a thread poll reads: 50×50 nodes
// stay well inside GitHub's 500,000-node limit for one query.
const discussionThreadComments = 50

// ThreadOptions configure the feed of comments on open cases' issues.
type ThreadOptions struct {
	Client   *Client
	Threads  ThreadLister
	Interval time.Duration
	Overlap  time.Duration
}

// Threads reads new comments on the issues and discussions of open cases,
// so a customer's answer joins their case (InReplyTo is the issue, the
// discussion, or the discussion comment a reply answers).
type Threads struct{ o ThreadOptions }

var (
	_ poll.Poller     = (*Threads)(nil)
	_ poll.Intervaler = (*Threads)(nil)
)

// NewThreads builds the thread feed. It makes no request.
func NewThreads(o ThreadOptions) (*Threads, error) {
	if o.Client == nil || o.Threads == nil {
		return nil, errors.New("github: thread feed needs a client and a thread lister")
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Overlap <= 0 {
		o.Overlap = DefaultOverlap
	}
	return &Threads{o: o}, nil
}

// Name is "github:threads".
func (t *Threads) Name() string { return "github:threads" }

// Platform is "github".
func (t *Threads) Platform() string { return Platform }

// Interval is the configured time between polls.
func (t *Threads) Interval() time.Duration { return t.o.Interval }

// Poll lists the comments made since the cursor on each tracked issue.
func (t *Threads) Poll(ctx context.Context, saved string) (poll.Batch, error) {
	cl := t.o.Client
	now := cl.now()
	c := cursor{Since: now.UTC().Truncate(time.Second)}
	if saved != "" {
		var err error
		if c, err = parseCursor(saved); err != nil {
			return poll.Batch{}, err
		}
	}
	posts, err := t.o.Threads.ThreadPosts(ctx, Platform)
	if err != nil {
		return poll.Batch{}, fmt.Errorf("github: threads: %w", err)
	}
	var issues []Ref
	seenIssue := map[Ref]bool{}
	for _, id := range posts {
		r, err := ParseRef(id)
		if err != nil {
			continue // not ours to follow (a webhook post, an old id form)
		}
		if r = r.Issue(); !seenIssue[r] && len(issues) < maxIssuesPerPoll {
			seenIssue[r] = true
			issues = append(issues, r)
		}
	}
	var login string
	if len(issues) > 0 {
		if login, err = cl.Login(ctx); err != nil {
			return poll.Batch{}, err
		}
	}
	since := c.Since.Add(-t.o.Overlap)
	var (
		ms   []bot.Mention
		wait time.Duration
	)
	keep := func(m bot.Mention) {
		// Not an old comment edited since, nor one already taken.
		if !m.CreatedAt.Before(since) && c.see(m) {
			ms = append(ms, m)
		}
	}
	for _, r := range issues {
		if r.Discussion {
			d, ok, err := cl.readDiscussion(ctx, r, discussionThreadComments, discussionThreadComments)
			if err != nil {
				return poll.Batch{}, fmt.Errorf("github: comments of %s: %w", r, err)
			}
			if ok {
				for _, m := range discussionThread(r, d, login) {
					keep(m)
				}
			}
			wait = max(wait, cl.gqlBudgetWait())
			continue
		}
		comments, resp, err := cl.gh.Issues.ListComments(ctx, r.Owner, r.Repo, r.Number, &gh.IssueListCommentsOptions{
			Sort: gh.String("created"), Direction: gh.String("asc"), Since: &since,
			ListOptions: gh.ListOptions{PerPage: perPage},
		})
		if err != nil {
			var er *gh.ErrorResponse
			if errors.As(err, &er) && er.Response != nil && (er.Response.StatusCode == 404 || er.Response.StatusCode == 410) {
				continue // the issue or its repository is gone: nothing to follow
			}
			return poll.Batch{}, fmt.Errorf("github: comments of %s: %w", r, cl.pollError(err))
		}
		wait = max(wait, cl.budgetWait(resp))
		for _, cm := range comments {
			if m, ok := commentMention(r, cm, login); ok {
				keep(m)
			}
		}
	}
	c.Since = maxTime(c.Since, now.UTC().Truncate(time.Second))
	c.prune(c.Since.Add(-2 * t.o.Overlap))
	return poll.Batch{Mentions: ms, Cursor: c.String(), Wait: wait}, nil
}

func commentMention(issue Ref, cm *gh.IssueComment, login string) (bot.Mention, bool) {
	if cm.GetID() <= 0 || cm.CreatedAt == nil {
		return bot.Mention{}, false
	}
	r := issue
	r.Comment = cm.GetID()
	u := cm.GetUser()
	return bot.Mention{
		Platform:   Platform,
		ExternalID: r.String(),
		URL:        cm.GetHTMLURL(),
		Author:     author(u),
		Text:       trimBody(cm.GetBody()),
		CreatedAt:  cm.CreatedAt.Time.UTC(),
		InReplyTo:  issue.String(),
		Ours:       login != "" && equalFold(u.GetLogin(), login),
	}, true
}
