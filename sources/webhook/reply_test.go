package webhook_test

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/sources/webhook"
)

const replySecret = "whsec-0123456789abcdef"

// verifyLikeAReceiver checks a request the way the README tells a
// receiving system to: parse t= and v1=, refuse an old t, compare
// HMAC-SHA256(secret, t + "." + body) in constant time.
func verifyLikeAReceiver(r *http.Request, body []byte, secret string, now time.Time) error {
	var ts string
	var sigs []string
	for _, part := range strings.Split(r.Header.Get("X-Earshot-Signature"), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errors.New("no timestamp")
	}
	if d := now.Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return errors.New("stale")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	want := mac.Sum(nil)
	for _, s := range sigs {
		if got, err := hex.DecodeString(s); err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errors.New("bad signature")
}

// receiver is an in-house system taking replies: it checks the signature,
// records what it got and answers with answer.
type receiver struct {
	t      *testing.T
	mu     sync.Mutex
	got    []webhook.ReplyPayload
	keys   []string
	answer func(w http.ResponseWriter)
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := verifyLikeAReceiver(r, body, replySecret, time.Now()); err != nil {
		rc.t.Errorf("receiver: %v", err)
		http.Error(w, `{"error":"bad signature"}`, http.StatusUnauthorized)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		rc.t.Errorf("content type %q", ct)
	}
	var p webhook.ReplyPayload
	if err := json.Unmarshal(body, &p); err != nil {
		rc.t.Errorf("receiver: body %s: %v", body, err)
	}
	rc.mu.Lock()
	rc.got = append(rc.got, p)
	rc.keys = append(rc.keys, r.Header.Get(webhook.IdempotencyHeader))
	rc.mu.Unlock()
	rc.answer(w)
}

func answer(status int, body string, headers ...string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func newReplier(t *testing.T, url string) *webhook.Replier {
	t.Helper()
	r, err := webhook.NewReplier("intercom", url, replySecret, webhook.ReplierOptions{DefaultRetry: 42 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var to = bot.Mention{Platform: "intercom", ExternalID: "conv-981", Text: "lamp broke"}

func replyCtx() context.Context {
	return bot.WithReplyMeta(context.Background(), bot.ReplyMeta{CaseID: 12, ActionID: 34, IdempotencyKey: "earshot-action-34"})
}

func TestReplierPostsSigned(t *testing.T) {
	rc := &receiver{t: t, answer: answer(201, `{"id":"msg-77","url":"https://support.acme.example/c/981#77"}`)}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	ref, err := newReplier(t, srv.URL+"/earshot/replies").Reply(replyCtx(), to, "Sorry about that, we're on it.")
	if err != nil {
		t.Fatal(err)
	}
	if ref != (bot.PostRef{ExternalID: "msg-77", URL: "https://support.acme.example/c/981#77"}) {
		t.Fatalf("ref %+v", ref)
	}
	want := webhook.ReplyPayload{InReplyTo: "conv-981", Text: "Sorry about that, we're on it.", Case: 12, IdempotencyKey: "earshot-action-34"}
	if len(rc.got) != 1 || rc.got[0] != want || rc.keys[0] != "earshot-action-34" {
		t.Fatalf("receiver got %+v with keys %v, want %+v", rc.got, rc.keys, want)
	}
}

func TestReplierOutcomes(t *testing.T) {
	tests := []struct {
		name      string
		answer    func(w http.ResponseWriter)
		retry     time.Duration // > 0: a RetryError after this long
		permanent bool
		msg       string
	}{
		{"429 with Retry-After", answer(429, `{"error":"slow down"}`, "Retry-After", "7"), 7 * time.Second, false, "answered 429"},
		{"503 without Retry-After", answer(503, ``), 42 * time.Second, false, "answered 503"},
		{"503 with a date", answer(503, ``, "Retry-After", time.Now().Add(90*time.Second).UTC().Format(http.TimeFormat)), -1, false, "answered 503"},
		{"400", answer(400, `{"error":"conversation conv-981 is closed"}`), 0, true, "refused it with 400: conversation conv-981 is closed"},
		{"404", answer(404, ``), 0, true, "refused it with 404"},
		{"500 may have posted", answer(500, `{"error":"boom"}`), 0, false, "answered 500; outcome unknown: boom"},
		{"302 is not followed", answer(302, ``, "Location", "/elsewhere"), 0, false, "answered 302; outcome unknown"},
		{"2xx without an id", answer(200, `{"ok":true}`), 0, false, "without the post's id"},
		{"2xx not JSON", answer(200, `done`), 0, false, "without the post's id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := &receiver{t: t, answer: tt.answer}
			srv := httptest.NewServer(rc)
			defer srv.Close()
			_, err := newReplier(t, srv.URL).Reply(replyCtx(), to, "hi")
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err %v, want %q", err, tt.msg)
			}
			var re *bot.RetryError
			isRetry := errors.As(err, &re)
			switch {
			case tt.retry > 0 && (!isRetry || re.After != tt.retry):
				t.Fatalf("err %v, want a retry after %s", err, tt.retry)
			case tt.retry < 0 && (!isRetry || re.After < 30*time.Second || re.After > 2*time.Minute):
				t.Fatalf("err %v, want a retry after about 90s", err)
			case tt.retry == 0 && isRetry:
				t.Fatalf("err %v must not be retried", err)
			}
			if bot.IsPermanent(err) != tt.permanent {
				t.Fatalf("permanent = %v, want %v", bot.IsPermanent(err), tt.permanent)
			}
		})
	}
}

func TestReplierNetworkErrors(t *testing.T) {
	t.Run("nothing sent: retried", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close() // connection refused
		_, err := newReplier(t, url).Reply(replyCtx(), to, "hi")
		var re *bot.RetryError
		if !errors.As(err, &re) || re.After != 42*time.Second {
			t.Fatalf("err %v, want a retry", err)
		}
	})
	t.Run("sent, then the connection died: unknown, not retried", func(t *testing.T) {
		got := make(chan struct{}, 1)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, io.LimitReader(bufio.NewReader(buf), r.ContentLength))
			got <- struct{}{}
			conn.Close()
		}))
		defer srv.Close()
		_, err := newReplier(t, srv.URL+"/r?token=TOPSECRET").Reply(replyCtx(), to, "hi")
		<-got
		var re *bot.RetryError
		if err == nil || errors.As(err, &re) || bot.IsPermanent(err) || !strings.Contains(err.Error(), "outcome unknown") {
			t.Fatalf("err %v, want an unknown outcome (neither retried nor marked permanent)", err)
		}
		if strings.Contains(err.Error(), "TOPSECRET") {
			t.Fatalf("error %q repeats the URL's token", err)
		}
	})
}

func TestNewReplierChecksTheURL(t *testing.T) {
	for _, tt := range []struct{ url, err string }{
		{"http://hooks.acme.example/x", "is http"},
		{"https://u:p@hooks.acme.example/x", "credentials"},
		{"/relative", "not an absolute URL"},
		{"http://localhost:8080/x", ""},
		{"https://hooks.acme.example/x", ""},
	} {
		_, err := webhook.NewReplier("intercom", tt.url, replySecret, webhook.ReplierOptions{})
		if (tt.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s: %v, want %q", tt.url, err, tt.err)
		}
	}
	if _, err := webhook.NewReplier("intercom", "https://h.example", "short", webhook.ReplierOptions{}); err == nil {
		t.Error("a short secret was accepted")
	}
}
