package webhook

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit"
	goldenfile "github.com/earshothq/earshot/internal/testkit/golden"
)

const secret = "whsec_9c1f0e4b7a2d4c58b1e3f6a7d8c9b0e1"

var now = time.Date(2026, 11, 22, 14, 30, 0, 0, time.UTC)

const (
	one = `{"platform":"x","id":"2124437920285494399","url":"https://x.com/kev_ortiz/status/2124437920285494399","author":{"handle":"kev_ortiz","followers":389},"text":"@lumio charged twice for Lumio+","created_at":"2026-11-22T14:29:12Z"}`
	two = `{"platform":"hackernews","id":46131877,"text":"Anyone tried Lumio?"}`
)

// sink records what the source emitted; fail makes emit return an error.
type sink struct {
	mu    sync.Mutex
	got   [][]bot.Mention
	fail  error
	calls int
}

func (s *sink) emit(_ context.Context, ms []bot.Mention) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.fail != nil {
		return s.fail
	}
	s.got = append(s.got, ms)
	return nil
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, b := range s.got {
		n += len(b)
	}
	return n
}

// running returns a source that is live (as if Run were going) until the test ends.
func running(t testing.TB, secret string, opts Options, emit bot.Emit) *Source {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return now }
	}
	src := New(secret, opts)
	stop, err := src.start(t.Context(), emit)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return src
}

type request struct {
	method string
	ct     string
	sig    string // header value; "" = no header
	body   string
	length int64 // overrides ContentLength when non-zero (-1: unknown)
}

func signed(body string, at time.Time, secrets ...string) request {
	if len(secrets) == 0 {
		secrets = []string{secret}
	}
	var v1s []string
	for _, s := range secrets {
		_, v1, _ := strings.Cut(Sign(s, at, []byte(body)), ",")
		v1s = append(v1s, v1)
	}
	return request{body: body, sig: fmt.Sprintf("t=%d,%s", at.Unix(), strings.Join(v1s, ","))}
}

func (rq request) with(f func(*request)) request { f(&rq); return rq }

