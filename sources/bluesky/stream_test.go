package bluesky_test

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/blueskyfake"
	"github.com/earshothq/earshot/sources/bluesky"
)

// publishMix posts n posts, every kth about the brand, and returns the
// URIs of those about it.
func publishMix(t testing.TB, f *blueskyfake.Fake, n, k int, o blueskyfake.PostOptions) []string {
	t.Helper()
	var want []string
	for i := range n {
		text := fmt.Sprintf("post %d about the weather", i)
		if i%k == 0 {
			text = fmt.Sprintf("post %d: my Lumio lamp flickers", i)
		}
		uri, _, err := f.Post(other.DID, text, o)
		if err != nil {
			t.Fatal(err)
		}
		if i%k == 0 {
			want = append(want, uri)
		}
	}
	return want
}

// The connection drops every 37 events; each reconnect resumes a few
// seconds back and the replayed events are dropped: every post about the
// brand is emitted exactly once, and the cursor is saved.
func TestResumeAfterDropsWithoutLossOrDuplicates(t *testing.T) {
	for _, compress := range []bool{false, true} {
		t.Run("compress="+strconv.FormatBool(compress), func(t *testing.T) {
			// Events 10ms apart and a 100ms rewind: each reconnect replays
			// about ten events, which must be dropped.
			f := newFake(t, blueskyfake.Options{Now: steppingClock(10 * time.Millisecond)})
			f.Host(0).DropEvery(37)
			cur := &memCursors{}
			o := bluesky.Options{Cursors: cur, Rewind: 100 * time.Millisecond}
			if compress {
				o.ZstdDictionary = f.ZstdDictionary()
			}
			src := newSource(t, f, o)
			s := newSink()
			stop := start(t, src, s.emit)
			waitConnected(t, f.Host(0), 1)
			want := publishMix(t, f, 600, 5, blueskyfake.PostOptions{})
			ms := s.waitFor(t, "every post about the brand", func(ms []bot.Mention) bool { return len(byID(ms)) >= len(want) })
			time.Sleep(100 * time.Millisecond) // would a duplicate follow?
			stop()
			ms = s.all()
			counts := byID(ms)
			for _, u := range want {
				if counts[u] != 1 {
					t.Errorf("%s emitted %d times", u, counts[u])
				}
			}
			if len(ms) != len(want) {
				t.Errorf("emitted %d mentions, want %d", len(ms), len(want))
			}
			reqs := f.Host(0).Requests()
			if len(reqs) < 10 {
				t.Fatalf("only %d subscriptions: the drops did not happen", len(reqs))
			}
			for i, q := range reqs {
				if q.Get("wantedCollections") != bluesky.PostCollection {
					t.Errorf("subscription %d wants %q", i, q["wantedCollections"])
				}
				if (q.Get("compress") == "true") != compress {
					t.Errorf("subscription %d compress=%q", i, q.Get("compress"))
				}
				if i > 0 && q.Get("cursor") == "" {
					t.Errorf("reconnect %d has no cursor", i)
				}
			}
			saved, _ := cur.Cursor(t.Context(), "bluesky")
			if n, _ := strconv.ParseInt(saved, 10, 64); n != f.LastTimeUS() {
				t.Errorf("saved cursor %s, last event %d", saved, f.LastTimeUS())
			}
		})
	}
}

// The first host is down: the source fails over to the second and hears
// everything published meanwhile.
func TestFailoverToTheSecondHost(t *testing.T) {
	f := newFake(t, blueskyfake.Options{})
	second := f.AddHost()
	f.Host(0).SetDown(true)
	s := newSink()
	src := newSource(t, f, bluesky.Options{JetstreamURLs: []string{f.Host(0).URL, second.URL}})
	start(t, src, s.emit)
	waitConnected(t, second, 1)
	want := publishMix(t, f, 50, 5, blueskyfake.PostOptions{})
	s.waitFor(t, "the posts through the second host", func(ms []bot.Mention) bool { return len(ms) == len(want) })

	// The second goes down as well and the first comes back.
	f.Host(0).SetDown(false)
	second.SetDown(true)
	more := publishMix(t, f, 50, 5, blueskyfake.PostOptions{})
	ms := s.waitFor(t, "the posts through the first host again", func(ms []bot.Mention) bool { return len(ms) == len(want)+len(more) })
	for id, n := range byID(ms) {
		if n != 1 {
			t.Errorf("%s emitted %d times", id, n)
		}
	}
}

// A restart resumes from the saved cursor: posts published while the
// source was stopped are heard, and none twice.
func TestRestartResumesFromTheSavedCursor(t *testing.T) {
	f := newFake(t, blueskyfake.Options{})
	cur := &memCursors{}
	s := newSink()
	stop := start(t, newSource(t, f, bluesky.Options{Cursors: cur}), s.emit)
	waitConnected(t, f.Host(0), 1)
	want := publishMix(t, f, 40, 4, blueskyfake.PostOptions{})
	s.waitFor(t, "the first posts", func(ms []bot.Mention) bool { return len(ms) == len(want) })
	stop()
	want = append(want, publishMix(t, f, 40, 4, blueskyfake.PostOptions{})...)
	start(t, newSource(t, f, bluesky.Options{Cursors: cur}), s.emit)
	s.waitFor(t, "the posts made while stopped", func(ms []bot.Mention) bool { return len(byID(ms)) == len(want) })
	time.Sleep(50 * time.Millisecond)
	// The restart rewound a few seconds and emitted the last posts again;
	// the store keeps one of each (platform, id), so none is doubled there.
	for id, n := range byID(s.all()) {
		if n > 2 {
			t.Errorf("%s emitted %d times", id, n)
		}
	}
}

// steppingClock is a clock that moves on by step at every reading.
func steppingClock(step time.Duration) func() time.Time {
	var mu sync.Mutex
	t := time.Now()
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(step)
		return t
	}
}

// The store refuses a batch once: nothing is lost, the cursor having
// stayed before it; the source reconnects and hands it on again.
func TestStoreFailureLosesNothing(t *testing.T) {
	f := newFake(t, blueskyfake.Options{})
	s := newSink()
	s.fail = errors.New("database is locked")
	start(t, newSource(t, f, bluesky.Options{Cursors: &memCursors{}}), s.emit)
	waitConnected(t, f.Host(0), 1)
	want := publishMix(t, f, 40, 4, blueskyfake.PostOptions{})
	ms := s.waitFor(t, "every post, after the failure", func(ms []bot.Mention) bool { return len(byID(ms)) == len(want) })
	for id, n := range byID(ms) {
		if n != 1 {
			t.Errorf("%s emitted %d times", id, n)
		}
	}
	if n := len(f.Host(0).Requests()); n < 2 {
		t.Errorf("%d subscriptions: no reconnect after the failure", n)
	}
}

// A first start saves its starting point at once: a crash before the first
// periodic save resumes from there rather than from the live tail.
func TestFirstStartSavesItsPosition(t *testing.T) {
	f := newFake(t, blueskyfake.Options{})
	cur := &memCursors{}
	before := time.Now().UnixMicro()
	start(t, newSource(t, f, bluesky.Options{Cursors: cur, SaveEvery: time.Hour}), newSink().emit)
	waitConnected(t, f.Host(0), 1)
	saved, _ := cur.Cursor(t.Context(), "bluesky")
	if n, err := strconv.ParseInt(saved, 10, 64); err != nil || n < before {
		t.Fatalf("saved %q at start, want a time from %d on", saved, before)
	}
	if q := f.Host(0).Requests()[0]; q.Get("cursor") == "" {
		t.Error("the first subscription has no cursor")
	}
}
