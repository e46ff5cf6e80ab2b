// Package web is earshot's built-in surface: a web inbox served by the bot
// itself, a small JSON API and the health endpoint. It shows cases and turns
// clicks into bot.ActionRequests; deciding who may do what, and doing it
// once, belongs to the handlers behind Actions.
package web

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/tuning"
)

// Store is what the inbox reads; *store.DB satisfies it.
type Store interface {
	Cases(ctx context.Context, f bot.CaseFilter) ([]bot.Case, error)
	CaseCounts(ctx context.Context) (map[string]map[bot.CaseState]int, error)
	Case(ctx context.Context, id int64) (bot.Case, error)
	Thread(ctx context.Context, caseID int64) ([]bot.Mention, []bot.Event, error)
	Suggestions(ctx context.Context, caseID int64) ([]bot.Suggestion, error)
	DraftInfo(ctx context.Context, caseID int64) (bot.DraftInfo, error)
	Actions(ctx context.Context, caseID int64) ([]bot.Action, error)
}

// Actions takes what people click. Do returns bot.ErrForbidden (wrapped) when
// the actor may not act, bot.ErrNotFound when there is no such case, and an
// action with Status bot.ActionSkipped when the same action was already done.
type Actions interface {
	Do(ctx context.Context, r bot.ActionRequest) (bot.Action, error)
}

// Options configure a Server.
type Options struct {
	Store   Store
	Actions Actions
	// Teams are the teams from the rules file, in sidebar order.
	Teams []bot.Team
	// TeamList, when set, is asked instead of Teams, so a rules reload
	// shows in the sidebar.
	TeamList func() []bot.Team
	// Token, when set, is needed for every route but /healthz and /login.
	// Without it the server only answers requests addressed to a loopback host.
	Token string
	// Users maps a person's name to their own token. Signing in with one
	// makes the web a verified identity ("web:<name>"), which teams that list
	// their members require; the shared Token only grants access.
	Users map[string]string
	// Addr is where the server listens (Serve) and decides whether Token is
	// required. Empty means 127.0.0.1:8080.
	Addr   string
	Logger *slog.Logger
	Now    func() time.Time
	// Metrics serves /metrics; nil answers 404.
	Metrics http.Handler
	// Ready backs /healthz; nil is always ready.
	Ready func(ctx context.Context) error
	// Status, when set, is served as JSON at /api/status (sources, pending jobs).
	Status func(ctx context.Context) any
	// Sources, when set, lists the sources' status lines, shown under the
	// teams in the inbox.
	Sources func(ctx context.Context) ([]bot.SourceStatus, error)
	// Mutes, when set, serves /mutes and /api/mutes.
	Mutes Mutes
	// Tuning, when set, serves /api/dismissals: what was dismissed since a
	// time and the exclusions that would have kept it out.
	Tuning func(ctx context.Context, since time.Time) (tuning.Report, error)
}

// DefaultAddr is where the inbox listens when Options.Addr is empty.
const DefaultAddr = "127.0.0.1:8080"

// Server is the web surface. It implements bot.Surface: cards "posted" to it
// are pushed to connected browsers, which fetch the fresh rows themselves.
type Server struct {
	store   Store
	actions Actions
	teams   func() []bot.Team
	token   string
	session string // HMAC of the token, the session cookie's value
	users   map[string]string
	addr    string
	log     *slog.Logger
	now     func() time.Time
	metrics http.Handler
	ready   func(ctx context.Context) error
	status  func(ctx context.Context) any
	sources func(ctx context.Context) ([]bot.SourceStatus, error)
	mutes   Mutes
	tuning  func(ctx context.Context, since time.Time) (tuning.Report, error)

	tmpl      map[string]*template.Template
	static    fs.FS
	assetVer  string // content hash appended to asset URLs so browsers never mix versions
	hub       *hub
	heartbeat time.Duration
	handler   http.Handler
}

