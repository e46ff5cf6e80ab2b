package mastodon_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/mastodonfake"
	"github.com/earshothq/earshot/sources/mastodon"
)

// collector is an Emit that keeps what it got.
type collector struct {
	mu   sync.Mutex
	ms   []bot.Mention
	fail error
}

func (c *collector) emit(_ context.Context, ms []bot.Mention) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail != nil {
		return c.fail
	}
	c.ms = append(c.ms, ms...)
	return nil
}

func (c *collector) all() []bot.Mention {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.ms)
}

// ids counts each emitted id ("-" prefix for tombstones).
func (c *collector) ids() map[string]int {
	out := map[string]int{}
	for _, m := range c.all() {
		k := m.ExternalID
		if m.Deleted {
			k = "-" + k
		}
		out[k]++
	}
	return out
}

func (c *collector) has(id string) bool { return c.ids()[id] > 0 }

// memCursors is the store's cursor table.
type memCursors struct {
	mu sync.Mutex
	m  map[string]string
}

func (c *memCursors) Cursor(_ context.Context, k string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k], nil
}

func (c *memCursors) SaveCursor(_ context.Context, k, v string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[k] = v
	return nil
}

// threads is the store's ThreadPosts.
type threads struct {
	mu  sync.Mutex
	ids []string
}

func (t *threads) ThreadPosts(context.Context, string) ([]string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.ids), nil
}

func (t *threads) add(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ids = append(t.ids, id)
}

// hearsLumio is the matcher: posts saying "lumio".
func hearsLumio(m bot.Mention) bool { return strings.Contains(strings.ToLower(m.Text), "lumio") }

func options(fake *mastodonfake.Fake) mastodon.Options {
	return mastodon.Options{
		Server: fake.URL(), Token: mastodonfake.Token, Hashtags: []string{"#acme"},
		Hears: hearsLumio, Cursors: &memCursors{m: map[string]string{}},
		PollInterval: 50 * time.Millisecond, ThreadInterval: 50 * time.Millisecond, ContextInterval: -1,
		StreamRetry: 300 * time.Millisecond, ReconnectMin: 10 * time.Millisecond, ReconnectMax: 50 * time.Millisecond,
		IdleTimeout: 2 * time.Second,
	}
}

type run struct {
	src  *mastodon.Source
	out  *collector
	stop func()
}

