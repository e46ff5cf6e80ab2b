package bluesky_test

import (
	"bytes"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/blueskyfake"
	"github.com/earshothq/earshot/sources/bluesky"
)

// manualClock is a clock tests move by hand.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newReplier(t *testing.T, f *blueskyfake.Fake, o bluesky.ReplierOptions) *bluesky.Replier {
	t.Helper()
	if o.Handle == "" {
		o.Handle, o.AppPassword = brand.Handle, brand.Password
	}
	o.PDSURL, o.AppViewURL = f.URL(), f.URL()
	r, err := bluesky.NewReplier(o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mentionOf(uri string) bot.Mention {
	return bot.Mention{Platform: "bluesky", ExternalID: uri}
}

func TestReplyRefsAndFacets(t *testing.T) {
	f := newFake(t, blueskyfake.Options{})
	top, topCID, _ := f.Post(customer.DID, "my Lumio lamp flickers", blueskyfake.PostOptions{})
	ours, _, _ := f.Post(brand.DID, "sorry! which model?", blueskyfake.PostOptions{ReplyTo: top})
	answer, answerCID, _ := f.Post(customer.DID, "the L2", blueskyfake.PostOptions{ReplyTo: ours})
	var logs bytes.Buffer
	threads := bluesky.NewThreads(0)
	r := newReplier(t, f, bluesky.ReplierOptions{Threads: threads, Logger: slog.New(slog.NewTextHandler(&logs, nil))})

	for _, tc := range []struct {
		name, to, text string
		root           blueskyfake.StrongRef
		parentCID      string
		facets         []string // "start-end type value"
	}{
		{name: "top-level post", to: top, text: "Sorry about that! DM us.", root: blueskyfake.StrongRef{URI: top, CID: topCID}, parentCID: topCID},
		{name: "answer in a thread", to: answer, text: "Thanks @alice.bsky.social! 🙂 Fix: https://lumio.example/help/l2. @nobody.example stays plain",
			root: blueskyfake.StrongRef{URI: top, CID: topCID}, parentCID: answerCID,
			facets: []string{"7-25 mention " + customer.DID, "37-66 link https://lumio.example/help/l2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref, err := r.Reply(t.Context(), mentionOf(tc.to), tc.text)
			if err != nil {
				t.Fatal(err)
			}
			p, ok := f.Get(ref.ExternalID)
			if !ok {
				t.Fatalf("reply %s not on the fake", ref.ExternalID)
			}
			if p.DID != brand.DID || p.Record.Text != tc.text {
				t.Errorf("posted by %s: %q", p.DID, p.Record.Text)
			}
			rp := p.Record.Reply
			if rp == nil || rp.Root != tc.root || rp.Parent.URI != tc.to || rp.Parent.CID != tc.parentCID {
				t.Errorf("reply refs %+v, want root %+v parent %s@%s", rp, tc.root, tc.to, tc.parentCID)
			}
			var got []string
			for _, fc := range p.Record.Facets {
				ft := fc.Features[0]
				typ := strings.TrimPrefix(ft["$type"].(string), "app.bsky.richtext.facet#")
				val := ft["did"]
				if val == nil {
					val = ft["uri"]
				}
				got = append(got, strings.Join([]string{itoa(fc.Index.ByteStart) + "-" + itoa(fc.Index.ByteEnd), typ, val.(string)}, " "))
				if typ == "link" && tc.text[fc.Index.ByteStart:fc.Index.ByteEnd] != val {
					t.Errorf("link facet covers %q", tc.text[fc.Index.ByteStart:fc.Index.ByteEnd])
				}
			}
			if strings.Join(got, "|") != strings.Join(tc.facets, "|") {
				t.Errorf("facets %q, want %q", got, tc.facets)
			}
			if !strings.HasPrefix(ref.URL, "https://bsky.app/profile/"+brand.DID+"/post/") {
				t.Errorf("URL %s", ref.URL)
			}
			if !threads.Has(ref.ExternalID) {
				t.Error("our reply is not tracked: answers to it would be missed")
			}
		})
	}
	if n := f.Calls("com.atproto.server.createSession"); n != 1 {
		t.Errorf("%d logins for two replies", n)
	}
	if strings.Contains(logs.String(), brand.Password) || strings.Contains(logs.String(), "eyJ") {
		t.Errorf("logs carry a secret: %s", logs.String())
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestReplyTextLimits(t *testing.T) {
	f := newFake(t, blueskyfake.Options{})
	uri, _, _ := f.Post(customer.DID, "Lumio?", blueskyfake.PostOptions{})
	r := newReplier(t, f, bluesky.ReplierOptions{})
	for _, tc := range []struct {
		name, text, err string
	}{
		{"300 emoji fit", strings.Repeat("🙂", 300), ""},
		{"301 characters", strings.Repeat("a", 301), "reply is 301 characters; Bluesky allows 300"},
		{"empty", "  ", "reply is empty"},
		{"too many bytes", strings.Repeat("👨‍👩‍👧", 200), "reply is 3600 bytes; Bluesky allows 3000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.Reply(t.Context(), mentionOf(uri), tc.text)
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) || !bot.IsPermanent(err) {
				t.Fatalf("error %v, want permanent %q", err, tc.err)
			}
		})
	}
	if n := f.Calls("com.atproto.repo.createRecord"); n != 1 {
		t.Errorf("%d createRecord calls; only the text that fits should be sent", n)
	}
}

// The session is created once; when the access token nears its expiry it
// is refreshed, never logged in again. An access token the server calls
// expired before the client thought so is refreshed and the post retried once.
func TestSessionRefresh(t *testing.T) {
	clock := &manualClock{t: time.Now()}
	f := newFake(t, blueskyfake.Options{AccessTTL: 10 * time.Minute, Now: clock.Now})
	uri, _, _ := f.Post(customer.DID, "Lumio?", blueskyfake.PostOptions{})
	replierClock := &manualClock{t: clock.Now()}
	r := newReplier(t, f, bluesky.ReplierOptions{Now: replierClock.Now})
	reply := func(text string) {
		t.Helper()
		if _, err := r.Reply(t.Context(), mentionOf(uri), text); err != nil {
			t.Fatal(err)
		}
	}
	reply("one")
	clock.Add(9*time.Minute + 30*time.Second)
	replierClock.Add(9*time.Minute + 30*time.Second)
	reply("two") // within a minute of expiry: refreshed first
	if c, rf := f.Calls("com.atproto.server.createSession"), f.Calls("com.atproto.server.refreshSession"); c != 1 || rf != 1 {
		t.Fatalf("createSession %d, refreshSession %d; want 1 and 1", c, rf)
	}
	clock.Add(11 * time.Minute) // the server's clock runs ahead: the token it sees is expired
	reply("three")
	if c, rf, cr := f.Calls("com.atproto.server.createSession"), f.Calls("com.atproto.server.refreshSession"), f.Calls("com.atproto.repo.createRecord"); c != 1 || rf != 2 || cr != 4 {
		t.Fatalf("createSession %d, refreshSession %d, createRecord %d; want 1, 2, 4", c, rf, cr)
	}
	if n := len(f.PostsBy(brand.DID)); n != 3 {
		t.Fatalf("%d replies posted, want 3", n)
	}
}

func TestLoginRefused(t *testing.T) {
	f := newFake(t, blueskyfake.Options{})
	uri, _, _ := f.Post(customer.DID, "Lumio?", blueskyfake.PostOptions{})
	r := newReplier(t, f, bluesky.ReplierOptions{Handle: brand.Handle, AppPassword: "wrong-pass-word-1234"})
	for range 3 {
		_, err := r.Reply(t.Context(), mentionOf(uri), "hello")
		if err == nil || !bot.IsPermanent(err) || !strings.Contains(err.Error(), "EARSHOT_BLUESKY_APP_PASSWORD") {
			t.Fatalf("error %v, want a permanent one naming the setting", err)
		}
		if strings.Contains(err.Error(), "wrong-pass-word-1234") {
			t.Fatal("the password is in the error")
		}
	}
	if n := f.Calls("com.atproto.server.createSession"); n != 1 {
		t.Errorf("%d logins after a refusal; Bluesky's login limit is tight", n)
	}
}

func TestReplyToGoneOrBadPost(t *testing.T) {
	f := newFake(t, blueskyfake.Options{})
	uri, _, _ := f.Post(customer.DID, "Lumio?", blueskyfake.PostOptions{})
	if err := f.Delete(uri); err != nil {
		t.Fatal(err)
	}
	r := newReplier(t, f, bluesky.ReplierOptions{})
	for _, id := range []string{uri, "https://bsky.app/profile/x/post/y", "at://did:plc:x/app.bsky.feed.like/abc"} {
		_, err := r.Reply(t.Context(), mentionOf(id), "hello")
		if !bot.IsPermanent(err) {
			t.Errorf("reply to %s: %v, want a permanent error", id, err)
		}
	}
	if n := f.Calls("com.atproto.repo.createRecord"); n != 0 {
		t.Errorf("%d posts", n)
	}
}

func TestFindReply(t *testing.T) {
	f := newFake(t, blueskyfake.Options{})
	uri, _, _ := f.Post(customer.DID, "Lumio?", blueskyfake.PostOptions{})
	other, _, _ := f.Post(customer.DID, "Lumio again?", blueskyfake.PostOptions{})
	r := newReplier(t, f, bluesky.ReplierOptions{})
	ref, err := r.Reply(t.Context(), mentionOf(uri), "We are on it.")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30 { // our later posts push it down the list
		if _, err := r.Reply(t.Context(), mentionOf(other), "more "+itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		to, text string
		found    bool
	}{
		{uri, "We are on it.", true},
		{uri, "Something else", false},
		{other, "We are on it.", false},
	} {
		got, found, err := r.FindReply(t.Context(), mentionOf(tc.to), tc.text)
		if err != nil {
			t.Fatal(err)
		}
		if found != tc.found || (found && got != ref) {
			t.Errorf("FindReply(%s, %q) = %+v, %v; want found=%v (%+v)", tc.to, tc.text, got, found, tc.found, ref)
		}
	}
}
