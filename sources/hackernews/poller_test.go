package hackernews

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/hnfake"
	"github.com/earshothq/earshot/sources/poll"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// clock is a settable now.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newSearch(t *testing.T, f *hnfake.Fake, c *clock, hpp int) *Search {
	t.Helper()
	s, err := NewSearch(Options{Query: "acme", APIURL: f.URL(), Now: c.now, HitsPerPage: hpp})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// drain polls until the feed has no more pages, returning the ids emitted
// and the last cursor.
func drain(t *testing.T, p poll.Poller, cur string) ([]string, string) {
	t.Helper()
	var ids []string
	for i := 0; ; i++ {
		if i > 100 {
			t.Fatal("feed never stops asking for more")
		}
		b, err := p.Poll(context.Background(), cur)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range b.Mentions {
			ids = append(ids, m.ExternalID)
		}
		if b.Cursor != "" {
			cur = b.Cursor
		}
		if !b.More {
			return ids, cur
		}
	}
}

func ids(ms ...int64) []string {
	var out []string
	for _, m := range ms {
		out = append(out, itoa(m))
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

func TestSearchFirstPollAndResume(t *testing.T) {
	f := hnfake.New(t)
	c := &clock{t0}
	old := f.AddStory("pg", "Acme from last year", "", "", t0.Add(-48*time.Hour))
	recent := f.AddStory("dang", "Acme raises $10M", "https://acme.com/blog", "", t0.Add(-5*time.Minute))
	other := f.AddStory("x", "Nothing to see", "", "", t0.Add(-time.Minute))
	cm := f.AddComment("alice", "my <i>acme</i> broke &amp; support never answered", recent, t0.Add(-time.Minute))
	_, _ = old, other

	got, cur := drain(t, newSearch(t, f, c, 100), "")
	if want := ids(recent, cm); !slices.Equal(got, want) {
		t.Fatalf("first poll = %v, want %v (look-back, oldest first)", got, want)
	}

	// Two items in the same second as the newest seen, one of them only
	// indexed later, and one after: a new poller given the saved cursor
	// takes each once.
	c.t = t0.Add(time.Minute)
	same := f.AddComment("bob", "acme too", recent, t0.Add(-time.Minute))
	late := f.AddComment("carol", "acme same", recent, t0.Add(-time.Minute))
	f.Hide(late)
	after := f.AddStory("eve", "Acme is down", "", "", t0.Add(30*time.Second))
	got, cur = drain(t, newSearch(t, f, c, 100), cur)
	if want := ids(same, after); !slices.Equal(sorted(got), sorted(want)) {
		t.Fatalf("second poll = %v, want %v", got, want)
	}
	c.t = t0.Add(2 * time.Minute)
	f.Show(late)
	got, cur = drain(t, newSearch(t, f, c, 100), cur)
	if want := ids(late); !slices.Equal(got, want) {
		t.Fatalf("third poll = %v, want the late-indexed %v", got, want)
	}
	got, _ = drain(t, newSearch(t, f, c, 100), cur)
	if len(got) != 0 {
		t.Fatalf("quiet poll repeated %v", got)
	}
}

func TestSearchPagesWithoutLossOrRepeat(t *testing.T) {
	f := hnfake.New(t)
	c := &clock{t0}
	var want []string
	for i := range 57 {
		want = append(want, itoa(f.AddStory("a", "acme item", "", "", t0.Add(-time.Duration(i%9)*time.Second))))
	}
	s := newSearch(t, f, c, 10)
	b, err := s.Poll(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if !b.More || len(b.Mentions) != 10 {
		t.Fatalf("first page: more=%v, %d mentions", b.More, len(b.Mentions))
	}
	// New items arriving mid-round must not shift the pages.
	c.t = t0.Add(10 * time.Second)
	extra := f.AddStory("a", "acme new", "", "", t0.Add(5*time.Second))
	got := []string{}
	for _, m := range b.Mentions {
		got = append(got, m.ExternalID)
	}
	rest, cur := drain(t, newSearch(t, f, c, 10), b.Cursor)
	got = append(got, rest...)
	if !slices.Equal(sorted(got), sorted(want)) {
		t.Fatalf("round gave %d ids, want %d (%v)", len(got), len(want), got)
	}
	next, _ := drain(t, s, cur)
	if !slices.Equal(next, ids(extra)) {
		t.Fatalf("next round = %v, want %v", next, ids(extra))
	}
}

func TestSearchCutsWindowsDeeperThanAlgoliaPages(t *testing.T) {
	f := hnfake.New(t)
	c := &clock{t0}
	start := t0.Add(-9 * time.Minute)
	for i := range 2500 {
		f.AddStory("a", "acme", "", "", start.Add(time.Duration(i)*200*time.Millisecond))
	}
	got, cur := drain(t, newSearch(t, f, c, 1000), "")
	for len(got) < 2500 {
		c.t = c.t.Add(time.Minute)
		more, next := drain(t, newSearch(t, f, c, 1000), cur)
		if len(more) == 0 {
			t.Fatalf("stuck at %d of 2500", len(got))
		}
		got, cur = append(got, more...), next
	}
	if len(got) != 2500 || len(slices.Compact(sorted(got))) != 2500 {
		t.Fatalf("got %d ids, %d distinct, want 2500", len(got), len(slices.Compact(sorted(got))))
	}
}

func TestSearchFailures(t *testing.T) {
	f := hnfake.New(t)
	c := &clock{t0}
	s := newSearch(t, f, c, 100)

	f.RateLimit("30")
	_, err := s.Poll(context.Background(), "")
	if after, ok := poll.RetryAfter(err); !ok || after != 30*time.Second {
		t.Fatalf("429: err %v, after %v", err, after)
	}
	f.RateLimit("")
	if _, ok := poll.RetryAfter(mustErr(t, s)); !ok {
		t.Fatal("429 without Retry-After is not a rate limit")
	}
	f.Fail(http.StatusBadGateway, "<html>bad gateway</html>")
	if err := mustErr(t, s); !strings.Contains(err.Error(), "HTTP 502") || !strings.Contains(err.Error(), `"acme"`) {
		t.Fatalf("502: %v", err)
	}
	f.Malformed(`{"hits":[{"objectID":"12",`)
	if err := mustErr(t, s); !strings.Contains(err.Error(), "decode search answer") {
		t.Fatalf("malformed: %v", err)
	}
	if _, err := s.Poll(context.Background(), "not a cursor"); err == nil || !strings.Contains(err.Error(), `cursor "not a cursor"`) {
		t.Fatalf("bad cursor: %v", err)
	}
	var rl *poll.RateLimitError
	f.RateLimit("5")
	if !errors.As(mustErr(t, s), &rl) {
		t.Fatal("429 is not a *poll.RateLimitError")
	}
}

func mustErr(t *testing.T, s *Search) error {
	t.Helper()
	_, err := s.Poll(context.Background(), "")
	if err == nil {
		t.Fatal("no error")
	}
	return err
}

type lister []string

func (l *lister) ThreadPosts(context.Context, string) ([]string, error) { return *l, nil }

func TestThreadsFollowTrackedPosts(t *testing.T) {
	f := hnfake.New(t)
	c := &clock{t0}
	story := f.AddStory("dang", "Acme raises $10M", "", "", t0.Add(-time.Hour))
	complaint := f.AddComment("alice", "acme broke my thing", story, t0.Add(-30*time.Minute))
	unrelated := f.AddStory("x", "Other", "", "", t0.Add(-time.Hour))
	l := &lister{itoa(complaint)}
	th, err := NewThreads(ThreadOptions{Threads: l, APIURL: f.URL(), Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	b, err := th.Poll(context.Background(), "")
	if err != nil || len(b.Mentions) != 0 {
		t.Fatalf("first poll: %v %v", b.Mentions, err)
	}
	if reqs := f.Requests(); !slices.ContainsFunc(reqs, func(r string) bool { return strings.HasPrefix(r, "/api/v1/items/"+itoa(complaint)) }) {
		t.Fatalf("the complaint's story was not looked up: %v", reqs)
	}
	c.t = t0.Add(time.Minute)
	answer := f.AddComment("bob", "did you try turning it off", complaint, t0.Add(30*time.Second))
	followUp := f.AddComment("alice", "yes, still broken", answer, t0.Add(40*time.Second))
	sibling := f.AddComment("carol", "unrelated comment in the same story", story, t0.Add(35*time.Second))
	f.AddComment("z", "elsewhere", unrelated, t0.Add(35*time.Second))
	_ = sibling
	// A fresh poller (a restart) resumes from the cursor.
	th2, _ := NewThreads(ThreadOptions{Threads: l, APIURL: f.URL(), Now: c.now})
	b, err = th2.Poll(context.Background(), b.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	var got []bot.Mention = b.Mentions
	if len(got) != 2 || got[0].ExternalID != itoa(answer) || got[0].InReplyTo != itoa(complaint) ||
		got[1].ExternalID != itoa(followUp) || got[1].InReplyTo != itoa(answer) {
		t.Fatalf("thread poll = %+v", got)
	}
	c.t = t0.Add(2 * time.Minute)
	b, err = th2.Poll(context.Background(), b.Cursor)
	if err != nil || len(b.Mentions) != 0 {
		t.Fatalf("repeat poll: %v %v", b.Mentions, err)
	}
}
