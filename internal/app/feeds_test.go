package app

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/config"
	"github.com/earshothq/earshot/internal/testkit/feedfake"
	"github.com/earshothq/earshot/sources/poll"
)

func TestWireFeeds(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	d := sourceDeps{log: slog.New(slog.DiscardHandler), now: func() time.Time { return now }}
	if parts, err := wireFeeds(d); err != nil || len(parts.pollers)+len(parts.sources)+len(parts.repliers) != 0 {
		t.Fatalf("off: %+v, %v", parts, err)
	}

	fk := feedfake.New(t)
	fresh := func(id, title, link string) feedfake.Item {
		return feedfake.Item{ID: id, Title: title, Link: link, Published: now.Add(-time.Minute)}
	}
	fk.Set("/blog.xml", feedfake.RSS, "Blog", fresh("1", "Lumio hub review", "https://blog.example.com/1"), fresh("2", "Gardening", "https://blog.example.com/2"))
	fk.Set(feedfake.AlertsPath, feedfake.Alerts, "Lumio", fresh("a", "Gardening with <b>Lumio</b>", "https://news.example.com/g"))
	var asked []string
	d.hears = func(m bot.Mention) bool {
		asked = append(asked, m.URL)
		return strings.Contains(m.Text, "Lumio hub")
	}
	d.cfg = config.Config{
		Feeds:        config.FeedList{{Name: "blog", URL: fk.URL("/blog.xml")}, {URL: fk.URL(feedfake.AlertsPath)}},
		FeedsPolling: config.FeedsPolling{Interval: 10 * time.Minute},
	}
	parts, err := wireFeeds(d)
	if err != nil || len(parts.pollers) != 2 || len(fk.Requests()) != 0 {
		t.Fatalf("on: %d pollers, %v, %d requests at wiring", len(parts.pollers), err, len(fk.Requests()))
	}
	blog, alerts := parts.pollers[0], parts.pollers[1]
	if blog.Name() != "rss:blog" || alerts.Name() != "rss:"+fk.URL(feedfake.AlertsPath) || blog.Platform() != "rss" {
		t.Errorf("names %q %q", blog.Name(), alerts.Name())
	}
	if iv, ok := blog.(poll.Intervaler); !ok || iv.Interval() != 10*time.Minute {
		t.Errorf("interval not configured")
	}
	b, err := blog.Poll(context.Background(), "")
	if err != nil || len(b.Mentions) != 1 || b.Mentions[0].URL != "https://blog.example.com/1" {
		t.Fatalf("blog poll: %+v, %v", b.Mentions, err)
	}
	asked = nil
	b, err = alerts.Poll(context.Background(), "")
	if err != nil || len(b.Mentions) != 1 || len(asked) != 0 {
		t.Fatalf("alerts poll: %+v, %v, hears asked %v", b.Mentions, err, asked)
	}

	d.cfg.Feeds = config.FeedList{{URL: "ftp://x/feed"}}
	if _, err := wireFeeds(d); err == nil || !strings.Contains(err.Error(), "entry 1") {
		t.Errorf("bad URL: %v", err)
	}
}
