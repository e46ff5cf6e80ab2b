package mastodon

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxContentBytes bounds the HTML read from one status; Mastodon's own
// limit is a few thousand characters, so anything larger is not a post.
const maxContentBytes = 256 << 10

// HTMLText turns a status's HTML content into plain text the way a reader
// sees it: paragraphs separated by a blank line, <br> as a line break,
// entities decoded, links as the text they show (Mastodon puts the whole
// address in the link's text, hiding parts with CSS, so the address
// survives), mentions as @user and hashtags as #tag. Markup Mastodon does
// not send (scripts, styles) is dropped with its content.
func HTMLText(content string) string {
	if len(content) > maxContentBytes {
		content = content[:maxContentBytes]
	}
	if !strings.ContainsAny(content, "<&") {
		return strings.TrimSpace(content)
	}
	z := html.NewTokenizer(strings.NewReader(content))
	var b strings.Builder
	b.Grow(len(content))
	skip := 0 // depth inside <script>/<style>
	// pending is the break owed before the next text: "\n" or "\n\n".
	pending := ""
	brk := func(s string) {
		if b.Len() == 0 {
			return
		}
		if len(s) > len(pending) {
			pending = s
		}
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return strings.TrimSpace(b.String())
		case html.TextToken:
			if skip > 0 {
				continue
			}
			t := string(z.Text())
			if t == "" {
				continue
			}
			if pending != "" {
				// Whitespace between blocks is source formatting, not text.
				if strings.TrimSpace(t) == "" {
					continue
				}
				b.WriteString(pending)
				pending = ""
				t = strings.TrimLeft(t, " \t\r\n")
			}
			b.WriteString(t)
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch a {
			case atom.Script, atom.Style:
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
			case atom.Br:
				if skip == 0 {
					// A <br> always breaks, even twice in a row.
					if pending != "" {
						b.WriteString(pending)
						pending = ""
					}
					if b.Len() > 0 {
						pending = "\n"
					} else {
						continue
					}
				}
			case atom.P, atom.Div, atom.Blockquote, atom.Pre, atom.Ul, atom.Ol,
				atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
				brk("\n\n")
			case atom.Li:
				brk("\n")
				if tt == html.StartTagToken && skip == 0 {
					if pending != "" && b.Len() > 0 {
						b.WriteString(pending)
						pending = ""
					}
					b.WriteString("- ")
				}
			}
		}
	}
}
