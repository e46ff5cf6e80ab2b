package githubsearch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/githubfake"
	"github.com/earshothq/earshot/sources/poll"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func setup(t *testing.T) (*githubfake.Fake, *clock, *Client) {
	t.Helper()
	f := githubfake.New(t)
	c := &clock{time.Now().UTC().Truncate(time.Second)}
	cl, err := NewClient(ClientOptions{Token: githubfake.Token, APIURL: f.URL(), Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	return f, c, cl
}

func newSearch(t *testing.T, cl *Client, deny ...string) *Search {
	t.Helper()
	s, err := NewSearch(SearchOptions{Client: cl, Query: "acme", Deny: DenyList(deny)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func drain(t *testing.T, p poll.Poller, cur string) ([]bot.Mention, string) {
	t.Helper()
	var out []bot.Mention
	for i := 0; ; i++ {
		if i > 50 {
			t.Fatal("feed never stops asking for more")
		}
		b, err := p.Poll(context.Background(), cur)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b.Mentions...)
		if b.Cursor != "" {
			cur = b.Cursor
		}
		if !b.More {
			return out, cur
		}
	}
}

func extIDs(ms []bot.Mention) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.ExternalID)
	}
	return out
}

func TestSearchFindsOthersIssuesAndResumes(t *testing.T) {
	f, c, cl := setup(t)
	now := c.t
	f.AddPost(githubfake.Post{Repo: "old/repo", Author: "x", Title: "acme from last month", CreatedAt: now.Add(-30 * 24 * time.Hour)})
	n1 := f.AddPost(githubfake.Post{Repo: "octo/app", Author: "alice", Title: "Crash with Acme SDK", Body: "acme 2.1 crashes\r\non start", CreatedAt: now.Add(-5 * time.Minute)})
	n2 := f.AddPost(githubfake.Post{Repo: "octo/app", Author: "bob", Title: "Bump acme to 2.2", PullRequest: true, CreatedAt: now.Add(-4 * time.Minute)})
	f.AddPost(githubfake.Post{Repo: "acme/defects", Author: "carol", Title: "acme bug", CreatedAt: now.Add(-3 * time.Minute)})
	f.AddPost(githubfake.Post{Repo: "Spam/One", Author: "carol", Title: "acme acme", CreatedAt: now.Add(-3 * time.Minute)})
	ours := f.AddPost(githubfake.Post{Repo: "octo/app", Author: githubfake.Login, Title: "acme note", CreatedAt: now.Add(-2 * time.Minute)})
	f.AddPost(githubfake.Post{Repo: "octo/app", Author: "dan", Title: "unrelated", CreatedAt: now.Add(-time.Minute)})

	ms, cur := drain(t, newSearch(t, cl, "acme/defects", "spam/*"), "")
	want := []string{fmt.Sprintf("octo/app#%d", n1), fmt.Sprintf("octo/app#%d", n2), fmt.Sprintf("octo/app#%d", ours)}
	if got := extIDs(ms); !slices.Equal(got, want) {
		t.Fatalf("first poll = %v, want %v", got, want)
	}
	m := ms[0]
	if m.Platform != "github" || m.Author.Handle != "alice" || m.URL != githubfake.HTMLURL("octo/app", n1) ||
		m.Text != "Crash with Acme SDK\n\nacme 2.1 crashes\non start" || m.Ours || m.InReplyTo != "" {
		t.Errorf("issue mention = %+v", m)
	}
	if !strings.Contains(ms[1].URL, "/pull/") || !ms[2].Ours {
		t.Errorf("pull request %+v, ours %+v", ms[1], ms[2])
	}
	if reqs := f.Requests(); !slices.ContainsFunc(reqs, func(r string) bool {
		return strings.Contains(r, "sort=created") && strings.Contains(r, "order=asc") && strings.Contains(r, "created%3A%3E%3D")
	}) {
		t.Errorf("search requests: %v", reqs)
	}

	// Same second as the newest seen, and later: a new feed given the
	// cursor takes each once.
	c.t = now.Add(time.Minute)
	same := f.AddPost(githubfake.Post{Repo: "z/z", Author: "e", Title: "acme same second", CreatedAt: now.Add(-2 * time.Minute)})
	later := f.AddPost(githubfake.Post{Repo: "z/z", Author: "e", Title: "acme later", CreatedAt: now.Add(30 * time.Second)})
	ms, cur = drain(t, newSearch(t, cl), cur)
	if got, want := extIDs(ms), []string{fmt.Sprintf("z/z#%d", same), fmt.Sprintf("z/z#%d", later)}; !slices.Equal(got, want) {
		t.Fatalf("second poll = %v, want %v", got, want)
	}
	c.t = now.Add(2 * time.Minute)
	if ms, _ = drain(t, newSearch(t, cl), cur); len(ms) != 0 {
		t.Fatalf("quiet poll repeated %v", extIDs(ms))
	}
	if f.Count("user") != 1 {
		t.Errorf("login asked %d times, want once", f.Count("user"))
	}
}

func TestSearchPages(t *testing.T) {
	f, c, cl := setup(t)
	for i := range 250 {
		f.AddPost(githubfake.Post{Repo: "o/r", Author: "a", Title: "acme", CreatedAt: c.t.Add(-8*time.Minute + time.Duration(i)*time.Second)})
	}
	// 30 in one second: a full page of already-seen issues must not stall.
	for range 130 {
		f.AddPost(githubfake.Post{Repo: "o/s", Author: "a", Title: "acme", CreatedAt: c.t.Add(-time.Minute)})
	}
	s := newSearch(t, cl)
	b, err := s.Poll(context.Background(), "")
	if err != nil || !b.More || len(b.Mentions) != 100 {
		t.Fatalf("first page: more=%v n=%d err=%v", b.More, len(b.Mentions), err)
	}
	rest, _ := drain(t, newSearch(t, cl), b.Cursor)
	all := append(extIDs(b.Mentions), extIDs(rest)...)
	slices.Sort(all)
	if len(all) != 380 || len(slices.Compact(all)) != 380 {
		t.Fatalf("got %d ids (%d distinct), want 380", len(all), len(slices.Compact(all)))
	}
}

func TestSearchRateLimits(t *testing.T) {
	// go-github remembers a limit and refuses locally until it passes, so
	// each case has its own client.
	f, c, _ := setup(t)
	for _, tc := range []struct {
		limit githubfake.Limit
		want  func(time.Duration) bool
	}{
		{githubfake.Secondary, func(d time.Duration) bool { return d == 42*time.Second }},
		{githubfake.TooMany, func(d time.Duration) bool { return d == 17*time.Second }},
		{githubfake.Primary, func(d time.Duration) bool { return d > 0 && d <= 91*time.Second }},
	} {
		cl, _ := NewClient(ClientOptions{Token: githubfake.Token, APIURL: f.URL(), Now: c.now})
		s := newSearch(t, cl)
		f.RateLimit("search", tc.limit)
		_, err := s.Poll(context.Background(), "")
		d, ok := poll.RetryAfter(err)
		if !ok || !tc.want(d) {
			t.Errorf("limit %d: err %v, wait %s", tc.limit, err, d)
		}
		if strings.Contains(fmt.Sprint(err), githubfake.Token) {
			t.Fatal("token in error")
		}
	}

	// A spent budget is a Wait on the batch, not an error.
	f2, c2, cl2 := setup(t)
	reset := c2.t.Add(40 * time.Second)
	f2.SearchBudget(1, reset)
	b, err := newSearch(t, cl2).Poll(context.Background(), "")
	if err != nil || b.Wait != 40*time.Second {
		t.Fatalf("budget: wait %s err %v", b.Wait, err)
	}
}

func TestSearchBadAnswers(t *testing.T) {
	f, _, cl := setup(t)
	s := newSearch(t, cl)
	f.Malformed("search", `{"total_count":1,"items":[{"number":1`)
	if _, err := s.Poll(context.Background(), ""); err == nil || !strings.Contains(err.Error(), `search "acme"`) {
		t.Fatalf("truncated answer: %v", err)
	}
	f.Malformed("search", `{"total_count":1,"items":[{"number":1,"repository_url":"https://api.github.com/nope","created_at":"2024-01-01T00:00:00Z"}]}`)
	if _, err := s.Poll(context.Background(), ""); err == nil || !strings.Contains(err.Error(), "does not name a repository") {
		t.Fatalf("bad repository_url: %v", err)
	}
	f.Fail("search", http.StatusServiceUnavailable)
	if _, err := s.Poll(context.Background(), ""); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("503: %v", err)
	}
	if _, err := s.Poll(context.Background(), "{bad"); err == nil || !strings.Contains(err.Error(), `cursor "{bad"`) {
		t.Fatalf("bad cursor: %v", err)
	}
}

