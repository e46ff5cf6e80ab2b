package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/earshothq/earshot/bot"
)

const testToken = "s3cret-token-for-tests"

func tokenServer(t *testing.T) *testServer {
	return newTestServer(t, func(o *Options) {
		o.Token = testToken
		o.Addr = "0.0.0.0:8080"
	})
}

func TestNewRefusesOpenListenerWithoutToken(t *testing.T) {
	st := sampleStore()
	base := Options{Store: st, Actions: &fakeActions{store: st}}
	tests := []struct {
		addr, token string
		wantErr     string
	}{
		{"0.0.0.0:8080", "", "EARSHOT_WEB_TOKEN is required when listening on 0.0.0.0:8080"},
		{":8080", "", "EARSHOT_WEB_TOKEN is required when listening on :8080"},
		{"[::]:8080", "", "EARSHOT_WEB_TOKEN is required"},
		{"192.168.1.10:8080", "", "EARSHOT_WEB_TOKEN is required"},
		{"inbox.example.com:443", "", "EARSHOT_WEB_TOKEN is required"},
		{"no-port", "", "listen address"},
		{"0.0.0.0:8080", "tok", ""},
		{"127.0.0.1:8080", "", ""},
		{"127.0.0.2:9000", "", ""},
		{"localhost:8080", "", ""},
		{"[::1]:8080", "", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			o := base
			o.Addr, o.Token = tt.addr, tt.token
			_, err := New(o)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
			if err != nil && tt.token != "" && strings.Contains(err.Error(), tt.token) {
				t.Errorf("error leaks the token: %v", err)
			}
		})
	}
	t.Run("missing dependencies", func(t *testing.T) {
		if _, err := New(Options{Actions: base.Actions}); err == nil {
			t.Error("no Store accepted")
		}
		if _, err := New(Options{Store: st}); err == nil {
			t.Error("no Actions accepted")
		}
	})
}

func TestTokenRequired(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		auth   string
		status int
		json   bool
	}{
		{"api without token", "/api/cases", "", 401, true},
		{"api with wrong token", "/api/cases", "Bearer nope", 401, true},
		{"api with token as basic", "/api/cases", "Basic " + testToken, 401, true},
		{"api with token prefix", "/api/cases", "Bearer " + testToken[:5], 401, true},
		{"api with token", "/api/cases", "Bearer " + testToken, 200, true},
		{"scheme is case-insensitive", "/api/teams", "bearer " + testToken, 200, true},
		{"events without token", "/events", "", 401, true},
		{"fragment without token", "/fragments/cases/1", "", 401, true},
		{"metrics without token", "/metrics", "", 401, true},
		{"page without token", "/", "", 401, false},
		{"case page without token", "/cases/1", "", 401, false},
		{"page with token", "/cases/1", "Bearer " + testToken, 200, false},
		{"healthz is open", "/healthz", "", 200, false},
		{"login is open", "/login", "", 200, false},
		{"assets are open", "/static/app.css", "", 200, false},
	}
	ts := tokenServer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := request(http.MethodGet, tt.path, nil)
			r.Host = "inbox.example.com"
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			w := ts.do(r)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d", w.Code, tt.status)
			}
			body := w.Body.String()
			if strings.Contains(body, testToken) {
				t.Errorf("response contains the token")
			}
			if tt.status != 401 {
				return
			}
			if tt.json {
				if decode[errorBody](t, w.Body.Bytes()).Error == "" {
					t.Errorf("401 without JSON error: %s", body)
				}
				if w.Header().Get("WWW-Authenticate") == "" {
					t.Error("no WWW-Authenticate")
				}
			} else if !strings.Contains(body, `action="/login"`) || !strings.Contains(body, `name="token"`) {
				t.Errorf("401 page is not the login page: %s", body)
			}
		})
	}
}

