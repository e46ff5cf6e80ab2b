package feeds

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxHTMLBytes bounds the markup read from one title or summary: feeds
// that put the whole article in <content> only need its beginning.
const maxHTMLBytes = 64 << 10

// StripHTML turns a feed's HTML title or summary into one line of plain
// text: tags dropped (Google Alerts bolds the matched words with <b>),
// entities decoded (&amp;, &nbsp;), scripts and styles dropped with their
// content, and runs of whitespace made one space. Text that is not HTML
// comes back with its whitespace collapsed.
func StripHTML(s string) string {
	if len(s) > maxHTMLBytes {
		s = s[:maxHTMLBytes]
	}
	if !strings.ContainsAny(s, "<&") {
		return collapse(s)
	}
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	b.Grow(len(s))
	skip := 0
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return collapse(b.String())
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch atom.Lookup(name) {
			case atom.Script, atom.Style:
				if tt == html.StartTagToken {
					skip++
				}
			case atom.Br, atom.P, atom.Div, atom.Li, atom.Tr, atom.H1, atom.H2, atom.H3, atom.H4, atom.Blockquote:
				b.WriteByte(' ') // a block boundary separates words
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch atom.Lookup(name) {
			case atom.Script, atom.Style:
				if skip > 0 {
					skip--
				}
			case atom.P, atom.Div, atom.Li, atom.Tr, atom.H1, atom.H2, atom.H3, atom.H4, atom.Blockquote:
				b.WriteByte(' ')
			}
		}
	}
}

// collapse makes every run of whitespace (no-break spaces included) one
// space, drops control characters and invalid UTF-8, and trims the ends.
func collapse(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			continue
		case unicode.IsSpace(r) || r == '\u00a0' || r == '\u200b':
			space = true
			continue
		case unicode.IsControl(r):
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// clip shortens s to at most n bytes on a rune boundary, marking the cut
// with an ellipsis.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.TrimRightFunc(s[:max(cut, 0)], unicode.IsSpace) + "…"
}
