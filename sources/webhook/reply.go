package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/retryafter"
)

// IdempotencyHeader carries the reply's key: the same for every attempt at
// one reply, so a receiver can answer a repeat with what it did the first
// time instead of posting twice.
const IdempotencyHeader = "Idempotency-Key"

// ReplyPayload is the JSON a Replier POSTs to the callback URL.
type ReplyPayload struct {
	InReplyTo      string `json:"in_reply_to"` // the mention's external id, as it came in
	Text           string `json:"text"`
	Case           int64  `json:"case"`
	IdempotencyKey string `json:"idempotency_key"`
}

// replyAnswer is what the receiver answers with a 2xx: the id and address of
// the post it made. A later mention in_reply_to that id joins the case.
type replyAnswer struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// ReplierOptions tune a Replier; the zero value is the documented defaults.
type ReplierOptions struct {
	// Client makes the calls; default a client with a 30 s timeout that
	// follows no redirect (a redirected POST could post twice).
	Client *http.Client
	// DefaultRetry is the wait after a 429 or 503 without a usable
	// Retry-After, and after a request that never left; default 30 s.
	DefaultRetry time.Duration
	Now          func() time.Time
	Logger       *slog.Logger
}

// Replier answers mentions that came in through the signed webhook: it
// POSTs the reply, signed like the inbound side (X-Earshot-Signature over
// "<t>.<body>" with the webhook secret), to the callback URL configured for
// the mention's platform, so any in-house system can receive replies.
type Replier struct {
	platform string
	url      string
	secret   []byte
	opts     ReplierOptions
	log      *slog.Logger
}

var _ bot.Replier = (*Replier)(nil)

