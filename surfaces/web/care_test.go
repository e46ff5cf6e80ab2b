package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/handlers"
	"github.com/earshothq/earshot/internal/tuning"
)

func TestAPIActionCareFields(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		status int
		field  string
		want   bot.ActionRequest
	}{
		{"dismiss as spam", `{"kind":"dismiss","reason":"spam","text":"bot farm"}`, 202, "",
			bot.ActionRequest{CaseID: 1, Kind: bot.ActDismiss, Actor: "web:local", Surface: "web", Reason: bot.ReasonSpam, Text: "bot farm"}},
		{"reason as people write it", `{"kind":"dismiss","reason":"Not about us"}`, 202, "",
			bot.ActionRequest{CaseID: 1, Kind: bot.ActDismiss, Actor: "web:local", Surface: "web", Reason: bot.ReasonNotAboutUs}},
		{"mute a term", `{"kind":"mute","mute":{"kind":"term","value":" giveaway ","period":"24h"}}`, 202, "",
			bot.ActionRequest{CaseID: 1, Kind: bot.ActMute, Actor: "web:local", Surface: "web", Mute: &bot.MuteSpec{Kind: bot.MuteTerm, Value: "giveaway", Period: "24h"}}},
		{"mute the customer", `{"kind":"mute"}`, 202, "", bot.ActionRequest{CaseID: 1, Kind: bot.ActMute, Actor: "web:local", Surface: "web"}},
		{"reopen", `{"kind":"reopen"}`, 202, "", bot.ActionRequest{CaseID: 1, Kind: bot.ActReopen, Actor: "web:local", Surface: "web"}},
		{"unknown reason", `{"kind":"dismiss","reason":"rude"}`, 400, "reason", bot.ActionRequest{}},
		{"reason on a claim", `{"kind":"claim","reason":"spam"}`, 400, "reason", bot.ActionRequest{}},
		{"mute on a dismissal", `{"kind":"dismiss","mute":{"kind":"term"}}`, 400, "mute", bot.ActionRequest{}},
		{"bad period", `{"kind":"mute","mute":{"period":"1y"}}`, 400, "mute.period", bot.ActionRequest{}},
		{"bad kind", `{"kind":"mute","mute":{"kind":"place"}}`, 400, "mute.kind", bot.ActionRequest{}},
		{"unknown mute field", `{"kind":"mute","mute":{"who":"x"}}`, 400, "who", bot.ActionRequest{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, nil)
			w := ts.post("/api/cases/1/actions", tt.body)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if tt.status != 202 {
				if e := decode[errorBody](t, w.Body.Bytes()); e.Field != tt.field {
					t.Fatalf("error %+v, want field %q", e, tt.field)
				}
				return
			}
			reqs := ts.actions.requests()
			if len(reqs) != 1 {
				t.Fatalf("Do got %+v", reqs)
			}
			got, want := reqs[0], tt.want
			if (got.Mute == nil) != (want.Mute == nil) || (got.Mute != nil && *got.Mute != *want.Mute) {
				t.Fatalf("mute %+v, want %+v", got.Mute, want.Mute)
			}
			got.Mute, want.Mute = nil, nil
			if got != want {
				t.Fatalf("Do got %+v, want %+v", got, want)
			}
		})
	}
}

// A RequestError from the handlers is a 400 naming the field, not a 500.
func TestAPIActionHandlerRequestError(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.actions.err = &handlers.RequestError{Field: "mute.value", Msg: "a term mute needs the term"}
	w := ts.post("/api/cases/1/actions", `{"kind":"mute","mute":{"kind":"term"}}`)
	if e := decode[errorBody](t, w.Body.Bytes()); w.Code != 400 || e.Field != "mute.value" {
		t.Fatalf("%d %+v", w.Code, e)
	}
}

// fakeMutes answers like the handlers.
type fakeMutes struct {
	mu     sync.Mutex
	active []bot.Mute
	got    []any
	deny   bool
}

func (f *fakeMutes) Mute(_ context.Context, r handlers.MuteRequest) (bot.Mute, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, r)
	if f.deny {
		return bot.Mute{}, fmt.Errorf("mute: web:local is not a member of any team: %w", bot.ErrForbidden)
	}
	if r.Spec.Value == "" {
		return bot.Mute{}, &handlers.RequestError{Field: "mute.value", Msg: "empty term"}
	}
	m := bot.Mute{ID: int64(len(f.active) + 1), Kind: r.Spec.Kind, Value: r.Spec.Value, By: r.Actor, Reason: r.Reason, Created: clock}
	f.active = append(f.active, m)
	return m, nil
}

func (f *fakeMutes) Unmute(_ context.Context, r handlers.UnmuteRequest) ([]bot.Mute, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, r)
	var ended, kept []bot.Mute
	for _, m := range f.active {
		if m.ID == r.ID || (r.ID == 0 && m.Kind == r.Kind && m.Value == r.Value) {
			ended = append(ended, m)
		} else {
			kept = append(kept, m)
		}
	}
	f.active = kept
	return ended, nil
}

func (f *fakeMutes) ActiveMutes(context.Context) ([]bot.Mute, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bot.Mute(nil), f.active...), nil
}

