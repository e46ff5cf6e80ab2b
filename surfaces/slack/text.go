package slacksurface

import (
	"net/url"
	"regexp"
	"strings"
	"unicode/utf16"

	chat "github.com/earshothq/earshot/surfaces/command"
)

// Block Kit limits, in characters (Slack counts UTF-16 code units; so do we,
// which is never fewer than what Slack counts).
const (
	maxSectionText = 3000
	maxHeaderText  = 150
	maxButtonValue = 2000
	maxButtonText  = 75
	maxContextText = 3000
	maxModalTitle  = 24
	maxInputValue  = 3000 // plain_text_input max_length and initial_value
	maxMetadata    = 3000 // a view's private_metadata
	maxFallback    = 3000 // a message's top-level text, shown in notifications
	maxBlocks      = 50
)

// mrkdwnEscaper turns the three characters Slack parses as control
// sequences into entities; nothing else is encoded (Slack's formatting
// rules), so "<!channel>" arrives as text and pings no one.
var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escape makes text from the public (or anyone but us) safe for mrkdwn.
func escape(s string) string { return mrkdwnEscaper.Replace(s) }

// slackUnescaper undoes Slack's entity encoding in one pass, so "&amp;lt;"
// (someone typed "&lt;") becomes "&lt;" and not "<".
var slackUnescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")

// units counts s the way Slack's limits are checked.
func units(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r) // invalid bytes decode as U+FFFD, one unit
	}
	return n
}

const ellipsis = "…"

// clip shortens s to at most limit units, cutting between user-perceived
// characters, and marks the cut with an ellipsis. Text that fits is
// returned as is.
func clip(s string, limit int) string {
	return clipText(s, limit, false)
}

func clipText(s string, limit int, escaped bool) string {
	if units(s) <= limit {
		return s
	}
	if limit <= 0 {
		return ""
	}
	out := chat.Prefix(s, limit-units(ellipsis), units)
	if !escaped {
		return out + ellipsis
	}
	// A cut inside "&amp;" would leave "&am", which Slack shows as is and
	// which could combine with what follows; drop the partial entity.
	if i := strings.LastIndexByte(out, '&'); i >= 0 && !strings.Contains(out[i:], ";") {
		out = out[:i]
	}
	// Likewise a cut inside one of our own links or mentions ("<https://…|")
	// would leave it unclosed.
	if i := strings.LastIndexByte(out, '<'); i >= 0 && !strings.Contains(out[i:], ">") {
		out = out[:i]
	}
	return out + ellipsis
}

// fit escapes public text and clips it to limit units of escaped text.
func fit(s string, limit int) string { return clipText(escape(s), limit, true) }

// clipEscaped clips text that is already escaped mrkdwn.
func clipEscaped(s string, limit int) string { return clipText(s, limit, true) }

// safeURL returns u ready to put inside a mrkdwn link "<u|label>", or ""
// when it is not an absolute http(s) URL. Characters that end a link or
// start a label ("|", ">") are percent-encoded so a hostile URL cannot
// choose its own label, and "&" is entity-encoded as Slack requires.
func safeURL(u string) string {
	if u == "" || len(u) > 2000 {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	for _, r := range u {
		if r <= ' ' || r == 0x7f {
			return ""
		}
	}
	return urlEscaper.Replace(u)
}

var urlEscaper = strings.NewReplacer("|", "%7C", "<", "%3C", ">", "%3E", "&", "&amp;")

// buttonURL is a URL for a link button's url field, which Slack does not
// parse as mrkdwn; it gets the same checks, without the entity encoding.
func buttonURL(u string) string {
	if safeURL(u) == "" || units(u) > 3000 {
		return ""
	}
	return buttonURLEscaper.Replace(u)
}

var buttonURLEscaper = strings.NewReplacer("|", "%7C", "<", "%3C", ">", "%3E")

// controlSeq matches Slack's angle-bracket control sequences in text it sends us.
var controlSeq = regexp.MustCompile(`<([^<>]*)>`)

// plainFromSlack turns text a person typed in Slack (slash command text, a
// message mentioning the bot) into plain text: links become their address,
// user and channel references become "@U123" and "#general", special
// mentions lose their power, and entities are decoded. The result is what
// the person meant to say, for a reply that leaves Slack.
func plainFromSlack(s string) string {
	s = controlSeq.ReplaceAllStringFunc(s, func(m string) string {
		inner := m[1 : len(m)-1]
		target, label, hasLabel := strings.Cut(inner, "|")
		switch {
		case strings.HasPrefix(target, "@"):
			if hasLabel && label != "" {
				return "@" + strings.TrimPrefix(label, "@")
			}
			return target
		case strings.HasPrefix(target, "#"):
			if hasLabel && label != "" {
				return "#" + strings.TrimPrefix(label, "#")
			}
			return target
		case strings.HasPrefix(target, "!subteam^"):
			if hasLabel && label != "" {
				return label
			}
			return "@group"
		case strings.HasPrefix(target, "!date^"):
			return label
		case strings.HasPrefix(target, "!"):
			if hasLabel && label != "" {
				return label
			}
			return "@" + strings.TrimPrefix(target, "!")
		}
		if !hasLabel || label == "" {
			return strings.TrimPrefix(target, "mailto:")
		}
		// Slack links what a person typed ("example.com") and keeps their
		// words as the label; give back their words when they name the link.
		for _, prefix := range []string{"http://", "https://", "mailto:"} {
			if target == prefix+label {
				return label
			}
		}
		return label + " (" + target + ")"
	})
	return slackUnescaper.Replace(s)
}

// userID reports whether s looks like a Slack user id (U… or W…).
func userID(s string) bool {
	if len(s) < 3 || len(s) > 24 || (s[0] != 'U' && s[0] != 'W') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// groupID reports whether s looks like a Slack user group id (S…).
func groupID(s string) bool {
	return len(s) >= 3 && s[0] == 'S' && userID("U"+s[1:])
}

// who renders an actor for a thread note: a Slack user as a mention (our own
// data: the id came from a signed event), anyone else as escaped text.
func who(actor string) string {
	if id, ok := strings.CutPrefix(actor, "slack:"); ok && userID(id) {
		return "<@" + id + ">"
	}
	if actor == "" {
		return "earshot"
	}
	return escape(actor)
}

// pageTokens matches identities written as "slack:U123" or "slack:S123"
// inside escaped text, to turn into pings in escalation notes.
var pageTokens = regexp.MustCompile(`slack:([UWS][A-Z0-9]{2,23})\b`)

// withPages turns the "slack:<id>" identities of an escalation into
// mentions so the people paged are notified. It runs on escaped text, so
// what it adds are the only live control sequences.
func withPages(escaped string) string {
	return pageTokens.ReplaceAllStringFunc(escaped, func(m string) string {
		id := strings.TrimPrefix(m, "slack:")
		if groupID(id) {
			return "<!subteam^" + id + ">"
		}
		if userID(id) {
			return "<@" + id + ">"
		}
		return m
	})
}
