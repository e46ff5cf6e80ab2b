package meta_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/metafake"
	"github.com/earshothq/earshot/sources/meta"
	"github.com/earshothq/earshot/sources/poll"
)

func newGraph(t *testing.T) (*metafake.Fake, *meta.Graph) {
	t.Helper()
	fake := metafake.New()
	t.Cleanup(fake.Close)
	fake.AddPage(pageID, pageToken)
	fake.AddAccount(igID, "acme", pageID)
	g, err := meta.NewGraph(fake.URL, "", appSecret, fake.Client(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return fake, g
}

func ids(ms []bot.Mention) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.ExternalID)
	}
	return out
}

func TestPagePollerResumes(t *testing.T) {
	fake, g := newGraph(t)
	fake.PageSize = 2 // paging on every edge
	now := t0
	opts := meta.PollOptions{Now: func() time.Time { return now }}
	ours := fake.AddPost(pageID, pageID, "Acme", "Our new kettle", t0.Add(-time.Hour))
	old := fake.AddComment(ours, "9", "Ann", "old comment", t0.Add(-time.Hour)) // before the look-back
	c1 := fake.AddComment(ours, "9", "Ann", "mine leaks", t0.Add(-5*time.Minute))
	c2 := fake.AddComment(ours, "10", "Bob", "same here", t0.Add(-5*time.Minute)) // same second
	c3 := fake.AddComment(c1, "11", "Cy", "and mine", t0.Add(-4*time.Minute))
	visitor := fake.AddPost(pageID, "12", "Dee", "Help please", t0.Add(-3*time.Minute))
	c4 := fake.AddComment(ours, "13", "Eve", "and again", t0.Add(-2*time.Minute))

	p := meta.NewPagePoller(g, meta.Page{ID: pageID, Token: pageToken}, opts)
	if p.Name() != "meta:page:"+pageID || p.Platform() != "facebook" {
		t.Fatalf("name %q platform %q", p.Name(), p.Platform())
	}
	b, err := p.Poll(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{c1, c2, c3, visitor, c4}
	if strings.Join(ids(b.Mentions), " ") != strings.Join(want, " ") {
		t.Fatalf("first poll = %v, want %v (not %s)", ids(b.Mentions), want, old)
	}
	for _, m := range b.Mentions {
		if m.ExternalID == c3 && m.InReplyTo != c1 {
			t.Errorf("reply %s answers %q, want %s", c3, m.InReplyTo, c1)
		}
		if m.ExternalID == c1 && m.InReplyTo != ours {
			t.Errorf("comment %s answers %q, want the post %s", c1, m.InReplyTo, ours)
		}
	}

	// New activity, some at the cursor's very second.
	c5 := fake.AddComment(ours, "14", "Fay", "me too", t0.Add(-2*time.Minute))
	c6 := fake.AddComment(visitor, pageID, "Acme", "we will DM you", t0.Add(-time.Minute))
	c7 := fake.AddComment(c6, "12", "Dee", "thanks", t0)
	// A new poller (a restart) continues from the saved cursor.
	p2 := meta.NewPagePoller(g, meta.Page{ID: pageID, Token: pageToken}, meta.PollOptions{
		Now: func() time.Time { return now }, Threads: threads{visitor, c6},
	})
	b2, err := p2.Poll(context.Background(), b.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	got := ids(b2.Mentions)
	if strings.Join(got, " ") != strings.Join([]string{c5, c6, c7}, " ") {
		t.Fatalf("second poll = %v, want %v", got, []string{c5, c6, c7})
	}
	if !b2.Mentions[1].Ours {
		t.Error("the page's comment is not Ours")
	}
	b3, err := p2.Poll(context.Background(), b2.Cursor)
	if err != nil || len(b3.Mentions) != 0 {
		t.Fatalf("third poll = %v, %v; want nothing new", ids(b3.Mentions), err)
	}
	for _, r := range fake.Requests() {
		if strings.Contains(r, "access_token") {
			t.Errorf("request %s carries a token in its URL", r)
		}
	}
}

func TestPagePollerHearsAndRateLimits(t *testing.T) {
	fake, g := newGraph(t)
	post := fake.AddPost(pageID, pageID, "Acme", "news", t0.Add(-time.Hour))
	heard := fake.AddComment(post, "9", "Ann", "acme broke", t0.Add(-time.Minute))
	fake.AddComment(post, "10", "Bob", "lol", t0.Add(-time.Minute))
	p := meta.NewPagePoller(g, meta.Page{ID: pageID, Token: pageToken}, meta.PollOptions{
		Now:   func() time.Time { return t0 },
		Hears: func(m bot.Mention) bool { return strings.Contains(m.Text, "acme") },
	})
	fake.SetHeader("X-App-Usage", `{"call_count":95,"total_time":20,"total_cputime":10}`)
	b, err := p.Poll(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(b.Mentions); len(got) != 1 || got[0] != heard {
		t.Errorf("mentions %v, want only %s", got, heard)
	}
	if b.Wait != 5*time.Minute {
		t.Errorf("Wait = %s at 95%% usage, want 5m", b.Wait)
	}

	fake.SetHeader("X-Business-Use-Case-Usage", `{"123":[{"type":"pages","call_count":100,"total_cputime":40,"total_time":30,"estimated_time_to_regain_access":7}]}`)
	fake.FailNext("/feed", metafake.Fail{Code: 32, Message: "Page request limit reached"})
	_, err = p.Poll(context.Background(), b.Cursor)
	after, ok := poll.RetryAfter(err)
	if !ok || after != 7*time.Minute {
		t.Errorf("code 32 gave %v (after %s), want a rate limit of 7m", err, after)
	}
	fake.FailNext("/feed", metafake.Fail{Code: 190, Message: "Error validating access token"})
	_, err = p.Poll(context.Background(), b.Cursor)
	if _, ok := poll.RetryAfter(err); ok || err == nil || strings.Contains(err.Error(), pageToken) {
		t.Errorf("code 190 gave %v", err)
	}
	if _, err := p.Poll(context.Background(), "garbage"); err == nil || !strings.Contains(err.Error(), `"garbage"`) {
		t.Errorf("bad cursor gave %v", err)
	}
}

func TestIGPoller(t *testing.T) {
	fake, g := newGraph(t)
	fake.PageSize = 2
	media := fake.AddMedia(igID, "acme", "new kettle", t0.Add(-time.Hour))
	c1 := fake.AddIGComment(media, "", "555", "ann", "broken", t0.Add(-3*time.Minute))
	c2 := fake.AddIGComment(media, c1, "", "acme", "sorry, DM us", t0.Add(-2*time.Minute))
	c3 := fake.AddIGComment(media, "", "556", "bob", "me too", t0.Add(-2*time.Minute))
	c4 := fake.AddIGComment(media, "", "557", "cy", "and me", t0.Add(-time.Minute))
	tagged := fake.AddMedia("999", "dee", "my @acme kettle melted", t0.Add(-90*time.Second), igID)
	p := meta.NewIGPoller(g, meta.Account{ID: igID, PageID: pageID}, pageToken, meta.PollOptions{
		Now: func() time.Time { return t0 }, Threads: threads{c1},
	})
	b, err := p.Poll(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{c1, c2, c3, tagged, c4}
	if strings.Join(ids(b.Mentions), " ") != strings.Join(want, " ") {
		t.Fatalf("poll = %v, want %v", ids(b.Mentions), want)
	}
	if m := b.Mentions[1]; !m.Ours || m.InReplyTo != c1 {
		t.Errorf("our reply = %+v, want Ours answering %s", m, c1)
	}
	if m := b.Mentions[0]; m.InReplyTo != media || !strings.Contains(m.URL, media) {
		t.Errorf("comment = %+v", m)
	}
	c5 := fake.AddIGComment(media, "", "558", "eve", "hello", t0)
	b2, err := meta.NewIGPoller(g, meta.Account{ID: igID, PageID: pageID}, pageToken, meta.PollOptions{Now: func() time.Time { return t0 }}).
		Poll(context.Background(), b.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(b2.Mentions); len(got) != 1 || got[0] != c5 {
		t.Errorf("resumed poll = %v, want [%s]", got, c5)
	}
}
