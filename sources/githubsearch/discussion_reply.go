package githubsearch

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/shurcooL/githubv4"

	"github.com/earshothq/earshot/bot"
)

// errNoDiscussion is a discussion the answer did not carry.
var errNoDiscussion = errors.New("github: the answer names no discussion")

// target is where a discussion reply goes: the discussion, and the
// top-level comment to reply under (GitHub nests replies one level deep,
// so a reply to a reply goes under its comment).
type target struct {
	discussion string
	replyTo    string
	locked     bool
	archived   bool
}

// discussionTarget finds the node ids a reply to ref needs.
func (c *Client) discussionTarget(ctx context.Context, ref Ref) (target, error) {
	if ref.Node != "" {
		var q struct {
			Node struct {
				Comment struct {
					ID      string
					ReplyTo struct{ ID string }
					// Discussion is a pointer so the struct is not
					// recursive through the discussion's own fields.
					Discussion *struct {
						ID         string
						Locked     bool
						Repository struct{ IsArchived bool }
					}
				} `graphql:"... on DiscussionComment"`
			} `graphql:"node(id: $id)"`
		}
		if err := c.gql.Query(ctx, &q, map[string]any{"id": ref.Node}); err != nil {
			return target{}, err
		}
		cm := q.Node.Comment
		if cm.ID == "" || cm.Discussion == nil || cm.Discussion.ID == "" {
			return target{}, fmt.Errorf("github: %s: %w", ref, errNoDiscussion)
		}
		t := target{discussion: cm.Discussion.ID, replyTo: cm.ID, locked: cm.Discussion.Locked, archived: cm.Discussion.Repository.IsArchived}
		if cm.ReplyTo.ID != "" {
			t.replyTo = cm.ReplyTo.ID
		}
		return t, nil
	}
	var q struct {
		Repository struct {
			IsArchived bool
			Discussion *struct {
				ID     string
				Locked bool
			} `graphql:"discussion(number: $number)"`
		} `graphql:"repository(owner: $owner, name: $name)"`
	}
	err := c.gql.Query(ctx, &q, map[string]any{
		"owner": githubv4.String(ref.Owner), "name": githubv4.String(ref.Repo), "number": githubv4.Int(ref.Number),
	})
	if err != nil {
		return target{}, err
	}
	if q.Repository.Discussion == nil || q.Repository.Discussion.ID == "" {
		return target{}, fmt.Errorf("github: %s: %w", ref, errNoDiscussion)
	}
	return target{discussion: q.Repository.Discussion.ID, locked: q.Repository.Discussion.Locked, archived: q.Repository.IsArchived}, nil
}

// replyDiscussion comments on a discussion, or replies under the comment
// the mention is (or belongs to).
func (r *Replier) replyDiscussion(ctx context.Context, ref Ref, text string) (bot.PostRef, error) {
	t, err := r.c.discussionTarget(ctx, ref)
	if err != nil {
		return bot.PostRef{}, r.discussionError(ref, err)
	}
	switch {
	case t.archived:
		return bot.PostRef{}, bot.Assisted("the repository is archived and read-only", fmt.Errorf("github: %s is in an archived repository", ref))
	case t.locked:
		return bot.PostRef{}, bot.Assisted("the discussion is locked: only collaborators may comment", fmt.Errorf("github: %s is locked", ref.Issue()))
	}
	body := text
	if m := marker(ctx); m != "" {
		body += "\n\n" + m
	}
	in := githubv4.AddDiscussionCommentInput{DiscussionID: t.discussion, Body: githubv4.String(body)}
	if t.replyTo != "" {
		in.ReplyToID = githubv4.NewID(t.replyTo)
	}
	var m struct {
		AddDiscussionComment struct {
			Comment struct {
				ID  string
				URL string
			}
		} `graphql:"addDiscussionComment(input: $input)"`
	}
	if err := r.c.gql.Mutate(ctx, &m, in, nil); err != nil {
		return bot.PostRef{}, r.discussionError(ref, err)
	}
	cm := m.AddDiscussionComment.Comment
	if !nodeRE.MatchString(cm.ID) {
		return bot.PostRef{}, fmt.Errorf("github: comment on %s: the answer names no comment (%q)", ref.Issue(), clipStr(cm.ID))
	}
	out := ref.Issue()
	out.Node = cm.ID
	return bot.PostRef{ExternalID: out.String(), URL: cm.URL}, nil
}

// discussionError sorts GraphQL refusals as replyError does REST ones:
// limits are retried, refusals to take our comment at all become assisted
// replies, and anything else may have posted (FindReply looks first).
func (r *Replier) discussionError(ref Ref, err error) error {
	err = fmt.Errorf("github: comment on %s: %w", ref.Issue(), r.c.gqlError(err))
	if d, ok := retryWait(err); ok {
		return &bot.RetryError{After: d, Err: err}
	}
	msg := strings.ToLower(err.Error())
	switch {
	case notFound(err), strings.Contains(msg, "names no discussion"):
		return bot.Assisted("the discussion is gone or our token cannot see it", err)
	case strings.Contains(msg, "locked"):
		return bot.Assisted("the discussion is locked: only collaborators may comment", err)
	case strings.Contains(msg, "archived"):
		return bot.Assisted("the repository is archived and read-only", err)
	case strings.Contains(msg, "discussions are disabled") || strings.Contains(msg, "does not have discussions enabled"):
		return bot.Assisted("the repository has discussions turned off", err)
	case strings.Contains(msg, "must have push access") || strings.Contains(msg, "forbidden") ||
		strings.Contains(msg, "resource not accessible"):
		return bot.Assisted("GitHub does not let our token comment there", err)
	case strings.Contains(msg, "non-200 ok status code: 401"):
		return bot.Permanent(err)
	}
	return err
}

// findDiscussionReply looks among the discussion's latest comments and
// replies for one we posted with this action's marker (or, without one,
// this exact text).
func (r *Replier) findDiscussionReply(ctx context.Context, ref Ref, text string) (bot.PostRef, bool, error) {
	login, err := r.c.Login(ctx)
	if err != nil {
		return bot.PostRef{}, false, err
	}
	d, ok, err := r.c.readDiscussion(ctx, ref, 100, 100)
	if err != nil {
		if w, limited := retryWait(err); limited {
			return bot.PostRef{}, false, &bot.RetryError{After: w, Err: err}
		}
		return bot.PostRef{}, false, fmt.Errorf("github: look for our reply on %s: %w", ref.Issue(), err)
	}
	if !ok {
		return bot.PostRef{}, false, nil
	}
	mark := marker(ctx)
	ours := func(n commentNode) bool {
		if !strings.EqualFold(n.Author.Login, login) {
			return false
		}
		return (mark != "" && strings.Contains(n.Body, mark)) || (mark == "" && strings.TrimSpace(n.Body) == strings.TrimSpace(text))
	}
	found := func(n commentNode) (bot.PostRef, bool, error) {
		out := ref.Issue()
		out.Node = n.ID
		return bot.PostRef{ExternalID: out.String(), URL: n.URL}, true, nil
	}
	for _, cm := range d.Comments.Nodes {
		if ours(cm.commentNode) {
			return found(cm.commentNode)
		}
		for _, rp := range cm.Replies.Nodes {
			if ours(rp) {
				return found(rp)
			}
		}
	}
	return bot.PostRef{}, false, nil
}
