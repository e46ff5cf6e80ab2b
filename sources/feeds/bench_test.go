package feeds_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/earshothq/earshot/internal/testkit/feedfake"
	"github.com/earshothq/earshot/sources/feeds"
)

// BenchmarkParseConvert measures a poll's work after the fetch: gofeed's
// parse and the conversion (HTML stripping, Google unwrapping,
// canonicalisation) of a 100-item feed.
func BenchmarkParseConvert(b *testing.B) {
	for _, k := range []struct {
		name string
		kind feedfake.Kind
	}{{"rss", feedfake.RSS}, {"atom", feedfake.Atom}, {"alerts", feedfake.Alerts}} {
		var items []feedfake.Item
		for i := range 100 {
			items = append(items, feedfake.Item{
				ID: fmt.Sprintf("tag:google.com,2013:googlealerts/feed:%d", i), Title: fmt.Sprintf("Report %d on <b>Lumio</b> hub", i),
				Link:    fmt.Sprintf("https://news.example.com/story?id=%d&utm_source=rss", i),
				Summary: "<p>Lumio hub &amp; friends: a long paragraph about the product, its price and what customers say&nbsp;...</p>",
				Author:  "Ada", Published: now.Add(-time.Duration(i) * time.Minute),
			})
		}
		body := feedfake.Render(k.kind, "Lumio", items)
		b.Run(k.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				ms, err := feeds.ParseConvert(body, "https://feeds.example.com/feed.xml", now)
				if err != nil || len(ms) != 100 {
					b.Fatal(len(ms), err)
				}
			}
			b.ReportMetric(float64(100*b.N)/b.Elapsed().Seconds(), "items/s")
		})
	}
}
