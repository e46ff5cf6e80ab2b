package feeds

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/earshothq/earshot/bot"
)

// Platform is the platform of every feed's mentions, Google Alerts
// included: one platform means one article read through an alert and a
// site's own feed is stored once (the store dedupes on platform + id).
const Platform = "rss"

// Text limits, in bytes: a title is a headline, and a summary's first
// paragraphs say what the article is about; the case links to the rest.
const (
	maxTitleBytes   = 400
	maxSummaryBytes = 1200
)

// entry is one feed item made a mention, with the keys that tell whether
// an earlier poll already saw it.
type entry struct {
	m     bot.Mention
	keys  []string // seen keys: the external id, and the item's own id
	dated bool     // the feed gave a date (CreatedAt is not "now")
}

// converter turns a parsed feed into mentions.
type converter struct {
	feedURL *url.URL // where the feed was read, for relative links
	feedKey string   // identifies the feed in keys of link-less items
	now     time.Time
}

func (c converter) convert(f *gofeed.Feed) []entry {
	if f == nil {
		return nil
	}
	lang := primaryLang(f.Language)
	feedAuthor := personName(f.Author, f.Authors)
	out := make([]entry, 0, len(f.Items))
	for _, it := range f.Items {
		if it == nil {
			continue
		}
		if e, ok := c.item(it, feedAuthor, lang); ok {
			out = append(out, e)
		}
	}
	return out
}

func (c converter) item(it *gofeed.Item, feedAuthor, lang string) (entry, bool) {
	target, canon := c.link(it)
	title := clip(StripHTML(it.Title), maxTitleBytes)
	summary := StripHTML(it.Description)
	if summary == "" {
		summary = StripHTML(it.Content)
	}
	// Many feeds repeat the headline as the summary's first words.
	if title != "" && strings.HasPrefix(summary, title) {
		summary = strings.TrimSpace(strings.TrimPrefix(summary, title))
	}
	summary = clip(summary, maxSummaryBytes)
	text := title
	if summary != "" {
		if text != "" {
			text += "\n\n"
		}
		text += summary
	}
	guid := strings.TrimSpace(it.GUID)
	var id string
	switch {
	case canon != "":
		id = ExternalID(canon)
	case guid != "":
		id = "item:" + hashHex(c.feedKey+"\n"+guid)
	case text != "":
		// Neither a link nor an id: what it says, where and when, is all
		// that tells it apart.
		id = "item:" + hashHex(c.feedKey+"\n"+text+"\n"+it.Published+it.Updated)
	default:
		return entry{}, false
	}
	keys := []string{seenKey("id\n" + id)}
	if guid != "" {
		keys = append(keys, seenKey("guid\n"+c.feedKey+"\n"+guid))
	}
	created, dated := c.created(it)
	host := articleHost(target)
	name := personName(it.Author, it.Authors)
	if name == "" {
		name = feedAuthor
	}
	return entry{
		m: bot.Mention{
			Platform:   Platform,
			ExternalID: id,
			URL:        target,
			Author:     bot.Author{ID: host, Handle: host, Name: clip(StripHTML(name), 200)},
			Text:       text,
			Lang:       lang,
			CreatedAt:  created,
		},
		keys:  keys,
		dated: dated,
	}, true
}

// link is the article's address (Google's redirect unwrapped) and its
// canonical form; both are "" when the item links nowhere usable.
func (c converter) link(it *gofeed.Item) (target, canon string) {
	raw := strings.TrimSpace(it.Link)
	if raw == "" && len(it.Links) > 0 {
		raw = strings.TrimSpace(it.Links[0])
	}
	if raw == "" {
		return "", ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", ""
	}
	if !u.IsAbs() && c.feedURL != nil {
		u = c.feedURL.ResolveReference(u)
	}
	raw = u.String()
	if t, ok := UnwrapGoogle(raw); ok {
		raw = t
	}
	canon, err = Canonical(raw)
	if err != nil {
		return "", ""
	}
	// The link people open: as the feed gave it, minus credentials.
	if u, err := url.Parse(raw); err == nil {
		u.User = nil
		raw = u.String()
	}
	return raw, canon
}

// created is the item's date: published, else updated, else now. A date
// more than an hour ahead is a broken feed clock, and becomes now.
func (c converter) created(it *gofeed.Item) (time.Time, bool) {
	var t *time.Time
	switch {
	case it.PublishedParsed != nil:
		t = it.PublishedParsed
	case it.UpdatedParsed != nil:
		t = it.UpdatedParsed
	}
	if t == nil || t.IsZero() || t.After(c.now.Add(time.Hour)) {
		return c.now, false
	}
	return t.UTC(), true
}

func personName(p *gofeed.Person, ps []*gofeed.Person) string {
	if p != nil && strings.TrimSpace(p.Name) != "" {
		return strings.TrimSpace(p.Name)
	}
	for _, p := range ps {
		if p != nil && strings.TrimSpace(p.Name) != "" {
			return strings.TrimSpace(p.Name)
		}
	}
	return ""
}

// articleHost is who published the article when the feed names no one:
// its site, without "www.".
func articleHost(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

// primaryLang keeps a language tag's primary subtag ("en-US" → "en").
func primaryLang(tag string) string {
	p, _, _ := strings.Cut(strings.TrimSpace(tag), "-")
	p, _, _ = strings.Cut(p, "_")
	p = strings.ToLower(p)
	if len(p) < 2 || len(p) > 3 {
		return ""
	}
	for _, r := range p {
		if r < 'a' || r > 'z' {
			return ""
		}
	}
	return p
}

func hashHex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}