func serve(h http.Handler, rq request) *httptest.ResponseRecorder {
	if rq.method == "" {
		rq.method = http.MethodPost
	}
	if rq.ct == "" {
		rq.ct = "application/json"
	}
	req := httptest.NewRequest(rq.method, Path, strings.NewReader(rq.body))
	if rq.ct != "-" {
		req.Header.Set("Content-Type", rq.ct)
	}
	if rq.sig != "" {
		req.Header.Set(SignatureHeader, rq.sig)
	}
	if rq.length != 0 {
		req.ContentLength = rq.length
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestServeHTTP(t *testing.T) {
	big := `{"platform":"x","id":"1","text":"` + strings.Repeat("a", 200) + `"}`
	tests := []struct {
		name    string
		secret  string
		opts    Options
		req     request
		emitErr error
		status  int
		emitted int
	}{
		{"single mention", secret, Options{}, signed(one, now), nil, 202, 1},
		{"array", secret, Options{}, signed("["+one+","+two+"]", now), nil, 202, 2},
		{"json subtype and charset", secret, Options{}, signed(one, now).with(func(r *request) { r.ct = "application/vnd.earshot+json; charset=UTF-8" }), nil, 202, 1},
		{"rotated secrets: old first", secret, Options{}, signed(one, now, "whsec_old", secret), nil, 202, 1},
		{"rotated secrets: new first", secret, Options{}, signed(one, now, secret, "whsec_old"), nil, 202, 1},
		{"unknown scheme beside v1 ignored", secret, Options{}, signed(one, now).with(func(r *request) { r.sig += ",v0=abc" }), nil, 202, 1},
		{"just inside the window, past", secret, Options{}, signed(one, now.Add(-5*time.Minute)), nil, 202, 1},
		{"just inside the window, future", secret, Options{}, signed(one, now.Add(5*time.Minute)), nil, 202, 1},
		{"custom window", secret, Options{Window: time.Hour}, signed(one, now.Add(-50*time.Minute)), nil, 202, 1},
		{"body at the limit", secret, Options{MaxBody: int64(len(big))}, signed(big, now), nil, 202, 1},

		{"GET", secret, Options{}, signed(one, now).with(func(r *request) { r.method = http.MethodGet }), nil, 405, 0},
		{"PUT", secret, Options{}, signed(one, now).with(func(r *request) { r.method = http.MethodPut }), nil, 405, 0},
		{"no content type", secret, Options{}, signed(one, now).with(func(r *request) { r.ct = "-" }), nil, 415, 0},
		{"form content type", secret, Options{}, signed(one, now).with(func(r *request) { r.ct = "application/x-www-form-urlencoded" }), nil, 415, 0},
		{"text/plain", secret, Options{}, signed(one, now).with(func(r *request) { r.ct = "text/plain" }), nil, 415, 0},
		{"latin-1 charset", secret, Options{}, signed(one, now).with(func(r *request) { r.ct = "application/json; charset=iso-8859-1" }), nil, 415, 0},
		{"missing signature", secret, Options{}, request{body: one}, nil, 401, 0},
		{"malformed signature: no t", secret, Options{}, signed(one, now).with(func(r *request) { _, r.sig, _ = strings.Cut(r.sig, ",") }), nil, 401, 0},
		{"malformed signature: garbage", secret, Options{}, request{body: one, sig: "sha256=deadbeef"}, nil, 401, 0},
		{"malformed signature: secret pasted in", secret, Options{}, request{body: one, sig: secret}, nil, 401, 0},
		{"malformed signature: short v1", secret, Options{}, request{body: one, sig: fmt.Sprintf("t=%d,v1=abcd", now.Unix())}, nil, 401, 0},
		{"bad signature", secret, Options{}, request{body: one, sig: fmt.Sprintf("t=%d,v1=%s", now.Unix(), strings.Repeat("ab", 32))}, nil, 401, 0},
		{"wrong secret", secret, Options{}, signed(one, now, "whsec_someone_else"), nil, 401, 0},
		{"body changed after signing", secret, Options{}, signed(one, now).with(func(r *request) { r.body = strings.Replace(r.body, "twice", "once", 1) }), nil, 401, 0},
		{"timestamp changed after signing", secret, Options{}, signed(one, now).with(func(r *request) {
			r.sig = strings.Replace(r.sig, fmt.Sprint(now.Unix()), fmt.Sprint(now.Unix()-1), 1)
		}), nil, 401, 0},
		{"stale timestamp", secret, Options{}, signed(one, now.Add(-5*time.Minute-time.Second)), nil, 401, 0},
		{"future timestamp", secret, Options{}, signed(one, now.Add(5*time.Minute+time.Second)), nil, 401, 0},
		{"oversized body", secret, Options{MaxBody: int64(len(big)) - 1}, signed(big, now), nil, 413, 0},
		{"oversized body of unknown length", secret, Options{MaxBody: int64(len(big)) - 1}, signed(big, now).with(func(r *request) { r.length = -1 }), nil, 413, 0},
		{"oversized body, unsigned", secret, Options{MaxBody: 10}, request{body: big}, nil, 413, 0},
		{"malformed JSON", secret, Options{}, signed(`{"platform":"x",`, now), nil, 400, 0},
		{"not an object", secret, Options{}, signed(`"hello"`, now), nil, 400, 0},
		{"empty array", secret, Options{}, signed(`[]`, now), nil, 400, 0},
		{"invalid mention in array", secret, Options{}, signed("["+one+","+two+`,{"platform":"x","id":"9","text":"ok","created_at":"yesterday"}]`, now), nil, 400, 0},
		{"emit error", secret, Options{}, signed(one, now), errors.New(`pq: duplicate key value violates unique constraint "mentions_pkey" at 10.0.3.7:5432`), 500, 0},
		{"no secret", "", Options{}, signed(one, now, ""), nil, 503, 0},
	}
	var golden bytes.Buffer
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &sink{fail: tt.emitErr}
			src := running(t, tt.secret, tt.opts, s.emit)
			rec := serve(src, tt.req)
			if rec.Code != tt.status {
				t.Errorf("status = %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			if got := s.count(); got != tt.emitted {
				t.Errorf("emitted %d mentions, want %d", got, tt.emitted)
			}
			if tt.status != 500 && tt.status != 202 && s.calls != 0 {
				t.Errorf("emit called on a refused request")
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			if tt.status == 405 && rec.Header().Get("Allow") != "POST" {
				t.Errorf("Allow = %q", rec.Header().Get("Allow"))
			}
			var resp map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
				t.Fatalf("response is not JSON: %s", rec.Body)
			}
			if tt.status == 202 {
				if resp["accepted"] != float64(tt.emitted) {
					t.Errorf("accepted = %v, want %d", resp["accepted"], tt.emitted)
				}
			} else if msg, _ := resp["error"].(string); msg == "" {
				t.Errorf("no error message in %s", rec.Body)
			}
			// Nothing the receiver knows and the sender should not is echoed.
			expected := hex.EncodeToString(mac([]byte(secret), fmt.Sprint(now.Unix()), []byte(tt.req.body)))
			for _, leak := range []string{secret, expected, "pq:", "10.0.3.7"} {
				if strings.Contains(rec.Body.String(), leak) {
					t.Errorf("response leaks %q: %s", leak, rec.Body)
				}
			}
			fmt.Fprintf(&golden, "%s\n%d %s\n", tt.name, rec.Code, rec.Body)
		})
	}
	checkGolden(t, "responses.golden", golden.Bytes())
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, name, got)
}

