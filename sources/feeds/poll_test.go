package feeds_test

import (
	"context"

	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/feedfake"
	"github.com/earshothq/earshot/sources/feeds"
	"github.com/earshothq/earshot/sources/poll"
)

var now = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func newPoller(t *testing.T, o feeds.Options) *feeds.Poller {
	t.Helper()
	if o.Now == nil {
		o.Now = func() time.Time { return now }
	}
	p, err := feeds.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustPoll(t *testing.T, p *feeds.Poller, cur string) poll.Batch {
	t.Helper()
	b, err := p.Poll(context.Background(), cur)
	if err != nil {
		t.Fatalf("poll %s: %v", p.Name(), err)
	}
	return b
}

func ids(ms []bot.Mention) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.ExternalID)
	}
	return out
}

func item(n int, age time.Duration) feedfake.Item {
	s := string(rune('a' + n))
	return feedfake.Item{
		ID: "post-" + s, Title: "Post " + s + " about <b>Lumio</b>", Link: "https://blog.example.com/" + s + "?utm_source=rss",
		Summary: "<p>Lumio hub &amp; friends, part " + s + "</p>", Author: "Ada", Published: now.Add(-age),
	}
}

func TestPollFirstWindowThenConditional(t *testing.T) {
	for _, kind := range []feedfake.Kind{feedfake.RSS, feedfake.Atom} {
		t.Run(map[feedfake.Kind]string{feedfake.RSS: "rss", feedfake.Atom: "atom"}[kind], func(t *testing.T) {
			fk := feedfake.New(t)
			// One item from 5 minutes ago, one from 3 days ago: a new feed
			// starts with the recent one only.
			fk.Set("/feed.xml", kind, "Blog", item(1, 5*time.Minute), item(0, 72*time.Hour))
			p := newPoller(t, feeds.Options{URL: fk.URL("/feed.xml")})
			b := mustPoll(t, p, "")
			if got := ids(b.Mentions); len(got) != 1 || got[0] != "https://blog.example.com/b" {
				t.Fatalf("first poll = %v, want the recent item only, tracking dropped", got)
			}
			m := b.Mentions[0]
			if m.Platform != "rss" || m.URL != "https://blog.example.com/b?utm_source=rss" || m.Author.Name != "Ada" || m.Author.Handle != "blog.example.com" {
				t.Errorf("mention = %+v", m)
			}
			if m.Text != "Post b about Lumio\n\nLumio hub & friends, part b" {
				t.Errorf("text = %q", m.Text)
			}
			if !m.CreatedAt.Equal(now.Add(-5 * time.Minute)) {
				t.Errorf("created = %s", m.CreatedAt)
			}

			// Unchanged: the validators come back and the server says 304.
			b2 := mustPoll(t, p, b.Cursor)
			if len(b2.Mentions) != 0 || b2.Cursor != "" {
				t.Fatalf("unchanged feed = %+v, want an empty batch keeping the cursor", b2)
			}
			reqs := fk.Requests()
			last := reqs[len(reqs)-1]
			if last.Status != http.StatusNotModified || last.Header.Get("If-None-Match") == "" || last.Header.Get("If-Modified-Since") == "" {
				t.Fatalf("second request = %+v, want a conditional GET answered 304", last)
			}
			if ua := last.Header.Get("User-Agent"); !strings.HasPrefix(ua, "earshot") {
				t.Errorf("User-Agent = %q", ua)
			}

			// A new post, read by a new poller resuming from the saved
			// cursor (a restart): only the new post.
			fk.Add("/feed.xml", item(2, time.Minute))
			p2 := newPoller(t, feeds.Options{URL: fk.URL("/feed.xml")})
			b3 := mustPoll(t, p2, b.Cursor)
			if got := ids(b3.Mentions); len(got) != 1 || got[0] != "https://blog.example.com/c" {
				t.Fatalf("after a new post = %v, want only it", got)
			}
			// The cursor was not saved (the scheduler failed to store):
			// the same poll again returns the same post, nothing lost.
			b3again := mustPoll(t, p2, b.Cursor)
			if got := ids(b3again.Mentions); len(got) != 1 || got[0] != "https://blog.example.com/c" {
				t.Fatalf("replayed poll = %v", got)
			}
			// Saved: nothing more.
			if b4 := mustPoll(t, p2, b3.Cursor); len(b4.Mentions) != 0 {
				t.Fatalf("after saving = %v", ids(b4.Mentions))
			}
		})
	}
}

