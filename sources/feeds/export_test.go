package feeds

import (
	"bytes"
	"net/url"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/earshothq/earshot/bot"
)

// ParseConvert is parse + convert, the work of one poll after the fetch,
// for the fuzz test and the benchmark.
func ParseConvert(body []byte, feedURL string, now time.Time) ([]bot.Mention, error) {
	f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(feedURL)
	var out []bot.Mention
	for _, e := range (converter{feedURL: u, feedKey: feedURL, now: now}).convert(f) {
		out = append(out, e.m)
	}
	return out, nil
}
