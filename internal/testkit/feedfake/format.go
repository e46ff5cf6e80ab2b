package feedfake

import (
	"bytes"
	"encoding/xml"
	"net/url"
	"strings"
	"text/template"
	"time"
)

// Item is one feed entry. Its fields go into the XML escaped, as a real
// feed's would; Title and Summary may hold HTML, which an RSS feed or an
// Atom type="html" element carries escaped.
type Item struct {
	ID        string // RSS <guid>, Atom <id>
	Title     string
	Link      string // the article; an Alerts feed wraps it in Google's redirect
	Summary   string
	Author    string
	Published time.Time
	Updated   time.Time
}

// Kind is a feed's format.
type Kind int

const (
	RSS    Kind = iota // RSS 2.0
	Atom               // Atom 1.0
	Alerts             // Google Alerts: Atom with redirect links and <b> in titles
)

// GoogleLink wraps target the way Google Alerts does:
// https://www.google.com/url?rct=j&sa=t&url=<target>&ct=ga&cd=…&usg=…, the
// target's own ?, &, = and # percent-encoded.
func GoogleLink(target string) string {
	esc := strings.NewReplacer("%", "%25", "&", "%26", "?", "%3F", "=", "%3D", "#", "%23", "+", "%2B", " ", "%20").Replace(target)
	return "https://www.google.com/url?rct=j&sa=t&url=" + esc + "&ct=ga&cd=CAIyHGU4ZTJkZjQ3OTVkYmIzMTc6Y28uanA6ZW46SlA&usg=AFQjCNHUcRGtHY1ygcMDkVS68IgpYs7Wpg"
}

var funcs = template.FuncMap{
	"x": func(s string) string {
		var b bytes.Buffer
		_ = xml.EscapeText(&b, []byte(s))
		return b.String()
	},
	"rfc822":  func(t time.Time) string { return t.UTC().Format(time.RFC1123Z) },
	"rfc3339": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"google":  GoogleLink,
	"q":       url.QueryEscape,
}

var rssTmpl = template.Must(template.New("rss").Funcs(funcs).Parse(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>{{x .Title}}</title>
<link>https://blog.example.com/</link>
<description>{{x .Title}}</description>
<language>en-us</language>
{{range .Items}}<item>
<title>{{x .Title}}</title>
<link>{{x .Link}}</link>
<guid isPermaLink="false">{{x .ID}}</guid>
{{if not .Published.IsZero}}<pubDate>{{rfc822 .Published}}</pubDate>
{{end}}{{if .Author}}<dc:creator>{{x .Author}}</dc:creator>
{{end}}<description>{{x .Summary}}</description>
</item>
{{end}}</channel>
</rss>
`))

var atomTmpl = template.Must(template.New("atom").Funcs(funcs).Parse(`<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<id>urn:example:{{x .Title}}</id>
<title>{{x .Title}}</title>
<updated>{{rfc3339 .Updated}}</updated>
{{range .Items}}<entry>
<id>{{x .ID}}</id>
<title type="html">{{x .Title}}</title>
<link href="{{x .Link}}" rel="alternate"/>
{{if not .Published.IsZero}}<published>{{rfc3339 .Published}}</published>
{{end}}{{if not .Updated.IsZero}}<updated>{{rfc3339 .Updated}}</updated>
{{end}}<author><name>{{x .Author}}</name></author>
<summary type="html">{{x .Summary}}</summary>
</entry>
{{end}}</feed>
`))

// alertsTmpl follows a real Google Alerts feed (see platform-apis.md §7).
var alertsTmpl = template.Must(template.New("alerts").Funcs(funcs).Parse(`<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:idx="urn:atom-extension:indexing">
 <id>tag:google.com,2005:reader/user/04175468913983673025/state/com.google/alerts/4428013283581841004</id>
 <title>Google Alert - {{x .Title}}</title>
 <link href="https://www.google.com/alerts/feeds/04175468913983673025/4428013283581841004" rel="self"></link>
 <updated>{{rfc3339 .Updated}}</updated>
{{range .Items}} <entry>
  <id>{{x .ID}}</id>
  <title type="html">{{x .Title}}</title>
  <link href="{{x (google .Link)}}"></link>
  <published>{{rfc3339 .Published}}</published>
  <updated>{{rfc3339 .Published}}</updated>
  <content type="html">{{x .Summary}}</content>
  <author><name></name></author>
 </entry>
{{end}}</feed>
`))

// Render writes a feed of kind with title and items, newest first as
// feeds list them.
func Render(kind Kind, title string, items []Item) []byte {
	var updated time.Time
	for _, it := range items {
		if it.Published.After(updated) {
			updated = it.Published
		}
	}
	data := struct {
		Title   string
		Updated time.Time
		Items   []Item
	}{title, updated, items}
	t := map[Kind]*template.Template{RSS: rssTmpl, Atom: atomTmpl, Alerts: alertsTmpl}[kind]
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		panic(err) // the templates are fixed; only a bug gets here
	}
	return b.Bytes()
}
