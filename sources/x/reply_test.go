package x

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/xfake"
)

func TestReply(t *testing.T) {
	f := newFake(t)
	store := &memStore{m: map[string]string{}}
	u := NewUsage(UsageOptions{WriteCap: 3, Store: store})
	for _, auth := range []struct {
		name string
		ua   UserAuth
		want string
	}{
		{"oauth2", UserAuth{BearerToken: xfake.UserToken}, "Bearer " + xfake.UserToken},
		{"oauth1", UserAuth{ConsumerKey: xfake.ConsumerKey, ConsumerSecret: xfake.ConsumerSecret, AccessToken: xfake.AccessToken, AccessSecret: xfake.AccessSecret}, "OAuth "},
	} {
		t.Run(auth.name, func(t *testing.T) {
			c, err := auth.ua.Client(f.URL, 0)
			if err != nil {
				t.Fatal(err)
			}
			tr := NewTracker()
			r, _ := NewReplier(ReplierOptions{User: c, Account: us(f), Usage: u, Tracker: tr})
			p := f.Add(xfake.Post{Text: "@acmehelp broken", AuthorID: customer.ID})
			ref, err := r.Reply(context.Background(), bot.Mention{Platform: "x", ExternalID: p.ID}, "Sorry! DM us & we'll fix it.")
			if err != nil {
				t.Fatal(err)
			}
			reps := f.Replies()
			last := reps[len(reps)-1]
			if last.InReplyTo != p.ID || last.Text != "Sorry! DM us & we'll fix it." || !strings.HasPrefix(last.Auth, auth.want) {
				t.Fatalf("posted %+v", last)
			}
			if ref.URL != "https://x.com/acmehelp/status/"+ref.ExternalID || !tr.Has(ref.ExternalID) {
				t.Fatalf("ref %+v", ref)
			}
		})
	}
	if _, w := u.Counts(); w != 2 || store.m[UsageKey(time.Now().UTC().Format("2006-01"))] != "reads=0 writes=2" {
		t.Fatalf("writes %d, stored %v", w, store.m)
	}
}

func TestReplyRefusals(t *testing.T) {
	f := newFake(t)
	c, _ := UserAuth{BearerToken: xfake.UserToken}.Client(f.URL, 0)
	u := NewUsage(UsageOptions{WriteCap: 1})
	r, _ := NewReplier(ReplierOptions{User: c, Account: us(f), Usage: u})
	post := func(kind string) string {
		p := f.Add(xfake.Post{Text: "hi", AuthorID: customer.ID})
		if kind != "" {
			f.Refuse(p.ID, kind)
		}
		return p.ID
	}
	reply := func(id, text string) error {
		_, err := r.Reply(context.Background(), bot.Mention{Platform: "x", ExternalID: id}, text)
		return err
	}
	var ae *bot.AssistedError
	var re *bot.RetryError
	if err := reply(post(xfake.RefuseNotSummoned), "hello"); !errors.As(err, &ae) || ae.Reason != ReasonNotSummoned {
		t.Fatalf("not summoned: %v", err)
	}
	if err := reply(post(xfake.RefuseTier), "hello"); !errors.As(err, &ae) || ae.Reason != ReasonTier {
		t.Fatalf("tier: %v", err)
	}
	if err := reply(post(xfake.RefuseRate), "hello"); !errors.As(err, &re) || re.After < 5*time.Minute || re.After > 8*time.Minute {
		t.Fatalf("rate: %v", err)
	}
	if err := reply(post(xfake.RefuseDuplicate), "hello"); !bot.IsPermanent(err) {
		t.Fatalf("duplicate: %v", err)
	}
	if err := reply(post(xfake.RefuseServer), "hello"); err == nil || bot.IsPermanent(err) || errors.As(err, &re) || errors.As(err, &ae) {
		t.Fatalf("5xx must read as may-have-posted: %v", err)
	}
	long := strings.Repeat("中", 141)
	if err := reply(post(""), long); !bot.IsPermanent(err) || !strings.Contains(err.Error(), "282 characters") {
		t.Fatalf("too long: %v", err)
	}
	if err := reply("12ab", "hello"); !bot.IsPermanent(err) {
		t.Fatalf("bad id: %v", err)
	}
	n := len(f.Replies())
	if err := reply(post(""), "hello"); err != nil {
		t.Fatal(err)
	}
	if err := reply(post(""), "again"); !errors.As(err, &ae) || ae.Reason != ReasonWriteCap || len(f.Replies()) != n+1 {
		t.Fatalf("write cap: %v", err)
	}
	bad, _ := UserAuth{BearerToken: "wrong-secret-token-value"}.Client(f.URL, 0)
	r2, _ := NewReplier(ReplierOptions{User: bad})
	_, err := r2.Reply(context.Background(), bot.Mention{ExternalID: post("")}, "hi")
	if !bot.IsPermanent(err) || strings.Contains(err.Error(), "wrong-secret-token-value") {
		t.Fatalf("refused token: %v", err)
	}
}

func TestFindReply(t *testing.T) {
	f := newFake(t)
	uc, _ := UserAuth{BearerToken: xfake.UserToken}.Client(f.URL, 0)
	r, _ := NewReplier(ReplierOptions{User: uc, Search: appClient(t, f), Account: us(f)})
	p := f.Add(xfake.Post{Text: "@acmehelp help", AuthorID: customer.ID})
	to := bot.Mention{Platform: "x", ExternalID: p.ID}
	if _, found, err := r.FindReply(context.Background(), to, "On it: https://acme.com/status"); err != nil || found {
		t.Fatalf("before: %v %v", found, err)
	}
	ref, err := r.Reply(context.Background(), to, "On it: https://acme.com/status")
	if err != nil {
		t.Fatal(err)
	}
	got, found, err := r.FindReply(context.Background(), to, "On it:  https://acme.com/status")
	if err != nil || !found || got.ExternalID != ref.ExternalID {
		t.Fatalf("after: %+v %v %v", got, found, err)
	}
}
