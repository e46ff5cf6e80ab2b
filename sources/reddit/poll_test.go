package reddit_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/redditfake"
	"github.com/earshothq/earshot/sources/poll"
	"github.com/earshothq/earshot/sources/reddit"
)

const ua = "linux:com.example.earshot:v1.0 (by /u/acme_care)"

type threads struct {
	mu  sync.Mutex
	ids []string
}

func (t *threads) ThreadPosts(context.Context, string) ([]string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.ids), nil
}

func (t *threads) set(ids ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ids = ids
}

func options(f *redditfake.Fake) reddit.Options {
	return reddit.Options{
		Credentials: reddit.Credentials{ClientID: redditfake.ClientID, Secret: redditfake.Secret},
		UserAgent:   ua, APIURL: f.URL(), AuthURL: f.URL(), Now: f.Now,
	}
}

func build(t *testing.T, o reddit.Options) *reddit.Reddit {
	t.Helper()
	r, err := reddit.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func poller(t *testing.T, r *reddit.Reddit, name string) poll.Poller {
	t.Helper()
	for _, p := range r.Pollers() {
		if p.Name() == name {
			return p
		}
	}
	t.Fatalf("no poller %q", name)
	return nil
}

func ids(ms []bot.Mention) []string {
	var out []string
	for _, m := range ms {
		id := m.ExternalID
		if m.Deleted {
			id = "deleted:" + id
		}
		out = append(out, id)
	}
	return out
}

func TestSearchResumesWithoutMissingOrRepeating(t *testing.T) {
	ctx := context.Background()
	f := redditfake.New(t)
	o := options(f)
	o.Queries = []string{"acme"}
	o.Deny = []string{"r/spammy"}
	old := f.Post("sysadmin", "ann", "acme was down last week", "")
	f.Advance(time.Hour)
	a := f.Post("sysadmin", "bob", "Acme outage? R&D says <soon>", "anyone?")
	f.Post("spammy", "bot", "buy acme followers", "")
	f.Post("cats", "cy", "a cat", "no brand here")
	p := poller(t, build(t, o), "reddit:search:acme")

	b, err := p.Poll(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(b.Mentions); !slices.Equal(got, []string{a.Fullname()}) {
		t.Fatalf("first poll %v (the week-old %s is before the look-back, spammy is denied)", got, old.Fullname())
	}
	if b.Mentions[0].Text != "Acme outage? R&D says <soon>\n\nanyone?" {
		t.Errorf("text %q", b.Mentions[0].Text)
	}
	if b.Cursor == "" || b.More {
		t.Fatalf("batch %+v", b)
	}
	// More than a page arrives; a new poller (a restart) resumes from the
	// saved cursor.
	var want []string
	for range 230 {
		want = append(want, f.Post("sysadmin", "dee", "acme again", "").Fullname())
	}
	p2 := poller(t, build(t, o), "reddit:search:acme")
	b2, err := p2.Poll(ctx, b.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(b2.Mentions); !slices.Equal(got, want) {
		t.Fatalf("resumed poll: %d mentions, want %d oldest first", len(got), len(want))
	}
	b3, err := p2.Poll(ctx, b2.Cursor)
	if err != nil || len(b3.Mentions) != 0 {
		t.Fatalf("third poll repeats: %v %v", ids(b3.Mentions), err)
	}
	// Search indexes late: a post created before the newest one handed on
	// but listed only now is still found (within the look-back).
	late := f.PostAt("sysadmin", "eve", "acme late", f.Now().Add(-5*time.Minute))
	b4, err := p2.Poll(ctx, b3.Cursor)
	if err != nil || !slices.Equal(ids(b4.Mentions), []string{late.Fullname()}) {
		t.Fatalf("late post: %v %v", ids(b4.Mentions), err)
	}
	for _, r := range f.Requests() {
		if r.UA != ua {
			t.Fatalf("%s %s with User-Agent %q", r.Method, r.Path, r.UA)
		}
		if r.Path == "/search" && (r.Query["raw_json"][0] != "1" || r.Query["sort"][0] != "new" || r.Query["type"][0] != "link") {
			t.Fatalf("search query %v", r.Query)
		}
	}
	if f.Grants() != 2 { // one per Reddit built; cached across polls
		t.Errorf("%d tokens granted, want 2", f.Grants())
	}
}

func TestSubredditFeedsThroughHears(t *testing.T) {
	ctx := context.Background()
	f := redditfake.New(t)
	tr := &threads{}
	o := options(f)
	o.Subreddits = []string{"AcmeUsers"}
	o.Username = redditfake.Username
	o.Threads = tr
	o.Hears = func(m bot.Mention) bool { return strings.Contains(strings.ToLower(m.Text), "acme") }
	r := build(t, o)
	posts, comments := poller(t, r, "reddit:new:AcmeUsers"), poller(t, r, "reddit:comments:AcmeUsers")
	pb, _ := posts.Poll(ctx, "")
	cb, _ := comments.Poll(ctx, "")

	heard := f.Post("AcmeUsers", "ann", "my acme hub broke", "")
	lunch := f.Post("AcmeUsers", "bob", "lunch?", "")
	ours := f.Comment(heard.Fullname(), redditfake.Username, "Sorry! DM us?")
	answer := f.Comment(ours.Fullname(), "ann", "done")    // mentions nothing, follows our reply
	f.Comment(lunch.Fullname(), "cy", "pizza")             // neither heard nor followed
	tracked := f.Comment(heard.Fullname(), "ann", "still") // then deleted
	tr.set(heard.Fullname(), ours.Fullname(), tracked.Fullname())
	f.Delete(tracked.Fullname(), true)

	pb, err := posts.Poll(ctx, pb.Cursor)
	if err != nil || !slices.Equal(ids(pb.Mentions), []string{heard.Fullname()}) {
		t.Fatalf("posts %v %v", ids(pb.Mentions), err)
	}
	cb, err = comments.Poll(ctx, cb.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{ours.Fullname(), answer.Fullname(), "deleted:" + tracked.Fullname()}
	if got := ids(cb.Mentions); !slices.Equal(got, want) {
		t.Fatalf("comments %v, want %v", got, want)
	}
	if !cb.Mentions[0].Ours || cb.Mentions[1].Ours || cb.Mentions[1].InReplyTo != ours.Fullname() {
		t.Errorf("ours/in reply to: %+v", cb.Mentions[:2])
	}
}

func TestBudgetSharedByPollers(t *testing.T) {
	ctx := context.Background()
	f := redditfake.New(t)
	o := options(f)
	o.Queries = []string{"acme", "widget"}
	r := build(t, o)
	a, b := poller(t, r, "reddit:search:acme"), poller(t, r, "reddit:search:widget")
	f.SetBudget(reddit.DefaultReserve+1, 120)
	ba, err := a.Poll(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if ba.Wait != 120*time.Second {
		t.Fatalf("poller a: Wait %s once the budget is down to the reserve", ba.Wait)
	}
	before := len(f.Requests())
	bb, err := b.Poll(ctx, "")
	if err != nil || bb.Wait != 120*time.Second || bb.Cursor != "" {
		t.Fatalf("poller b: %+v %v", bb, err)
	}
	if len(f.Requests()) != before {
		t.Error("poller b spent a request a's response said was not there")
	}
	if used, rem, _ := r.Budget().State(); rem != reddit.DefaultReserve || used != 100-reddit.DefaultReserve {
		t.Errorf("budget used %v remaining %v", used, rem)
	}
}

func TestRateLimitedAndBadAnswers(t *testing.T) {
	ctx := context.Background()
	f := redditfake.New(t)
	o := options(f)
	o.Queries = []string{"acme"}
	p := poller(t, build(t, o), "reddit:search:acme")
	f.FailNext(http.StatusTooManyRequests)
	_, err := p.Poll(ctx, "")
	if after, ok := poll.RetryAfter(err); !ok || after != 300*time.Second {
		t.Fatalf("429: %v (after %s), want the reset's 300s", err, after)
	}
	f2 := redditfake.New(t)
	o2 := options(f2)
	o2.Queries = []string{"acme"}
	p2 := poller(t, build(t, o2), "reddit:search:acme")
	f2.MalformedNext(1)
	if _, err := p2.Poll(ctx, ""); err == nil || !strings.Contains(err.Error(), "reddit:search:acme") || !strings.Contains(err.Error(), "GET /search") {
		t.Fatalf("malformed: %v", err)
	}
	f2.FailNext(http.StatusInternalServerError)
	var he *reddit.HTTPError
	if _, err := p2.Poll(ctx, ""); !errors.As(err, &he) || he.Status != 500 {
		t.Fatalf("500: %v", err)
	}
	// A cursor no poller wrote restarts from now instead of stalling.
	if b, err := p2.Poll(ctx, "{not json"); err != nil || b.Cursor == "" {
		t.Fatalf("bad cursor: %+v %v", b, err)
	}
}

func TestSecretsNeverInErrors(t *testing.T) {
	ctx := context.Background()
	f := redditfake.New(t)
	o := options(f)
	o.Username, o.Password = redditfake.Username, "wrong-password-s3cr3t"
	o.Queries = []string{"acme"}
	var logs strings.Builder
	o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r := build(t, o)
	_, err := r.Replier().Reply(ctx, bot.Mention{ExternalID: f.Post("x", "a", "acme", "").Fullname()}, "hi")
	if err == nil || !bot.IsPermanent(err) || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("wrong password: %v", err)
	}
	o.Secret = "wrong-secret-s3cr3t"
	_, err2 := poller(t, build(t, o), "reddit:search:acme").Poll(ctx, "")
	if err2 == nil || !strings.Contains(err2.Error(), "401") {
		t.Fatalf("wrong secret: %v", err2)
	}
	for _, s := range []string{"wrong-password-s3cr3t", "wrong-secret-s3cr3t", redditfake.Secret, redditfake.AppToken, redditfake.UserToken} {
		for _, text := range []string{err.Error(), err2.Error(), logs.String()} {
			if strings.Contains(text, s) {
				t.Fatalf("%q leaks in %q", s, text)
			}
		}
	}
}

func TestInstalledAppReadsAndTokenRenewal(t *testing.T) {
	ctx := context.Background()
	f := redditfake.New(t)
	o := options(f)
	o.Secret = ""
	o.Queries = []string{"acme"}
	p := poller(t, build(t, o), "reddit:search:acme")
	f.SetTokenLifetime(60) // inside the renewal margin: every request renews
	for range 3 {
		if _, err := p.Poll(ctx, ""); err != nil {
			t.Fatal(err)
		}
	}
	if f.Grants() != 3 {
		t.Errorf("%d grants for 3 polls with tokens about to expire", f.Grants())
	}
	for _, r := range f.Requests() {
		if r.Path == "/api/v1/access_token" && r.Form["grant_type"][0] != "https://oauth.reddit.com/grants/installed_client" {
			t.Errorf("grant %v", r.Form["grant_type"])
		}
	}
}

func TestThreadsPollerTombstones(t *testing.T) {
	ctx := context.Background()
	f := redditfake.New(t)
	tr := &threads{}
	o := options(f)
	o.Threads = tr
	r := build(t, o)
	a, b := f.Post("x", "ann", "acme", "body"), f.Post("x", "bob", "acme", "body")
	c := f.Comment(a.Fullname(), "cy", "acme?")
	tr.set(a.Fullname(), b.Fullname(), c.Fullname(), "not-a-fullname")
	f.Delete(b.Fullname(), false)
	f.Delete(c.Fullname(), true)
	bt, err := poller(t, r, "reddit:threads").Poll(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	got := ids(bt.Mentions)
	slices.Sort(got)
	if want := []string{"deleted:" + c.Fullname(), "deleted:" + b.Fullname()}; !slices.Equal(got, want) {
		t.Fatalf("tombstones %v, want %v", got, want)
	}
}

func TestInboxFollowsAnswersToOurReplies(t *testing.T) {
	ctx := context.Background()
	f := redditfake.New(t)
	o := options(f)
	o.Username, o.Password = redditfake.Username, redditfake.Password
	r := build(t, o)
	inbox := poller(t, r, "reddit:inbox")
	b, err := inbox.Poll(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	post := f.Post("elsewhere", "ann", "acme broke", "")
	ref, err := r.Replier().Reply(ctx, bot.Mention{ExternalID: post.Fullname()}, "Sorry, ann!")
	if err != nil {
		t.Fatal(err)
	}
	ans := f.Comment(ref.ExternalID, "ann", "thanks, fixed")
	b, err = inbox.Poll(ctx, b.Cursor)
	if err != nil || !slices.Equal(ids(b.Mentions), []string{ans.Fullname()}) || b.Mentions[0].InReplyTo != ref.ExternalID {
		t.Fatalf("inbox %v %v", ids(b.Mentions), err)
	}
}
