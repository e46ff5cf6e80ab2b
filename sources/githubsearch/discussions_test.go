package githubsearch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/githubfake"
	"github.com/earshothq/earshot/sources/poll"
)

func newDiscussionSearch(t *testing.T, cl *Client, query string, deny ...string) *DiscussionSearch {
	t.Helper()
	s, err := NewDiscussionSearch(SearchOptions{Client: cl, Query: query, Deny: DenyList(deny)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func discussionID(repo string, n int) string { return fmt.Sprintf("%s/discussions/%d", repo, n) }

func TestDiscussionSearchFindsAndResumes(t *testing.T) {
	f, c, cl := setup(t)
	now := c.t
	f.AddDiscussion(githubfake.DiscussionPost{Repo: "old/repo", Author: "x", Title: "acme last month", CreatedAt: now.Add(-30 * 24 * time.Hour)})
	n1 := f.AddDiscussion(githubfake.DiscussionPost{Repo: "octo/app", Author: "alice", Title: "Acme SDK logs me out", Body: "since 2.1\r\nevery hour", CreatedAt: now.Add(-5 * time.Minute)})
	f.AddDiscussion(githubfake.DiscussionPost{Repo: "Spam/One", Author: "carol", Title: "acme acme", CreatedAt: now.Add(-4 * time.Minute)})
	ours := f.AddDiscussion(githubfake.DiscussionPost{Repo: "octo/app", Author: githubfake.Login, Title: "acme 2.2 is out", CreatedAt: now.Add(-3 * time.Minute)})
	f.AddDiscussion(githubfake.DiscussionPost{Repo: "octo/app", Author: "dan", Title: "unrelated", CreatedAt: now.Add(-2 * time.Minute)})
	s := newDiscussionSearch(t, cl, "acme", "spam/*")

	got, cur := drain(t, s, "")
	if ids := extIDs(got); strings.Join(ids, " ") != discussionID("octo/app", n1)+" "+discussionID("octo/app", ours) {
		t.Fatalf("found %v", ids)
	}
	m := got[0]
	if m.Platform != "github" || m.URL != githubfake.DiscussionURL("octo/app", n1) || m.Author.Handle != "alice" || m.Author.Name != "Alice" ||
		m.Author.ID == "" || m.Text != "Acme SDK logs me out\n\nsince 2.1\nevery hour" || !m.CreatedAt.Equal(now.Add(-5*time.Minute)) || m.Ours {
		t.Fatalf("mention %+v", m)
	}
	if !got[1].Ours {
		t.Error("our own discussion is not Ours")
	}
	q := f.Queries()[0]
	for _, want := range []string{"search(query: $query, type: DISCUSSION", "... on Discussion"} {
		if !strings.Contains(q, want) {
			t.Errorf("query lacks %q: %s", want, q)
		}
	}

	// A restart resumes from the saved cursor: only the new one comes.
	c.t = c.t.Add(2 * time.Minute)
	n3 := f.AddDiscussion(githubfake.DiscussionPost{Repo: "octo/app", Author: "erin", Title: "acme on linux?", CreatedAt: c.t.Add(-30 * time.Second)})
	got, _ = drain(t, newDiscussionSearch(t, cl, "acme", "spam/*"), cur)
	if ids := extIDs(got); len(ids) != 1 || ids[0] != discussionID("octo/app", n3) {
		t.Fatalf("after resume %v", ids)
	}
}

// A window with more than a page is read page by page with GraphQL's
// cursor, every discussion once, and the window moves on only at its end.
func TestDiscussionSearchPagesAWindow(t *testing.T) {
	f, c, cl := setup(t)
	for i := range 130 {
		f.AddDiscussion(githubfake.DiscussionPost{Repo: "octo/app", Author: "u", Title: fmt.Sprintf("acme question %d", i), CreatedAt: c.t.Add(-9*time.Minute + time.Duration(i)*time.Second)})
	}
	s := newDiscussionSearch(t, cl, "acme")
	b, err := s.Poll(context.Background(), "")
	if err != nil || !b.More || len(b.Mentions) != discussionsPerPage {
		t.Fatalf("first page: %d more=%v %v", len(b.Mentions), b.More, err)
	}
	got, _ := drain(t, s, b.Cursor)
	got = append(b.Mentions, got...)
	seen := map[string]bool{}
	for _, m := range got {
		if seen[m.ExternalID] {
			t.Fatalf("%s twice", m.ExternalID)
		}
		seen[m.ExternalID] = true
	}
	if len(seen) != 130 {
		t.Fatalf("%d discussions, want 130", len(seen))
	}
}

func TestDiscussionSearchLimitsAndBadAnswers(t *testing.T) {
	f, c, cl := setup(t)
	f.AddDiscussion(githubfake.DiscussionPost{Repo: "octo/app", Author: "a", Title: "acme", CreatedAt: c.t.Add(-time.Minute)})
	s := newDiscussionSearch(t, cl, "acme")
	if _, err := cl.Login(context.Background()); err != nil { // REST, counted apart
		t.Fatal(err)
	}

	f.RateLimit("graphql", githubfake.Secondary)
	_, err := s.Poll(context.Background(), "")
	if d, ok := poll.RetryAfter(err); !ok || d != 42*time.Second {
		t.Fatalf("secondary: %v (%v)", d, err)
	}
	f.RateLimit("graphql", githubfake.TooMany)
	_, err = s.Poll(context.Background(), "")
	if d, ok := poll.RetryAfter(err); !ok || d != 17*time.Second {
		t.Fatalf("429: %v (%v)", d, err)
	}
	// GitHub's primary GraphQL limit is a 200 with RATE_LIMITED: wait for the reset.
	reset := c.t.Add(10 * time.Minute).Truncate(time.Second)
	f.GraphQLBudget(0, reset)
	_, err = s.Poll(context.Background(), "")
	if d, ok := poll.RetryAfter(err); !ok || d != reset.Sub(c.t) {
		t.Fatalf("primary: %v (%v)", d, err)
	}
	// The last point spent: the batch comes, and the feed waits for the reset.
	f.GraphQLBudget(1, reset)
	b, err := s.Poll(context.Background(), "")
	if err != nil || len(b.Mentions) != 1 || b.Wait != reset.Sub(c.t) {
		t.Fatalf("last point: %d mentions, wait %v, %v", len(b.Mentions), b.Wait, err)
	}
	f.GraphQLBudget(-1, reset)

	for _, body := range []string{`{"data": {"search": 5}}`, `not json`, `{"data": {"search": {"nodes": [{"id": "D_1", "number": 1, "createdAt": "2026-11-20T10:00:00Z", "repository": {"nameWithOwner": "no-slash"}}]}}}`} {
		f.Malformed("graphql", body)
		if _, err := s.Poll(context.Background(), ""); err == nil {
			t.Errorf("took %s", body)
		}
	}
	if _, err := s.Poll(context.Background(), `{"since": 5}`); err == nil || !strings.Contains(err.Error(), "cursor") {
		t.Errorf("bad cursor: %v", err)
	}
	if strings.Contains(fmt.Sprint(err), githubfake.Token) {
		t.Error("token in an error")
	}
}

func TestSearchesDiscussions(t *testing.T) {
	for q, want := range map[string]bool{
		"acme": true, `"acme sdk" in:title`: true, "acme is:issue": false, "acme is:pr": false, "acme type:pr": false, "acme IS:ISSUE": false,
	} {
		if got := SearchesDiscussions(q); got != want {
			t.Errorf("SearchesDiscussions(%q) = %v", q, got)
		}
	}
	if _, err := NewDiscussionSearch(SearchOptions{Client: &Client{}, Query: "acme is:pr"}); err == nil {
		t.Error("a pull-request query became a discussion feed")
	}
}

func TestThreadsFollowTrackedDiscussions(t *testing.T) {
	f, c, cl := setup(t)
	n := f.AddDiscussion(githubfake.DiscussionPost{Repo: "octo/app", Author: "alice", Title: "acme?", CreatedAt: c.t.Add(-time.Hour)})
	old := f.AddDiscussionComment("octo/app", n, "", "bob", "old", c.t.Add(-50*time.Minute))
	l := &lister{discussionID("octo/app", n), discussionID("octo/app", 404), "octo/app#77"}
	th, err := NewThreads(ThreadOptions{Client: cl, Threads: l})
	if err != nil {
		t.Fatal(err)
	}
	b, err := th.Poll(context.Background(), "")
	if err != nil || len(b.Mentions) != 0 {
		t.Fatalf("first poll: %v %v", extIDs(b.Mentions), err)
	}
	c.t = c.t.Add(time.Minute)
	top := f.AddDiscussionComment("octo/app", n, "", "alice", "still broken", c.t.Add(-20*time.Second))
	reply := f.AddDiscussionComment("octo/app", n, old, "alice", "me too", c.t.Add(-10*time.Second))
	mine := f.AddDiscussionComment("octo/app", n, top, githubfake.Login, "we are on it", c.t.Add(-5*time.Second))
	b, err = th.Poll(context.Background(), b.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		discussionID("octo/app", n) + "/comment/" + top:   discussionID("octo/app", n),
		discussionID("octo/app", n) + "/comment/" + reply: discussionID("octo/app", n) + "/comment/" + old,
		discussionID("octo/app", n) + "/comment/" + mine:  discussionID("octo/app", n) + "/comment/" + top,
	}
	if len(b.Mentions) != len(want) {
		t.Fatalf("got %v", extIDs(b.Mentions))
	}
	for _, m := range b.Mentions {
		if want[m.ExternalID] != m.InReplyTo {
			t.Errorf("%s answers %q, want %q", m.ExternalID, m.InReplyTo, want[m.ExternalID])
		}
		if m.Ours != strings.HasSuffix(m.ExternalID, mine) {
			t.Errorf("%s Ours=%v", m.ExternalID, m.Ours)
		}
		if _, err := ParseRef(m.ExternalID); err != nil {
			t.Error(err)
		}
	}
	c.t = c.t.Add(time.Minute)
	if b, err = th.Poll(context.Background(), b.Cursor); err != nil || len(b.Mentions) != 0 {
		t.Fatalf("repeat: %v %v", extIDs(b.Mentions), err)
	}
}

func TestDiscussionReply(t *testing.T) {
	f, _, cl := setup(t)
	r := NewReplier(cl)
	n := f.AddDiscussion(githubfake.DiscussionPost{Repo: "octo/app", Author: "alice", Title: "acme logs me out"})
	top := f.AddDiscussionComment("octo/app", n, "", "bob", "same", time.Now())
	nested := f.AddDiscussionComment("octo/app", n, top, "carol", "me too", time.Now())
	ctx := bot.WithReplyMeta(context.Background(), bot.ReplyMeta{IdempotencyKey: "earshot-action-9"})
	disc := bot.Mention{Platform: "github", ExternalID: discussionID("octo/app", n)}

	if _, found, err := r.FindReply(ctx, disc, "Sorry!"); err != nil || found {
		t.Fatalf("before: found=%v err=%v", found, err)
	}
	ref, err := r.Reply(ctx, disc, "Sorry! Fixed in 2.3.")
	if err != nil {
		t.Fatal(err)
	}
	cms := f.DiscussionComments("octo/app", n)
	last := cms[len(cms)-1]
	if last.ParentOf() != "" || last.Author != githubfake.Login || last.Body != "Sorry! Fixed in 2.3.\n\n<!-- earshot:earshot-action-9 -->" {
		t.Fatalf("comment %+v", last)
	}
	if ref.ExternalID != discussionID("octo/app", n)+"/comment/"+last.NodeID || !strings.Contains(ref.URL, "#discussioncomment-") {
		t.Fatalf("ref %+v", ref)
	}
	if found, ok, err := r.FindReply(ctx, disc, "Sorry! Fixed in 2.3."); err != nil || !ok || found != ref {
		t.Fatalf("FindReply = %+v %v %v, want %+v", found, ok, err, ref)
	}

	// A reply to a comment goes under it; a reply to a reply under its comment.
	for _, to := range []string{top, nested} {
		m := bot.Mention{Platform: "github", ExternalID: discussionID("octo/app", n) + "/comment/" + to}
		if _, err := r.Reply(context.Background(), m, "Thanks, looking"); err != nil {
			t.Fatal(err)
		}
		cms := f.DiscussionComments("octo/app", n)
		var mine []githubfake.DiscussionComment
		for _, c := range cms {
			if c.Author == githubfake.Login && c.Body == "Thanks, looking" {
				mine = append(mine, c)
			}
		}
		if len(mine) == 0 || mine[len(mine)-1].ParentOf() != top {
			t.Fatalf("reply to %s: %+v", to, mine)
		}
	}
}

func TestDiscussionReplyRefusals(t *testing.T) {
	f, _, _ := setup(t)
	locked := f.AddDiscussion(githubfake.DiscussionPost{Repo: "octo/app", Author: "a", Title: "t"})
	f.LockDiscussion("octo/app", locked)
	arch := f.AddDiscussion(githubfake.DiscussionPost{Repo: "old/thing", Author: "a", Title: "t"})
	f.Archive("old/thing")
	open := f.AddDiscussion(githubfake.DiscussionPost{Repo: "octo/app", Author: "a", Title: "t2"})
	id := func(repo string, n int) bot.Mention { return bot.Mention{ExternalID: discussionID(repo, n)} }

	for _, tc := range []struct {
		name  string
		setup func()
		to    bot.Mention
		check func(error) bool
	}{
		{"locked", func() {}, id("octo/app", locked), assisted("locked")},
		{"archived", func() {}, id("old/thing", arch), assisted("archived")},
		{"gone", func() {}, id("octo/app", 999), assisted("gone")},
		{"gone comment", func() {}, bot.Mention{ExternalID: discussionID("octo/app", open) + "/comment/DC_nosuch"}, assisted("gone")},
		{"secondary", func() { f.RateLimit("graphql", githubfake.Secondary) }, id("octo/app", open), retry(42 * time.Second)},
		{"429", func() { f.RateLimit("graphql", githubfake.TooMany) }, id("octo/app", open), retry(17 * time.Second)},
		{"server error", func() { f.Fail("graphql", http.StatusBadGateway) }, id("octo/app", open), func(err error) bool {
			var re *bot.RetryError
			var ae *bot.AssistedError
			return err != nil && !bot.IsPermanent(err) && !errors.As(err, &re) && !errors.As(err, &ae)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl, _ := NewClient(ClientOptions{Token: githubfake.Token, APIURL: f.URL()})
			tc.setup()
			_, err := NewReplier(cl).Reply(context.Background(), tc.to, "hello")
			if !tc.check(err) {
				t.Fatalf("err = %#v (%v)", err, err)
			}
			if strings.Contains(fmt.Sprint(err), githubfake.Token) {
				t.Fatal("token in error")
			}
		})
	}
	if n := len(f.DiscussionComments("octo/app", locked)) + len(f.DiscussionComments("old/thing", arch)); n != 0 {
		t.Fatalf("%d comments on a locked or archived discussion", n)
	}
}

// A comment posted whose answer was lost is found by its marker, not posted again.
func TestDiscussionReplyLostAnswer(t *testing.T) {
	f, _, cl := setup(t)
	r := NewReplier(cl)
	n := f.AddDiscussion(githubfake.DiscussionPost{Repo: "octo/app", Author: "a", Title: "acme"})
	to := bot.Mention{ExternalID: discussionID("octo/app", n)}
	ctx := bot.WithReplyMeta(context.Background(), bot.ReplyMeta{IdempotencyKey: "k-1"})
	// The mutation is applied and its answer lost.
	f.FailAfter("graphql_mutation", http.StatusBadGateway)
	if _, err := r.Reply(ctx, to, "hello"); err == nil {
		t.Fatal("a lost answer was taken as success")
	}
	ref, ok, err := r.FindReply(ctx, to, "hello")
	if err != nil || !ok || !strings.HasPrefix(ref.ExternalID, discussionID("octo/app", n)+"/comment/") {
		t.Fatalf("FindReply = %+v %v %v", ref, ok, err)
	}
	if k := len(f.DiscussionComments("octo/app", n)); k != 1 {
		t.Fatalf("%d comments", k)
	}
}
