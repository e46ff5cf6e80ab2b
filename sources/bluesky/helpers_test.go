package bluesky_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/blueskyfake"
	"github.com/earshothq/earshot/sources/bluesky"
)

// Accounts of the tests: the brand, a customer, and someone else.
var (
	brand    = blueskyfake.Account{DID: "did:plc:brand000000000000000000", Handle: "lumio.bsky.social", Name: "Lumio", Followers: 12000, Password: "abcd-efgh-ijkl-mnop"}
	customer = blueskyfake.Account{DID: "did:plc:alice000000000000000000", Handle: "alice.bsky.social", Name: "Alice", Followers: 321}
	other    = blueskyfake.Account{DID: "did:plc:bob00000000000000000000", Handle: "bob.bsky.social", Name: "Bob", Followers: 7}
)

func newFake(t testing.TB, o blueskyfake.Options) *blueskyfake.Fake {
	t.Helper()
	f := blueskyfake.New(o)
	t.Cleanup(f.Close)
	for _, a := range []blueskyfake.Account{brand, customer, other} {
		f.AddAccount(a)
	}
	return f
}

// aboutLumio is a matcher that hears posts naming the brand.
func aboutLumio(m bot.Mention) bool { return strings.Contains(strings.ToLower(m.Text), "lumio") }

// memCursors is a cursor store in memory.
type memCursors struct {
	mu    sync.Mutex
	c     map[string]string
	saves int
}

func (m *memCursors) Cursor(_ context.Context, source string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.c[source], nil
}

func (m *memCursors) SaveCursor(_ context.Context, source, cursor string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.c == nil {
		m.c = map[string]string{}
	}
	m.c[source] = cursor
	m.saves++
	return nil
}

// sink collects what a source emits.
type sink struct {
	mu      sync.Mutex
	ms      []bot.Mention
	batches int
	fail    error // returned (once) instead of storing
	changed chan struct{}
}

func newSink() *sink { return &sink{changed: make(chan struct{}, 1)} }

func (s *sink) emit(_ context.Context, ms []bot.Mention) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		err := s.fail
		s.fail = nil
		return err
	}
	s.ms = append(s.ms, ms...)
	s.batches++
	select {
	case s.changed <- struct{}{}:
	default:
	}
	return nil
}

func (s *sink) all() []bot.Mention {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]bot.Mention(nil), s.ms...)
}

// waitFor waits until cond holds for what was emitted.
func (s *sink) waitFor(t testing.TB, what string, cond func([]bot.Mention) bool) []bot.Mention {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		ms := s.all()
		if cond(ms) {
			return ms
		}
		select {
		case <-s.changed:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s; emitted %d: %s", what, len(ms), describe(ms))
		}
	}
}

func describe(ms []bot.Mention) string {
	var b strings.Builder
	for i, m := range ms {
		if i == 10 {
			fmt.Fprintf(&b, " …")
			break
		}
		fmt.Fprintf(&b, " [%s %q reply=%s del=%v]", m.ExternalID, m.Text, m.InReplyTo, m.Deleted)
	}
	return b.String()
}

// start runs src until the test ends; stop ends it and waits.
func start(t testing.TB, src *bluesky.Source, emit bot.Emit) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, emit) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil && !errors.Is(err, context.Canceled) {
					t.Errorf("run: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Error("source did not stop")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// waitConnected waits for n subscriptions to host.
func waitConnected(t testing.TB, h *blueskyfake.Host, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for h.Connected() < n {
		if time.Now().After(deadline) {
			t.Fatalf("no subscription to %s", h.URL)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func newSource(t testing.TB, f *blueskyfake.Fake, o bluesky.Options) *bluesky.Source {
	t.Helper()
	if o.JetstreamURLs == nil {
		o.JetstreamURLs = []string{f.JetstreamURL()}
	}
	if o.AppViewURL == "" {
		o.AppViewURL = f.URL()
	}
	if o.Hears == nil {
		o.Hears = aboutLumio
	}
	if o.MinBackoff == 0 {
		o.MinBackoff, o.MaxBackoff = 5*time.Millisecond, 50*time.Millisecond
	}
	if o.SaveEvery == 0 {
		o.SaveEvery = 20 * time.Millisecond
	}
	src, err := bluesky.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// byID counts mentions per external id (and deletion).
func byID(ms []bot.Mention) map[string]int {
	n := map[string]int{}
	for _, m := range ms {
		k := m.ExternalID
		if m.Deleted {
			k += "#deleted"
		}
		n[k]++
	}
	return n
}
