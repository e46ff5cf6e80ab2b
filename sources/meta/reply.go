package meta

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/earshothq/earshot/bot"
)

// ReplierOptions configure a Replier.
type ReplierOptions struct {
	// Platform is Facebook or Instagram: one Replier answers one platform.
	Platform string
	Graph    *Graph
	Pages    []Page
	Accounts []Account
	// Private sends every reply as a private reply in Messenger (one per
	// comment, within 7 days of it) instead of a public comment.
	Private bool
	// Followed, when set, follows each reply posted at once, so the
	// customer's answer to it is kept before the store lists the reply.
	Followed *Followed
	Now      func() time.Time
}

// Replier answers Facebook or Instagram comments and posts as the page or
// account they were made on.
type Replier struct {
	o     ReplierOptions
	pages pages
}

var (
	_ bot.Replier     = (*Replier)(nil)
	_ bot.ReplyFinder = (*Replier)(nil)
)

// NewReplier returns the replier of o.Platform.
func NewReplier(o ReplierOptions) (*Replier, error) {
	if o.Platform != Facebook && o.Platform != Instagram {
		return nil, fmt.Errorf("meta: replier platform %q is not facebook or instagram", o.Platform)
	}
	if o.Graph == nil {
		return nil, errors.New("meta: replier needs a Graph client")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	r := &Replier{o: o, pages: newPages(o.Pages, o.Accounts)}
	if o.Platform == Facebook && len(r.pages.order) == 0 {
		return nil, errors.New("meta: facebook replier needs a page")
	}
	if o.Platform == Instagram && len(r.pages.accounts) == 0 {
		return nil, errors.New("meta: instagram replier needs an account")
	}
	return r, nil
}

// Platform is the replier's platform.
func (r *Replier) Platform() string { return r.o.Platform }

// target is who we answer as: the page (and its token), and for Instagram
// the account.
type target struct {
	pageID, account, token string
}

// targets lists, best guess first, the pages or accounts that may own the
// object answered: with several Instagram accounts nothing in a comment id
// says whose media it is on.
func (r *Replier) targets(to bot.Mention) ([]target, error) {
	var out []target
	if r.o.Platform == Facebook {
		pid, ok := r.pages.pageOf(to)
		if !ok {
			return nil, bot.Permanent(fmt.Errorf("meta: none of the configured pages owns facebook post %s", clip(to.ExternalID)))
		}
		tok, _ := r.pages.pageToken(pid)
		return []target{{pageID: pid, token: tok}}, nil
	}
	for _, a := range r.pages.accounts {
		pid := r.pages.byAccount[a]
		if tok, ok := r.pages.pageToken(pid); ok {
			out = append(out, target{pageID: pid, account: a, token: tok})
		}
	}
	if len(out) == 0 {
		return nil, bot.Permanent(errors.New("meta: no instagram account has a page token"))
	}
	return out, nil
}

type created struct {
	ID        string `json:"id"`
	MessageID string `json:"message_id"`
}

// Reply comments on to (or answers privately when configured).
func (r *Replier) Reply(ctx context.Context, to bot.Mention, text string) (bot.PostRef, error) {
	if r.o.Private {
		return r.PrivateReply(ctx, to, text)
	}
	if err := r.check(to, text); err != nil {
		return bot.PostRef{}, err
	}
	ts, err := r.targets(to)
	if err != nil {
		return bot.PostRef{}, err
	}
	path, body := to.ExternalID+"/comments", map[string]string{"message": text}
	if r.o.Platform == Instagram && to.InReplyTo != "" {
		// A comment: Instagram threads one level, under /replies.
		path = to.ExternalID + "/replies"
	}
	var out created
	for i, t := range ts {
		_, err = r.o.Graph.Post(ctx, t.token, path, body, &out)
		if err == nil || i == len(ts)-1 || !notOurs(err) {
			break
		}
	}
	if err != nil {
		return bot.PostRef{}, classify(err, "comment")
	}
	if out.ID == "" {
		return bot.PostRef{}, errors.New("meta: the Graph API took the comment but returned no id")
	}
	r.follow(out.ID)
	return bot.PostRef{ExternalID: out.ID, URL: r.replyURL(to, out.ID)}, nil
}

func (r *Replier) replyURL(to bot.Mention, id string) string {
	if r.o.Platform == Instagram {
		return to.URL // Instagram has no address for a single comment
	}
	post := to.ExternalID
	if strings.Contains(to.InReplyTo, "_") && strings.HasPrefix(to.URL, "https://www.facebook.com/") {
		if u, err := url.Parse(to.URL); err == nil {
			post = strings.Trim(u.Path, "/")
		}
	}
	return commentURL(post, id)
}

// PrivateReply sends text to the author of to in Messenger (Instagram
// Direct for Instagram), as Meta's private replies allow: once per post or
// comment, within 7 days of it. Refusals become assisted replies.
func (r *Replier) PrivateReply(ctx context.Context, to bot.Mention, text string) (bot.PostRef, error) {
	if err := r.check(to, text); err != nil {
		return bot.PostRef{}, err
	}
	if age := r.o.Now().Sub(to.CreatedAt); !to.CreatedAt.IsZero() && age > 7*24*time.Hour {
		return bot.PostRef{}, bot.Assisted("a private reply is possible only within 7 days of the comment; write to them by hand", nil)
	}
	ts, err := r.targets(to)
	if err != nil {
		return bot.PostRef{}, err
	}
	key := "comment_id"
	if r.o.Platform == Facebook && to.InReplyTo == "" {
		key = "post_id" // a visitor post on the page
	}
	body := map[string]any{
		"recipient":      map[string]string{key: to.ExternalID},
		"message":        map[string]string{"text": text},
		"messaging_type": "RESPONSE",
	}
	var out created
	for i, t := range ts {
		_, err = r.o.Graph.Post(ctx, t.token, t.pageID+"/messages", body, &out)
		if err == nil || i == len(ts)-1 || !notOurs(err) {
			break
		}
	}
	if err != nil {
		return bot.PostRef{}, classify(err, "private reply")
	}
	return bot.PostRef{ExternalID: out.MessageID}, nil
}

func (r *Replier) check(to bot.Mention, text string) error {
	switch {
	case to.Platform != r.o.Platform:
		return bot.Permanent(fmt.Errorf("meta: %s replier cannot answer a %s post", r.o.Platform, to.Platform))
	case !graphID(to.ExternalID) || to.ExternalID == "":
		return bot.Permanent(fmt.Errorf("meta: %q is not a Graph object id", clip(to.ExternalID)))
	case strings.TrimSpace(text) == "":
		return bot.Permanent(errors.New("meta: empty reply"))
	case bot.Length(text) > bot.ReplyLimit(r.o.Platform):
		return bot.Permanent(fmt.Errorf("meta: reply is %d characters, %s takes %d", bot.Length(text), r.o.Platform, bot.ReplyLimit(r.o.Platform)))
	}
	return nil
}

// FindReply looks among the answers to to for a comment of ours with text,
// so a reply whose outcome a crash hid is recorded instead of repeated.
// Private replies cannot be looked for; Meta refuses a second one anyway.
func (r *Replier) FindReply(ctx context.Context, to bot.Mention, text string) (bot.PostRef, bool, error) {
	if r.o.Private {
		return bot.PostRef{}, false, nil
	}
	if err := r.check(to, text); err != nil {
		return bot.PostRef{}, false, err
	}
	ts, err := r.targets(to)
	if err != nil {
		return bot.PostRef{}, false, err
	}
	q := url.Values{"limit": {"100"}}
	path := to.ExternalID + "/comments"
	if r.o.Platform == Instagram {
		q.Set("fields", "id,text,username,from{id,username}")
		if to.InReplyTo != "" {
			path = to.ExternalID + "/replies"
		}
	} else {
		q.Set("fields", "id,message,from{id,name}")
		q.Set("filter", "stream")
		q.Set("order", "reverse_chronological")
	}
	var page struct {
		Data []struct {
			ID      string `json:"id"`
			Message string `json:"message"`
			Text    string `json:"text"`
			From    From   `json:"from"`
		} `json:"data"`
	}
	for i, t := range ts {
		_, err = r.o.Graph.Get(ctx, t.token, path, q, &page)
		if err == nil || i == len(ts)-1 || !notOurs(err) {
			break
		}
	}
	if err != nil {
		return bot.PostRef{}, false, classify(err, "look for our reply")
	}
	for _, c := range page.Data {
		body := c.Message + c.Text
		if body != text {
			continue
		}
		for _, t := range ts {
			if c.From.ID == "" || c.From.ID == t.pageID || c.From.ID == t.account {
				r.follow(c.ID)
				return bot.PostRef{ExternalID: c.ID, URL: r.replyURL(to, c.ID)}, true, nil
			}
		}
	}
	return bot.PostRef{}, false, nil
}

// notOurs says the token cannot see the object: with several accounts the
// next one may own it.
func notOurs(err error) bool {
	ge, ok := asGraphError(err)
	return ok && (ge.Code == 100 && ge.Subcode == 33 || ge.Code == 10 || ge.Code == 200)
}

// classify sorts a Graph refusal for the action runner: throttled (retry
// later), refused for good but postable by hand (assisted), refused
// (permanent), or anything else, which may have posted.
func classify(err error, what string) error {
	ge, ok := asGraphError(err)
	if !ok {
		return err // network trouble: it may have posted
	}
	switch {
	case ge.RateLimited():
		return &bot.RetryError{After: max(ge.Usage.Wait(), time.Minute), Err: err}
	case ge.Subcode == 2018278 || ge.Subcode == 2534022:
		return bot.Assisted("Meta allows a private reply only within 7 days of the comment, and once", err)
	case ge.Code == 551 || ge.Subcode == 1545041:
		return bot.Assisted("this person cannot receive messages from the page right now", err)
	case ge.Code == 10 || (ge.Code >= 200 && ge.Code <= 299):
		return bot.Assisted("Meta refused the "+what+" for lack of permission (check pages_manage_engagement, pages_messaging, instagram_manage_comments)", err)
	case ge.Code == 100 && ge.Subcode == 33:
		return bot.Assisted("the post is gone or not one the page can answer (a tagged post or another account's media)", err)
	case ge.Code == 368:
		return bot.Assisted("Meta blocked the "+what+" as possibly abusive; answer by hand", err)
	case ge.Code == 190 || ge.Code == 102:
		return bot.Permanent(fmt.Errorf("page access token refused, renew it: %w", err))
	case ge.Status >= 400 && ge.Status < 500 && ge.Code != 1 && ge.Code != 2:
		return bot.Permanent(err)
	}
	return err // unknown or service errors: it may have posted
}

// follow adds a reply of ours to the followed set.
func (r *Replier) follow(id string) {
	if r.o.Followed != nil {
		r.o.Followed.add(r.o.Platform, id)
	}
}
