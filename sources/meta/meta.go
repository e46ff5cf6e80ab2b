// Package meta connects earshot to Facebook pages and Instagram business
// accounts through Meta's Graph API: a signed webhook endpoint (the
// pages' feed, Instagram comments and @mentions), polling feeds for pages
// and accounts without webhooks, and a replier that comments back
// publicly or, when configured, answers privately in Messenger.
//
// Mentions carry platform "facebook" or "instagram". Facebook ids are the
// Graph ids: posts "PAGEID_POSTID", comments "POSTID_COMMENTID".
package meta

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/sources/followed"
)

// Platform names of the mentions this package yields.
const (
	Facebook  = "facebook"
	Instagram = "instagram"
)

// Page is a Facebook page earshot reads and answers as.
type Page struct {
	ID    string
	Token string // page access token
}

// Account is an Instagram professional account, reached with the token of
// the Facebook page it is linked to (Instagram API with Facebook Login).
type Account struct {
	ID     string // IG user id
	PageID string
}

// Threads lists the posts whose answers earshot follows: the posts of open
// cases and our replies (store.DB.ThreadPosts).
type Threads interface {
	ThreadPosts(ctx context.Context, platform string) ([]string, error)
}

// pages looks tokens up by page and account.
type pages struct {
	byPage    map[string]string // page id → token
	byAccount map[string]string // ig user id → page id
	order     []string          // page ids as configured
	accounts  []string          // ig user ids as configured
}

func newPages(ps []Page, as []Account) pages {
	p := pages{byPage: map[string]string{}, byAccount: map[string]string{}}
	for _, pg := range ps {
		if _, dup := p.byPage[pg.ID]; !dup {
			p.order = append(p.order, pg.ID)
		}
		p.byPage[pg.ID] = pg.Token
	}
	for _, a := range as {
		if _, dup := p.byAccount[a.ID]; !dup {
			p.accounts = append(p.accounts, a.ID)
		}
		p.byAccount[a.ID] = a.PageID
	}
	return p
}

func (p pages) pageToken(id string) (string, bool) {
	t, ok := p.byPage[id]
	return t, ok && t != ""
}

func (p pages) accountToken(igID string) (string, bool) {
	return p.pageToken(p.byAccount[igID])
}

// pageOf guesses the page a Facebook object belongs to from the ids and
// URL earshot gave the mention: post ids start with the page id, and the
// URL names the post.
func (p pages) pageOf(m bot.Mention) (string, bool) {
	cands := []string{m.ExternalID, m.InReplyTo}
	if u, err := url.Parse(m.URL); err == nil {
		cands = append(cands, strings.Trim(u.Path, "/"))
	}
	for _, c := range cands {
		// "PAGE_POST" ids, and permalinks like /PAGE/posts/POST.
		for _, sep := range []string{"_", "/"} {
			if pid, _, ok := strings.Cut(c, sep); ok {
				if _, known := p.byPage[pid]; known {
					return pid, true
				}
			}
		}
	}
	if len(p.order) == 1 {
		return p.order[0], true
	}
	return "", false
}

// postURL and commentURL are the public addresses of Facebook objects.
func postURL(postID string) string {
	if postID == "" {
		return ""
	}
	return "https://www.facebook.com/" + url.PathEscape(postID)
}

func commentURL(postID, commentID string) string {
	if postID == "" {
		return ""
	}
	_, short, ok := strings.Cut(commentID, "_")
	if !ok {
		short = commentID
	}
	return postURL(postID) + "?comment_id=" + url.QueryEscape(short)
}

// refreshEvery is how old the store's list of followed posts may get
// before a delivery or poll reads it again. Posts emitted and replies
// posted in between are added to the set as they happen.
const refreshEvery = time.Minute

// Followed is the set of followed posts of each platform (Facebook,
// Instagram), shared by the webhook, the pollers and the repliers, so a
// delivery checks its items against memory instead of listing every open
// case's posts from the store each time.
type Followed struct {
	lister Threads
	sets   map[string]*followed.Set
}

// NewFollowed returns the sets, read from l (nil: only what the process
// adds is followed).
func NewFollowed(l Threads) *Followed {
	return &Followed{lister: l, sets: map[string]*followed.Set{Facebook: followed.New(0), Instagram: followed.New(0)}}
}

// set is platform's set, with the store's list at most refreshEvery old.
func (f *Followed) set(ctx context.Context, platform string) (*followed.Set, error) {
	s, ok := f.sets[platform]
	if !ok {
		return nil, fmt.Errorf("meta: no followed set for platform %q", platform)
	}
	if f.lister == nil {
		return s, nil
	}
	return s, s.RefreshIfOlder(ctx, refreshEvery, f.lister, platform)
}

// add follows id on platform (a reply we posted).
func (f *Followed) add(platform, id string) {
	if s, ok := f.sets[platform]; ok {
		s.Add(id)
	}
}

// item is a decoded post with the ids that tie it to a thread.
type item struct {
	m      bot.Mention
	thread []string // parent and post ids: a follow-up when one is followed
}

// keep says whether an item goes to the pipeline: tombstones always; our
// own posts when they answer a followed thread; others' posts when they
// answer a followed thread or the rules hear them. A page's feed carries
// everything said on the page, most of it not for us.
func keep(it item, threads *followed.Set, hears func(bot.Mention) bool) bool {
	if it.m.Deleted {
		return true
	}
	for _, id := range it.thread {
		if threads.Has(id) {
			return true
		}
	}
	if it.m.Ours {
		return false
	}
	return hears == nil || hears(it.m)
}

// filter keeps the items keep allows, in order. A kept post's answers
// later in the same batch are followed too: Meta often delivers our reply
// and the customer's answer to it together, before the store lists them.
// Kept posts stay followed in the shared set.
func filter(items []item, threads *followed.Set, hears func(bot.Mention) bool) []bot.Mention {
	var out []bot.Mention
	for _, it := range items {
		if keep(it, threads, hears) {
			out = append(out, it.m)
			if !it.m.Deleted {
				threads.Add(it.m.ExternalID)
			}
		}
	}
	return out
}
