package github_test

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/classify"
	"github.com/earshothq/earshot/internal/testkit/githubfake"
	"github.com/earshothq/earshot/trackers/github"
)

func newTracker(t *testing.T, fake *githubfake.Fake) *github.Tracker {
	t.Helper()
	tr, err := github.New(github.Options{Token: githubfake.Token, APIURL: strings.TrimSuffix(fake.URL(), "/")})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func report(caseID int64) bot.DefectReport {
	return bot.DefectReport{
		CaseID: caseID, Title: "Lumio app: crashes on the schedule screen",
		Text:     "@lumio the app crashes every time I open the schedule screen #fail",
		URL:      "https://bsky.app/profile/maya.bsky.social/post/3kq2",
		Platform: "bluesky", Author: "maya.bsky.social", Followers: 1240,
		Details: classify.Details{Product: "Lumio app", Version: "4.2.1", OS: "iOS 17.4", Device: "iPhone 15 Pro"},
		CaseURL: "https://earshot.example/cases/" + strconv.FormatInt(caseID, 10),
	}
}

func TestFileFindAndPlusOne(t *testing.T) {
	fake := githubfake.New(t)
	tr := newTracker(t, fake)
	ctx := t.Context()
	start := time.Now()

	is, err := tr.File(ctx, "lumio/app", []string{"customer-reported"}, report(7))
	if err != nil {
		t.Fatal(err)
	}
	if is.Repo != "lumio/app" || is.Number != 1 || is.URL != githubfake.HTMLURL("lumio/app", 1) || is.Tracker != "github" {
		t.Fatalf("filed %+v", is)
	}
	stored := fake.Issues("lumio/app")[0]
	if stored.Title != "Lumio app: crashes on the schedule screen" || len(stored.Labels) != 1 || stored.Labels[0] != "customer-reported" {
		t.Fatalf("stored %+v", stored)
	}
	if !strings.Contains(stored.Body, github.Marker(7)) || !strings.Contains(stored.Body, "`@lumio`") {
		t.Fatalf("body lacks the marker or the neutralised mention:\n%s", stored.Body)
	}

	// An earlier attempt's issue is found by its marker, another case's is not.
	if got, ok, err := tr.Filed(ctx, "lumio/app", 7, start); err != nil || !ok || got.Number != 1 {
		t.Fatalf("Filed(7) = %+v %v %v", got, ok, err)
	}
	if _, ok, err := tr.Filed(ctx, "lumio/app", 8, start); err != nil || ok {
		t.Fatalf("Filed(8) = %v %v, want not found", ok, err)
	}

	// Search finds the open issue on its words, not a closed one, not another repo's.
	closed := fake.AddIssue("lumio/app", "Schedule screen crashes", "old report", "open")
	fake.Close("lumio/app", closed, "completed")
	fake.AddIssue("lumio/hub", "schedule crashes", "", "open")
	found, err := tr.Find(ctx, "lumio/app", []string{"crashes", "schedule", "screen"})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].Number != 1 {
		t.Fatalf("Find = %+v, want issue 1 only", found)
	}
	if got, err := tr.Find(ctx, "lumio/app", []string{"battery"}); err != nil || len(got) != 0 {
		t.Fatalf("Find(battery) = %+v %v", got, err)
	}
	if got, err := tr.Find(ctx, "lumio/app", nil); err != nil || got != nil || fake.Count("search") != 2 {
		t.Fatalf("Find(no terms) = %+v %v after %d searches; want no search", got, err, fake.Count("search"))
	}

	// +1: a comment with the link and reach, found again by its marker.
	r := report(9)
	r.Reports = 2
	url, err := tr.PlusOne(ctx, found[0], r)
	if err != nil || !strings.HasPrefix(url, githubfake.HTMLURL("lumio/app", 1)+"#issuecomment-") {
		t.Fatalf("PlusOne = %q %v", url, err)
	}
	c := fake.Issues("lumio/app")[0].Comments[0].Body
	for _, want := range []string{"+1 from another customer", "2 customer reports", "https://bsky.app/profile/maya.bsky.social/post/3kq2", "1.2k followers", github.Marker(9)} {
		if !strings.Contains(c, want) {
			t.Errorf("comment lacks %q:\n%s", want, c)
		}
	}
	if got, ok, err := tr.Commented(ctx, found[0], 9, start); err != nil || !ok || got != url {
		t.Fatalf("Commented(9) = %q %v %v", got, ok, err)
	}
	if _, ok, _ := tr.Commented(ctx, found[0], 10, start); ok {
		t.Fatal("Commented(10) found another case's comment")
	}
	if got, open, err := tr.Issue(ctx, "lumio/app", closed); err != nil || open || got.Number != closed {
		t.Fatalf("Issue(%d) = %+v open %v %v", closed, got, open, err)
	}
}