func TestLoginFlow(t *testing.T) {
	ts := tokenServer(t)
	login := func(token, next string) *http.Response {
		form := url.Values{"token": {token}, "next": {next}}
		r := request(http.MethodPost, "/login", strings.NewReader(form.Encode()))
		r.Host = "inbox.example.com"
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Origin", "https://inbox.example.com")
		return ts.do(r).Result()
	}

	bad := login("wrong", "/cases/1")
	if bad.StatusCode != http.StatusUnauthorized || len(bad.Cookies()) != 0 {
		t.Fatalf("wrong token: status %d, cookies %v", bad.StatusCode, bad.Cookies())
	}

	good := login(testToken, "/cases/1")
	if good.StatusCode != http.StatusSeeOther || good.Header.Get("Location") != "/cases/1" {
		t.Fatalf("good token: status %d, location %q", good.StatusCode, good.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, c := range good.Cookies() {
		if c.Name == sessionCookie {
			session = c
		}
	}
	if session == nil {
		t.Fatal("no session cookie")
	}
	if !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Path != "/" {
		t.Errorf("cookie flags: %+v", session)
	}
	if strings.Contains(session.Value, testToken) || session.Value == "" {
		t.Errorf("cookie holds the token: %q", session.Value)
	}

	use := func(c *http.Cookie, method, path, body string) int {
		r := request(method, path, strings.NewReader(body))
		r.Host = "inbox.example.com"
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		r.AddCookie(c)
		return ts.do(r).Code
	}
	if code := use(session, http.MethodGet, "/", ""); code != http.StatusOK {
		t.Errorf("inbox with session: %d", code)
	}
	if code := use(session, http.MethodGet, "/api/cases", ""); code != http.StatusOK {
		t.Errorf("API with session: %d", code)
	}
	if code := use(session, http.MethodPost, "/api/cases/1/actions", `{"kind":"claim"}`); code != http.StatusAccepted {
		t.Errorf("same-origin action with session: %d", code)
	}
	other := &http.Cookie{Name: sessionCookie, Value: sessionValue("another-token")}
	if code := use(other, http.MethodGet, "/", ""); code != http.StatusUnauthorized {
		t.Errorf("cookie minted for another token: %d, want 401", code)
	}
	forged := &http.Cookie{Name: sessionCookie, Value: testToken}
	if code := use(forged, http.MethodGet, "/api/cases", ""); code != http.StatusUnauthorized {
		t.Errorf("raw token as cookie: %d, want 401", code)
	}

	t.Run("next stays on this site", func(t *testing.T) {
		for _, next := range []string{"https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"} {
			if loc := login(testToken, next).Header.Get("Location"); loc != "/" {
				t.Errorf("next %q redirected to %q", next, loc)
			}
		}
	})
	t.Run("logout clears the cookie", func(t *testing.T) {
		r := request(http.MethodPost, "/logout", nil)
		r.Host = "inbox.example.com"
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		r.AddCookie(session)
		res := ts.do(r).Result()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d", res.StatusCode)
		}
		cs := res.Cookies()
		if len(cs) != 1 || cs[0].Name != sessionCookie || cs[0].MaxAge >= 0 {
			t.Errorf("cookies %+v", cs)
		}
	})
}

func TestCrossSiteWritesRejected(t *testing.T) {
	session := &http.Cookie{Name: sessionCookie, Value: sessionValue(testToken)}
	tests := []struct {
		name    string
		token   bool
		host    string
		headers map[string]string
		cookie  bool
		status  int
	}{
		{"cookie, cross-site fetch", true, "inbox.example.com", map[string]string{"Sec-Fetch-Site": "cross-site"}, true, 403},
		{"cookie, same-site other origin", true, "inbox.example.com", map[string]string{"Sec-Fetch-Site": "same-site"}, true, 403},
		{"cookie, foreign Origin", true, "inbox.example.com", map[string]string{"Origin": "https://evil.example"}, true, 403},
		{"cookie, same origin", true, "inbox.example.com", map[string]string{"Sec-Fetch-Site": "same-origin"}, true, 202},
		{"cookie, matching Origin", true, "inbox.example.com", map[string]string{"Origin": "https://inbox.example.com"}, true, 202},
		{"bearer is not ambient", true, "inbox.example.com", map[string]string{"Sec-Fetch-Site": "cross-site", "Authorization": "Bearer " + testToken}, false, 202},
		{"loopback, cross-site", false, "127.0.0.1:8080", map[string]string{"Sec-Fetch-Site": "cross-site"}, false, 403},
		{"loopback, foreign Origin", false, "localhost:8080", map[string]string{"Origin": "http://evil.example"}, false, 403},
		{"loopback, same origin", false, "localhost:8080", map[string]string{"Sec-Fetch-Site": "same-origin"}, false, 202},
		{"loopback, curl", false, "127.0.0.1:8080", nil, false, 202},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ts *testServer
			if tt.token {
				ts = tokenServer(t)
			} else {
				ts = newTestServer(t, nil)
			}
			r := request(http.MethodPost, "/api/cases/1/actions", strings.NewReader(`{"kind":"claim"}`))
			r.Host = tt.host
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			if tt.cookie {
				r.AddCookie(session)
			}
			w := ts.do(r)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			want := 0
			if tt.status == 202 {
				want = 1
			}
			if n := len(ts.actions.requests()); n != want {
				t.Errorf("Do called %d times, want %d", n, want)
			}
		})
	}
}

