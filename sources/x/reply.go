package x

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/dghubble/oauth1"

	"github.com/earshothq/earshot/bot"
)

// UserAuth is the user-context credential POST /2/tweets needs: OAuth 1.0a
// (the four values of the app's "Keys and tokens" page, which do not
// expire) or an OAuth 2.0 user access token (scopes tweet.read tweet.write
// users.read).
type UserAuth struct {
	ConsumerKey, ConsumerSecret, AccessToken, AccessSecret string
	BearerToken                                            string
}

// OAuth1 reports whether the OAuth 1.0a values are set.
func (a UserAuth) OAuth1() bool {
	return a.ConsumerKey != "" && a.ConsumerSecret != "" && a.AccessToken != "" && a.AccessSecret != ""
}

// Client is an API client posting as the user.
func (a UserAuth) Client(apiURL string, timeout time.Duration) (*Client, error) {
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	if a.OAuth1() {
		hc := oauth1.NewConfig(a.ConsumerKey, a.ConsumerSecret).Client(context.Background(), oauth1.NewToken(a.AccessToken, a.AccessSecret))
		hc.Timeout = timeout
		return NewClient(apiURL, "", hc)
	}
	if a.BearerToken == "" {
		return nil, errors.New("x replies: no user credential (OAuth 1.0a keys or an OAuth 2.0 user token)")
	}
	return NewClient(apiURL, a.BearerToken, &http.Client{Timeout: timeout})
}

// ReplierOptions configure the Replier. User (a user-context client) is
// required; Search (the app's client) lets FindReply look for a reply.
type ReplierOptions struct {
	User    *Client
	Search  *Client
	Account Account
	Usage   *Usage
	Tracker *Tracker
	Logger  *slog.Logger
	Now     func() time.Time
}

// Replier posts answers on X: bot.Replier and bot.ReplyFinder.
type Replier struct {
	o   ReplierOptions
	log *slog.Logger
}

var (
	_ bot.Replier     = (*Replier)(nil)
	_ bot.ReplyFinder = (*Replier)(nil)
)

