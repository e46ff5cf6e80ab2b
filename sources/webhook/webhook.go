// Package webhook is the Source for anything that can POST: a signed HTTP
// endpoint taking mentions in the wire format, so a platform earshot has no
// connector for (or an internal tool) can feed the pipeline. It accepts
// nothing unsigned, answers only after the mentions are stored, and takes a
// body whole or not at all.
package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/earshothq/earshot/internal/httpbody"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/sources/wire"
)

// Path is where the handler is meant to be mounted.
const Path = "/hooks/mentions"

// Options tune the endpoint; the zero value is the documented defaults.
type Options struct {
	// MaxBody caps the request body in bytes; default 1 MiB.
	MaxBody int64
	// Window is how far a signature's timestamp may be from now, either
	// way; default 5 minutes. A capture replayed later than that is refused.
	Window time.Duration
	Now    func() time.Time
	Logger *slog.Logger
}

// Source is the webhook endpoint: a bot.Source whose Run makes the
// http.Handler live, and the handler itself.
type Source struct {
	secret []byte
	opts   Options
	log    *slog.Logger

	mu     sync.Mutex
	emit   bot.Emit        // nil while not running
	runCtx context.Context // Run's, so a shutdown cancels stores in flight
}

var (
	_ bot.Source   = (*Source)(nil)
	_ http.Handler = (*Source)(nil)
)

// New returns the webhook source. With an empty secret it still serves, and
// answers every request 503: the endpoint never accepts unsigned input.
func New(secret string, opts Options) *Source {
	if opts.MaxBody <= 0 {
		opts.MaxBody = 1 << 20
	}
	if opts.Window <= 0 {
		opts.Window = 5 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Source{secret: []byte(secret), opts: opts, log: log}
}

// Name identifies the source in logs.
func (s *Source) Name() string { return "webhook" }

// Run makes the endpoint accept mentions, handing them to emit, until ctx
// ends; it returns ctx.Err(). Before Run and after it the endpoint answers 503.
func (s *Source) Run(ctx context.Context, emit bot.Emit) error {
	stop, err := s.start(ctx, emit)
	if err != nil {
		return err
	}
	defer stop()
	<-ctx.Done()
	return ctx.Err()
}

func (s *Source) start(ctx context.Context, emit bot.Emit) (stop func(), err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.emit != nil {
		return nil, errors.New("webhook: already running")
	}
	s.emit, s.runCtx = emit, ctx
	return func() {
		s.mu.Lock()
		s.emit, s.runCtx = nil, nil
		s.mu.Unlock()
	}, nil
}

func (s *Source) running() (bot.Emit, context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.emit, s.runCtx
}

// ServeHTTP takes POST bodies of one mention or an array of them.
func (s *Source) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		s.fail(w, r, http.StatusMethodNotAllowed, "method not allowed: use POST")
		return
	}
	if len(s.secret) == 0 {
		s.fail(w, r, http.StatusServiceUnavailable, "webhook secret not configured")
		return
	}
	if msg := checkContentType(r.Header.Get("Content-Type")); msg != "" {
		s.fail(w, r, http.StatusUnsupportedMediaType, msg)
		return
	}
	body, tooLarge, err := httpbody.Read(w, r, s.opts.MaxBody)
	switch {
	case tooLarge:
		s.fail(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("body larger than %d bytes", s.opts.MaxBody))
		return
	case err != nil:
		s.fail(w, r, http.StatusBadRequest, "could not read body")
		return
	}
	now := s.opts.Now()
	if err := verify(s.secret, r.Header.Get(SignatureHeader), body, now, s.opts.Window); err != nil {
		s.fail(w, r, http.StatusUnauthorized, err.Error())
		return
	}
	emit, runCtx := s.running()
	if emit == nil {
		s.fail(w, r, http.StatusServiceUnavailable, "webhook source not running")
		return
	}
	ms, err := wire.DecodeBody(body)
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	for i := range ms {
		if ms[i].CreatedAt.IsZero() {
			ms[i].CreatedAt = now
		}
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	defer context.AfterFunc(runCtx, cancel)()
	if err := emit(ctx, ms); err != nil {
		// The sender learns to retry, not how our store failed.
		s.log.Error("webhook: store mentions", "n", len(ms), "err", err)
		s.fail(w, r, http.StatusInternalServerError, "could not store mentions; retry later")
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]int{"accepted": len(ms)})
}

// checkContentType returns why ct is refused, or "" when it is JSON.
func checkContentType(ct string) string {
	if ct == "" {
		return "missing Content-Type: want application/json"
	}
	media, params, err := mime.ParseMediaType(ct)
	if err != nil || (media != "application/json" && !(strings.HasPrefix(media, "application/") && strings.HasSuffix(media, "+json"))) {
		return "Content-Type must be application/json"
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return "charset must be utf-8"
	}
	return ""
}

func (s *Source) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if status < 500 {
		// Debug: an unauthenticated caller must not be able to flood the log.
		s.log.Debug("webhook: request refused", "status", status, "reason", msg, "remote", r.RemoteAddr)
	}
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client may be gone; nothing to do
}
