package app_test

import (
	"bytes"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/app"
	"github.com/earshothq/earshot/internal/config"
	"github.com/earshothq/earshot/internal/testkit/blueskyfake"
)

var (
	bskyBrand    = blueskyfake.Account{DID: "did:plc:lumio00000000000000000", Handle: "lumio.bsky.social", Name: "Lumio", Followers: 9000, Password: "abcd-efgh-ijkl-mnop"}
	bskyCustomer = blueskyfake.Account{DID: "did:plc:jen0000000000000000000", Handle: "jen.bsky.social", Name: "Jen", Followers: 150}
)

func blueskyConfig(jetstream, xrpc, dbPath string) config.Config {
	return config.Config{
		DatabaseURL: dbPath, HTTPAddr: "127.0.0.1:0", Sample: "false",
		JobWorkers: 4, LogLevel: "info", LogFormat: "text",
		Bluesky: config.Bluesky{
			Watch: true, JetstreamURLs: []string{jetstream},
			Handle: bskyBrand.Handle, AppPassword: bskyBrand.Password,
			PDSURL: xrpc, AppViewURL: xrpc,
		},
	}
}

func newBlueskyFake(t testing.TB) *blueskyfake.Fake {
	f := blueskyfake.New(blueskyfake.Options{})
	t.Cleanup(f.Close)
	f.AddAccount(bskyBrand)
	f.AddAccount(bskyCustomer)
	return f
}

func waitSubscribed(t testing.TB, h *blueskyfake.Host) {
	t.Helper()
	eventually(t, "a Jetstream subscription", func() bool { return h.Connected() > 0 })
}

// A post about the brand opens a case; the customer's follow-up, which
// names no brand, joins it; the reply from the inbox lands in the thread
// with the right refs; the customer's answer to our reply joins the case too;
// a post the customer deletes is redacted.
func TestBlueskyConversation(t *testing.T) {
	f := newBlueskyFake(t)
	srv := serve(t, blueskyConfig(f.JetstreamURL(), f.URL(), filepath.Join(t.TempDir(), "e.db")), app.Options{})
	a, ctx := srv.App, srv.Ctx
	waitSubscribed(t, f.Host(0))

	first, firstCID, _ := f.Post(bskyCustomer.DID, "The Lumio app crashes on startup since the update", blueskyfake.PostOptions{})
	for i := range 20 {
		_, _, _ = f.Post("did:plc:someoneelse"+fmt.Sprint(i), "what a lovely day", blueskyfake.PostOptions{})
	}
	var c bot.Case
	eventually(t, "a case for the post", func() bool {
		cs, err := a.Store.Cases(ctx, bot.CaseFilter{})
		if err != nil || len(cs) == 0 {
			return false
		}
		c = cs[0]
		return true
	})
	if c.Platform != "bluesky" {
		t.Fatalf("case %+v", c)
	}
	followUp, followCID, _ := f.Post(bskyCustomer.DID, "any news? it is still broken", blueskyfake.PostOptions{ReplyTo: first})
	thread := func() []bot.Mention {
		ms, _, err := a.Store.Thread(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return ms
	}
	eventually(t, "the follow-up in the case", func() bool { return len(thread()) == 2 })
	ms := thread()
	if ms[0].ExternalID != first || ms[1].ExternalID != followUp || ms[1].InReplyTo != first {
		t.Fatalf("thread %+v", ms)
	}
	if ms[0].Author.Handle != bskyCustomer.Handle || ms[0].Author.Name != "Jen" || ms[0].Author.Followers != 150 {
		t.Errorf("author %+v", ms[0].Author)
	}

	text := "Sorry Jen, @jen.bsky.social: a fix is coming, see https://lumio.example/help"
	body := []byte(fmt.Sprintf(`{"kind":"reply","text":%q}`, text))
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/cases/%d/actions", srv.Base, c.ID), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", srv.Base)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("reply: %s", resp.Status)
	}
	var ours blueskyfake.Post
	eventually(t, "our reply on Bluesky", func() bool {
		ps := f.PostsBy(bskyBrand.DID)
		if len(ps) == 1 {
			ours = ps[0]
		}
		return len(ps) == 1
	})
	rp := ours.Record.Reply
	if ours.Record.Text != text || rp == nil || rp.Root != (blueskyfake.StrongRef{URI: first, CID: firstCID}) || rp.Parent != (blueskyfake.StrongRef{URI: followUp, CID: followCID}) {
		t.Fatalf("our reply %+v", ours.Record)
	}
	if len(ours.Record.Facets) != 2 {
		t.Errorf("facets %+v, want the mention and the link", ours.Record.Facets)
	}
	thanks, _, _ := f.Post(bskyCustomer.DID, "thanks!", blueskyfake.PostOptions{ReplyTo: ours.URI})
	eventually(t, "the answer to our reply in the case", func() bool {
		for _, m := range thread() {
			if m.ExternalID == thanks {
				return m.InReplyTo == ours.URI
			}
		}
		return false
	})
	// The customer deletes their first post: its text goes from the case.
	if err := f.Delete(first); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the deleted post redacted", func() bool {
		for _, m := range thread() {
			if m.ExternalID == first {
				return m.Text == ""
			}
		}
		return false
	})
	if n := f.Calls("com.atproto.server.createSession"); n != 1 {
		t.Errorf("%d logins", n)
	}
	for _, m := range thread() {
		if m.ExternalID == ours.URI && !m.Ours {
			t.Errorf("our reply seen on the stream is not marked ours: %+v", m)
		}
	}
}
