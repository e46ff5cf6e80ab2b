package github

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/earshothq/earshot/bot"
)

const (
	// maxQuote caps the customer's words in an issue: a post, not an essay,
	// and well inside GitHub's 65,536-character body.
	maxQuote = 4000
	// maxTitle keeps an issue title to what GitHub lists show.
	maxTitle = 120
)

// Marker is the invisible line an issue or a comment earshot writes for a
// case carries, so a retry can find what an interrupted attempt wrote. The
// customer's text is escaped, so no post can forge it.
func Marker(caseID int64) string {
	return "<!-- earshot:case:" + strconv.FormatInt(caseID, 10) + " -->"
}

// Title is the issue's title: one line, short; "Customer report" when the
// report has none.
func Title(r bot.DefectReport) string {
	t := strings.Join(strings.Fields(strings.ToValidUTF8(r.Title, "")), " ")
	t = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, t)
	if t == "" {
		t = "Customer report"
	}
	return clipRunes(t, maxTitle)
}

// IssueBody is a new issue's Markdown: the customer's words quoted, then
// who said it where, the product details found, and the case.
func IssueBody(r bot.DefectReport) string {
	var b strings.Builder
	b.WriteString(Marker(r.CaseID) + "\n")
	fmt.Fprintf(&b, "A customer reported this in public on %s.\n\n", platformName(r.Platform))
	b.WriteString(Quote(r.Text) + "\n\n")
	b.WriteString("| | |\n| --- | --- |\n")
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "| %s | %s |\n", k, strings.ReplaceAll(v, "|", `\|`))
		}
	}
	row("Customer", who(r)+followers(r))
	row("Post", link(r.URL))
	row("Product", inline(r.Details.Product))
	row("Version", inline(r.Details.Version))
	row("OS", inline(r.Details.OS))
	row("Device", inline(r.Details.Device))
	row("Case", caseLink(r))
	b.WriteString("\n<sub>Filed by earshot from a public post. The customer does not see this issue: " +
		"when it is closed, earshot tells the case and drafts the follow-up.</sub>\n")
	return b.String()
}

// PlusOneBody is the comment added to an open issue when another customer
// reports the same problem.
func PlusOneBody(r bot.DefectReport) string {
	var b strings.Builder
	b.WriteString(Marker(r.CaseID) + "\n")
	b.WriteString("**+1 from another customer**")
	if r.Reports > 1 {
		fmt.Fprintf(&b, " (%d customer reports linked so far)", r.Reports)
	}
	b.WriteString(".\n\n")
	b.WriteString(Quote(r.Text) + "\n\n")
	fmt.Fprintf(&b, "%s on %s%s", who(r), platformName(r.Platform), followers(r))
	if l := link(r.URL); l != "" {
		b.WriteString(" · " + l)
	}
	b.WriteString("\n")
	var details []string
	for _, kv := range [][2]string{{"Product", r.Details.Product}, {"Version", r.Details.Version}, {"OS", r.Details.OS}, {"Device", r.Details.Device}} {
		if v := inline(kv[1]); v != "" {
			details = append(details, kv[0]+": "+v)
		}
	}
	if len(details) > 0 {
		b.WriteString(strings.Join(details, " · ") + "\n")
	}
	if c := caseLink(r); c != "" {
		b.WriteString("Case: " + c + "\n")
	}
	return b.String()
}

// who is the customer: "`maya.bsky.social`" (code: a handle is not a
// GitHub user to mention).
func who(r bot.DefectReport) string {
	if h := strings.TrimSpace(r.Author); h != "" {
		return code(h)
	}
	return "a customer"
}

// followers is the customer's reach: " · 1.2k followers".
func followers(r bot.DefectReport) string {
	switch {
	case r.Followers == 1:
		return " · 1 follower"
	case r.Followers > 0:
		return " · " + reach(r.Followers) + " followers"
	}
	return ""
}

// reach writes a follower count as people read it: 830, 1.2k, 45k, 1.3M.
func reach(n int) string {
	switch {
	case n < 1000:
		return strconv.Itoa(n)
	case n < 10_000:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/1000), ".0") + "k"
	case n < 1_000_000:
		return strconv.Itoa(n/1000) + "k"
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/1_000_000), ".0") + "M"
}

func platformName(p string) string {
	switch strings.ToLower(p) {
	case "bluesky":
		return "Bluesky"
	case "x", "twitter":
		return "X"
	case "mastodon":
		return "Mastodon"
	case "reddit":
		return "Reddit"
	case "hackernews":
		return "Hacker News"
	case "github":
		return "GitHub"
	case "":
		return "the web"
	}
	return inline(p)
}

// link is an http(s) address as a bare autolink, or "" for anything else:
// a platform's URL is data too.
func link(s string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsAny(s, " \t\n<>\"`|") {
		return ""
	}
	return s
}

func caseLink(r bot.DefectReport) string {
	if l := link(r.CaseURL); l != "" {
		return fmt.Sprintf("[earshot case %d](%s)", r.CaseID, l)
	}
	if r.CaseID != 0 {
		return fmt.Sprintf("earshot case %d", r.CaseID)
	}
	return ""
}

// Quote puts untrusted text in a Markdown blockquote that cannot act on
// GitHub: words that would @-mention someone, reference or cross-link an
// issue (#12, owner/repo#12, GH-12) or carry a link or an image are shown
// as code, where GitHub does none of that; HTML and Markdown that could
// escape the quote are escaped.
func Quote(text string) string {
	text = clipRunes(strings.ToValidUTF8(text, "\uFFFD"), maxQuote)
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var b strings.Builder
	for i, line := range lines {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(">")
		if q := neutralise(line); q != "" {
			b.WriteString(" " + q)
		}
	}
	return b.String()
}

// neutralise makes one line of untrusted text inert Markdown.
func neutralise(line string) string {
	var b strings.Builder
	first := true
	for _, tok := range strings.FieldsFunc(line, unicode.IsSpace) {
		tok = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
				return -1
			}
			return r
		}, tok)
		if tok == "" {
			continue
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		if active(tok) {
			b.WriteString(code(tok))
			continue
		}
		b.WriteString(escape(tok))
	}
	return b.String()
}

// active reports whether GitHub would turn tok into a mention, a
// reference, a link or an image.
func active(tok string) bool {
	low := strings.ToLower(tok)
	if strings.ContainsAny(tok, "@") || strings.Contains(low, "://") || strings.Contains(low, "www.") ||
		strings.Contains(low, "](") || strings.HasPrefix(low, "mailto:") {
		return true
	}
	// #12, owner/repo#12, GH-12: a reference wherever the digits follow.
	for i := 0; i < len(low); i++ {
		switch {
		case low[i] == '#' && i+1 < len(low) && isDigit(low[i+1]):
			return true
		case strings.HasPrefix(low[i:], "gh-") && i+3 < len(low) && isDigit(low[i+3]):
			return true
		}
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// code shows s as an inline code span: no mentions, references or links
// are made inside one. Backticks cannot appear in it, so none can end it.
func code(s string) string {
	s = strings.ReplaceAll(s, "`", "'")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	return "`" + s + "`"
}

// escape makes a plain word print as written: HTML is escaped, and the
// characters that open code spans, links or escapes are backslashed.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\\', '`', '[', ']', '*', '_', '~', '!':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// inline is a short configured or extracted value in running text.
func inline(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return ""
	}
	if active(s) {
		return code(s)
	}
	return escape(s)
}

func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
