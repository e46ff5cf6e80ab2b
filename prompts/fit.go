package prompts

import (
	"strings"
	"unicode"

	"github.com/rivo/uniseg"
)

// parts is a draft before it is fitted to a limit.
type parts struct {
	greeting string // "@sam", "Hi Sam,", or ""
	sep      string // between greeting, body and sign-off
	body     []segment
	signoff  string // optional
}

// fit returns the longest rendering within limit graphemes: everything,
// then without the sign-off, then without optional segments from the last
// back. ok is false when even the shortest is too long; text is then that
// shortest rendering.
func (p parts) fit(limit int) (text string, ok bool) {
	opt := 0
	for _, s := range p.body {
		if s.optional {
			opt++
		}
	}
	if p.signoff != "" {
		if text = p.render(true, 0); uniseg.GraphemeClusterCount(text) <= limit {
			return text, true
		}
	}
	for drop := 0; drop <= opt; drop++ {
		if text = p.render(false, drop); uniseg.GraphemeClusterCount(text) <= limit {
			return text, true
		}
	}
	return text, false
}

// render joins the parts, leaving out the last dropOpt optional segments.
func (p parts) render(withSignoff bool, dropOpt int) string {
	keep := make([]bool, len(p.body))
	for i := range keep {
		keep[i] = true
	}
	for i := len(p.body) - 1; i >= 0 && dropOpt > 0; i-- {
		if p.body[i].optional {
			keep[i] = false
			dropOpt--
		}
	}
	var body []string
	for i, s := range p.body {
		if keep[i] {
			body = append(body, s.text)
		}
	}
	out := strings.Join(body, " ")
	if p.greeting != "" {
		out = p.greeting + p.sep + out
	}
	if withSignoff {
		out += p.sep + p.signoff
	}
	return out
}

// truncate cuts s to at most limit grapheme clusters, at a word boundary
// when there is one, ending with "…".
func truncate(s string, limit int) string {
	if uniseg.GraphemeClusterCount(s) <= limit {
		return s
	}
	if limit <= 0 {
		return ""
	}
	g := uniseg.NewGraphemes(s)
	cut, n := 0, 0
	for n < limit-1 && g.Next() {
		_, cut = g.Positions()
		n++
	}
	head := s[:cut]
	if next, _ := firstRune(s[cut:]); !unicode.IsSpace(next) {
		// The cut fell inside a word: go back to the space before it.
		if i := strings.LastIndexFunc(head, unicode.IsSpace); i > 0 {
			head = head[:i]
		}
	}
	head = strings.TrimRightFunc(head, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:.-–—", r)
	})
	return head + "…"
}

func firstRune(s string) (rune, bool) {
	for _, r := range s {
		return r, true
	}
	return 0, false
}