func TestMutesAPI(t *testing.T) {
	fm := &fakeMutes{active: []bot.Mute{{ID: 1, Kind: bot.MuteAuthor, Value: "dealsbot", Platform: "x", Until: clock.Add(48 * time.Hour), By: "slack:U1", CaseID: 3, Created: clock.Add(-time.Hour)}}}
	ts := newTestServer(t, func(o *Options) { o.Mutes = fm })

	w := ts.get("/api/mutes")
	if got := decode[struct{ Mutes []bot.Mute }](t, w.Body.Bytes()); w.Code != 200 || len(got.Mutes) != 1 || got.Mutes[0].Value != "dealsbot" {
		t.Fatalf("GET /api/mutes: %d %s", w.Code, w.Body)
	}
	w = ts.post("/api/mutes", `{"kind":"term","value":"giveaway","period":"24h","reason":"promo wave"}`)
	if m := decode[bot.Mute](t, w.Body.Bytes()); w.Code != 201 || m.Value != "giveaway" || m.By != "web:local" || m.Reason != "promo wave" {
		t.Fatalf("POST /api/mutes: %d %s", w.Code, w.Body)
	}
	for _, tt := range []struct {
		body  string
		code  int
		field string
	}{
		{`{"kind":"term","value":"x","period":"soon"}`, 400, "mute.period"},
		{`{"kind":"","value":"x"}`, 400, "mute.kind"},
		{`{"kind":"term","value":""}`, 400, "mute.value"}, // from the handlers
		{`{"kind":"term","value":"x","colour":"red"}`, 400, "colour"},
	} {
		w := ts.post("/api/mutes", tt.body)
		if e := decode[errorBody](t, w.Body.Bytes()); w.Code != tt.code || e.Field != tt.field {
			t.Errorf("POST %s: %d %+v, want %d on %q", tt.body, w.Code, e, tt.code, tt.field)
		}
	}

	page := ts.get("/mutes")
	if page.Code != 200 || !strings.Contains(page.Body.String(), "author “dealsbot”") || !strings.Contains(page.Body.String(), `action="/api/mutes/1" data-method="DELETE"`) {
		t.Fatalf("/mutes page: %d\n%s", page.Code, page.Body)
	}

	w = ts.do(request(http.MethodDelete, "/api/mutes/1", nil))
	if got := decode[struct{ Ended []bot.Mute }](t, w.Body.Bytes()); w.Code != 200 || len(got.Ended) != 1 {
		t.Fatalf("DELETE /api/mutes/1: %d %s", w.Code, w.Body)
	}
	if w := ts.do(request(http.MethodDelete, "/api/mutes/1", nil)); w.Code != 404 {
		t.Fatalf("second DELETE: %d, want 404", w.Code)
	}
	w = ts.post("/api/unmute", `{"kind":"term","value":"giveaway"}`)
	if got := decode[struct{ Ended []bot.Mute }](t, w.Body.Bytes()); w.Code != 200 || len(got.Ended) != 1 {
		t.Fatalf("POST /api/unmute: %d %s", w.Code, w.Body)
	}

	fm.deny = true
	if w := ts.post("/api/mutes", `{"kind":"term","value":"x"}`); w.Code != 403 || !strings.Contains(w.Body.String(), "not a member of any team") {
		t.Fatalf("forbidden: %d %s", w.Code, w.Body)
	}
	// Cross-site posts are refused before they reach the mutes.
	r := request(http.MethodPost, "/api/mutes", strings.NewReader(`{"kind":"term","value":"x"}`))
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	if w := ts.do(r); w.Code != 403 {
		t.Fatalf("cross-site mute: %d", w.Code)
	}
}

func TestMutesDisabled(t *testing.T) {
	ts := newTestServer(t, nil)
	if w := ts.get("/api/mutes"); w.Code != 404 {
		t.Fatalf("%d", w.Code)
	}
	if w := ts.get("/mutes"); w.Code != 200 || !strings.Contains(w.Body.String(), "not enabled") {
		t.Fatalf("%d", w.Code)
	}
}

func TestDismissalsAPI(t *testing.T) {
	var since time.Time
	ts := newTestServer(t, func(o *Options) {
		o.Tuning = func(_ context.Context, s time.Time) (tuning.Report, error) {
			since = s
			return tuning.Report{Since: s, Cases: 3, Dismissed: 1, ByReason: map[string]int{"spam": 1}, Exclude: "exclude:\n  authors: [\"dealsbot\"]\n"}, nil
		}
	})
	w := ts.get("/api/dismissals?since=30d")
	rep := decode[tuning.Report](t, w.Body.Bytes())
	if w.Code != 200 || rep.Dismissed != 1 || !since.Equal(clock.AddDate(0, 0, -30)) || !strings.Contains(rep.Exclude, "dealsbot") {
		t.Fatalf("%d %s (since %v)", w.Code, w.Body, since)
	}
	if w := ts.get("/api/dismissals"); w.Code != 200 || !since.Equal(clock.AddDate(0, 0, -7)) {
		t.Fatalf("default: %d since %v", w.Code, since)
	}
	if w := ts.get("/api/dismissals?since=forever"); w.Code != 400 {
		t.Fatalf("bad since: %d", w.Code)
	}
}
