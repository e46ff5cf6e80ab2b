package meta

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/earshothq/earshot/internal/httpbody"

	"github.com/earshothq/earshot/bot"
)

// Path is where the webhook handler is meant to be mounted.
const Path = "/hooks/meta"

// SignatureHeader carries "sha256=" + hex(HMAC-SHA256(app secret, body)).
const SignatureHeader = "X-Hub-Signature-256"

// Options configure the webhook Source.
type Options struct {
	// AppSecret signs deliveries; without it every POST is refused (503).
	AppSecret string
	// VerifyToken is what Meta sends back in the subscription handshake.
	VerifyToken string
	Pages       []Page
	Accounts    []Account
	// Graph reads Instagram @mentions (deliveries carry only their ids);
	// nil leaves them out.
	Graph   *Graph
	Threads Threads
	// Followed is the followed-post sets shared with the pollers and
	// repliers; nil makes one from Threads.
	Followed *Followed
	// Hears is the bot's route pre-check; nil keeps every post.
	Hears   func(bot.Mention) bool
	MaxBody int64 // bytes; default 1 MiB
	Logger  *slog.Logger
	Now     func() time.Time
}

// Source is the webhook endpoint: a bot.Source whose Run makes the handler
// live. It answers 200 only once the delivery's mentions are stored, so
// Meta redelivers whatever failed; redeliveries are harmless, the store
// dedupes on the ids.
type Source struct {
	o     Options
	pages pages
	log   *slog.Logger

	mu     sync.Mutex
	emit   bot.Emit
	runCtx context.Context
}

var (
	_ bot.Source   = (*Source)(nil)
	_ http.Handler = (*Source)(nil)
)

// New returns the webhook source.
func New(o Options) *Source {
	if o.MaxBody <= 0 {
		o.MaxBody = 1 << 20
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if o.Followed == nil {
		o.Followed = NewFollowed(o.Threads)
	}
	return &Source{o: o, pages: newPages(o.Pages, o.Accounts), log: log}
}

// Name identifies the source in logs.
func (s *Source) Name() string { return "meta-webhook" }

// Run takes deliveries until ctx ends; before and after, POSTs get 503.
func (s *Source) Run(ctx context.Context, emit bot.Emit) error {
	s.mu.Lock()
	if s.emit != nil {
		s.mu.Unlock()
		return errors.New("meta webhook: already running")
	}
	s.emit, s.runCtx = emit, ctx
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.emit, s.runCtx = nil, nil
		s.mu.Unlock()
	}()
	<-ctx.Done()
	return ctx.Err()
}

func (s *Source) running() (bot.Emit, context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.emit, s.runCtx
}

// ServeHTTP answers the subscription handshake (GET) and deliveries (POST).
func (s *Source) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		s.handshake(w, r)
	case http.MethodPost:
		s.deliver(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		s.fail(w, r, http.StatusMethodNotAllowed, "method not allowed")
	}
}

// handshake echoes hub.challenge when hub.verify_token is ours.
func (s *Source) handshake(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tok, challenge := q.Get("hub.verify_token"), q.Get("hub.challenge")
	switch {
	case s.o.VerifyToken == "":
		s.fail(w, r, http.StatusForbidden, "verify token not configured")
	case q.Get("hub.mode") != "subscribe":
		s.fail(w, r, http.StatusForbidden, "hub.mode is not subscribe")
	case subtle.ConstantTimeCompare([]byte(tok), []byte(s.o.VerifyToken)) != 1:
		s.fail(w, r, http.StatusForbidden, "hub.verify_token does not match")
	case challenge == "" || len(challenge) > 256:
		s.fail(w, r, http.StatusBadRequest, "hub.challenge missing or longer than 256 bytes")
	default:
		h := w.Header()
		h.Set("Content-Type", "text/plain; charset=utf-8")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, challenge)
	}
}