// Terms cannot add qualifiers, and the query stays within 256 characters.
func TestFindQuery(t *testing.T) {
	fake := githubfake.New(t)
	tr := newTracker(t, fake)
	long := make([]string, 60)
	for i := range long {
		long[i] = "word" + strconv.Itoa(i)
	}
	terms := append([]string{"repo:evil/x", "is:closed", "OR", `"crash"`}, long...)
	if _, err := tr.Find(t.Context(), "lumio/app", terms); err != nil {
		t.Fatal(err)
	}
	reqs := fake.Requests()
	q := reqs[len(reqs)-1]
	if strings.Contains(q, "evil%2Fx") || strings.Contains(q, "repo%3Aevil") || strings.Contains(q, "is%3Aclosed") || strings.Contains(q, "+OR+") {
		t.Fatalf("a term became a qualifier: %s", q)
	}
	if !strings.Contains(q, "repoevilx") || !strings.Contains(q, "crash") {
		t.Fatalf("terms lost: %s", q)
	}
	if _, err := tr.Find(t.Context(), "not-a-repo", []string{"x"}); !bot.IsPermanent(err) {
		t.Fatalf("bad repo: %v, want permanent", err)
	}
}

func TestRateLimitsAndErrors(t *testing.T) {
	cases := []struct {
		name      string
		set       func(f *githubfake.Fake)
		retry     bool
		min, max  time.Duration
		permanent bool
	}{
		{"primary 403 waits for the reset", func(f *githubfake.Fake) { f.RateLimit("create", githubfake.Primary) }, true, 60 * time.Second, 91 * time.Second, false},
		{"secondary 403 waits retry-after", func(f *githubfake.Fake) { f.RateLimit("create", githubfake.Secondary) }, true, 42 * time.Second, 42 * time.Second, false},
		{"429 waits retry-after", func(f *githubfake.Fake) { f.RateLimit("create", githubfake.TooMany) }, true, 17 * time.Second, 17 * time.Second, false},
		{"404 is permanent", func(f *githubfake.Fake) { f.Fail("create", http.StatusNotFound) }, false, 0, 0, true},
		{"422 is permanent", func(f *githubfake.Fake) { f.Fail("create", http.StatusUnprocessableEntity) }, false, 0, 0, true},
		{"502 is retried with back-off", func(f *githubfake.Fake) { f.Fail("create", http.StatusBadGateway) }, false, 0, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake := githubfake.New(t)
			tr := newTracker(t, fake)
			c.set(fake)
			_, err := tr.File(t.Context(), "lumio/app", nil, report(1))
			if err == nil {
				t.Fatal("want an error")
			}
			var re *bot.RetryError
			if got := errors.As(err, &re); got != c.retry {
				t.Fatalf("RetryError %v, want %v: %v", got, c.retry, err)
			}
			if c.retry && (re.After < c.min || re.After > c.max) {
				t.Fatalf("wait %s, want %s..%s", re.After, c.min, c.max)
			}
			if bot.IsPermanent(err) != c.permanent {
				t.Fatalf("permanent %v, want %v: %v", bot.IsPermanent(err), c.permanent, err)
			}
			if strings.Contains(err.Error(), githubfake.Token) {
				t.Fatal("the token is in the error")
			}
			if len(fake.Issues("lumio/app")) != 0 {
				t.Fatal("a refused request opened an issue")
			}
		})
	}
}

func TestNew(t *testing.T) {
	for _, o := range []github.Options{{}, {Token: "t", APIURL: "ftp://x"}, {Token: "t", APIURL: "https://u:p@x/"}} {
		if _, err := github.New(o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
	}
	if tr, err := github.New(github.Options{Token: "t"}); err != nil || tr.Name() != "github" {
		t.Fatalf("default API: %v", err)
	}
}
