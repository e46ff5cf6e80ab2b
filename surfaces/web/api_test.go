package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/handlers"
)

func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	return v
}

func ids(cs []bot.Case) []int64 {
	out := make([]int64, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func TestAPICases(t *testing.T) {
	tests := []struct {
		name     string
		query    string
		wantIDs  []int64
		wantNext int64
	}{
		{"everything newest first", "", []int64{7, 6, 5, 4, 3, 2, 1}, 0},
		{"all", "?state=all", []int64{7, 6, 5, 4, 3, 2, 1}, 0},
		{"one team", "?team=care", []int64{7, 4, 3, 1}, 0},
		{"open", "?state=open", []int64{6, 5, 3, 2, 1}, 0},
		{"comma list", "?state=new,escalated", []int64{6, 3, 2}, 0},
		{"team and open", "?team=care&state=open", []int64{3, 1}, 0},
		{"before", "?before=4", []int64{3, 2, 1}, 0},
		{"first page", "?limit=3", []int64{7, 6, 5}, 5},
		{"second page", "?limit=3&before=5", []int64{4, 3, 2}, 2},
		{"last page", "?limit=3&before=2", []int64{1}, 0},
		{"exact fit has no next page", "?limit=7", []int64{7, 6, 5, 4, 3, 2, 1}, 0},
		{"nothing", "?team=nobody", []int64{}, 0},
	}
	ts := newTestServer(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := ts.get("/api/cases" + tt.query)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			got := decode[casesResponse](t, w.Body.Bytes())
			if !slices.Equal(ids(got.Cases), tt.wantIDs) {
				t.Errorf("ids %v, want %v", ids(got.Cases), tt.wantIDs)
			}
			if got.NextBefore != tt.wantNext {
				t.Errorf("next_before %d, want %d", got.NextBefore, tt.wantNext)
			}
			if !strings.Contains(w.Body.String(), `"cases":[`) {
				t.Errorf("cases must be an array, even empty: %s", w.Body)
			}
		})
	}
}

func TestAPICasesPagingVisitsEveryCaseOnce(t *testing.T) {
	ts := newTestServer(t, nil)
	var seen []int64
	q := "/api/cases?limit=2"
	for range 10 {
		got := decode[casesResponse](t, ts.get(q).Body.Bytes())
		seen = append(seen, ids(got.Cases)...)
		if got.NextBefore == 0 {
			break
		}
		q = "/api/cases?limit=2&before=" + strconv.FormatInt(got.NextBefore, 10)
	}
	if want := []int64{7, 6, 5, 4, 3, 2, 1}; !slices.Equal(seen, want) {
		t.Errorf("paged through %v, want %v", seen, want)
	}
}

func TestAPICasesBadQueryNamesField(t *testing.T) {
	tests := []struct {
		query, field string
	}{
		{"?state=pending", "state"},
		{"?state=open,nope", "state"},
		{"?limit=0", "limit"},
		{"?limit=201", "limit"},
		{"?limit=ten", "limit"},
		{"?before=abc", "before"},
		{"?before=-3", "before"},
		{"?team=" + strings.Repeat("x", 201), "team"},
	}
	ts := newTestServer(t, nil)
	for _, tt := range tests {
		t.Run(tt.query[:min(len(tt.query), 30)], func(t *testing.T) {
			w := ts.get("/api/cases" + tt.query)
			if w.Code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", w.Code, w.Body)
			}
			e := decode[errorBody](t, w.Body.Bytes())
			if e.Field != tt.field || !strings.HasPrefix(e.Error, tt.field+": ") {
				t.Errorf("error %+v does not name %q", e, tt.field)
			}
		})
	}
}

func TestAPICase(t *testing.T) {
	ts := newTestServer(t, nil)
	w := ts.get("/api/cases/1")
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(w.Body.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"case", "mentions", "events", "suggestions", "actions"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("missing %q in %s", k, w.Body)
		}
	}
	got := decode[caseResponse](t, w.Body.Bytes())
	if got.Case.ID != 1 || len(got.Mentions) != 3 || len(got.Events) != 7 || len(got.Suggestions) != 3 || len(got.Actions) != 3 {
		t.Errorf("case %d with %d mentions, %d events, %d suggestions, %d actions",
			got.Case.ID, len(got.Mentions), len(got.Events), len(got.Suggestions), len(got.Actions))
	}

	// A case with nothing yet still answers arrays, not null.
	w = ts.get("/api/cases/6")
	for _, k := range []string{`"mentions":[]`, `"events":[]`, `"suggestions":[]`, `"actions":[]`} {
		if !strings.Contains(w.Body.String(), k) {
			t.Errorf("want %s in %s", k, w.Body)
		}
	}

	for _, path := range []string{"/api/cases/99", "/api/cases/abc", "/api/cases/0", "/api/cases/+1"} {
		w := ts.get(path)
		if w.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", path, w.Code)
		}
		if e := decode[errorBody](t, w.Body.Bytes()); e.Error == "" {
			t.Errorf("%s: no JSON error: %s", path, w.Body)
		}
	}
}

