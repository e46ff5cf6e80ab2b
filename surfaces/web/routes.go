package web

import (
	"net/http"
	"strings"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.handleInbox)
	mux.HandleFunc("GET /cases/{id}", s.handleCase)
	mux.HandleFunc("GET /fragments/cases/{id}", s.handleRowFragment)
	mux.HandleFunc("GET /fragments/cases/{id}/detail", s.handleCaseFragment)
	mux.HandleFunc("GET /events", s.handleEvents)

	mux.HandleFunc("GET /login", s.handleLoginPage)
	mux.HandleFunc("POST /login", s.handleLogin)
	mux.HandleFunc("POST /logout", s.handleLogout)
	mux.HandleFunc("POST /settings/name", s.handleName)

	mux.HandleFunc("GET /api/cases", s.apiCases)
	mux.HandleFunc("GET /api/cases/{id}", s.apiCase)
	mux.HandleFunc("POST /api/cases/{id}/actions", s.apiAction)
	mux.HandleFunc("GET /api/teams", s.apiTeams)
	mux.HandleFunc("GET /api/status", s.apiStatus)
	mux.HandleFunc("GET /mutes", s.handleMutes)
	mux.HandleFunc("GET /api/mutes", s.apiMutes)
	mux.HandleFunc("POST /api/mutes", s.apiMute)
	mux.HandleFunc("DELETE /api/mutes/{id}", s.apiUnmute)
	mux.HandleFunc("POST /api/unmute", s.apiUnmute)
	mux.HandleFunc("GET /api/dismissals", s.apiDismissals)

	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("GET /metrics", s.handleMetrics)
	mux.Handle("GET /static/", s.staticHandler())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, http.StatusNotFound, "there is nothing at "+clip(r.URL.Path, 80))
	})
	return s.secure(mux)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if s.ready != nil {
		if err := s.ready(r.Context()); err != nil {
			// /healthz is public: the detail (hosts, users) goes to the log only.
			s.log.Warn("health check failed", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("not ready: the database is not answering\n"))
			return
		}
	}
	_, _ = w.Write([]byte("ok\n"))
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	if s.metrics == nil {
		writeError(w, http.StatusNotFound, "metrics are not enabled")
		return
	}
	s.metrics.ServeHTTP(w, r)
}

// staticHandler serves the embedded assets. URLs carry a content hash, so a
// versioned request may be cached for good.
func (s *Server) staticHandler() http.Handler {
	files := http.StripPrefix("/static/", http.FileServerFS(s.static))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			s.fail(w, r, http.StatusNotFound, "no such asset")
			return
		}
		if r.URL.Query().Get("v") == s.assetVer {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		files.ServeHTTP(w, r)
	})
}