func TestLoopbackOnlyAnswersLocalHostNames(t *testing.T) {
	ts := newTestServer(t, nil)
	for host, want := range map[string]int{
		"127.0.0.1:8080":         200,
		"localhost:8080":         200,
		"[::1]:8080":             200,
		"app.localhost":          200,
		"evil.example":           403,
		"evil.example:8080":      403,
		"192.168.0.2:8080":       403,
		"127.0.0.1.evil.example": 403,
	} {
		r := request(http.MethodGet, "/api/cases", nil)
		r.Host = host
		if w := ts.do(r); w.Code != want {
			t.Errorf("Host %q: status %d, want %d", host, w.Code, want)
		}
	}
	r := request(http.MethodGet, "/healthz", nil)
	r.Host = "evil.example"
	if w := ts.do(r); w.Code != http.StatusOK {
		t.Errorf("healthz behind a proxy name: %d", w.Code)
	}
}

func TestSecurityHeaders(t *testing.T) {
	ts := newTestServer(t, nil)
	for _, path := range []string{"/", "/cases/1", "/cases/99", "/api/cases", "/api/cases/99", "/healthz", "/static/app.js", "/nowhere", "/login"} {
		t.Run(path, func(t *testing.T) {
			h := ts.get(path).Header()
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "http") {
				t.Errorf("CSP too loose: %q", csp)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" {
				t.Error("no nosniff")
			}
			if h.Get("Referrer-Policy") != "no-referrer" {
				t.Error("no Referrer-Policy")
			}
		})
	}
}

func TestYourNameCookie(t *testing.T) {
	ts := newTestServer(t, nil)
	set := func(name, next string) *http.Response {
		form := url.Values{"name": {name}, "next": {next}}
		r := request(http.MethodPost, "/settings/name", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		return ts.do(r).Result()
	}
	res := set("  Zoë Ng ", "/cases/1")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/cases/1" {
		t.Fatalf("status %d location %q", res.StatusCode, res.Header.Get("Location"))
	}
	cs := res.Cookies()
	if len(cs) != 1 || cs[0].Name != userCookie {
		t.Fatalf("cookies %+v", cs)
	}
	r := request(http.MethodPost, "/api/cases/1/actions", strings.NewReader(`{"kind":"claim"}`))
	r.AddCookie(cs[0])
	if w := ts.do(r); w.Code != http.StatusAccepted {
		t.Fatalf("action: %d %s", w.Code, w.Body)
	}
	if got := ts.actions.requests()[0].Actor; got != "web:Zoë Ng" {
		t.Errorf("actor %q", got)
	}
	if got := ts.get("/").Body.String(); !strings.Contains(got, `value="local"`) {
		t.Error("default name is not shown as local")
	}
	for _, bad := range []string{"", "<b>", strings.Repeat("x", 41), "a;b", "web:alice"} {
		if res := set(bad, "/"); res.StatusCode != http.StatusBadRequest {
			t.Errorf("name %q: status %d, want 400", bad, res.StatusCode)
		}
	}
}

// The actor the fake denies maps to the 403 the page shows.
func TestForbiddenNamesActor(t *testing.T) {
	ts := newTestServer(t, nil)
	r := request(http.MethodPost, "/api/cases/2/actions", strings.NewReader(`{"kind":"escalate","text":"x"}`))
	r.AddCookie(&http.Cookie{Name: userCookie, Value: "mallory"})
	w := ts.do(r)
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "web:mallory") {
		t.Errorf("status %d %s", w.Code, w.Body)
	}
	if got := ts.actions.requests(); len(got) != 1 || got[0].Kind != bot.ActEscalate {
		t.Errorf("requests %+v", got)
	}
}