func TestPollRepublishedNotReemitted(t *testing.T) {
	fk := feedfake.New(t)
	fk.Set("/feed.xml", feedfake.RSS, "Blog", item(0, time.Minute))
	fk.Validators("/feed.xml", false, false) // a server without validators: every poll is a 200
	p := newPoller(t, feeds.Options{URL: fk.URL("/feed.xml")})
	b := mustPoll(t, p, "")
	if len(b.Mentions) != 1 {
		t.Fatalf("first = %v", ids(b.Mentions))
	}
	// Same guid and link, new date and title, plus the same article again
	// with other tracking parameters under a new guid.
	again := item(0, 0)
	again.Title = "Post a (updated)"
	dup := item(0, 0)
	dup.ID, dup.Link = "post-a-copy", "https://BLOG.example.com/a?utm_campaign=x#comments"
	fk.Set("/feed.xml", feedfake.RSS, "Blog", again, dup)
	if b2 := mustPoll(t, p, b.Cursor); len(b2.Mentions) != 0 {
		t.Fatalf("republished = %v, want nothing", ids(b2.Mentions))
	}
}

func TestPollIfModifiedSinceOnly(t *testing.T) {
	fk := feedfake.New(t)
	fk.Set("/feed.xml", feedfake.Atom, "Blog", item(0, time.Minute))
	fk.Validators("/feed.xml", false, true)
	p := newPoller(t, feeds.Options{URL: fk.URL("/feed.xml")})
	b := mustPoll(t, p, "")
	if b2 := mustPoll(t, p, b.Cursor); len(b2.Mentions) != 0 || b2.Cursor != "" {
		t.Fatalf("unchanged = %+v", b2)
	}
	reqs := fk.Requests()
	if last := reqs[len(reqs)-1]; last.Status != http.StatusNotModified || last.Header.Get("If-None-Match") != "" {
		t.Fatalf("request = %+v, want If-Modified-Since alone, answered 304", last)
	}
}

func TestPollGoogleAlerts(t *testing.T) {
	fk := feedfake.New(t)
	target := "https://news.example.com/story?id=42&page=2#comments"
	fk.Set(feedfake.AlertsPath, feedfake.Alerts, "Lumio", feedfake.Item{
		ID: "tag:google.com,2013:googlealerts/feed:8974135267215335962", Title: "Report on <b>Lumio</b> hub sales",
		Link: target, Summary: "<b>Lumio</b> hub sold out in ... senior&nbsp;...", Published: now.Add(-2 * time.Minute),
	})
	fk.Set("/rss.xml", feedfake.RSS, "News", feedfake.Item{
		ID: "n1", Title: "Report on Lumio hub sales", Link: "https://news.example.com/story?page=2&id=42&utm_medium=rss",
		Summary: "Same story", Published: now.Add(-time.Minute),
	}, feedfake.Item{ID: "n2", Title: "Weather", Link: "https://news.example.com/weather", Published: now.Add(-time.Minute)})

	hears := func(m bot.Mention) bool { return strings.Contains(strings.ToLower(m.Text), "lumio") }
	// The alert is already a search: it skips the rules' pre-check.
	never := func(bot.Mention) bool { return false }
	alerts := newPoller(t, feeds.Options{URL: fk.URL(feedfake.AlertsPath), Hears: never})
	b := mustPoll(t, alerts, "")
	if len(b.Mentions) != 1 {
		t.Fatalf("alerts = %v", ids(b.Mentions))
	}
	m := b.Mentions[0]
	if m.URL != target || m.Text != "Report on Lumio hub sales\n\nLumio hub sold out in ... senior ..." || m.Author.Handle != "news.example.com" {
		t.Errorf("alert mention = %+v", m)
	}
	// The site's own feed names the same article with other parameters:
	// one external id, so the store keeps one mention. Its other item does
	// not pass the rules.
	site := newPoller(t, feeds.Options{URL: fk.URL("/rss.xml"), Hears: hears})
	b2 := mustPoll(t, site, "")
	if got := ids(b2.Mentions); len(got) != 1 || got[0] != m.ExternalID {
		t.Fatalf("site feed = %v, want the alert's id %q only", got, m.ExternalID)
	}
	if m.ExternalID != "https://news.example.com/story?id=42&page=2" {
		t.Errorf("id = %q", m.ExternalID)
	}
}

func TestPollRealGoogleAlertsSample(t *testing.T) {
	fk := feedfake.New(t)
	body := mustRead(t, "testdata/google_alerts.xml")
	fk.Raw(feedfake.AlertsPath, "text/xml", body)
	p := newPoller(t, feeds.Options{URL: fk.URL(feedfake.AlertsPath), Now: func() time.Time { return time.Date(2019, 7, 10, 12, 0, 0, 0, time.UTC) }})
	b := mustPoll(t, p, "")
	if len(b.Mentions) != 1 {
		t.Fatalf("mentions = %v", ids(b.Mentions))
	}
	m := b.Mentions[0]
	want := "https://www.aglobalmarketresearch.com/report-offers-prediction-of-automotive-slack-market-by-top-key-players-like-haldex-meritor-bendix-mei-wabco-accuride-stemco-tbk-febi-aydinsan/"
	if m.URL != want || m.ExternalID != want || m.Author.Handle != "aglobalmarketresearch.com" {
		t.Errorf("mention = %+v", m)
	}
	if strings.Contains(m.Text, "<b>") || strings.Contains(m.Text, "&nbsp;") || !strings.HasPrefix(m.Text, "Report offers Prediction of Automotive Slack Market") {
		t.Errorf("text = %q", m.Text)
	}
}