func start(t *testing.T, o mastodon.Options) *run {
	t.Helper()
	src, err := mastodon.New(o)
	if err != nil {
		t.Fatal(err)
	}
	out := &collector{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, out.emit) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Errorf("run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return &run{src: src, out: out, stop: stop}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func streaming(t *testing.T, fake *mastodonfake.Fake, r *run, n int) {
	t.Helper()
	eventually(t, "the streams to open", func() bool { return r.src.Mode() == "streaming" && fake.Streams() == n })
}

func TestStreamsMentionsTagsAndDeletions(t *testing.T) {
	fake := mastodonfake.New(t)
	fake.AddAccount("ana@social.example", "Ana", 120)
	r := start(t, options(fake))
	streaming(t, fake, r, 2)

	mention := fake.Post(mastodonfake.Post{Acct: "ana@social.example", Text: "@lumio my hub is offline again &amp; again"})
	heard := fake.Post(mastodonfake.Post{Acct: "bo", Text: "loving my Lumio lamp #acme"})
	unheard := fake.Post(mastodonfake.Post{Acct: "cy", Text: "nice weather #acme"})
	boost := fake.Post(mastodonfake.Post{Acct: "dee", Boost: heard.ID})
	eventually(t, "the mention and the heard post", func() bool { return r.out.has(mention.ID) && r.out.has(heard.ID) })
	fake.Delete(mention.ID)
	eventually(t, "the tombstone", func() bool { return r.out.has("-" + mention.ID) })

	ids := r.out.ids()
	if ids[unheard.ID] > 0 || ids[boost.ID] > 0 {
		t.Errorf("emitted a post the matcher did not hear, or a boost: %v", ids)
	}
	for id, n := range ids {
		if n != 1 {
			t.Errorf("%s emitted %d times", id, n)
		}
	}
	var m bot.Mention
	for _, x := range r.out.all() {
		if x.ExternalID == mention.ID && !x.Deleted {
			m = x
		}
	}
	want := bot.Mention{Platform: "mastodon", ExternalID: mention.ID, URL: mention.URL,
		Author: bot.Author{ID: mention.Account.ID, Handle: "ana@social.example", Name: "Ana", Followers: 120},
		Text:   "@lumio my hub is offline again &amp; again"}
	m.CreatedAt = time.Time{}
	if m != want {
		t.Errorf("mention\n got %+v\nwant %+v", m, want)
	}
}

func TestCatchesUpAfterADisconnectWithoutLossOrDuplicates(t *testing.T) {
	fake := mastodonfake.New(t)
	o := options(fake)
	o.StreamFailures = 1000 // keep streaming through the outage
	r := start(t, o)
	streaming(t, fake, r, 2)
	var want []string
	want = append(want, fake.Post(mastodonfake.Post{Acct: "ana", Text: "@lumio first"}).ID)
	eventually(t, "the first mention", func() bool { return r.out.has(want[0]) })

	fake.SetStreaming(502)
	fake.DropStreams()
	for i := range 45 { // more than a page
		want = append(want, fake.Post(mastodonfake.Post{Acct: "ana", Text: "@lumio during the outage " + itoa(i)}).ID)
	}
	for i := range 430 { // more than a polling round's ten pages
		want = append(want, fake.Post(mastodonfake.Post{Acct: "bo", Text: "Lumio #acme " + itoa(i)}).ID)
	}
	fake.SetStreaming(0)
	streaming(t, fake, r, 2)
	want = append(want, fake.Post(mastodonfake.Post{Acct: "ana", Text: "@lumio after"}).ID)
	eventually(t, "every post", func() bool { return len(r.out.ids()) == len(want) })
	time.Sleep(100 * time.Millisecond)
	ids := r.out.ids()
	for _, id := range want {
		if ids[id] != 1 {
			t.Errorf("%s emitted %d times", id, ids[id])
		}
	}
	if len(ids) != len(want) {
		t.Errorf("emitted %d ids, want %d", len(ids), len(want))
	}
}

func TestRestartResumesFromTheSavedCursors(t *testing.T) {
	fake := mastodonfake.New(t)
	o := options(fake)
	r := start(t, o)
	streaming(t, fake, r, 2)
	a := fake.Post(mastodonfake.Post{Acct: "ana", Text: "@lumio before the restart"})
	b := fake.Post(mastodonfake.Post{Acct: "bo", Text: "Lumio #acme before"})
	fake.Post(mastodonfake.Post{Acct: "cy", Text: "unrelated #acme"})
	eventually(t, "the first posts", func() bool { return r.out.has(a.ID) && r.out.has(b.ID) })
	r.stop()

	c := fake.Post(mastodonfake.Post{Acct: "ana", Text: "@lumio while down"})
	d := fake.Post(mastodonfake.Post{Acct: "bo", Text: "Lumio #acme while down"})
	r2 := start(t, o)
	streaming(t, fake, r2, 2)
	e := fake.Post(mastodonfake.Post{Acct: "ana", Text: "@lumio after"})
	eventually(t, "the posts made while down", func() bool { return r2.out.has(c.ID) && r2.out.has(d.ID) && r2.out.has(e.ID) })
	time.Sleep(100 * time.Millisecond)
	ids := r2.out.ids()
	if len(ids) != 3 {
		t.Errorf("after the restart got %v, want only %s, %s and %s", ids, c.ID, d.ID, e.ID)
	}
}

func TestFallsBackToPollingAndStreamsAgain(t *testing.T) {
	for _, code := range []int{404, 501} {
		t.Run(itoa(code), func(t *testing.T) {
			fake := mastodonfake.New(t)
			fake.SetStreaming(code)
			r := start(t, options(fake))
			eventually(t, "polling", func() bool { return r.src.Mode() == "polling" })
			p := fake.Post(mastodonfake.Post{Acct: "ana", Text: "@lumio are you there?"})
			eventually(t, "the polled mention", func() bool { return r.out.has(p.ID) })
			fake.SetStreaming(0)
			streaming(t, fake, r, 2)
			q := fake.Post(mastodonfake.Post{Acct: "ana", Text: "@lumio streamed"})
			eventually(t, "the streamed mention", func() bool { return r.out.has(q.ID) })
			if n := r.out.ids()[p.ID]; n != 1 {
				t.Errorf("polled mention emitted %d times", n)
			}
		})
	}
}

func TestFallsBackWhenConnectionsKeepFailing(t *testing.T) {
	fake := mastodonfake.New(t)
	fake.SetStreaming(503)
	o := options(fake)
	o.StreamRetry = time.Hour
	r := start(t, o)
	eventually(t, "polling", func() bool { return r.src.Mode() == "polling" })
	p := fake.Post(mastodonfake.Post{Acct: "bo", Text: "Lumio #acme polled"})
	eventually(t, "the polled post", func() bool { return r.out.has(p.ID) })
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
