package hackernews

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxHTMLBytes bounds the HTML read from one item: HN caps comments at a
// few thousand characters, so anything larger is not a post.
const maxHTMLBytes = 256 << 10

// HTMLText turns HN's item HTML into plain text: <p> separates paragraphs
// (HN opens them without closing), entities are decoded, and a link shows
// its address, because HN shortens long addresses in the link's text with
// "...", which would lose them.
func HTMLText(s string) string {
	if len(s) > maxHTMLBytes {
		s = s[:maxHTMLBytes]
	}
	if !strings.ContainsAny(s, "<&") {
		return strings.TrimSpace(s)
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	b.Grow(len(s))
	pending := "" // break owed before the next text
	inLink := false
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.TrimSpace(b.String())
		case html.TextToken:
			if inLink {
				continue // the address was written at <a>
			}
			t := string(z.Text())
			if strings.TrimSpace(t) == "" && pending != "" {
				continue
			}
			if b.Len() > 0 {
				b.WriteString(pending)
			}
			pending = ""
			b.WriteString(t)
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch atom.Lookup(name) {
			case atom.P:
				pending = "\n\n"
			case atom.Br:
				if pending == "" {
					pending = "\n"
				}
			case atom.Pre:
				if pending == "" {
					pending = "\n"
				}
			case atom.A:
				href := ""
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "href" {
						href = string(v)
					}
				}
				if href == "" {
					continue
				}
				if b.Len() > 0 {
					b.WriteString(pending)
				}
				pending = ""
				b.WriteString(href)
				inLink = true
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch atom.Lookup(name) {
			case atom.A:
				inLink = false
			case atom.P, atom.Pre:
				pending = "\n\n"
			}
		}
	}
}
