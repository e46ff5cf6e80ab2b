package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const aliceToken = "alice-own-token-0123456789"

func usersServer(t *testing.T) (*testServer, *fakeActions) {
	t.Helper()
	var acts *fakeActions
	ts := newTestServer(t, func(o *Options) {
		o.Token = testToken
		o.Users = map[string]string{"alice": aliceToken}
		o.Addr = "0.0.0.0:8080"
		acts = o.Actions.(*fakeActions)
	})
	return ts, acts
}

func actionWith(ts *testServer, auth, cookie, userCookieValue string) *http.Response {
	r := request(http.MethodPost, "/api/cases/1/actions", strings.NewReader(`{"kind":"claim"}`))
	r.Header.Set("Origin", "http://127.0.0.1:8080")
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	if cookie != "" {
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	}
	if userCookieValue != "" {
		r.AddCookie(&http.Cookie{Name: userCookie, Value: userCookieValue})
	}
	return ts.do(r).Result()
}

// A person's own token makes the web a verified identity; the shared token
// and the name cookie never do.
func TestPersonalTokensVerifyTheActor(t *testing.T) {
	ts, acts := usersServer(t)

	if resp := actionWith(ts, "Bearer "+aliceToken, "", "mallory"); resp.StatusCode >= 300 {
		t.Fatalf("alice's token: %s", resp.Status)
	}
	if resp := actionWith(ts, "Bearer "+testToken, "", "alice"); resp.StatusCode >= 300 {
		t.Fatalf("shared token: %s", resp.Status)
	}
	reqs := acts.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests reached the handlers, want 2", len(reqs))
	}
	if reqs[0].Actor != "web:alice" || !reqs[0].Verified {
		t.Errorf("with alice's token: actor %q verified %v, want web:alice verified (the name cookie is ignored)", reqs[0].Actor, reqs[0].Verified)
	}
	if reqs[1].Actor != "web:alice" || reqs[1].Verified {
		t.Errorf("with the shared token and a name cookie: actor %q verified %v, want an unverified label", reqs[1].Actor, reqs[1].Verified)
	}
}

func TestPersonalSignIn(t *testing.T) {
	ts, acts := usersServer(t)
	form := url.Values{"token": {aliceToken}, "next": {"/"}}
	r := request(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", "http://127.0.0.1:8080")
	resp := ts.do(r).Result()
	var session string
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			session = c.Value
		}
	}
	if resp.StatusCode != http.StatusSeeOther || session == "" {
		t.Fatalf("sign-in with a personal token: %s, cookie %q", resp.Status, session)
	}
	if strings.Contains(session, aliceToken) {
		t.Fatal("the session cookie holds the token")
	}
	if resp := actionWith(ts, "", session, ""); resp.StatusCode >= 300 {
		t.Fatalf("action with alice's session: %s", resp.Status)
	}
	if got := acts.requests(); len(got) != 1 || got[0].Actor != "web:alice" || !got[0].Verified {
		t.Fatalf("requests %+v, want one verified web:alice", got)
	}

	// A forged session for another name, or one signed with the shared token, fails.
	for _, forged := range []string{
		strings.Replace(session, "u.alice.", "u.bob.", 1),
		userSession("alice", testToken),
		"u.alice.00",
	} {
		if resp := actionWith(ts, "", forged, ""); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("forged session %q: %s, want 401", forged, resp.Status)
		}
	}
}

func TestUsersAreValidated(t *testing.T) {
	st := sampleStore()
	for _, users := range []map[string]string{
		{"alice": "short"},
		{"<b>": aliceToken},
	} {
		if _, err := New(Options{Store: st, Actions: &fakeActions{store: st}, Users: users}); err == nil {
			t.Errorf("users %v accepted", users)
		} else if strings.Contains(err.Error(), aliceToken) {
			t.Errorf("error leaks a token: %v", err)
		}
	}
}