var _ bot.Surface = (*Server)(nil)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// New checks o and builds the server. Listening beyond loopback without a
// token is refused: the inbox can post in the brand's name.
func New(o Options) (*Server, error) {
	if o.Store == nil {
		return nil, errors.New("web: Store is required")
	}
	if o.Actions == nil {
		return nil, errors.New("web: Actions is required")
	}
	if o.Addr == "" {
		o.Addr = DefaultAddr
	}
	loop, err := loopbackAddr(o.Addr)
	if err != nil {
		return nil, err
	}
	for name, tok := range o.Users {
		if _, err := validUserName(name); err != nil || name != strings.TrimSpace(name) {
			return nil, fmt.Errorf("web user %q: not a valid name (letters, digits, spaces, . - _)", name)
		}
		if len(tok) < 16 {
			return nil, fmt.Errorf("web user %q: token shorter than 16 characters", name)
		}
	}
	if !loop && o.Token == "" && len(o.Users) == 0 {
		return nil, fmt.Errorf("EARSHOT_WEB_TOKEN is required when listening on %s", o.Addr)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, fmt.Errorf("web: static assets: %w", err)
	}
	s := &Server{
		store:     o.Store,
		actions:   o.Actions,
		teams:     teamsOf(o),
		token:     o.Token,
		users:     o.Users,
		addr:      o.Addr,
		log:       o.Logger,
		now:       o.Now,
		metrics:   o.Metrics,
		ready:     o.Ready,
		status:    o.Status,
		sources:   o.Sources,
		mutes:     o.Mutes,
		tuning:    o.Tuning,
		static:    static,
		hub:       newHub(),
		heartbeat: 15 * time.Second,
	}
	if s.token != "" {
		s.session = sessionValue(s.token)
	}
	if s.assetVer, err = assetVersion(static); err != nil {
		return nil, err
	}
	if s.tmpl, err = parseTemplates(); err != nil {
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

// loopbackAddr reports whether addr only accepts connections from this machine.
func loopbackAddr(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("web: listen address %q: %w", addr, err)
	}
	return loopbackHost(host), nil
}

// loopbackHost reports whether host names this machine only. An empty host
// listens on every interface.
func loopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

func assetVersion(static fs.FS) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(static, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(static, path)
		if err != nil {
			return err
		}
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("web: hashing static assets: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

// Handler serves the inbox, the API, /healthz and /metrics.
func (s *Server) Handler() http.Handler { return s.handler }

// Name is the surface's name in actors and jobs.
func (s *Server) Name() string { return "web" }

// ShowCard pushes the case to connected browsers; the page itself is always
// rendered from the store, so there is nothing to post.
func (s *Server) ShowCard(ctx context.Context, card bot.Card, ref string) (string, error) {
	s.hub.publish(caseEvent{ID: card.Case.ID, Rev: card.Case.Rev, Team: card.Case.Team, State: card.Case.State})
	return caseRef(card.Case.ID), nil
}

// Note pushes the case to connected browsers, like ShowCard.
func (s *Server) Note(ctx context.Context, card bot.Card, ref string, ev bot.Event) error {
	s.hub.publish(caseEvent{ID: card.Case.ID, Rev: card.Case.Rev, Team: card.Case.Team, State: card.Case.State, Event: ev.Kind})
	return nil
}

func caseRef(id int64) string { return "case/" + strconv.FormatInt(id, 10) }

// Close ends the live streams so a graceful shutdown is not held open by them.
func (s *Server) Close() error {
	s.hub.close()
	return nil
}

// HTTPServer is the http.Server earshot serves h with: timeouts keep a slow
// client from holding a connection, and the live event stream lifts the
// write deadline for itself.
func HTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// Serve listens on Addr until ctx ends, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context) error {
	srv := HTTPServer(s.handler, s.log)
	srv.RegisterOnShutdown(s.hub.close)
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("web: listen on %s: %w", s.addr, err)
	}
	s.log.Info("web inbox listening", "addr", "http://"+ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("web: serve on %s: %w", s.addr, err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("web: shutdown: %w", err)
	}
	<-errc
	return nil
}

func teamsOf(o Options) func() []bot.Team {
	if o.TeamList != nil {
		return o.TeamList
	}
	return func() []bot.Team { return o.Teams }
}