type lister []string

func (l *lister) ThreadPosts(context.Context, string) ([]string, error) { return *l, nil }

func TestThreadsFollowTrackedIssues(t *testing.T) {
	f, c, cl := setup(t)
	n := f.AddPost(githubfake.Post{Repo: "octo/app", Author: "alice", Title: "acme crash", CreatedAt: c.t.Add(-time.Hour)})
	other := f.AddPost(githubfake.Post{Repo: "octo/app", Author: "z", Title: "other", CreatedAt: c.t.Add(-time.Hour)})
	f.AddComment("octo/app", n, "bob", "old comment", c.t.Add(-30*time.Minute))
	issue := fmt.Sprintf("octo/app#%d", n)
	l := &lister{issue, issue + "/comment/5", "webhook-id-7"}
	th, err := NewThreads(ThreadOptions{Client: cl, Threads: l})
	if err != nil {
		t.Fatal(err)
	}
	b, err := th.Poll(context.Background(), "")
	if err != nil || len(b.Mentions) != 0 {
		t.Fatalf("first poll: %v %v", extIDs(b.Mentions), err)
	}
	c.t = c.t.Add(time.Minute)
	id1 := f.AddComment("octo/app", n, "alice", "still broken on 2.2", c.t.Add(-10*time.Second))
	id2 := f.AddComment("octo/app", n, githubfake.Login, "We're on it", c.t.Add(-5*time.Second))
	f.AddComment("octo/app", other, "z", "elsewhere", c.t.Add(-5*time.Second))
	b, err = th.Poll(context.Background(), b.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := extIDs(b.Mentions), []string{fmt.Sprintf("%s/comment/%d", issue, id1), fmt.Sprintf("%s/comment/%d", issue, id2)}; !slices.Equal(got, want) {
		t.Fatalf("comments = %v, want %v", got, want)
	}
	if m := b.Mentions[0]; m.InReplyTo != issue || m.Author.Handle != "alice" || m.Ours || m.Text != "still broken on 2.2" {
		t.Errorf("comment mention %+v", m)
	}
	if !b.Mentions[1].Ours {
		t.Error("our own comment is not Ours")
	}
	if f.Count("comments") != 2 {
		t.Errorf("%d comment lists, want one per poll for the one issue", f.Count("comments"))
	}
	c.t = c.t.Add(time.Minute)
	th2, _ := NewThreads(ThreadOptions{Client: cl, Threads: l})
	if b, err = th2.Poll(context.Background(), b.Cursor); err != nil || len(b.Mentions) != 0 {
		t.Fatalf("repeat: %v %v", extIDs(b.Mentions), err)
	}
}

func TestReply(t *testing.T) {
	f, _, _ := setup(t)
	cl, _ := NewClient(ClientOptions{Token: githubfake.Token, APIURL: f.URL()})
	r := NewReplier(cl)
	n := f.AddPost(githubfake.Post{Repo: "octo/app", Author: "alice", Title: "acme crash"})
	to := bot.Mention{Platform: "github", ExternalID: fmt.Sprintf("octo/app#%d/comment/99", n)}
	ctx := bot.WithReplyMeta(context.Background(), bot.ReplyMeta{IdempotencyKey: "earshot-action-7"})

	if _, found, err := r.FindReply(ctx, to, "Sorry!"); err != nil || found {
		t.Fatalf("before: found=%v err=%v", found, err)
	}
	ref, err := r.Reply(ctx, to, "Sorry! Fixed in 2.3.")
	if err != nil {
		t.Fatal(err)
	}
	is := f.Issues("octo/app")[n-1]
	if len(is.Comments) != 1 || !strings.HasPrefix(is.Comments[0].Body, "Sorry! Fixed in 2.3.\n\n<!-- earshot:earshot-action-7 -->") {
		t.Fatalf("comments %+v", is.Comments)
	}
	if want := fmt.Sprintf("octo/app#%d/comment/%d", n, is.Comments[0].ID); ref.ExternalID != want || !strings.Contains(ref.URL, "#issuecomment-") {
		t.Fatalf("ref %+v, want %s", ref, want)
	}
	found, ok, err := r.FindReply(ctx, to, "Sorry! Fixed in 2.3.")
	if err != nil || !ok || found != ref {
		t.Fatalf("FindReply = %+v %v %v, want %+v", found, ok, err, ref)
	}
}

func TestReplyRefusals(t *testing.T) {
	f, _, _ := setup(t)
	locked := f.AddPost(githubfake.Post{Repo: "octo/app", Author: "a", Title: "t"})
	f.Lock("octo/app", locked)
	arch := f.AddPost(githubfake.Post{Repo: "old/thing", Author: "a", Title: "t"})
	f.Archive("old/thing")
	open := f.AddPost(githubfake.Post{Repo: "octo/app", Author: "a", Title: "t2"})
	id := func(repo string, n int) bot.Mention { return bot.Mention{ExternalID: fmt.Sprintf("%s#%d", repo, n)} }

	for _, tc := range []struct {
		name  string
		setup func()
		to    bot.Mention
		check func(error) bool
	}{
		{"locked", func() {}, id("octo/app", locked), assisted("locked")},
		{"archived", func() {}, id("old/thing", arch), assisted("archived")},
		{"gone", func() { f.Fail("comment", http.StatusGone) }, id("octo/app", open), assisted("gone")},
		{"not found", func() {}, id("octo/app", 999), assisted("cannot see")},
		{"secondary", func() { f.RateLimit("comment", githubfake.Secondary) }, id("octo/app", open), retry(42 * time.Second)},
		{"429", func() { f.RateLimit("comment", githubfake.TooMany) }, id("octo/app", open), retry(17 * time.Second)},
		{"invalid", func() { f.Fail("comment", http.StatusUnprocessableEntity) }, id("octo/app", open), bot.IsPermanent},
		{"bad id", func() {}, bot.Mention{ExternalID: "nonsense"}, bot.IsPermanent},
		{"server error", func() { f.FailAfter("comment", http.StatusBadGateway) }, id("octo/app", open), func(err error) bool {
			var re *bot.RetryError
			var ae *bot.AssistedError
			return err != nil && !bot.IsPermanent(err) && !errors.As(err, &re) && !errors.As(err, &ae)
		}},
		{"primary", func() { f.RateLimit("comment", githubfake.Primary) }, id("octo/app", open), func(err error) bool {
			var re *bot.RetryError
			return errors.As(err, &re) && re.After > 0 && re.After <= 91*time.Second
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl, _ := NewClient(ClientOptions{Token: githubfake.Token, APIURL: f.URL()})
			r := NewReplier(cl) // go-github remembers limits: one client per case
			tc.setup()
			_, err := r.Reply(context.Background(), tc.to, "hello")
			if !tc.check(err) {
				t.Fatalf("err = %#v (%v)", err, err)
			}
			if strings.Contains(fmt.Sprint(err), githubfake.Token) {
				t.Fatal("token in error")
			}
		})
	}
}

func assisted(reason string) func(error) bool {
	return func(err error) bool {
		var ae *bot.AssistedError
		return errors.As(err, &ae) && strings.Contains(ae.Reason, reason)
	}
}

func retry(after time.Duration) func(error) bool {
	return func(err error) bool {
		var re *bot.RetryError
		return errors.As(err, &re) && re.After == after
	}
}

func TestParseRef(t *testing.T) {
	for _, s := range []string{"o/r#1", "o/r#12/comment/34", "my-org/my.repo#5",
		"o/r/discussions/7", "o/r/discussions/7/comment/DC_kwDOABCD12", "o/r/discussions/7/comment/MDE3OkRpc2N1c3Npb25Db21tZW50ODk1OTg="} {
		r, err := ParseRef(s)
		if err != nil || r.String() != s {
			t.Errorf("ParseRef(%q) = %v, %v", s, r, err)
		}
	}
	for _, s := range []string{"", "o/r", "o#1", "o/r#x", "o/r#0", "o/r/x#1", "o/r#1/comment/", "o/r#1/comment/-3",
		"o/r/discussions/", "o/r/discussions/x", "o/r/discussions/07", "o/discussions/1", "o/r/discussions/7/comment/", "o/r/discussions/7/comment/a b"} {
		if _, err := ParseRef(s); err == nil {
			t.Errorf("ParseRef(%q) took it", s)
		}
	}
}

func FuzzParseRef(f *testing.F) {
	for _, s := range []string{"octo/app#12", "octo/app#12/comment/4000", "a/b#1/comment/x",
		"octo/app/discussions/3", "octo/app/discussions/3/comment/DC_kwDOfake1001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRef(s)
		if err != nil {
			return
		}
		back, err := ParseRef(r.String())
		if err != nil || back != r {
			t.Fatalf("%q → %+v → %q → %+v, %v", s, r, r.String(), back, err)
		}
	})
}
