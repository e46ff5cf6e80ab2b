package x

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/xfake"
	"github.com/earshothq/earshot/sources/poll"
)

// sink collects emitted mentions.
type sink struct {
	mu   sync.Mutex
	ms   []bot.Mention
	fail bool
	ch   chan bot.Mention
}

func newSink() *sink { return &sink{ch: make(chan bot.Mention, 1000)} }

func (s *sink) emit(_ context.Context, ms []bot.Mention) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return errors.New("store down")
	}
	s.ms = append(s.ms, ms...)
	for _, m := range ms {
		s.ch <- m
	}
	return nil
}

// next waits for the next mention; the deadline is only a hang guard.
func (s *sink) next(t *testing.T) bot.Mention {
	t.Helper()
	select {
	case m := <-s.ch:
		return m
	case <-time.After(20 * time.Second):
		t.Fatal("no mention came")
	}
	return bot.Mention{}
}

// logBuf is a log sink safe to read while the source writes to it.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type memStore struct {
	mu sync.Mutex
	m  map[string]string
}

func (c *memStore) Cursor(_ context.Context, k string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k], nil
}

func (c *memStore) SaveCursor(_ context.Context, k, v string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[k] = v
	return nil
}

type threads []string

func (t threads) ThreadPosts(context.Context, string) ([]string, error) { return t, nil }

var (
	customer = xfake.User{ID: "2001", Name: "Cat Person", Username: "catperson", Followers: 42}
	stranger = xfake.User{ID: "2002", Name: "Someone", Username: "someone", Followers: 7}
)

func newFake(t *testing.T) *xfake.Fake {
	f := xfake.New(t)
	f.AddUser(customer)
	f.AddUser(stranger)
	return f
}

