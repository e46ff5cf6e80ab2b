package app

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/config"
	"github.com/earshothq/earshot/internal/testkit/xfake"
	"github.com/earshothq/earshot/store"
)

func TestWireXModes(t *testing.T) {
	f := xfake.New(t)
	db, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "x.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	base := config.X{BearerToken: xfake.AppToken, Queries: config.XQueries{"acme", "lumio"}, Handle: "acmehelp",
		MonthlyReadCap: 100, MonthlyWriteCap: 10, SearchInterval: time.Minute, DeletionCheck: time.Hour, APIURL: f.URL}
	for _, tc := range []struct {
		name                       string
		edit                       func(*config.X)
		sources, pollers, repliers int
	}{
		{"off", func(c *config.X) { *c = config.X{} }, 0, 0, 0},
		{"auto", func(c *config.X) { c.Mode = "auto" }, 1, 4, 0},
		{"stream", func(c *config.X) { c.Mode = "stream"; c.DeletionCheck = 0 }, 1, 0, 0},
		{"search", func(c *config.X) { c.Mode = "search"; c.UserToken = xfake.UserToken }, 0, 4, 1},
		{"replies only", func(c *config.X) { *c = config.X{UserToken: xfake.UserToken, Handle: "acmehelp", APIURL: f.URL} }, 0, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := base
			tc.edit(&c)
			parts, err := wireX(sourceDeps{cfg: config.Config{X: c}, db: db, hears: func(bot.Mention) bool { return true },
				log: slog.New(slog.DiscardHandler), now: time.Now})
			if err != nil {
				t.Fatal(err)
			}
			if len(parts.sources) != tc.sources || len(parts.pollers) != tc.pollers || len(parts.repliers) != tc.repliers {
				t.Fatalf("%d sources, %d pollers, %d repliers", len(parts.sources), len(parts.pollers), len(parts.repliers))
			}
			for _, s := range parts.sources {
				if !bot.IsExclusive(s) {
					t.Fatalf("%s is not exclusive", s.Name())
				}
			}
		})
	}
	if n := len(f.Auths()); n != 0 {
		t.Fatalf("wiring made %d requests", n)
	}
	// The search pollers keep their cursor and the usage in the store.
	parts, _ := wireX(sourceDeps{cfg: config.Config{X: base}, db: db, log: slog.New(slog.DiscardHandler), now: time.Now,
		hears: func(bot.Mention) bool { return true }})
	p := f.Add(xfake.Post{Text: "acme broke", AuthorID: f.Me.ID + "1"})
	var got []bot.Mention
	for _, pl := range parts.pollers {
		if pl.Name() == "x:search:acme" {
			// No stream running: auto mode searches.
			b, err := pl.Poll(context.Background(), "")
			if err != nil {
				t.Fatal(err)
			}
			got = b.Mentions
		}
	}
	if len(got) != 1 || got[0].ExternalID != p.ID {
		t.Fatalf("search found %+v", got)
	}

}