func TestAPIAction(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		user   string // earshot_user cookie value, raw
		status int
		want   bot.ActionRequest
	}{
		{"send suggestion", `{"kind":"reply","suggestion":2}`, "", 202,
			bot.ActionRequest{CaseID: 1, Kind: bot.ActReply, Actor: "web:local", Surface: "web", Suggestion: 2}},
		{"edited text", `{"kind":"reply","text":"Thanks, Dana! On its way."}`, "alice", 202,
			bot.ActionRequest{CaseID: 1, Kind: bot.ActReply, Actor: "web:alice", Surface: "web", Text: "Thanks, Dana! On its way."}},
		{"name with space", `{"kind":"claim"}`, "Alice+Smith", 202,
			bot.ActionRequest{CaseID: 1, Kind: bot.ActClaim, Actor: "web:Alice Smith", Surface: "web"}},
		{"escalate with note", `{"kind":"escalate","text":"  third this week  "}`, "", 202,
			bot.ActionRequest{CaseID: 1, Kind: bot.ActEscalate, Actor: "web:local", Surface: "web", Text: "third this week"}},
		{"defect", `{"kind":"defect","text":"Kettle Pro: arrived broken"}`, "", 202,
			bot.ActionRequest{CaseID: 1, Kind: bot.ActDefect, Actor: "web:local", Surface: "web", Text: "Kettle Pro: arrived broken"}},
		{"dismiss", `{"kind":"dismiss"}`, "", 202, bot.ActionRequest{CaseID: 1, Kind: bot.ActDismiss, Actor: "web:local", Surface: "web"}},
		{"resolve", `{"kind":"resolve"}`, "", 202, bot.ActionRequest{CaseID: 1, Kind: bot.ActResolve, Actor: "web:local", Surface: "web"}},
		{"regenerate", `{"kind":"regenerate","text":" shorter "}`, "", 202,
			bot.ActionRequest{CaseID: 1, Kind: bot.ActRegenerate, Actor: "web:local", Surface: "web", Text: "shorter"}},
		{"at the limit in graphemes", `{"kind":"reply","text":"` + strings.Repeat("👍🏽", 300) + `"}`, "", 202,
			bot.ActionRequest{CaseID: 1, Kind: bot.ActReply, Actor: "web:local", Surface: "web", Text: strings.Repeat("👍🏽", 300)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, nil)
			r := request(http.MethodPost, "/api/cases/1/actions", strings.NewReader(tt.body))
			if tt.user != "" {
				r.AddCookie(&http.Cookie{Name: userCookie, Value: tt.user})
			}
			w := ts.do(r)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			reqs := ts.actions.requests()
			if len(reqs) != 1 || reqs[0] != tt.want {
				t.Fatalf("Do got %+v, want %+v", reqs, tt.want)
			}
			a := decode[bot.Action](t, w.Body.Bytes())
			if a.ID == 0 || a.Status != bot.ActionPending || a.Actor != tt.want.Actor {
				t.Errorf("response %+v is not the stored action", a)
			}
		})
	}
}