func appClient(t *testing.T, f *xfake.Fake) *Client {
	c, err := NewClient(f.URL, xfake.AppToken, &http.Client{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func us(f *xfake.Fake) Account { return Account{UserID: f.Me.ID, Handle: f.Me.Username} }

func TestStreamEndToEnd(t *testing.T) {
	f := newFake(t)
	f.AddRule("cats", "someone-else")
	f.AddRule("old query", TagQuery)
	tracker := NewTracker()
	health := NewHealth()
	var logs logBuf
	s, err := NewStream(StreamOptions{
		Client: appClient(t, f), Queries: []string{"acme app", "acme app", "lumio"}, Account: us(f),
		BackfillMinutes: 2, Health: health, Tracker: tracker, Threads: threads{"500"},
		Hears:   func(m bot.Mention) bool { return strings.Contains(m.Text, "acme") },
		Stall:   300 * time.Millisecond,
		NetStep: time.Millisecond, HTTPMin: time.Millisecond, RateMin: time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := newSink()
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, out.emit) }()

	first := f.Stream(xfake.Post{Text: "the acme app & its <bugs>", AuthorID: customer.ID, Lang: "en"}, TagQuery)
	m := out.next(t)
	if m.ExternalID != first.ID || m.Text != "the acme app & its <bugs>" || m.Author.Handle != "catperson" || m.Author.Followers != 42 ||
		m.URL != "https://x.com/catperson/status/"+first.ID {
		t.Fatalf("first mention %+v", m)
	}
	rules := f.Rules()
	if rules["cats"] != "someone-else" || rules["acme app"] != TagQuery || rules["lumio"] != TagQuery ||
		rules[RepliesQuery("acmehelp")] != TagReplies || len(rules) != 4 {
		t.Fatalf("rules %v", rules)
	}
	if up, _, _ := health.State(); !up {
		t.Fatal("stream not healthy while delivering")
	}

	// Not heard, a repost: dropped. Our own post outside a thread:
	// dropped. An answer to a followed post: kept, even unheard.
	f.Stream(xfake.Post{Text: "lumio is nice", AuthorID: stranger.ID}, TagQuery)
	f.Stream(xfake.Post{Text: "RT acme app", AuthorID: stranger.ID, Retweet: first.ID}, TagQuery)
	f.Stream(xfake.Post{Text: "our news", AuthorID: f.Me.ID}, TagReplies)
	f.Add(xfake.Post{ID: "500", Text: "case root", AuthorID: customer.ID})
	follow := f.Stream(xfake.Post{Text: "thanks", AuthorID: customer.ID, ReplyTo: "500", InReplyToUserID: customer.ID}, TagQuery)
	if m := out.next(t); m.ExternalID != follow.ID || m.InReplyTo != "500" {
		t.Fatalf("follow-up %+v", m)
	}
	// Our reply in the followed thread: Ours. A reply to it: followed.
	ours := f.Stream(xfake.Post{Text: "sorry!", AuthorID: f.Me.ID, ReplyTo: follow.ID}, TagReplies)
	if m := out.next(t); m.ExternalID != ours.ID || !m.Ours {
		t.Fatalf("ours %+v", m)
	}
	// Someone answering in the conversation under an unfollowed post joins
	// the case through the conversation id.
	mid := f.Add(xfake.Post{Text: "me too", AuthorID: stranger.ID, ReplyTo: "500"})
	deep := f.Stream(xfake.Post{Text: "same here", AuthorID: stranger.ID, ReplyTo: mid.ID}, TagQuery)
	if m := out.next(t); m.ExternalID != deep.ID || m.InReplyTo != "500" {
		t.Fatalf("conversation follow-up %+v", m)
	}
	// A mention of us by someone, matched by the replies rule.
	men := f.Stream(xfake.Post{Text: "@acmehelp help", AuthorID: stranger.ID, MentionIDs: []string{f.Me.ID}}, TagReplies)
	if m := out.next(t); m.ExternalID != men.ID {
		t.Fatalf("mention of us %+v", m)
	}

	// A forced disconnect, then a stall: both reconnect, with backfill.
	f.Drop()
	second := f.Stream(xfake.Post{Text: "acme app again", AuthorID: customer.ID}, TagQuery)
	if m := out.next(t); m.ExternalID != second.ID {
		t.Fatalf("after drop %+v", m)
	}
	f.Stall(true)
	for s.Connections() < 3 {
		time.Sleep(10 * time.Millisecond)
	}
	f.Stall(false)
	third := f.Stream(xfake.Post{Text: "acme app once more", AuthorID: customer.ID}, TagQuery)
	if m := out.next(t); m.ExternalID != third.ID {
		t.Fatalf("after stall %+v", m)
	}
	conns := f.Connections()
	if strings.Contains(conns[0], "backfill_minutes") || !strings.Contains(conns[1], "backfill_minutes=2") {
		t.Fatalf("connections %v", conns)
	}
	for _, want := range []string{"expansions=author_id", "user.fields=name%2Cusername%2Cpublic_metrics", "tweet.fields="} {
		if !strings.Contains(conns[0], want) {
			t.Fatalf("connection %q lacks %q", conns[0], want)
		}
	}
	if !strings.Contains(logs.String(), "stalled") {
		t.Fatalf("no stall in the logs:\n%s", logs.String())
	}
	reads, _ := s.o.Usage.Counts()
	if reads != 10 {
		t.Fatalf("reads counted %d, want 10", reads)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v", err)
	}
	if up, _, _ := health.State(); up {
		t.Fatal("healthy after stop")
	}
	if strings.Contains(logs.String(), xfake.AppToken) {
		t.Fatal("the token is in the logs")
	}
}

func TestStreamBackfillRefusedAndOperationalDisconnect(t *testing.T) {
	f := newFake(t)
	f.RefuseBackfill(true)
	s, err := NewStream(StreamOptions{Client: appClient(t, f), Queries: []string{"acme"}, Account: us(f), BackfillMinutes: 5,
		NetStep: time.Millisecond, HTTPMin: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := newSink()
	go func() { _ = s.Run(ctx, out.emit) }()
	a := f.Stream(xfake.Post{Text: "acme one", AuthorID: customer.ID}, TagQuery)
	out.next(t)
	f.SendRaw(string(readSample(t, "stream_error.json")))
	for len(f.Connections()) < 3 {
		time.Sleep(5 * time.Millisecond)
	}
	b := f.Stream(xfake.Post{Text: "acme two", AuthorID: customer.ID}, TagQuery)
	if m := out.next(t); m.ExternalID != b.ID || a.ID == b.ID {
		t.Fatalf("after the disconnect %+v", m)
	}
	conns := f.Connections()
	if len(conns) < 3 || !strings.Contains(conns[1], "backfill_minutes=5") || strings.Contains(conns[len(conns)-1], "backfill") {
		t.Fatalf("connections %v", conns)
	}
}

func TestStreamNotEnrolledLeavesItToSearch(t *testing.T) {
	f := newFake(t)
	f.RefuseStream(http.StatusForbidden, `{"client_id":"1","detail":"When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project.","title":"Client Forbidden","reason":"client-not-enrolled","type":"https://api.x.com/2/problems/client-forbidden"}`)
	health := NewHealth()
	s, _ := NewStream(StreamOptions{Client: appClient(t, f), Queries: []string{"acme"}, Account: us(f), Health: health, Unavailable: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = s.Run(ctx, newSink().emit) }()
	for {
		_, _, reason := health.State()
		if strings.Contains(reason, "access level") {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	// The search poller, sharing the health, searches.
	p := f.Add(xfake.Post{Text: "acme down?", AuthorID: customer.ID})
	sr, _ := NewSearch(SearchOptions{Client: appClient(t, f), Query: "acme", Health: health, Account: us(f)})
	b, err := sr.Poll(ctx, "")
	if err != nil || len(b.Mentions) != 1 || b.Mentions[0].ExternalID != p.ID {
		t.Fatalf("search while the stream is unavailable: %+v %v", b, err)
	}
}

func TestStreamStopsAtReadCap(t *testing.T) {
	f := newFake(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	store := &memStore{m: map[string]string{UsageKey("2026-11"): "reads=99 writes=0"}}
	var logs logBuf
	log := slog.New(slog.NewTextHandler(&logs, nil))
	u := NewUsage(UsageOptions{ReadCap: 100, Store: store, Now: func() time.Time { return now }, Logger: log})
	health := NewHealth()
	s, _ := NewStream(StreamOptions{Client: appClient(t, f), Queries: []string{"acme"}, Account: us(f), Usage: u, Health: health, Logger: log,
		Now: func() time.Time { return now }})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := newSink()
	go func() { _ = s.Run(ctx, out.emit) }()
	f.Stream(xfake.Post{Text: "acme one", AuthorID: customer.ID}, TagQuery)
	out.next(t)
	for {
		if _, _, reason := health.State(); strings.Contains(reason, "read cap") {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !strings.Contains(u.Status(), "read 100/100 (100%)") || !strings.Contains(u.Status(), "reading stopped") {
		t.Fatalf("status %q", u.Status())
	}
	if !strings.Contains(logs.String(), "monthly cap reached") {
		t.Fatalf("logs:\n%s", logs.String())
	}
	sr, _ := NewSearch(SearchOptions{Client: appClient(t, f), Query: "acme", Usage: u, Now: func() time.Time { return now }})
	_, err := sr.Poll(ctx, "")
	if after, ok := poll.RetryAfter(err); !ok || after != 8*24*time.Hour-10*time.Hour {
		t.Fatalf("search at the cap: %v (after %s)", err, after)
	}
}
