package githubsearch

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shurcooL/githubv4"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/sources/poll"
)

// discussionsPerPage is one GraphQL search page. Each node carries its
// body, so pages are smaller than REST's 100.
const discussionsPerPage = 50

// actor is a comment's or discussion's author. A deleted account ("ghost")
// comes as null and stays zero.
type actor struct {
	Login string
	User  struct {
		Name       string
		DatabaseID int64
	} `graphql:"... on User"`
}

func (a actor) author() bot.Author {
	out := bot.Author{Handle: a.Login, Name: a.User.Name}
	if a.Login == "" {
		out.Handle = "ghost"
	}
	if a.User.DatabaseID != 0 {
		out.ID = fmt.Sprint(a.User.DatabaseID)
	}
	return out
}

// discussionNode is what a search gives of each discussion.
type discussionNode struct {
	ID         string
	Number     int
	Title      string
	Body       string
	URL        string
	CreatedAt  githubv4.DateTime
	Author     actor
	Repository struct{ NameWithOwner string }
}

// DiscussionSearch is one query's feed of new discussions (GraphQL
// search of type DISCUSSION).
type DiscussionSearch struct{ o SearchOptions }

var (
	_ poll.Poller     = (*DiscussionSearch)(nil)
	_ poll.Intervaler = (*DiscussionSearch)(nil)
)

// NewDiscussionSearch builds a query's discussion feed. It makes no request.
func NewDiscussionSearch(o SearchOptions) (*DiscussionSearch, error) {
	s, err := NewSearch(o) // the same checks and defaults
	if err != nil {
		return nil, err
	}
	if !SearchesDiscussions(o.Query) {
		return nil, fmt.Errorf("github: query %q is limited to issues or pull requests; discussions are not searched with it", clipStr(o.Query))
	}
	return &DiscussionSearch{o: s.o}, nil
}

// SearchesDiscussions reports whether a query may find discussions: one
// limited to issues or pull requests (is:issue, is:pr, type:…) may not.
func SearchesDiscussions(q string) bool {
	for _, tok := range strings.Fields(strings.ToLower(q)) {
		switch {
		case tok == "is:issue", tok == "is:pr", tok == "is:pull-request", strings.HasPrefix(tok, "type:"),
			strings.HasPrefix(tok, "is:merged"), strings.HasPrefix(tok, "review:"), strings.HasPrefix(tok, "draft:"):
			return false
		}
	}
	return true
}

// Name is "github:discussions:<query>".
func (s *DiscussionSearch) Name() string { return "github:discussions:" + s.o.Query }

// Platform is "github".
func (s *DiscussionSearch) Platform() string { return Platform }

// Interval is the configured time between polls.
func (s *DiscussionSearch) Interval() time.Duration { return s.o.Interval }

// Poll walks the discussions created since the cursor's window start,
// page after page by GraphQL cursor, and moves the window on only once
// it has been read to its end. It does not count on GitHub honouring the
// sort qualifier: within a window every page is read, whatever the order.
func (s *DiscussionSearch) Poll(ctx context.Context, saved string) (poll.Batch, error) {
	cl := s.o.Client
	now := cl.now()
	c := cursor{Since: now.Add(-s.o.Lookback).UTC().Truncate(time.Second)}
	if saved != "" {
		var err error
		if c, err = parseCursor(saved); err != nil {
			return poll.Batch{}, err
		}
	}
	login, err := cl.Login(ctx)
	if err != nil {
		return poll.Batch{}, err
	}
	if c.After == "" || c.From.IsZero() {
		c.After, c.From = "", c.Since.Add(-s.o.Overlap).UTC()
	}
	var q struct {
		Search struct {
			PageInfo struct {
				HasNextPage bool
				EndCursor   string
			}
			Nodes []struct {
				Discussion discussionNode `graphql:"... on Discussion"`
			}
		} `graphql:"search(query: $query, type: DISCUSSION, first: $first, after: $after)"`
	}
	vars := map[string]any{
		"query": githubv4.String(s.o.Query + " created:>=" + c.From.Format(time.RFC3339) + " sort:created-asc"),
		"first": githubv4.Int(discussionsPerPage),
		"after": (*githubv4.String)(nil),
	}
	if c.After != "" {
		vars["after"] = githubv4.NewString(githubv4.String(c.After))
	}
	if err := cl.gql.Query(ctx, &q, vars); err != nil {
		return poll.Batch{}, fmt.Errorf("github: discussion search %q: %w", s.o.Query, cl.gqlError(err))
	}
	var ms []bot.Mention
	for _, n := range q.Search.Nodes {
		d := n.Discussion
		if d.ID == "" {
			continue // another kind of result
		}
		m, full, err := discussionMention(d, login)
		if err != nil {
			return poll.Batch{}, fmt.Errorf("github: discussion search %q: %w", s.o.Query, err)
		}
		if !c.see(m) {
			continue
		}
		if m.CreatedAt.After(c.Top) {
			c.Top = m.CreatedAt
		}
		if !s.o.Deny(full) {
			ms = append(ms, m)
		}
	}
	more := q.Search.PageInfo.HasNextPage && q.Search.PageInfo.EndCursor != "" && len(q.Search.Nodes) > 0
	if more {
		c.After = q.Search.PageInfo.EndCursor
	} else {
		// The window is read: the next one starts an overlap before the
		// newest discussion seen, or before now.
		c.Since = maxTime(maxTime(c.Since, c.Top), now.Add(-s.o.Overlap).UTC().Truncate(time.Second))
		c.After, c.From, c.Top = "", time.Time{}, time.Time{}
		c.prune(c.Since.Add(-2 * s.o.Overlap))
	}
	return poll.Batch{Mentions: ms, Cursor: c.String(), More: more, Wait: cl.gqlBudgetWait()}, nil
}