func TestAPIActionRejects(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		body   string
		ctype  string
		user   string
		status int
		field  string
	}{
		{"unknown kind", "/api/cases/1/actions", `{"kind":"delete"}`, "", "", 400, "kind"},
		{"missing kind", "/api/cases/1/actions", `{}`, "", "", 400, "kind"},
		{"suggestion out of range", "/api/cases/1/actions", `{"kind":"reply","suggestion":4}`, "", "", 400, "suggestion"},
		{"negative suggestion", "/api/cases/1/actions", `{"kind":"reply","suggestion":-1}`, "", "", 400, "suggestion"},
		{"no suggestions at all", "/api/cases/6/actions", `{"kind":"reply","suggestion":1}`, "", "", 400, "suggestion"},
		{"both suggestion and text", "/api/cases/1/actions", `{"kind":"reply","suggestion":1,"text":"hi"}`, "", "", 400, "suggestion"},
		{"empty reply", "/api/cases/1/actions", `{"kind":"reply","text":"   "}`, "", "", 400, "text"},
		{"over bluesky's 300", "/api/cases/1/actions", `{"kind":"reply","text":"` + strings.Repeat("a", 301) + `"}`, "", "", 400, "text"},
		{"over x's 280", "/api/cases/2/actions", `{"kind":"reply","text":"` + strings.Repeat("a", 281) + `"}`, "", "", 400, "text"},
		{"suggestion on a claim", "/api/cases/1/actions", `{"kind":"claim","suggestion":1}`, "", "", 400, "suggestion"},
		{"multi-line defect title", "/api/cases/1/actions", `{"kind":"defect","text":"a\nb"}`, "", "", 400, "text"},
		{"long escalation note", "/api/cases/1/actions", `{"kind":"escalate","text":"` + strings.Repeat("n", 2001) + `"}`, "", "", 400, "text"},
		{"long instruction", "/api/cases/1/actions", `{"kind":"regenerate","text":"` + strings.Repeat("n", 501) + `"}`, "", "", 400, "text"},
		{"unknown field", "/api/cases/1/actions", `{"kind":"reply","target":"x"}`, "", "", 400, "target"},
		{"wrong type", "/api/cases/1/actions", `{"kind":"reply","suggestion":"1"}`, "", "", 400, "suggestion"},
		{"not JSON", "/api/cases/1/actions", `kind=reply`, "", "", 400, "body"},
		{"two objects", "/api/cases/1/actions", `{"kind":"claim"}{"kind":"claim"}`, "", "", 400, "body"},
		{"bad name cookie", "/api/cases/1/actions", `{"kind":"claim"}`, "", "%3Cscript%3E", 400, userCookie},
		{"long name cookie", "/api/cases/1/actions", `{"kind":"claim"}`, "", strings.Repeat("a", 41), 400, userCookie},
		{"form post", "/api/cases/1/actions", `kind=claim`, "application/x-www-form-urlencoded", "", 415, ""},
		{"unknown case", "/api/cases/99/actions", `{"kind":"claim"}`, "", "", 404, ""},
		{"forbidden", "/api/cases/2/actions", `{"kind":"claim"}`, "", "mallory", 403, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, nil)
			r := request(http.MethodPost, tt.path, strings.NewReader(tt.body))
			if tt.ctype != "" {
				r.Header.Set("Content-Type", tt.ctype)
			}
			if tt.user != "" {
				r.AddCookie(&http.Cookie{Name: userCookie, Value: tt.user})
			}
			w := ts.do(r)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			e := decode[errorBody](t, w.Body.Bytes())
			if e.Error == "" {
				t.Errorf("no error message: %s", w.Body)
			}
			if tt.field != "" && (e.Field != tt.field || !strings.HasPrefix(e.Error, tt.field+": ")) {
				t.Errorf("error %+v does not name field %q", e, tt.field)
			}
			if tt.status == 400 || tt.status == 415 {
				if n := len(ts.actions.requests()); n != 0 {
					t.Errorf("Do called %d times for an invalid request", n)
				}
			}
		})
	}
}

func TestAPIActionDuplicateIsHarmless(t *testing.T) {
	ts := newTestServer(t, nil)
	first := ts.post("/api/cases/1/actions", `{"kind":"reply","suggestion":1}`)
	if first.Code != http.StatusAccepted {
		t.Fatalf("first: %d %s", first.Code, first.Body)
	}
	second := ts.post("/api/cases/1/actions", `{"kind":"reply","suggestion":1}`)
	if second.Code != http.StatusOK {
		t.Fatalf("second: status %d, want 200: %s", second.Code, second.Body)
	}
	a := decode[bot.Action](t, second.Body.Bytes())
	if a.Status != bot.ActionSkipped {
		t.Errorf("status %q, want duplicate", a.Status)
	}
	if a.ID != decode[bot.Action](t, first.Body.Bytes()).ID {
		t.Errorf("duplicate answered a different action")
	}
}

// A request the handlers refuse for a reason of its own (a closed case
// cannot be redrafted) is the person's mistake, named, not a server error.
func TestAPIActionHandlerRefusalIsABadRequest(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.actions.err = fmt.Errorf("regenerate: %w", &handlers.RequestError{Field: "kind", Msg: "case 1 is resolved; reopen it to draft again"})
	w := ts.post("/api/cases/1/actions", `{"kind":"regenerate"}`)
	if w.Code != http.StatusBadRequest {
		t.Fatalf("status %d, want 400: %s", w.Code, w.Body)
	}
	if e := decode[errorBody](t, w.Body.Bytes()); e.Field != "kind" || !strings.Contains(e.Error, "reopen it") {
		t.Errorf("error %+v, want the handlers' reason on field kind", e)
	}
}

