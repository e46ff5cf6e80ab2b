package mastodonfake

import (
	"html"
	"regexp"
	"sort"
	"strings"
)

var entityRE = regexp.MustCompile(`https?://[^\s<>"]+|(?:^|[^\w/=])@[A-Za-z0-9_]+(?:@[A-Za-z0-9.-]+[A-Za-z0-9])?|(?:^|[^\w&/])#[\p{L}\p{N}_]+`)

// format renders plain text the way Mastodon's TextFormatter does:
// paragraphs in <p>, line breaks as <br />, links with the scheme and the
// tail in invisible spans, mentions as h-cards, hashtags as tag links. It
// fills s's mentions and tags.
func (f *Fake) format(text string, s *Status) string {
	var paras []string
	for p := range strings.SplitSeq(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if strings.TrimSpace(p) == "" {
			continue
		}
		lines := strings.Split(p, "\n")
		for i, l := range lines {
			lines[i] = f.entities(l, s)
		}
		paras = append(paras, "<p>"+strings.Join(lines, "<br />")+"</p>")
	}
	return strings.Join(paras, "")
}

func (f *Fake) entities(line string, s *Status) string {
	var b strings.Builder
	last := 0
	for _, loc := range entityRE.FindAllStringIndex(line, -1) {
		start := loc[0]
		tok := line[start:loc[1]]
		if tok[0] != 'h' && tok[0] != '@' && tok[0] != '#' {
			start++ // the character before the @ or # stays text
			tok = tok[1:]
		}
		b.WriteString(html.EscapeString(line[last:start]))
		switch tok[0] {
		case 'h':
			b.WriteString(link(tok))
		case '@':
			a := f.addAccount(tok[1:], "", 0)
			if !hasMention(s.Mentions, a.ID) {
				s.Mentions = append(s.Mentions, Mention{ID: a.ID, Username: a.Username, URL: a.URL, Acct: a.Acct})
			}
			b.WriteString(`<span class="h-card" translate="no"><a href="` + html.EscapeString(a.URL) +
				`" class="u-url mention">@<span>` + html.EscapeString(a.Username) + `</span></a></span>`)
		case '#':
			name := tok[1:]
			low := strings.ToLower(name)
			if !hasTag(s.Tags, low) {
				s.Tags = append(s.Tags, Tag{Name: low, URL: "https://mastodon.example/tags/" + low})
			}
			b.WriteString(`<a href="https://mastodon.example/tags/` + html.EscapeString(low) +
				`" class="mention hashtag" rel="tag">#<span>` + html.EscapeString(name) + `</span></a>`)
		}
		last = loc[1]
	}
	b.WriteString(html.EscapeString(line[last:]))
	return b.String()
}

// link is Mastodon's shortened link: the whole address is the text, the
// scheme and anything past 30 characters hidden by CSS.
func link(u string) string {
	scheme, rest, _ := strings.Cut(u, "://")
	show, hide := rest, ""
	if len(rest) > 30 {
		show, hide = rest[:30], rest[30:]
	}
	cls := ""
	if hide != "" {
		cls = "ellipsis"
	}
	return `<a href="` + html.EscapeString(u) + `" target="_blank" rel="nofollow noopener" translate="no">` +
		`<span class="invisible">` + html.EscapeString(scheme) + `://</span><span class="` + cls + `">` + html.EscapeString(show) +
		`</span><span class="invisible">` + html.EscapeString(hide) + `</span></a>`
}

func hasMention(ms []Mention, id string) bool {
	for _, m := range ms {
		if m.ID == id {
			return true
		}
	}
	return false
}

func hasTag(ts []Tag, name string) bool {
	for _, t := range ts {
		if t.Name == name {
			return true
		}
	}
	return false
}

// distribute notifies and streams a new status: the brand's home and
// notifications, hashtag streams, the public streams.
func (f *Fake) distribute(s *Status) {
	mentionsMe := false
	for _, m := range s.Mentions {
		if m.ID == f.me.ID {
			mentionsMe = true
		}
	}
	if mentionsMe && s.Account.ID != f.me.ID {
		f.nextID++
		id := itoa(f.nextID)
		n := &Notification{ID: id, Type: "mention", CreatedAt: s.CreatedAt, GroupKey: "ungrouped-" + id, Account: s.Account, Status: s}
		f.notifs = append(f.notifs, n)
		f.push("user", "", frame{event: "notification", data: mustJSON(n)})
	}
	if f.inHome(s) {
		f.push("user", "", frame{event: "update", data: mustJSON(s)})
	}
	if s.Visibility != "public" {
		return
	}
	local := !strings.Contains(s.Account.Acct, "@")
	for _, t := range s.Tags {
		f.push("hashtag", t.Name, frame{event: "update", data: mustJSON(s)})
	}
	f.push("public", "", frame{event: "update", data: mustJSON(s)})
	if local {
		f.push("public:local", "", frame{event: "update", data: mustJSON(s)})
	} else {
		f.push("public:remote", "", frame{event: "update", data: mustJSON(s)})
	}
}

func (f *Fake) inHome(s *Status) bool {
	if s.Account.ID == f.me.ID {
		return true
	}
	return f.follows[s.Account.ID] && f.visible(s)
}

// page applies Mastodon's pagination to items (ascending by id): min_id
// gives the oldest items after it, otherwise the newest before max_id and
// after since_id. The page is newest first.
func page[T any](items []T, id func(T) string, minID, maxID, sinceID string, limit int) []T {
	var sel []T
	for _, it := range items {
		i := id(it)
		if (maxID != "" && !less(i, maxID)) || (sinceID != "" && !less(sinceID, i)) || (minID != "" && !less(minID, i)) {
			continue
		}
		sel = append(sel, it)
	}
	if minID != "" {
		sel = sel[:min(limit, len(sel))]
	} else {
		sel = sel[max(0, len(sel)-limit):]
	}
	out := make([]T, len(sel))
	for i := range sel {
		out[i] = sel[len(sel)-1-i]
	}
	return out
}

func less(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func sortStatuses(ss []*Status) {
	sort.Slice(ss, func(i, j int) bool { return less(ss[i].ID, ss[j].ID) })
}
