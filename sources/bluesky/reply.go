package bluesky

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/earshothq/earshot/bot"
)

// MaxGraphemes and MaxBytes are the post lexicon's limits on text.
const (
	MaxGraphemes = 300
	MaxBytes     = 3000
)

// ReplierOptions configure a Replier. Handle and AppPassword are required.
type ReplierOptions struct {
	Handle string
	// AppPassword is an app password (Settings → Privacy and security →
	// App passwords), never the account's own password.
	AppPassword string
	// PDSURL takes the login and the writes; default DefaultPDSURL.
	PDSURL string
	// AppViewURL serves the posts answered and handle lookups; default DefaultAppViewURL.
	AppViewURL string
	// Threads, shared with the Source, learns our replies so the answers
	// to them are followed.
	Threads    *Threads
	HTTPClient *http.Client
	Logger     *slog.Logger
	Now        func() time.Time
}

// Replier posts replies on Bluesky as the brand's account. It implements
// bot.Replier and bot.ReplyFinder.
type Replier struct {
	opts    ReplierOptions
	x       *xrpc
	session *session
	log     *slog.Logger
}

var (
	_ bot.Replier     = (*Replier)(nil)
	_ bot.ReplyFinder = (*Replier)(nil)
)

// NewReplier checks opts and builds a Replier; it logs in at the first reply.
func NewReplier(opts ReplierOptions) (*Replier, error) {
	opts.Handle = strings.TrimPrefix(strings.TrimSpace(opts.Handle), "@")
	if opts.Handle == "" {
		return nil, errors.New("bluesky replier: no handle")
	}
	if opts.AppPassword == "" {
		return nil, fmt.Errorf("bluesky replier for %s: no app password", opts.Handle)
	}
	if opts.PDSURL == "" {
		opts.PDSURL = DefaultPDSURL
	}
	if opts.AppViewURL == "" {
		opts.AppViewURL = DefaultAppViewURL
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{
			Timeout: 30 * time.Second,
			// A redirected POST could post twice.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Threads == nil {
		opts.Threads = NewThreads(0)
	}
	x := &xrpc{client: opts.HTTPClient, pds: opts.PDSURL, appview: opts.AppViewURL, now: opts.Now}
	return &Replier{opts: opts, x: x, log: log, session: &session{x: x, pds: opts.PDSURL, handle: opts.Handle, password: opts.AppPassword, log: log}}, nil
}

// Platform is "bluesky".
func (r *Replier) Platform() string { return Platform }

// CheckText reports why text cannot be a post, naming the limit.
func CheckText(text string) error {
	switch n := bot.Length(text); {
	case strings.TrimSpace(text) == "":
		return errors.New("reply is empty")
	case n > MaxGraphemes:
		return fmt.Errorf("reply is %d characters; Bluesky allows %d", n, MaxGraphemes)
	case len(text) > MaxBytes:
		return fmt.Errorf("reply is %d bytes; Bluesky allows %d", len(text), MaxBytes)
	}
	return nil
}

// postView is the part of app.bsky.feed.getPosts' answer a reply needs.
type postView struct {
	URI    string     `json:"uri"`
	CID    string     `json:"cid"`
	Record postRecord `json:"record"`
}

// replyRecord is the post we write.
type replyRecord struct {
	Type      string       `json:"$type"`
	Text      string       `json:"text"`
	CreatedAt string       `json:"createdAt"`
	Reply     replyRef     `json:"reply"`
	Facets    []replyFacet `json:"facets,omitempty"`
}

// Reply answers to with text. The parent is looked up at reply time for its
// cid and its own root, so the reply lands in the right thread.
func (r *Replier) Reply(ctx context.Context, to bot.Mention, text string) (bot.PostRef, error) {
	if err := CheckText(text); err != nil {
		return bot.PostRef{}, bot.Permanent(err)
	}
	if _, coll, _, err := parseATURI(to.ExternalID); err != nil || coll != PostCollection {
		return bot.PostRef{}, bot.Permanent(fmt.Errorf("reply to %s: id %q is not a Bluesky post's at:// URI", to.Key(), to.ExternalID))
	}
	parent, err := r.post(ctx, to.ExternalID)
	if err != nil {
		return bot.PostRef{}, err
	}
	ref := replyRef{Parent: strongRef{URI: parent.URI, CID: parent.CID}, Root: strongRef{URI: parent.URI, CID: parent.CID}}
	if rr := parent.Record.Reply; rr != nil && rr.Root.URI != "" && rr.Root.CID != "" {
		ref.Root = rr.Root
	}
	rec := replyRecord{Type: PostCollection, Text: text, CreatedAt: r.opts.Now().UTC().Format("2006-01-02T15:04:05.000Z"), Reply: ref,
		Facets: buildFacets(ctx, text, func(ctx context.Context, h string) (string, error) {
			return resolveHandle(ctx, r.x, r.opts.AppViewURL, h)
		})}
	var out struct {
		URI string `json:"uri"`
		CID string `json:"cid"`
	}
	err = r.session.do(ctx, func(access, did string) error {
		return r.x.post(ctx, r.opts.PDSURL, "com.atproto.repo.createRecord",
			map[string]any{"repo": did, "collection": PostCollection, "record": rec}, access, &out)
	})
	if err != nil {
		return bot.PostRef{}, classify(fmt.Errorf("post reply to %s: %w", to.ExternalID, err))
	}
	did, _, rkey, perr := parseATURI(out.URI)
	if perr != nil {
		// Posted, but the answer is odd: keep what it said.
		return bot.PostRef{ExternalID: out.URI}, nil
	}
	r.opts.Threads.Add(out.URI)
	r.log.Info("bluesky reply posted", "uri", out.URI, "in_reply_to", to.ExternalID)
	return bot.PostRef{ExternalID: out.URI, URL: WebURL(did, rkey)}, nil
}

// post looks a post up on the AppView. Failing, nothing was posted yet,
// so every error but "gone" may be retried.
func (r *Replier) post(ctx context.Context, uri string) (postView, error) {
	var resp struct {
		Posts []postView `json:"posts"`
	}
	err := r.x.get(ctx, r.opts.AppViewURL, "app.bsky.feed.getPosts", url.Values{"uris": {uri}}, "", &resp)
	if err != nil {
		return postView{}, &bot.RetryError{After: retryAfterErr(err), Err: fmt.Errorf("look up %s: %w", uri, err)}
	}
	for _, p := range resp.Posts {
		if p.URI == uri && p.CID != "" {
			return p, nil
		}
	}
	return postView{}, bot.Permanent(fmt.Errorf("post %s is gone (deleted, or its author blocks replies): nothing was posted", uri))
}

// classify sorts a failed write: refused before writing (rate limit, bad
// request, login) is safe to retry or to give up on; anything else may
// have posted, and is left for the caller to treat as unknown.
func classify(err error) error {
	var retry *bot.RetryError
	if errors.As(err, &retry) || bot.IsPermanent(err) {
		return err
	}
	if e, ok := isXRPC(err); ok {
		switch {
		case e.Status == http.StatusTooManyRequests:
			return &bot.RetryError{After: e.RetryAfter, Err: err}
		case e.Status/100 == 4:
			return bot.Permanent(err)
		}
	}
	return err
}

// FindReply looks through our latest posts for one answering to with text:
// a reply the platform took just before a crash.
func (r *Replier) FindReply(ctx context.Context, to bot.Mention, text string) (bot.PostRef, bool, error) {
	var resp struct {
		Records []struct {
			URI   string     `json:"uri"`
			Value postRecord `json:"value"`
		} `json:"records"`
	}
	err := r.session.do(ctx, func(access, did string) error {
		q := url.Values{"repo": {did}, "collection": {PostCollection}, "limit": {"100"}}
		return r.x.get(ctx, r.opts.PDSURL, "com.atproto.repo.listRecords", q, access, &resp)
	})
	if err != nil {
		if e, ok := isXRPC(err); ok && e.Status == http.StatusTooManyRequests {
			return bot.PostRef{}, false, &bot.RetryError{After: e.RetryAfter, Err: err}
		}
		return bot.PostRef{}, false, fmt.Errorf("list our posts: %w", err)
	}
	for _, rec := range resp.Records {
		if rec.Value.Reply != nil && rec.Value.Reply.Parent.URI == to.ExternalID && rec.Value.Text == text {
			did, _, rkey, err := parseATURI(rec.URI)
			if err != nil {
				return bot.PostRef{ExternalID: rec.URI}, true, nil
			}
			r.opts.Threads.Add(rec.URI)
			return bot.PostRef{ExternalID: rec.URI, URL: WebURL(did, rkey)}, true, nil
		}
	}
	return bot.PostRef{}, false, nil
}