// NewReplier returns the replier for one webhook platform. The callback URL
// must be https (http only to a loopback host); secret signs every request.
func NewReplier(platform, callback, secret string, o ReplierOptions) (*Replier, error) {
	if platform == "" {
		return nil, errors.New("webhook replier: platform is empty")
	}
	if err := CheckCallbackURL(callback); err != nil {
		return nil, fmt.Errorf("webhook replier for %s: %w", platform, err)
	}
	if len(secret) < 16 {
		return nil, fmt.Errorf("webhook replier for %s: the signing secret must be at least 16 characters", platform)
	}
	if o.Client == nil {
		o.Client = &http.Client{
			Timeout:       30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if o.DefaultRetry <= 0 {
		o.DefaultRetry = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Replier{platform: platform, url: callback, secret: []byte(secret), opts: o, log: log}, nil
}

// CheckCallbackURL reports why raw cannot receive replies: it must be an
// absolute https URL without credentials, or http to a loopback host (a
// receiver on the same machine). Errors name the host, never the rest of
// the URL, which may carry a token.
func CheckCallbackURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || !u.IsAbs() {
		return errors.New("callback URL is not an absolute URL")
	}
	if u.User != nil {
		return fmt.Errorf("callback URL for %s carries credentials; put them in the receiver's own config, the signature authenticates earshot", u.Hostname())
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("callback URL for %s is http; replies must go over https (http only to localhost)", u.Hostname())
	}
	return fmt.Errorf("callback URL for %s: scheme %q is not https", u.Hostname(), u.Scheme)
}

func isLoopback(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	return host == "127.0.0.1" || host == "::1" || strings.HasPrefix(host, "127.")
}

// Platform is the webhook platform whose mentions this replier answers.
func (r *Replier) Platform() string { return r.platform }

// maxAnswer bounds what is read of the receiver's answer.
const maxAnswer = 64 << 10

// Reply posts text as an answer to mention to. A 429 or 503 is a
// *bot.RetryError after the receiver's Retry-After: it refused before doing
// anything. A request that never left (no connection) is a RetryError too.
// Any other failure once the request was sent (a timeout, a reset, a 5xx)
// leaves the outcome unknown and is returned as is: the reply handler then
// never posts again. Other 4xx are permanent.
func (r *Replier) Reply(ctx context.Context, to bot.Mention, text string) (bot.PostRef, error) {
	meta, _ := bot.ReplyMetaFrom(ctx)
	key := meta.IdempotencyKey
	if key == "" {
		// Called outside the reply handler: still one key per call.
		key = "earshot-" + strconv.FormatInt(r.opts.Now().UnixNano(), 36)
	}
	body, err := json.Marshal(ReplyPayload{InReplyTo: to.ExternalID, Text: text, Case: meta.CaseID, IdempotencyKey: key})
	if err != nil {
		return bot.PostRef{}, bot.Permanent(fmt.Errorf("encode reply: %w", err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, bytes.NewReader(body))
	if err != nil {
		return bot.PostRef{}, bot.Permanent(fmt.Errorf("reply to %s: build request: %w", r.platform, err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "earshot-webhook-replier")
	req.Header.Set(IdempotencyHeader, key)
	req.Header.Set(SignatureHeader, Sign(string(r.secret), r.opts.Now(), body))

	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{WroteHeaders: func() { wrote.Store(true) }}
	res, err := r.opts.Client.Do(req.WithContext(httptrace.WithClientTrace(req.Context(), trace)))
	if err != nil {
		if !wrote.Load() {
			// Nothing reached the receiver (refused, no route): safe to retry.
			return bot.PostRef{}, &bot.RetryError{After: r.opts.DefaultRetry, Err: fmt.Errorf("reply to %s: %w", r.platform, redact(err))}
		}
		return bot.PostRef{}, fmt.Errorf("reply to %s: outcome unknown: %w", r.platform, redact(err))
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, maxAnswer))
	switch code := res.StatusCode; {
	case code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable:
		return bot.PostRef{}, &bot.RetryError{
			After: retryAfter(res.Header.Get("Retry-After"), r.opts.Now(), r.opts.DefaultRetry),
			Err:   fmt.Errorf("reply to %s: receiver answered %d", r.platform, code),
		}
	case code >= 200 && code < 300:
	case code >= 400 && code < 500:
		return bot.PostRef{}, bot.Permanent(fmt.Errorf("reply to %s: receiver refused it with %d%s", r.platform, code, detail(raw)))
	default:
		// 3xx (not followed) and 5xx: it may or may not have posted.
		return bot.PostRef{}, fmt.Errorf("reply to %s: receiver answered %d; outcome unknown%s", r.platform, code, detail(raw))
	}
	var ans replyAnswer
	if err := json.Unmarshal(raw, &ans); err != nil || strings.TrimSpace(ans.ID) == "" {
		return bot.PostRef{}, fmt.Errorf("reply to %s: receiver answered %d without the post's id (want {\"id\": \"...\", \"url\": \"...\"}); it may have posted", r.platform, res.StatusCode)
	}
	ref := bot.PostRef{ExternalID: ans.ID}
	if u, err := url.Parse(ans.URL); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		ref.URL = ans.URL
	}
	r.log.Debug("webhook reply posted", "platform", r.platform, "case", meta.CaseID, "id", ans.ID)
	return ref, nil
}

// retryAfter reads Retry-After (seconds or an HTTP date), within an hour;
// def when the receiver named no wait.
func retryAfter(h string, now time.Time, def time.Duration) time.Duration {
	d, ok := retryafter.Parse(h, now)
	if !ok {
		return def
	}
	return min(max(d, time.Second), time.Hour)
}

// detail is a short piece of the receiver's error answer, for the thread.
func detail(raw []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(raw, &e) != nil || e.Error == "" {
		return ""
	}
	s := []rune(strings.Join(strings.Fields(e.Error), " "))
	if len(s) > 200 {
		s = append(s[:200], '…')
	}
	return ": " + string(s)
}

// redact drops the URL from a transport error: it may carry a token.
func redact(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