// discussionMention turns a search result into a mention, with the
// repository's "owner/name".
func discussionMention(d discussionNode, login string) (bot.Mention, string, error) {
	owner, repo, ok := strings.Cut(d.Repository.NameWithOwner, "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return bot.Mention{}, "", fmt.Errorf("discussion %q names no repository (%q)", d.URL, d.Repository.NameWithOwner)
	}
	if d.Number <= 0 || d.CreatedAt.IsZero() {
		return bot.Mention{}, "", fmt.Errorf("discussion %q of %s/%s has no number or creation time", d.URL, owner, repo)
	}
	ref := Ref{Owner: owner, Repo: repo, Number: d.Number, Discussion: true}
	text := strings.TrimSpace(d.Title)
	if body := trimBody(d.Body); body != "" {
		text += "\n\n" + body
	}
	return bot.Mention{
		Platform:   Platform,
		ExternalID: ref.String(),
		URL:        d.URL,
		Author:     d.Author.author(),
		Text:       text,
		CreatedAt:  d.CreatedAt.UTC(),
		Ours:       login != "" && strings.EqualFold(d.Author.Login, login),
	}, ref.FullName(), nil
}

// commentNode is a discussion comment or reply as the thread feed and
// the replier read it.
type commentNode struct {
	ID        string
	URL       string
	Body      string
	CreatedAt githubv4.DateTime
	Author    actor
}

// discussionComments is a discussion's latest comments, each with its
// latest replies (GitHub nests replies one level deep).
type discussionComments struct {
	ID       string
	Locked   bool
	Comments struct {
		Nodes []struct {
			commentNode
			Replies struct {
				Nodes []commentNode
			} `graphql:"replies(last: $replies)"`
		}
	} `graphql:"comments(last: $comments)"`
}

// readDiscussion reads a discussion's latest comments and replies.
func (c *Client) readDiscussion(ctx context.Context, r Ref, comments, replies int) (discussionComments, bool, error) {
	var q struct {
		Repository struct {
			IsArchived bool
			Discussion *discussionComments `graphql:"discussion(number: $number)"`
		} `graphql:"repository(owner: $owner, name: $name)"`
	}
	err := c.gql.Query(ctx, &q, map[string]any{
		"owner": githubv4.String(r.Owner), "name": githubv4.String(r.Repo), "number": githubv4.Int(r.Number),
		"comments": githubv4.Int(comments), "replies": githubv4.Int(replies),
	})
	if notFound(err) {
		return discussionComments{}, false, nil
	}
	if err != nil {
		return discussionComments{}, false, c.gqlError(err)
	}
	if q.Repository.Discussion == nil {
		return discussionComments{}, false, nil
	}
	return *q.Repository.Discussion, true, nil
}

// discussionThread turns a discussion's comments and replies into
// mentions: a comment answers the discussion, a reply its comment.
func discussionThread(r Ref, d discussionComments, login string) []bot.Mention {
	var out []bot.Mention
	add := func(n commentNode, parent Ref) {
		if n.ID == "" || n.CreatedAt.IsZero() || !nodeRE.MatchString(n.ID) {
			return
		}
		ref := r.Issue()
		ref.Node = n.ID
		out = append(out, bot.Mention{
			Platform:   Platform,
			ExternalID: ref.String(),
			URL:        n.URL,
			Author:     n.Author.author(),
			Text:       trimBody(n.Body),
			CreatedAt:  n.CreatedAt.UTC(),
			InReplyTo:  parent.String(),
			Ours:       login != "" && strings.EqualFold(n.Author.Login, login),
		})
	}
	for _, cm := range d.Comments.Nodes {
		add(cm.commentNode, r.Issue())
		top := r.Issue()
		top.Node = cm.ID
		for _, rp := range cm.Replies.Nodes {
			add(rp, top)
		}
	}
	return out
}