func (s *Source) deliver(w http.ResponseWriter, r *http.Request) {
	if s.o.AppSecret == "" {
		s.fail(w, r, http.StatusServiceUnavailable, "app secret not configured")
		return
	}
	body, tooLarge, err := httpbody.Read(w, r, s.o.MaxBody)
	switch {
	case tooLarge:
		s.fail(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", s.o.MaxBody))
		return
	case err != nil:
		s.fail(w, r, http.StatusBadRequest, "could not read body")
		return
	}
	if err := VerifySignature(s.o.AppSecret, r.Header.Get(SignatureHeader), body); err != nil {
		s.fail(w, r, http.StatusUnauthorized, err.Error())
		return
	}
	emit, runCtx := s.running()
	if emit == nil {
		s.fail(w, r, http.StatusServiceUnavailable, "meta webhook source not running")
		return
	}
	d, err := DecodeDelivery(body)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	got, err := decode(d, s.o.Now().UTC())
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer context.AfterFunc(runCtx, cancel)()

	items := got.items
	for _, lk := range got.lookups {
		it, ok, err := s.lookupMention(ctx, lk)
		if err != nil {
			// Meta redelivers; the store dedupes what this delivery stored.
			s.log.Warn("meta webhook: read instagram mention", "account", lk.AccountID, "err", err)
			s.fail(w, r, http.StatusServiceUnavailable, "could not read a mentioned comment; retry later")
			return
		}
		if ok {
			items = append(items, it)
		}
	}
	var ms []bot.Mention
	if len(items) > 0 {
		threads, err := s.o.Followed.set(ctx, got.platform)
		if err != nil {
			s.log.Error("meta webhook: list followed threads", "err", err)
			s.fail(w, r, http.StatusInternalServerError, "could not read followed threads; retry later")
			return
		}
		ms = filter(items, threads, s.o.Hears)
	}
	if len(ms) > 0 {
		if err := emit(ctx, ms); err != nil {
			s.log.Error("meta webhook: store mentions", "n", len(ms), "err", err)
			s.fail(w, r, http.StatusInternalServerError, "could not store mentions; retry later")
			return
		}
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "EVENT_RECEIVED")
}

// lookupMention reads an Instagram @mention's comment or caption. A mention
// the Graph API no longer has (deleted, private) is skipped, not retried.
func (s *Source) lookupMention(ctx context.Context, lk igMention) (item, bool, error) {
	token, ok := s.pages.accountToken(lk.AccountID)
	if s.o.Graph == nil || !ok {
		s.log.Warn("meta webhook: instagram mention for an account without a page token; skipped", "account", lk.AccountID)
		return item{}, false, nil
	}
	it, err := fetchMention(ctx, s.o.Graph, token, lk)
	if ge, isGraph := asGraphError(err); isGraph && !ge.RateLimited() && ge.Status < 500 {
		s.log.Warn("meta webhook: instagram mention unreadable; skipped", "account", lk.AccountID, "err", err)
		return item{}, false, nil
	}
	return it, err == nil, err
}

// fetchMention asks for the mentioned comment (or caption) by id.
func fetchMention(ctx context.Context, g *Graph, token string, lk igMention) (item, error) {
	q := url.Values{}
	var out struct {
		Comment *igComment `json:"mentioned_comment"`
		Media   *igMedia   `json:"mentioned_media"`
	}
	if lk.CommentID != "" {
		q.Set("fields", "mentioned_comment.comment_id("+lk.CommentID+"){id,text,timestamp,username,media{id,permalink}}")
	} else {
		q.Set("fields", "mentioned_media.media_id("+lk.MediaID+"){id,caption,timestamp,username,permalink}")
	}
	if !graphID(lk.CommentID) || !graphID(lk.MediaID) {
		return item{}, &GraphError{Code: 100, Message: "mention ids are not Graph ids", Status: 400}
	}
	if _, err := g.Get(ctx, token, lk.AccountID, q, &out); err != nil {
		return item{}, err
	}
	switch {
	case out.Comment != nil:
		c := *out.Comment
		if c.Media.ID == "" {
			c.Media.ID = lk.MediaID
		}
		m, err := c.mention(lk.AccountID, "")
		if err != nil {
			return item{}, &GraphError{Code: 100, Message: err.Error(), Status: 400}
		}
		return item{m: m, thread: nonEmpty(c.ParentID, c.Media.ID)}, nil
	case out.Media != nil:
		m, err := out.Media.mention()
		if err != nil {
			return item{}, &GraphError{Code: 100, Message: err.Error(), Status: 400}
		}
		return item{m: m}, nil
	}
	return item{}, &GraphError{Code: 100, Message: "mention not found", Status: 404}
}

// graphID reports whether s is empty or a Graph id (digits and "_"), so an
// id can go into a field expansion without changing its meaning.
func graphID(s string) bool {
	return len(s) <= 64 && strings.Trim(s, "0123456789_") == ""
}

// VerifySignature checks header ("sha256=<hex>") against body. Its errors
// say which check failed and repeat nothing sent.
func VerifySignature(appSecret, header string, body []byte) error {
	if header == "" {
		return errors.New("missing " + SignatureHeader + " header")
	}
	hexsig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return errors.New(SignatureHeader + ` does not start with "sha256="`)
	}
	got, err := hex.DecodeString(hexsig)
	if err != nil || len(got) != sha256.Size {
		return fmt.Errorf("%s is not %d hex digits", SignatureHeader, 2*sha256.Size)
	}
	if !hmac.Equal(got, Sign(appSecret, body)) {
		return errors.New("signature does not match")
	}
	return nil
}

// Sign is HMAC-SHA256(app secret, body).
func Sign(appSecret string, body []byte) []byte {
	h := hmac.New(sha256.New, []byte(appSecret))
	h.Write(body)
	return h.Sum(nil)
}

func (s *Source) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if status < 500 {
		// Debug: unauthenticated callers must not flood the log.
		s.log.Debug("meta webhook: request refused", "status", status, "reason", msg, "remote", r.RemoteAddr)
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}