func TestAPIActionInternalErrorIsNotEchoed(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.actions.err = errors.New("pq: password authentication failed for user earshot")
	w := ts.post("/api/cases/1/actions", `{"kind":"claim"}`)
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("status %d", w.Code)
	}
	if strings.Contains(w.Body.String(), "password") {
		t.Errorf("internal error leaked: %s", w.Body)
	}
}

func TestAPIActionDeniedStatus(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.Server.actions = actionsFunc(func(ctx context.Context, r bot.ActionRequest) (bot.Action, error) {
		return bot.Action{CaseID: r.CaseID, Kind: r.Kind, Actor: r.Actor, Status: bot.ActionDenied}, nil
	})
	if w := ts.post("/api/cases/1/actions", `{"kind":"claim"}`); w.Code != http.StatusForbidden {
		t.Errorf("status %d, want 403", w.Code)
	}
}

type actionsFunc func(ctx context.Context, r bot.ActionRequest) (bot.Action, error)

func (f actionsFunc) Do(ctx context.Context, r bot.ActionRequest) (bot.Action, error) {
	return f(ctx, r)
}

func TestAPITeams(t *testing.T) {
	ts := newTestServer(t, nil)
	w := ts.get("/api/teams")
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	got := decode[struct{ Teams []teamSummary }](t, w.Body.Bytes())
	var names []string
	for _, tm := range got.Teams {
		names = append(names, tm.Name)
	}
	// Configured teams in file order, then a team that only the store knows.
	if want := []string{"care", "safety", "product", "legacy"}; !slices.Equal(names, want) {
		t.Fatalf("teams %v, want %v", names, want)
	}
	care := got.Teams[0]
	if care.Open != 2 || care.Counts[bot.StateNew] != 1 || care.Counts[bot.StateClaimed] != 1 ||
		care.Counts[bot.StateResolved] != 1 || care.Counts[bot.StateDismissed] != 1 || care.SLASeconds != 3600 {
		t.Errorf("care summary %+v", care)
	}
	if len(care.Counts) != len(bot.CaseStates) {
		t.Errorf("counts should list every state, got %v", care.Counts)
	}
}

func TestAPIStatusHealthMetrics(t *testing.T) {
	t.Run("status unset", func(t *testing.T) {
		if w := newTestServer(t, nil).get("/api/status"); w.Code != http.StatusNotFound {
			t.Errorf("status %d, want 404", w.Code)
		}
	})
	t.Run("status set", func(t *testing.T) {
		ts := newTestServer(t, func(o *Options) {
			o.Status = func(context.Context) any { return map[string]any{"pending_jobs": 3} }
		})
		w := ts.get("/api/status")
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"pending_jobs":3`) {
			t.Errorf("status %d %s", w.Code, w.Body)
		}
	})
	t.Run("healthy", func(t *testing.T) {
		w := newTestServer(t, nil).get("/healthz")
		if w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != "ok" {
			t.Errorf("status %d %q", w.Code, w.Body)
		}
	})
	t.Run("not ready", func(t *testing.T) {
		ts := newTestServer(t, func(o *Options) {
			o.Ready = func(context.Context) error { return errors.New("ping postgres://earshot@db.internal:5432: refused") }
		})
		w := ts.get("/healthz")
		// Public endpoint: it says not ready, never which host or user.
		if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "not ready") || strings.Contains(w.Body.String(), "db.internal") {
			t.Errorf("status %d %q", w.Code, w.Body)
		}
	})
	t.Run("metrics unset", func(t *testing.T) {
		if w := newTestServer(t, nil).get("/metrics"); w.Code != http.StatusNotFound {
			t.Errorf("status %d, want 404", w.Code)
		}
	})
	t.Run("metrics set", func(t *testing.T) {
		ts := newTestServer(t, func(o *Options) {
			o.Metrics = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("earshot_up 1\n")) })
		})
		if w := ts.get("/metrics"); w.Code != http.StatusOK || w.Body.String() != "earshot_up 1\n" {
			t.Errorf("status %d %q", w.Code, w.Body)
		}
	})
	t.Run("store down", func(t *testing.T) {
		ts := newTestServer(t, nil)
		ts.store.err = errors.New("sql: connection refused to 10.0.0.5")
		w := ts.get("/api/cases")
		if w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "10.0.0.5") {
			t.Errorf("status %d %s", w.Code, w.Body)
		}
	})
	t.Run("unknown route", func(t *testing.T) {
		w := newTestServer(t, nil).get("/api/nope")
		if w.Code != http.StatusNotFound || decode[errorBody](t, w.Body.Bytes()).Error == "" {
			t.Errorf("status %d %s", w.Code, w.Body)
		}
	})
}
