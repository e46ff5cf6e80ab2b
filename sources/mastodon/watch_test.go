package mastodon_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/mastodonfake"
	"github.com/earshothq/earshot/sources/mastodon"
)

func TestKeywordsAndThePublicTimeline(t *testing.T) {
	fake := mastodonfake.New(t)
	o := options(fake)
	o.Hashtags, o.Keywords, o.Public = nil, []string{"lumio hub"}, "local"
	o.Hears = func(m bot.Mention) bool { return strings.Contains(m.Text, "Lumio") }
	r := start(t, o)
	streaming(t, fake, r, 2) // user and public:local

	searched := fake.Post(mastodonfake.Post{Acct: "far@elsewhere.example", Text: "is the Lumio hub worth it?"})
	local := fake.Post(mastodonfake.Post{Acct: "ana", Text: "My Lumio lamp is great"})
	remote := fake.Post(mastodonfake.Post{Acct: "bo@elsewhere.example", Text: "My Lumio lamp is bad"})
	quiet := fake.Post(mastodonfake.Post{Acct: "cy", Text: "nothing to see"})
	eventually(t, "the searched and the local post", func() bool { return r.out.has(searched.ID) && r.out.has(local.ID) })
	fake.Delete(quiet.ID)
	fake.Delete(local.ID)
	eventually(t, "the tombstone of the post seen", func() bool { return r.out.has("-" + local.ID) })
	time.Sleep(100 * time.Millisecond)
	ids := r.out.ids()
	if ids[remote.ID] > 0 || ids["-"+quiet.ID] > 0 {
		t.Errorf("took a remote post from the local timeline, or a deletion of a post never seen: %v", ids)
	}
}

func TestPollingSurvives429AndLogsNoToken(t *testing.T) {
	fake := mastodonfake.New(t)
	var logs syncBuffer
	o := options(fake)
	o.Polling = true
	o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	fake.Fail("GET /api/v1/notifications", 429, 1, false)
	fake.Fail("GET /api/v1/timelines/home", 500, 2, false)
	r := start(t, o)
	p := fake.Post(mastodonfake.Post{Acct: "ana", Text: "@lumio hello?"})
	eventually(t, "the mention after the 429", func() bool { return r.out.has(p.ID) })
	if r.src.Mode() != "polling" || fake.Count("GET /api/v1/streaming/user") != 0 {
		t.Errorf("mode %s, %d stream requests; want polling only", r.src.Mode(), fake.Count("GET /api/v1/streaming/user"))
	}
	// The mention can come through the notifications before the home
	// timeline's failures are polled and logged.
	eventually(t, "the failures logged", func() bool { return strings.Contains(logs.String(), "poll failed") })
	r.stop()
	if strings.Contains(logs.String(), mastodonfake.Token) {
		t.Error("the token is in the logs")
	}
}

func TestSilentStreamIsDropped(t *testing.T) {
	fake := mastodonfake.New(t)
	fake.Heartbeat = time.Hour
	o := options(fake)
	o.IdleTimeout = 100 * time.Millisecond
	o.Hashtags = nil
	r := start(t, o)
	eventually(t, "reconnections", func() bool { return fake.Count("GET /api/v1/streaming/user") >= 3 })
	p := fake.Post(mastodonfake.Post{Acct: "ana", Text: "@lumio still there?"})
	eventually(t, "the mention", func() bool { return r.out.has(p.ID) })
}

func TestBadTokenStopsTheSource(t *testing.T) {
	fake := mastodonfake.New(t)
	o := options(fake)
	o.Token = "wrong-token"
	src, err := mastodon.New(o)
	if err != nil {
		t.Fatal(err)
	}
	err = src.Run(t.Context(), (&collector{}).emit)
	if err == nil || !strings.Contains(err.Error(), "refused the token (401)") || strings.Contains(err.Error(), "wrong-token") {
		t.Errorf("Run = %v, want the token refused, not echoed", err)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
