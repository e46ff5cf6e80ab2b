package meta_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/metafake"
	"github.com/earshothq/earshot/sources/meta"
)

const (
	appSecret   = "app-secret-0123456789abcdef"
	verifyToken = "verify-token-abcdef"
	pageID      = "111"
	pageToken   = "EAAGpagetoken-SECRET-1"
	igID        = "17841400000000001"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// sink collects what a Source emits; fail makes emit fail.
type sink struct {
	mu   sync.Mutex
	ms   []bot.Mention
	fail error
}

func (s *sink) emit(_ context.Context, ms []bot.Mention) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	s.ms = append(s.ms, ms...)
	return nil
}

func (s *sink) got() []bot.Mention {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]bot.Mention(nil), s.ms...)
}

type threads []string

func (t threads) ThreadPosts(context.Context, string) ([]string, error) { return t, nil }

// hook is a running webhook source behind an httptest server.
type hook struct {
	*httptest.Server
	sink *sink
	logs *bytes.Buffer
	fake *metafake.Fake
}

func newHook(t *testing.T, o meta.Options) *hook {
	t.Helper()
	fake := metafake.New()
	t.Cleanup(fake.Close)
	fake.AddPage(pageID, pageToken)
	fake.AddAccount(igID, "acme", pageID)
	g, err := meta.NewGraph(fake.URL, "", appSecret, fake.Client(), nil)
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	if o.AppSecret == "" {
		o.AppSecret = appSecret
	}
	o.VerifyToken = verifyToken
	o.Pages = []meta.Page{{ID: pageID, Token: pageToken}}
	o.Accounts = []meta.Account{{ID: igID, PageID: pageID}}
	o.Graph = g
	o.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	o.Now = func() time.Time { return t0 }
	src := meta.New(o)
	h := &hook{Server: httptest.NewServer(src), sink: &sink{}, logs: logs, fake: fake}
	t.Cleanup(h.Close)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, h.sink.emit) }()
	t.Cleanup(func() { cancel(); <-done })
	// Run registers emit asynchronously: wait until a delivery is taken.
	for {
		resp, err := metafake.Deliver(h.Client(), h.URL, o.AppSecret, []byte(`{"object":"page","entry":[]}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return h
		}
		time.Sleep(time.Millisecond)
	}
}

func (h *hook) post(t *testing.T, body []byte, sig string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.URL, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set(meta.SignatureHeader, sig)
	}
	resp, err := h.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestHandshake(t *testing.T) {
	h := newHook(t, meta.Options{})
	for _, tc := range []struct {
		name, mode, token, challenge string
		want                         int
	}{
		{"good", "subscribe", verifyToken, "1158201444", 200},
		{"wrong token", "subscribe", "guess", "1158201444", 403},
		{"no token", "subscribe", "", "1158201444", 403},
		{"wrong mode", "unsubscribe", verifyToken, "1158201444", 403},
		{"no challenge", "subscribe", verifyToken, "", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := url.Values{"hub.mode": {tc.mode}, "hub.verify_token": {tc.token}, "hub.challenge": {tc.challenge}}
			resp, err := h.Client().Get(h.URL + "?" + q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d (%s)", resp.StatusCode, tc.want, b)
			}
			if tc.want == 200 {
				if string(b) != tc.challenge || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
					t.Errorf("answer %q (%s), want the challenge as text/plain", b, resp.Header.Get("Content-Type"))
				}
			}
			if strings.Contains(string(b), verifyToken) {
				t.Error("answer repeats the verify token")
			}
		})
	}
}

func TestSignature(t *testing.T) {
	h := newHook(t, meta.Options{})
	body := metafake.Delivery("page", pageID, t0, metafake.FeedComment("add", pageID+"_1", "1_2", pageID+"_1", "9", "Ann", "my acme order broke", t0))
	good := metafake.Signature(appSecret, body)
	tampered := append(bytes.Clone(body[:len(body)-2]), []byte(" }")...)
	for _, tc := range []struct {
		name string
		body []byte
		sig  string
		want int
	}{
		{"good", body, good, 200},
		{"missing", body, "", 401},
		{"wrong prefix", body, strings.Replace(good, "sha256=", "sha1=", 1), 401},
		{"not hex", body, "sha256=zz", 401},
		{"bad", body, metafake.Signature("another-secret", body), 401},
		{"tampered body", tampered, good, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(h.sink.got())
			status, msg := h.post(t, tc.body, tc.sig)
			if status != tc.want {
				t.Fatalf("status %d, want %d (%s)", status, tc.want, msg)
			}
			if tc.want != 200 && len(h.sink.got()) != before {
				t.Error("an unverified delivery was stored")
			}
		})
	}
	if strings.Contains(h.logs.String(), appSecret) {
		t.Error("the app secret reached the log")
	}
}

func TestSignatureErrorsNeverEchoInput(t *testing.T) {
	for _, sig := range []string{"", "sha256=" + appSecret, appSecret, "sha256=" + strings.Repeat("ab", 32)} {
		err := meta.VerifySignature(appSecret, sig, []byte("{}"))
		if err == nil {
			t.Fatalf("%q verified", sig)
		}
		if strings.Contains(err.Error(), appSecret) {
			t.Errorf("error %q repeats the secret", err)
		}
	}
}

func TestDeliveryFeed(t *testing.T) {
	post := pageID + "_500"
	tracked := "500_77" // a reply of ours, followed
	h := newHook(t, meta.Options{
		Threads: threads{tracked},
		Hears:   func(m bot.Mention) bool { return strings.Contains(strings.ToLower(m.Text), "acme") },
	})
	body := metafake.Delivery("page", pageID, t0,
		metafake.FeedComment("add", post, "500_1", post, "9", "Ann", "My Acme kettle leaks", t0),
		metafake.FeedComment("add", post, "500_2", post, "10", "Bob", "nice weather", t0),        // not heard
		metafake.FeedComment("add", post, "500_3", tracked, "9", "Ann", "still leaking", t0),     // follows our reply
		metafake.FeedComment("add", post, "500_4", tracked, pageID, "Acme", "sorry Ann!", t0),    // ours, in a followed thread
		metafake.FeedComment("add", post, "500_5", post, pageID, "Acme", "welcome all", t0),      // ours, not followed
		metafake.FeedPost("add", pageID+"_600", pageID, "Acme", "Acme news", t0),                 // the page's own post
		metafake.FeedPost("add", pageID+"_601", "12", "Cy", "Acme support, help", t0),            // visitor post
		metafake.FeedComment("remove", post, "500_9", post, "9", "Ann", "", t0),                  // deletion
		metafake.FeedComment("edited", post, "500_1", post, "9", "Ann", "My Acme kettle!", t0),   // edit: ignored
		metafake.Change{Field: "feed", Value: map[string]any{"item": "reaction", "verb": "add"}}, // not read
	)
	status, msg := h.post(t, body, metafake.Signature(appSecret, body))
	if status != 200 {
		t.Fatalf("status %d: %s", status, msg)
	}
	got := h.sink.got()
	want := []struct {
		id, inReplyTo string
		ours, deleted bool
	}{
		{"500_1", post, false, false},
		{"500_3", tracked, false, false},
		{"500_4", tracked, true, false},
		{pageID + "_601", "", false, false},
		{"500_9", "", false, true},
	}
	if len(got) != len(want) {
		t.Fatalf("emitted %d mentions, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		m := got[i]
		if m.Platform != "facebook" || m.ExternalID != w.id || m.InReplyTo != w.inReplyTo || m.Ours != w.ours || m.Deleted != w.deleted {
			t.Errorf("mention %d = %s %s reply-to %q ours=%v deleted=%v, want %+v", i, m.Platform, m.ExternalID, m.InReplyTo, m.Ours, m.Deleted, w)
		}
	}
	if m := got[0]; m.Author.ID != "9" || m.Author.Name != "Ann" || !m.CreatedAt.Equal(t0) || !strings.Contains(m.URL, post) {
		t.Errorf("first mention = %+v", m)
	}
}

func TestDeliveryInstagram(t *testing.T) {
	h := newHook(t, meta.Options{})
	media := h.fake.AddMedia(igID, "acme", "new kettle", t0)
	other := h.fake.AddMedia("999", "ann", "look @acme", t0, igID)
	mentioned := h.fake.AddIGComment(other, "", "888", "bob", "@acme is this safe?", t0)
	body := metafake.Delivery("instagram", igID, t0,
		metafake.IGCommentChange("1801", media, "", "555", "ann", "broken on arrival"),
		metafake.IGCommentChange("1802", media, "1801", igID, "acme", "so sorry, DM us"),
		metafake.IGMentionChange(other, mentioned),
		metafake.IGMentionChange(other, ""),
	)
	status, msg := h.post(t, body, metafake.Signature(appSecret, body))
	if status != 200 {
		t.Fatalf("status %d: %s", status, msg)
	}
	got := h.sink.got()
	if len(got) != 4 {
		t.Fatalf("emitted %d, want 4: %+v", len(got), got)
	}
	if m := got[1]; m.ExternalID != "1802" || !m.Ours || m.InReplyTo != "1801" {
		t.Errorf("the account's answer in the same delivery = %+v, want Ours answering 1801", m)
	}
	got = append(got[:1], got[2:]...)
	if m := got[0]; m.Platform != "instagram" || m.ExternalID != "1801" || m.InReplyTo != media || m.Author.Handle != "ann" {
		t.Errorf("comment = %+v", m)
	}
	if m := got[1]; m.ExternalID != mentioned || m.Text != "@acme is this safe?" || m.Author.Handle != "bob" || m.InReplyTo != other {
		t.Errorf("mentioned comment = %+v", m)
	}
	if m := got[2]; m.ExternalID != other || m.Text != "look @acme" {
		t.Errorf("mentioned media = %+v", m)
	}
}

func TestDeliveryFailures(t *testing.T) {
	h := newHook(t, meta.Options{})
	body := metafake.Delivery("page", pageID, t0, metafake.FeedComment("add", pageID+"_1", "1_2", pageID+"_1", "9", "Ann", "hi", t0))
	h.sink.mu.Lock()
	h.sink.fail = errors.New("disk full")
	h.sink.mu.Unlock()
	if status, _ := h.post(t, body, metafake.Signature(appSecret, body)); status != 500 {
		t.Errorf("store failure answered %d, want 500 so Meta redelivers", status)
	}
	h.sink.mu.Lock()
	h.sink.fail = nil
	h.sink.mu.Unlock()
	if status, _ := h.post(t, body, metafake.Signature(appSecret, body)); status != 200 {
		t.Errorf("redelivery answered %d", status)
	}

	bad := []byte(`{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{"item":"comment","verb":"add"}}]}]}`)
	if status, msg := h.post(t, bad, metafake.Signature(appSecret, bad)); status != 400 || !strings.Contains(msg, "entry 1 change 1 (feed): comment has no comment_id") {
		t.Errorf("bad change answered %d %q", status, msg)
	}
	big := bytes.Repeat([]byte(" "), 2<<20)
	if status, _ := h.post(t, big, metafake.Signature(appSecret, big)); status != 413 {
		t.Errorf("2 MiB body answered %d, want 413", status)
	}
	// A mention whose comment Graph cannot read now is retried by Meta.
	h.fake.FailNext("/"+igID, metafake.Fail{Status: 500, Code: 2, Message: "Service temporarily unavailable"})
	ig := metafake.Delivery("instagram", igID, t0, metafake.IGMentionChange("1", "2"))
	if status, _ := h.post(t, ig, metafake.Signature(appSecret, ig)); status != 503 {
		t.Errorf("unreadable mention answered %d, want 503", status)
	}
	for _, s := range []string{appSecret, pageToken, verifyToken} {
		if strings.Contains(h.logs.String(), s) {
			t.Errorf("log holds a secret: %s", h.logs.String())
		}
	}
}

func TestNotRunningAndNoSecret(t *testing.T) {
	src := meta.New(meta.Options{AppSecret: appSecret})
	body := []byte(`{"object":"page","entry":[]}`)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, meta.Path, bytes.NewReader(body))
	req.Header.Set(meta.SignatureHeader, metafake.Signature(appSecret, body))
	src.ServeHTTP(rec, req)
	if rec.Code != 503 {
		t.Errorf("not running: %d, want 503", rec.Code)
	}
	rec = httptest.NewRecorder()
	req = httptest.NewRequest(http.MethodPost, meta.Path, bytes.NewReader(body))
	req.Header.Set(meta.SignatureHeader, metafake.Signature("", body))
	meta.New(meta.Options{}).ServeHTTP(rec, req)
	if rec.Code != 503 {
		t.Errorf("no app secret: %d, want 503 (never accept unsigned)", rec.Code)
	}
}
