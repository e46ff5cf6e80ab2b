package discordsurface

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/bwmarrin/discordgo"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/surfaces/command"
)

// Discord's limits, in characters. We count UTF-16 code units, never
// fewer than the characters Discord counts.
const (
	maxContent     = 2000
	maxEmbedTitle  = 256
	maxEmbedDesc   = 4096
	maxFieldName   = 256
	maxFieldValue  = 1024
	maxFooter      = 2048
	maxAuthorName  = 256
	maxEmbedsTotal = 6000
	maxLabel       = 80
	maxCustomID    = 100
	maxModalTitle  = 45
	maxInputLabel  = 45
	maxInputValue  = 4000
	maxPlaceholder = 100
	maxThreadName  = 100
)

// markdownEscaper puts a backslash before every character Discord's
// markdown gives a meaning to: emphasis, code, spoilers, quotes, headings,
// lists, masked links ([label](url)), mentions and custom emoji (<@123>,
// <@&123>, <#123>, <:e:1>), timestamps (<t:…>), @everyone/@here, and the
// "://" that auto-links a URL. A backslash before such a character shows
// the character as typed. allowed_mentions is what stops pings; this keeps
// a stranger's text from looking like ours, linking under a false label or
// naming people.
var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, `*`, `\*`, `_`, `\_`, `~`, `\~`, "`", "\\`", `|`, `\|`, `>`, `\>`, `<`, `\<`,
	`#`, `\#`, `-`, `\-`, `+`, `\+`, `[`, `\[`, `]`, `\]`, `(`, `\(`, `)`, `\)`, `@`, `\@`, `:`, `\:`,
)

// orderedList matches "12." at the start of a line, which Discord renders
// as a list item.
var orderedList = regexp.MustCompile(`(?m)^(\s*\d+)\.`)

// escape makes text from the public (or anyone but us) show as typed.
func escape(s string) string {
	return orderedList.ReplaceAllString(markdownEscaper.Replace(s), `$1\.`)
}

// defang makes public text inert in fields Discord shows as plain text
// (an embed's author name): markdown escapes would show there, so a
// zero-width space after "<" and "@" keeps mentions and @everyone from
// being read as such, should Discord ever parse the field.
func defang(s string) string { return defanger.Replace(s) }

var defanger = strings.NewReplacer("<", "<\u200b", "@", "@\u200b")

// units counts s the way we check Discord's limits.
func units(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

const ellipsis = "…"

// clip shortens plain text s to at most limit units, cutting between
// user-perceived characters, and marks the cut with an ellipsis.
func clip(s string, limit int) string { return clipText(s, limit, false) }

// clipEscaped clips text that is already escaped markdown: a cut never
// leaves half an escape.
func clipEscaped(s string, limit int) string { return clipText(s, limit, true) }

func clipText(s string, limit int, escaped bool) string {
	if units(s) <= limit {
		return s
	}
	if limit <= 0 {
		return ""
	}
	out := command.Prefix(s, limit-units(ellipsis), units)
	if escaped {
		// An odd run of trailing backslashes is an escape whose character
		// was cut off; drop its backslash.
		trailing := len(out) - len(strings.TrimRight(out, `\`))
		if trailing%2 == 1 {
			out = out[:len(out)-1]
		}
	}
	return out + ellipsis
}

// fit escapes public text and clips it to limit units of escaped text.
func fit(s string, limit int) string { return clipEscaped(escape(s), limit) }

// oneLine folds s onto one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// quote renders public text as a block quote: every line starts with our
// own "> ", and the text itself is escaped, so a line of the customer's
// that starts with ">" or "#" stays a literal character.
func quote(text string, limit int) string {
	text = strings.TrimSpace(text)
	if text == "" {
		return "*(no text)*"
	}
	lines := strings.Split(escape(text), "\n")
	return clipEscaped("> "+strings.Join(lines, "\n> "), limit)
}

// safeURL returns u when it is an absolute http(s) URL fit for an embed's
// url or a link button, else "". Such fields are never parsed as markdown,
// so the URL cannot choose a label.
func safeURL(u string) string {
	if u == "" || len(u) > 512 {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	for _, r := range u {
		// Angle brackets would end the <url> form of a link in a message.
		if r <= ' ' || r == 0x7f || r == '<' || r == '>' {
			return ""
		}
	}
	return u
}

// snowflake reports whether s looks like a Discord id.
func snowflake(s string) bool {
	if len(s) < 5 || len(s) > 20 {
		return false
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// who renders an actor for a card or a thread note: a Discord user as a
// mention (our own data, from a signed event; allowed_mentions keeps it
// from pinging), anyone else as escaped text.
func who(actor string) string {
	if id, ok := strings.CutPrefix(actor, "discord:"); ok && snowflake(id) {
		return "<@" + id + ">"
	}
	if actor == "" {
		return "earshot"
	}
	return escape(actor)
}

// pageTokens matches identities written as "discord:123…" (a user) or
// "discord:role:123…" (a role) in escaped text (the colons are escaped by
// then), to turn into pings in escalation lines.
var pageTokens = regexp.MustCompile(`discord\\:(role\\:)?(\d{5,20})\b`)

// pings are who a message may notify: nobody, unless an escalation pages
// users or roles the team's rules name.
type pings struct {
	Users []string `json:"users,omitempty"`
	Roles []string `json:"roles,omitempty"`
}

// allowed is the message's allowed_mentions: exactly these, nothing parsed.
func (p pings) allowed() *discordgo.MessageAllowedMentions {
	a := noPings()
	a.Users, a.Roles = p.Users, p.Roles
	return a
}

// withPages turns the identities an escalation pages into mentions, and
// says whom the message may ping. Only identities the team's rules name
// (members, leads, execs, escalation steps) become mentions: anything else,
// such as an id someone typed in a note, stays text. It runs on escaped
// text, so what it adds are the only live mentions.
func withPages(team bot.Team, escaped string) (string, pings) {
	var p pings
	out := pageTokens.ReplaceAllStringFunc(escaped, func(m string) string {
		sub := pageTokens.FindStringSubmatch(m)
		role, id := sub[1] != "", sub[2]
		if !snowflake(id) {
			return m
		}
		if role {
			if !team.Pageable("discord:role:" + id) {
				return m
			}
			if !contains(p.Roles, id) {
				p.Roles = append(p.Roles, id)
			}
			return "<@&" + id + ">"
		}
		if !team.Pageable("discord:" + id) {
			return m
		}
		if !contains(p.Users, id) {
			p.Users = append(p.Users, id)
		}
		return "<@" + id + ">"
	})
	return out, p
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
