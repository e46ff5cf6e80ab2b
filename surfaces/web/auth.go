package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

const (
	sessionCookie = "earshot_session"
	userCookie    = "earshot_user"
	defaultUser   = "local"
	maxUserName   = 40
	sessionMaxAge = 30 * 24 * time.Hour
)

// contentSecurityPolicy allows nothing inline and nothing from elsewhere:
// mention text is public input, so even a templating slip must not run.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// sessionValue is what the session cookie holds: proof of the token without
// the token, so a leaked cookie jar does not leak the credential, and
// rotating the token signs everyone out.
func sessionValue(token string) string {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("earshot web session v1"))
	return hex.EncodeToString(m.Sum(nil))
}

// userSession is the session cookie of a person who signed in with their
// own token: their name and proof of their token, which only they hold.
func userSession(name, token string) string {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("earshot web user session v1\x00" + name))
	return "u." + url.QueryEscape(name) + "." + hex.EncodeToString(m.Sum(nil))
}

// guarded reports whether the inbox needs a sign-in at all.
func (s *Server) guarded() bool { return s.token != "" || len(s.users) > 0 }

// userForToken finds whose personal token tok is.
func (s *Server) userForToken(tok string) (string, bool) {
	for name, t := range s.users {
		if equalSecret(tok, t) {
			return name, true
		}
	}
	return "", false
}

type verifiedKey struct{}

// verifiedUser is the person the request's credentials name, if any.
func verifiedUser(r *http.Request) (string, bool) {
	name, ok := r.Context().Value(verifiedKey{}).(string)
	return name, ok && name != ""
}