// NewReplier builds the replier; no network call.
func NewReplier(o ReplierOptions) (*Replier, error) {
	if o.User == nil {
		return nil, errors.New("x replies: no user-context client")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Usage == nil {
		o.Usage = NewUsage(UsageOptions{Now: o.Now})
	}
	if o.Tracker == nil {
		o.Tracker = NewTracker()
	}
	return &Replier{o: o, log: o.Logger.With("source", "x")}, nil
}

// Platform is "x".
func (r *Replier) Platform() string { return Platform }

// Reasons shown to people when X will not take the reply from the API.
const (
	ReasonNotSummoned = "X lets an app reply only to posts whose author mentioned or quoted our account; reply by hand on x.com"
	ReasonTier        = "this X app's access level does not allow posting replies; reply by hand on x.com"
	ReasonWriteCap    = "the monthly X write cap (EARSHOT_X_MONTHLY_WRITE_CAP) is spent; reply by hand on x.com"
)

// Reply posts text in answer to the post to. Too long (as X weighs it) is
// permanent; a rate limit is retried; X refusing the reply itself (the
// author never summoned us, the access level) makes it an assisted reply.
// Any other failure after the request left may have posted: it is not
// retried, and FindReply looks for it.
func (r *Replier) Reply(ctx context.Context, to bot.Mention, text string) (bot.PostRef, error) {
	if err := checkID("post", to.ExternalID); err != nil {
		return bot.PostRef{}, bot.Permanent(fmt.Errorf("x reply: %w", err))
	}
	if strings.TrimSpace(text) == "" {
		return bot.PostRef{}, bot.Permanent(errors.New("x reply: empty text"))
	}
	if n := WeightedLength(text); n > MaxWeightedLength {
		return bot.PostRef{}, bot.Permanent(fmt.Errorf("x reply is %d characters as X counts them (links 23, emoji and CJK 2 each); the limit is %d", n, MaxWeightedLength))
	}
	if ok, until := r.o.Usage.WriteAllowed(); !ok {
		return bot.PostRef{}, bot.Assisted(ReasonWriteCap, fmt.Errorf("x reply: write cap reached until %s", until.Format("2006-01-02")))
	}
	body, _ := json.Marshal(map[string]any{"text": text, "reply": map[string]string{"in_reply_to_tweet_id": to.ExternalID}})
	req, err := r.o.User.request(ctx, http.MethodPost, "/2/tweets", nil, bytes.NewReader(body))
	if err != nil {
		return bot.PostRef{}, bot.Permanent(err)
	}
	res, _, err := r.o.User.send(req)
	if err != nil {
		return bot.PostRef{}, r.replyError(err)
	}
	defer res.Body.Close()
	r.o.Usage.AddWrites(1)
	if err := r.o.Usage.Flush(ctx); err != nil {
		r.log.Warn("x: usage counts not saved", "err", err)
	}
	var out struct {
		Data struct {
			ID   string `json:"id"`
			Text string `json:"text"`
		} `json:"data"`
	}
	b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err := json.Unmarshal(b, &out); err != nil || checkID("id", out.Data.ID) != nil {
		// Posted (2xx), but the id is unreadable: not an error to retry.
		return bot.PostRef{}, fmt.Errorf("x reply: posted, but the answer has no post id: %q", clip(string(b)))
	}
	r.o.Tracker.Add(out.Data.ID)
	r.log.Debug("x: reply posted", "id", out.Data.ID, "in_reply_to", to.ExternalID)
	return bot.PostRef{ExternalID: out.Data.ID, URL: PostURL(r.o.Account.Handle, out.Data.ID)}, nil
}

// replyError sorts a refusal.
func (r *Replier) replyError(err error) error {
	var ae *APIError
	if !errors.As(err, &ae) {
		if errors.Is(err, errNotSent) {
			return &bot.RetryError{After: 30 * time.Second, Err: err}
		}
		return fmt.Errorf("x reply: outcome unknown: %w", err)
	}
	t := ae.text()
	switch {
	case ae.Status == http.StatusTooManyRequests:
		after := 15 * time.Minute
		if !ae.Reset.IsZero() {
			after = max(time.Second, ae.Reset.Sub(r.o.Now()))
		}
		return &bot.RetryError{After: after, Err: err}
	case ae.Status == http.StatusForbidden && (strings.Contains(t, "not been mentioned") || strings.Contains(t, "engaged") ||
		strings.Contains(t, "summoned") || strings.Contains(t, "reply to this conversation is not allowed")):
		return bot.Assisted(ReasonNotSummoned, err)
	case ae.NotEnrolled() || (ae.Status == http.StatusForbidden && strings.Contains(t, "oauth1-permissions")):
		return bot.Assisted(ReasonTier, err)
	case ae.Status == http.StatusForbidden && strings.Contains(t, "duplicate"):
		return bot.Permanent(fmt.Errorf("x reply: X refused it as a duplicate of a post we made: %w", err))
	case ae.Status == http.StatusUnauthorized:
		return bot.Permanent(fmt.Errorf("x reply: X refused the user credential (EARSHOT_X_USER_TOKEN or the OAuth 1.0a keys): %w", err))
	case ae.Status >= 400 && ae.Status < 500:
		return bot.Permanent(err)
	}
	// A 5xx: X may or may not have posted it.
	return fmt.Errorf("x reply: outcome unknown: %w", err)
}

// FindReply looks among our recent posts for an answer to to with text,
// so a reply whose outcome was unknown is recorded, not posted twice.
// Needs our handle and the app's client; each post found is a read.
func (r *Replier) FindReply(ctx context.Context, to bot.Mention, text string) (bot.PostRef, bool, error) {
	h := strings.TrimPrefix(r.o.Account.Handle, "@")
	if r.o.Search == nil || h == "" {
		return bot.PostRef{}, false, nil
	}
	if ok, _ := r.o.Usage.ReadAllowed(); !ok {
		return bot.PostRef{}, false, nil
	}
	q := fields(url.Values{"query": {"from:" + h + " is:reply"}, "max_results": {"100"}, "since_id": {to.ExternalID}})
	msg, _, err := r.o.Search.getJSON(ctx, "/2/tweets/search/recent", q)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusTooManyRequests {
			return bot.PostRef{}, false, &bot.RetryError{After: max(time.Second, ae.Reset.Sub(r.o.Now())), Err: err}
		}
		return bot.PostRef{}, false, fmt.Errorf("x: find reply: %w", err)
	}
	r.o.Usage.AddReads(len(msg.Data))
	want := comparable(text)
	for _, p := range msg.Data {
		if p.RepliesTo() == to.ExternalID && comparable(p.Text) == want {
			r.o.Tracker.Add(p.ID)
			return bot.PostRef{ExternalID: p.ID, URL: PostURL(h, p.ID)}, true, nil
		}
	}
	return bot.PostRef{}, false, nil
}

// comparable is text with links and spacing dropped: X shows links as
// t.co addresses, and escapes & < >.
func comparable(text string) string {
	text = urlRE.ReplaceAllString(strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(text), "")
	return strings.Join(strings.Fields(text), " ")
}
