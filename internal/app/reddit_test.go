package app

import (
	"context"
	"log/slog"
	"slices"
	"testing"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/config"
	"github.com/earshothq/earshot/internal/testkit/redditfake"
)

func TestWireReddit(t *testing.T) {
	fake := redditfake.New(t)
	d := sourceDeps{
		log: slog.New(slog.DiscardHandler), now: fake.Now,
		hears: func(m bot.Mention) bool { return true },
	}
	parts, err := wireReddit(d)
	if err != nil || len(parts.pollers)+len(parts.repliers)+len(parts.sources) != 0 {
		t.Fatalf("off: %+v %v", parts, err)
	}
	d.cfg.Reddit = config.Reddit{
		ClientID: redditfake.ClientID, Secret: redditfake.Secret, Username: redditfake.Username, Password: redditfake.Password,
		UserAgent: "linux:com.acme.earshot:v1.0 (by /u/acme_care)", Queries: []string{"acme"}, Subreddits: []string{"r/AcmeUsers"},
		APIURL: fake.URL(), AuthURL: fake.URL(),
	}
	parts, err = wireReddit(d)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range parts.pollers {
		names = append(names, p.Name())
	}
	want := []string{"reddit:search:acme", "reddit:new:AcmeUsers", "reddit:comments:AcmeUsers", "reddit:inbox"}
	if !slices.Equal(names, want) || len(parts.repliers) != 1 || parts.repliers[0].Platform() != "reddit" {
		t.Fatalf("pollers %v, repliers %d", names, len(parts.repliers))
	}
	if n := len(fake.Requests()); n != 0 {
		t.Fatalf("wiring made %d requests", n)
	}
	post := fake.Post("AcmeUsers", "ann", "acme hub down", "")
	b, err := parts.pollers[1].Poll(context.Background(), "")
	if err != nil || len(b.Mentions) != 1 || b.Mentions[0].ExternalID != post.Fullname() {
		t.Fatalf("first poll: %+v %v", b, err)
	}
	// Without the password: reading only, replies assisted.
	d.cfg.Reddit.Username, d.cfg.Reddit.Password = "", ""
	if parts, err = wireReddit(d); err != nil || len(parts.repliers) != 0 {
		t.Fatalf("read-only: %d repliers, %v", len(parts.repliers), err)
	}
}