// equalSecret compares in constant time; hashing first hides the length too.
func equalSecret(got, want string) bool {
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// isPublic lists what answers without a token: probes, the login form and
// the stylesheet it needs (the assets are the same in every install).
func isPublic(path string) bool {
	return path == "/healthz" || path == "/login" || strings.HasPrefix(path, "/static/")
}

// wantsJSON tells API clients (who get JSON errors) from people (who get pages).
func wantsJSON(r *http.Request) bool {
	p := r.URL.Path
	return strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/fragments/") ||
		p == "/events" || p == "/metrics" || r.Header.Get("Authorization") != ""
}

// secure wraps the mux with the checks every request goes through.
func (s *Server) secure(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")

		if !s.guarded() && r.URL.Path != "/healthz" && !loopbackRequestHost(r.Host) {
			// Without a token the only guard is that the browser is on this
			// machine; a page on another site that rebinds its DNS name to
			// 127.0.0.1 arrives with its own Host and is turned away here.
			s.fail(w, r, http.StatusForbidden, "this inbox answers only on localhost; set EARSHOT_WEB_TOKEN to serve it under another name")
			return
		}
		bearer := false
		if s.guarded() && !isPublic(r.URL.Path) {
			user, ok, viaBearer := s.authenticate(r)
			if !ok {
				s.unauthorized(w, r)
				return
			}
			bearer = viaBearer
			if user != "" {
				r = r.WithContext(context.WithValue(r.Context(), verifiedKey{}, user))
			}
		}
		if !bearer && !safeMethod(r.Method) {
			if err := cop.Check(r); err != nil {
				s.fail(w, r, http.StatusForbidden, "cross-site request refused")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func loopbackRequestHost(hostport string) bool {
	if hostport == "" {
		return true // HTTP/1.0 without Host: not a browser
	}
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	return loopbackHost(host)
}

// authenticate accepts a bearer token or the session cookie, the shared
// token's or a person's own; a wrong bearer token is not rescued by a cookie.
// user is the verified person, "" for the shared token.
func (s *Server) authenticate(r *http.Request) (user string, ok, viaBearer bool) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		scheme, tok, found := strings.Cut(auth, " ")
		if !found || !strings.EqualFold(scheme, "Bearer") {
			return "", false, false
		}
		tok = strings.TrimSpace(tok)
		if name, ok := s.userForToken(tok); ok {
			return name, true, true
		}
		return "", s.token != "" && equalSecret(tok, s.token), true
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", false, false
	}
	if rest, ok := strings.CutPrefix(c.Value, "u."); ok {
		esc, _, _ := strings.Cut(rest, ".")
		name, err := url.QueryUnescape(esc)
		tok, known := s.users[name]
		if err != nil || !known {
			return "", false, false
		}
		return name, hmac.Equal([]byte(c.Value), []byte(userSession(name, tok))), false
	}
	return "", s.token != "" && hmac.Equal([]byte(c.Value), []byte(s.session)), false
}

func (s *Server) unauthorized(w http.ResponseWriter, r *http.Request) {
	if wantsJSON(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="earshot"`)
		writeError(w, http.StatusUnauthorized, "a valid token is required (Authorization: Bearer, or sign in at /login)")
		return
	}
	next := r.URL.RequestURI()
	if !safeMethod(r.Method) {
		next = "/"
	}
	s.renderLogin(w, r, http.StatusUnauthorized, next, "")
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if !s.guarded() {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	if _, ok, _ := s.authenticate(r); ok {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.renderLogin(w, r, http.StatusOK, next, "")
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "could not read the sign-in form")
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	if !s.guarded() {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	tok := r.PostForm.Get("token")
	value := ""
	if name, ok := s.userForToken(tok); ok {
		value = userSession(name, tok)
	} else if s.token != "" && equalSecret(tok, s.token) {
		value = s.session
	} else {
		s.log.Warn("web sign-in refused", "remote", r.RemoteAddr)
		s.renderLogin(w, r, http.StatusUnauthorized, next, "That token is not one this inbox was started with.")
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    value,
		Path:     "/",
		MaxAge:   int(sessionMaxAge / time.Second),
		HttpOnly: true,
		Secure:   requestIsHTTPS(r),
		SameSite: http.SameSiteStrictMode,
	})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: requestIsHTTPS(r), SameSite: http.SameSiteStrictMode,
	})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// handleName stores who is clicking, for the actor of their actions. It is a
// label, not an identity: the token (or loopback) is what grants access.
func (s *Server) handleName(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, http.StatusBadRequest, "could not read the name form")
		return
	}
	name, err := validUserName(r.PostForm.Get("name"))
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name:     userCookie,
		Value:    url.QueryEscape(name),
		Path:     "/",
		MaxAge:   int(365 * 24 * time.Hour / time.Second),
		Secure:   requestIsHTTPS(r),
		SameSite: http.SameSiteStrictMode,
	})
	http.Redirect(w, r, safeNext(r.PostForm.Get("next")), http.StatusSeeOther)
}

func requestIsHTTPS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// userName is who is clicking: the signed-in person when they used their own
// token, else the name from the earshot_user cookie (a label anyone can set;
// no cookie means "local", a malformed one is an error, not a silent rename).
func userName(r *http.Request) (string, error) {
	if name, ok := verifiedUser(r); ok {
		return name, nil
	}
	c, err := r.Cookie(userCookie)
	if err != nil {
		return defaultUser, nil
	}
	return parseUserCookie(c.Value)
}

// parseUserCookie decodes and validates the earshot_user cookie's value.
func parseUserCookie(raw string) (string, error) {
	name, err := url.QueryUnescape(raw)
	if err != nil {
		return "", fmt.Errorf("cookie %s: not URL-encoded: %w", userCookie, err)
	}
	n, err := validUserName(name)
	if err != nil {
		return "", fmt.Errorf("cookie %s: %w", userCookie, err)
	}
	return n, nil
}

var errNameChars = errors.New("name: use letters, digits, spaces and . - _ only")

// validUserName trims and checks a name: 1–40 letters, digits, spaces, . - _.
func validUserName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if !utf8.ValidString(name) {
		return "", errNameChars
	}
	n := utf8.RuneCountInString(name)
	if n == 0 || n > maxUserName {
		return "", fmt.Errorf("name: must be 1 to %d characters, got %d", maxUserName, n)
	}
	for _, c := range name {
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) && c != ' ' && c != '.' && c != '-' && c != '_' {
			return "", errNameChars
		}
	}
	return name, nil
}

// safeNext keeps redirects on this site: a local absolute path or "/".
func safeNext(next string) string {
	if next == "" || len(next) > 2048 || next[0] != '/' || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}