func TestEmittedMentions(t *testing.T) {
	s := &sink{}
	src := running(t, secret, Options{}, s.emit)
	rec := serve(src, signed("["+one+","+two+"]", now))
	if rec.Code != 202 || len(s.got) != 1 {
		t.Fatalf("status %d, %d emits", rec.Code, len(s.got))
	}
	ms := s.got[0]
	if ms[0].ExternalID != "2124437920285494399" || ms[0].Author.Followers != 389 ||
		!ms[0].CreatedAt.Equal(time.Date(2026, 11, 22, 14, 29, 12, 0, time.UTC)) {
		t.Errorf("first mention %+v", ms[0])
	}
	// Without created_at a mention is stamped with the time it arrived.
	if ms[1].ExternalID != "46131877" || !ms[1].CreatedAt.Equal(now) {
		t.Errorf("second mention %+v", ms[1])
	}
}

func TestReplayWithinAndOutsideWindow(t *testing.T) {
	s := &sink{}
	clock := now
	src := running(t, secret, Options{Now: func() time.Time { return clock }}, s.emit)
	req := signed(one, now)
	for i, c := range []struct {
		at     time.Time
		status int
	}{
		{now, 202},
		{now.Add(4 * time.Minute), 202}, // same request again: accepted, the store dedupes
		{now.Add(6 * time.Minute), 401}, // a capture replayed late is refused
	} {
		clock = c.at
		if rec := serve(src, req); rec.Code != c.status {
			t.Fatalf("attempt %d: status %d, want %d: %s", i+1, rec.Code, c.status, rec.Body)
		}
	}
	if len(s.got) != 2 {
		t.Fatalf("emitted %d times, want 2", len(s.got))
	}
}

func TestNotRunning(t *testing.T) {
	src := New(secret, Options{Now: func() time.Time { return now }})
	rec := serve(src, signed(one, now))
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), "not running") {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
}

func TestRun(t *testing.T) {
	src := New(secret, Options{Now: func() time.Time { return now }})
	if src.Name() != "webhook" {
		t.Errorf("Name = %q", src.Name())
	}
	s := &sink{}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, s.emit) }()

	// Wait for Run to have started, by state rather than by a duration.
	for emit, _ := src.running(); emit == nil; emit, _ = src.running() {
		runtime.Gosched()
	}
	if err := src.Run(ctx, s.emit); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Fatalf("second Run = %v, want already running", err)
	}
	if rec := serve(src, signed(one, now)); rec.Code != 202 {
		t.Fatalf("while running: status %d: %s", rec.Code, rec.Body)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	if rec := serve(src, signed(one, now)); rec.Code != 503 {
		t.Fatalf("after Run: status %d", rec.Code)
	}
}

func TestShutdownCancelsEmit(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	src := New(secret, Options{Now: func() time.Time { return now }})
	stop, err := src.start(ctx, func(ctx context.Context, _ []bot.Mention) error {
		cancel() // the bot shuts down while the batch is being stored
		<-ctx.Done()
		return ctx.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if rec := serve(src, signed(one, now)); rec.Code != 500 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
}

// The shared test helper and the receiver agree on the documented format,
// over a real HTTP connection.
func TestTestkitSignedRequest(t *testing.T) {
	s := &sink{}
	src := running(t, secret, Options{}, s.emit)
	srv := httptest.NewServer(src)
	defer srv.Close()
	resp, err := srv.Client().Do(testkit.SignedRequest(t, srv.URL+Path, secret, []byte(one), now))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 202 || strings.TrimSpace(string(body)) != `{"accepted":1}` {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if got := testkit.WebhookSignature(secret, now, []byte(one)); got != Sign(secret, now, []byte(one)) {
		t.Fatalf("testkit signs %q, Sign %q", got, Sign(secret, now, []byte(one)))
	}
}

func TestSign(t *testing.T) {
	// A vector computed outside Go:
	// printf '1795357800.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
	got := Sign("whsec_test", time.Unix(1795357800, 0), []byte(`{"a":1}`))
	want := "t=1795357800,v1=14d8571450a23d71a2b3d5d0e859aad8659f3cada292428cd49dc8d61cb7669b"
	if got != want {
		t.Fatalf("Sign = %s\nwant   %s", got, want)
	}
}

func BenchmarkServeHTTP(b *testing.B) {
	body := []byte("[" + strings.Repeat(one+",", 49) + one + "]")
	src := running(b, secret, Options{}, func(context.Context, []bot.Mention) error { return nil })
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		rec := httptest.NewRecorder()
		src.ServeHTTP(rec, testkit.SignedRequest(b, Path, secret, body, now))
		if rec.Code != 202 {
			b.Fatal(rec.Code, rec.Body)
		}
	}
}
