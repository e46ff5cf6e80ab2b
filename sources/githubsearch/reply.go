package githubsearch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/earshothq/earshot/bot"
)

// Replier answers a GitHub mention with a comment on its issue, or on its
// discussion (under the comment it answers).
type Replier struct{ c *Client }

var (
	_ bot.Replier     = (*Replier)(nil)
	_ bot.ReplyFinder = (*Replier)(nil)
)

// NewReplier builds the replier. It makes no request.
func NewReplier(c *Client) *Replier { return &Replier{c: c} }

// Platform is "github".
func (r *Replier) Platform() string { return Platform }

// marker is a hidden line naming the action, so FindReply recognises a
// reply posted before a crash. GitHub's Markdown does not show HTML
// comments.
func marker(ctx context.Context) string {
	if m, ok := bot.ReplyMetaFrom(ctx); ok && m.IdempotencyKey != "" {
		return "<!-- earshot:" + m.IdempotencyKey + " -->"
	}
	return ""
}

// Reply comments on the issue of to (the issue itself or one of its
// comments).
func (r *Replier) Reply(ctx context.Context, to bot.Mention, text string) (bot.PostRef, error) {
	ref, err := ParseRef(to.ExternalID)
	if err != nil {
		return bot.PostRef{}, bot.Permanent(err)
	}
	if ref.Discussion {
		return r.replyDiscussion(ctx, ref, text)
	}
	body := text
	if m := marker(ctx); m != "" {
		body += "\n\n" + m
	}
	cm, _, err := r.c.gh.Issues.CreateComment(ctx, ref.Owner, ref.Repo, ref.Number, &gh.IssueComment{Body: &body})
	if err != nil {
		return bot.PostRef{}, r.replyError(ref, err)
	}
	out := ref.Issue()
	out.Comment = cm.GetID()
	return bot.PostRef{ExternalID: out.String(), URL: cm.GetHTMLURL()}, nil
}

// replyError sorts GitHub's refusals: limits are retried, refusals to
// take a comment from us at all become assisted replies, bad requests are
// permanent, and anything else may have posted.
func (r *Replier) replyError(ref Ref, err error) error {
	err = fmt.Errorf("github: comment on %s: %w", ref.Issue(), err)
	if d, ok := r.c.limitWait(err); ok {
		return &bot.RetryError{After: d, Err: err}
	}
	var er *gh.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil {
		return err
	}
	msg := strings.ToLower(er.Message)
	switch code := er.Response.StatusCode; {
	case code == http.StatusForbidden && strings.Contains(msg, "locked"):
		return bot.Assisted("the conversation is locked: only collaborators may comment", err)
	case code == http.StatusForbidden && strings.Contains(msg, "archived"):
		return bot.Assisted("the repository is archived and read-only", err)
	case code == http.StatusForbidden:
		return bot.Assisted("GitHub does not let our token comment there", err)
	case code == http.StatusGone:
		return bot.Assisted("the issue is gone or the repository has issues turned off", err)
	case code == http.StatusNotFound:
		return bot.Assisted("our token cannot see the repository", err)
	case code == http.StatusUnauthorized, code == http.StatusUnprocessableEntity, code == http.StatusBadRequest:
		return bot.Permanent(err)
	}
	return err
}

// FindReply looks among the issue's comments for one we posted with this
// action's marker (or, without one, this exact text).
func (r *Replier) FindReply(ctx context.Context, to bot.Mention, text string) (bot.PostRef, bool, error) {
	ref, err := ParseRef(to.ExternalID)
	if err != nil {
		return bot.PostRef{}, false, bot.Permanent(err)
	}
	if ref.Discussion {
		return r.findDiscussionReply(ctx, ref, text)
	}
	login, err := r.c.Login(ctx)
	if err != nil {
		return bot.PostRef{}, false, err
	}
	mark := marker(ctx)
	opts := &gh.IssueListCommentsOptions{ListOptions: gh.ListOptions{PerPage: perPage}}
	if !to.CreatedAt.IsZero() {
		opts.Since = &to.CreatedAt
	}
	for range 10 { // 1,000 comments: further back than any reply of ours
		cms, resp, err := r.c.gh.Issues.ListComments(ctx, ref.Owner, ref.Repo, ref.Number, opts)
		if err != nil {
			if d, ok := r.c.limitWait(err); ok {
				return bot.PostRef{}, false, &bot.RetryError{After: d, Err: err}
			}
			return bot.PostRef{}, false, fmt.Errorf("github: look for our reply on %s: %w", ref.Issue(), err)
		}
		for _, cm := range cms {
			if !strings.EqualFold(cm.GetUser().GetLogin(), login) {
				continue
			}
			b := cm.GetBody()
			if (mark != "" && strings.Contains(b, mark)) || (mark == "" && strings.TrimSpace(b) == strings.TrimSpace(text)) {
				out := ref.Issue()
				out.Comment = cm.GetID()
				return bot.PostRef{ExternalID: out.String(), URL: cm.GetHTMLURL()}, true, nil
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	return bot.PostRef{}, false, nil
}