func TestPollRateLimited(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		fk := feedfake.New(t)
		fk.Set("/feed.xml", feedfake.RSS, "Blog", item(0, time.Minute))
		fk.Fail("/feed.xml", status, "120")
		p := newPoller(t, feeds.Options{URL: fk.URL("/feed.xml")})
		_, err := p.Poll(context.Background(), "")
		after, ok := poll.RetryAfter(err)
		if !ok || after != 2*time.Minute {
			t.Fatalf("HTTP %d: err = %v, retry after %s, %v; want a 2m rate limit", status, err, after, ok)
		}
		if b := mustPoll(t, p, ""); len(b.Mentions) != 1 {
			t.Fatalf("after the limit = %v", ids(b.Mentions))
		}
	}
}

const secret = "s3cr3t-feed-token-value"

func TestPollErrorsNameFeedNeverSecret(t *testing.T) {
	fk := feedfake.New(t)
	fk.Raw("/bad.xml", "application/rss+xml", []byte(`<rss version="2.0"><channel><title>Broken</title><item><title>x</ite`))
	fk.Raw("/html", "text/html", []byte(`<!doctype html><html><body>Login</body></html>`))
	fk.Raw("/big.xml", "application/rss+xml", []byte(`<rss version="2.0"><channel>`+strings.Repeat("<title>x</title>", 200)+`</channel></rss>`))
	fk.Fail("/gone.xml", http.StatusGone, "")
	withSecret := func(path string) string {
		return strings.Replace(fk.URL(path), "http://", "http://reader:"+secret+"@", 1) + "?token=" + secret
	}
	tests := []struct {
		path, want string
		max        int64
	}{
		{"/bad.xml", "not a readable RSS, Atom or JSON feed", 0},
		{"/html", "not a readable RSS, Atom or JSON feed", 0},
		{"/big.xml", "body larger than 1000 bytes", 1000},
		{"/gone.xml", "HTTP 410 Gone", 0},
		{"/missing.xml", "HTTP 404 Not Found", 0},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			p := newPoller(t, feeds.Options{URL: withSecret(tc.path), MaxBytes: tc.max})
			_, err := p.Poll(context.Background(), "")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.path) || strings.Contains(err.Error(), secret) || strings.Contains(p.Name(), secret) {
				t.Fatalf("err = %v (name %s): want the feed named without its secret", err, p.Name())
			}
		})
	}
	// A transport error: net/http quotes the whole URL, token included.
	fk.Close()
	p := newPoller(t, feeds.Options{URL: withSecret("/feed.xml")})
	_, err := p.Poll(context.Background(), "")
	if err == nil || strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "REDACTED") {
		t.Fatalf("transport err = %v", err)
	}
}

func TestPollRedirectTokenRedacted(t *testing.T) {
	fk := feedfake.New(t)
	srv := http.NewServeMux()
	srv.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.0.0.1:1/feed?key="+secret, http.StatusFound)
	})
	_ = fk
	rs := httptestServer(t, srv)
	p := newPoller(t, feeds.Options{URL: rs + "/feed.xml"})
	_, err := p.Poll(context.Background(), "")
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("err = %v", err)
	}
}

func TestPollBadCursorStartsAfresh(t *testing.T) {
	fk := feedfake.New(t)
	fk.Set("/feed.xml", feedfake.RSS, "Blog", item(1, time.Minute), item(0, 48*time.Hour))
	p := newPoller(t, feeds.Options{URL: fk.URL("/feed.xml")})
	b, err := p.Poll(context.Background(), `{"v":9}`)
	if err != nil || len(b.Mentions) != 1 {
		t.Fatalf("bad cursor: %v, %v", ids(b.Mentions), err)
	}
}

func TestNewRejects(t *testing.T) {
	for _, u := range []string{"", "ftp://x/feed", "https://", "feed.example.com/rss"} {
		if _, err := feeds.New(feeds.Options{URL: u}); err == nil {
			t.Errorf("New(%q) accepted", u)
		}
	}
	if _, err := feeds.New(feeds.Options{URL: "ftp://u:" + secret + "@x/?t=" + secret}); err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("err = %v", err)
	}
	p, _ := feeds.New(feeds.Options{URL: "https://example.com/feed", Label: "blog"})
	if p.Name() != "rss:blog" || p.Platform() != "rss" || p.Interval() != feeds.DefaultInterval {
		t.Errorf("name %q platform %q interval %s", p.Name(), p.Platform(), p.Interval())
	}
}
