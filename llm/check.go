package llm

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/earshothq/earshot/bot"
	"golang.org/x/text/unicode/norm"
)

// checker decides whether one model draft may reach a card. A model reads
// text written by the public, so a draft is treated as a suggestion from
// someone who may have been talked into something: it may only link to our
// pages, only @-mention the customer (or us), never ping a whole channel,
// never sign as a person other than our sign-off, never ask for secrets,
// and must fit the platform.
type checker struct {
	platform string
	limit    int    // the platform's, in graphemes
	prefix   string // "@handle " the drafter puts in front; "" when none
	customer string // folded handle, without '@'
	own      []string
	links    map[string]bool // normalised allowed addresses
	hosts    map[string]bool // their hosts, allowed bare
	signOff  string
	// names are words a signature or self-introduction may use: the
	// sign-off's and the brand's.
	names map[string]bool
}

func newChecker(platform string, limit int, prefix, customer string, own []string, links []string, signOff, brand string) *checker {
	k := &checker{platform: platform, limit: limit, prefix: prefix, customer: foldHandle(customer),
		links: map[string]bool{}, hosts: map[string]bool{}, signOff: strings.TrimSpace(signOff), names: map[string]bool{}}
	for _, h := range own {
		if h = foldHandle(h); h != "" {
			k.own = append(k.own, h)
		}
	}
	for _, l := range links {
		if u, err := url.Parse(strings.TrimSpace(l)); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
			k.links[normLink(l)] = true
			k.hosts[strings.ToLower(u.Hostname())] = true
		}
	}
	for _, w := range words(signOff + " " + brand) {
		k.names[strings.ToLower(w)] = true
	}
	// Words of a team's signature or a closing, never a person.
	for _, w := range []string{"the", "team", "care", "support", "customer", "service", "help", "and",
		"thanks", "thank", "you", "again", "cheers", "best", "regards", "all", "of", "us", "at"} {
		k.names[w] = true
	}
	return k
}

func foldHandle(h string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(h), "@"))
}

func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '+' })
}

// reply returns the text to put on the card, or why the draft is dropped.
func (k *checker) reply(text string) (string, string) {
	text = sanitize(text)
	// The drafter adds the handle; a model that wrote it anyway must not
	// make it appear twice.
	if k.prefix != "" {
		h := strings.TrimSpace(k.prefix)
		if len(text) >= len(h) && strings.EqualFold(text[:len(h)], h) {
			text = strings.TrimSpace(text[len(h):])
		}
	}
	if text == "" {
		return "", "empty"
	}
	final := k.prefix + text
	if n := bot.Length(final); n > k.limit {
		return "", fmt.Sprintf("%d characters, over the %s limit of %d", n, platformName(k.platform), k.limit)
	}
	// Checks read the text as a person would see it: compatibility forms
	// folded, so a full-width ＠ or ．is an @ or a dot.
	seen := norm.NFKC.String(text)
	for _, check := range []func(string) string{k.fence, k.broadcast, k.handles, k.addresses, k.staff, k.secrets} {
		if why := check(seen); why != "" {
			return "", why
		}
	}
	return final, ""
}

func platformName(p string) string {
	if p == "" {
		return "platform's"
	}
	return p
}

func (k *checker) fence(s string) string {
	if strings.Contains(strings.ToUpper(s), "UNTRUSTED") || strings.Contains(s, "<<<") || strings.Contains(s, ">>>") {
		return "repeats the prompt's markers for customer text"
	}
	return ""
}

// Chat-platform mention codes: a draft quoted into Slack or Discord must
// not carry them, whatever the surfaces escape.
var chatCode = regexp.MustCompile(`<[!@#][^>\s]*>`)

func (k *checker) broadcast(s string) string {
	if m := chatCode.FindString(s); m != "" {
		return fmt.Sprintf("contains the chat mention code %q", m)
	}
	return ""
}

var handleAt = regexp.MustCompile(`^@([\p{L}\p{N}_](?:[\p{L}\p{N}_.-]*[\p{L}\p{N}_])?(?:@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+)?)`)

// broadcastNames ping everyone on some platform or chat.
var broadcastNames = []string{"everyone", "here", "channel", "all", "room", "group"}

// handles finds @-mentions: an "@" that does not continue a word (so an
// email address is not one) followed by a handle.
func (k *checker) handles(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] != '@' {
			continue
		}
		if r, _ := utf8.DecodeLastRuneInString(s[:i]); unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("_.+-", r) {
			continue
		}
		m := handleAt.FindStringSubmatch(s[i:])
		if m == nil {
			continue
		}
		h := strings.ToLower(m[1])
		if slices.Contains(broadcastNames, h) {
			return fmt.Sprintf("mentions @%s", h)
		}
		if (k.customer != "" && h == k.customer) || slices.Contains(k.own, h) {
			continue
		}
		return fmt.Sprintf("mentions @%s, who is not the customer", m[1])
	}
	return ""
}

var (
	schemeLink = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*://[^\s<>"'` + "`" + `]*`)
	wwwLink    = regexp.MustCompile(`(?i)\bwww\.[^\s<>"'` + "`" + `]+`)
	// A bare domain: labels and a top-level domain of letters (or
	// punycode), with an optional path. "e.g." and "4.2.1" are not.
	bareLink = regexp.MustCompile(`(?i)\b(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+(?:\p{L}{2,24}|xn--[a-z0-9-]{1,59})\b(?:/[^\s<>"'` + "`" + `]*)?`)
)

var mentionToken = regexp.MustCompile(`(^|[^\p{L}\p{N}_.+-])@[\p{L}\p{N}_.@-]+`)

// addresses allows only our links: the brand's support URL and links and
// those in the FAQ answer the model was given. A bare domain is ours when
// it is the host of one of them.
func (k *checker) addresses(s string) string {
	// Handles were checked already; "@lumio.bsky.social" is not an address.
	if strings.Contains(s, "@") {
		s = mentionToken.ReplaceAllString(s, "$1 ")
	}
	lower := strings.ToLower(s)
	for _, re := range []*regexp.Regexp{schemeLink, wwwLink} {
		if re == schemeLink && !strings.Contains(s, "://") || re == wwwLink && !strings.Contains(lower, "www.") {
			continue
		}
		for _, m := range re.FindAllString(s, -1) {
			m = trimLink(m)
			lower := strings.ToLower(m)
			if re == schemeLink && !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "http://") {
				return fmt.Sprintf("links to %q", m)
			}
			if !k.links[normLink(m)] {
				return fmt.Sprintf("links to %s, not one of our links", m)
			}
		}
		s = re.ReplaceAllString(s, " ")
	}
	if !dotted(s) {
		return ""
	}
	for _, m := range bareLink.FindAllString(s, -1) {
		m = trimLink(m)
		n := normLink(m)
		if k.links[n] || (!strings.Contains(n, "/") && k.hosts[n]) {
			continue
		}
		return fmt.Sprintf("names the address %s, not one of our links", m)
	}
	return ""
}

// dotted reports a dot with a letter or digit right after it, which every
// domain has and most sentences do not: the regexp need not run without one.
func dotted(s string) bool {
	for i := strings.IndexByte(s, '.'); i >= 0 && i+1 < len(s); {
		r, _ := utf8.DecodeRuneInString(s[i+1:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
		j := strings.IndexByte(s[i+1:], '.')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// trimLink drops the punctuation a sentence puts after an address.
func trimLink(s string) string {
	return strings.TrimRightFunc(s, func(r rune) bool { return strings.ContainsRune(".,;:!?)]}'\"»”’…", r) })
}

// normLink compares addresses without scheme, trailing slash or case of
// the host: "https://Lumio.example/help/" is "lumio.example/help".
func normLink(s string) string {
	s = trimLink(strings.TrimSpace(s))
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	host, path, _ := strings.Cut(s, "/")
	s = strings.ToLower(host)
	if path != "" {
		s += "/" + path
	}
	return strings.TrimRight(s, "/")
}

var (
	// "I'm Maya", "this is Tom from …": a self-introduction with a name.
	introduction = regexp.MustCompile(`(?i:\b(?:i'm|i’m|i am|this is|my name is|name's|name’s)\s+)(\p{Lu}[\p{L}'’-]+)`)
	// "I'm the CEO", "speaking as the head of support".
	title = regexp.MustCompile(`(?i)\b(?:i'm|i’m|i am|this is|speaking as|as (?:the|your))\s+(?:the |a |an |your |our )?` +
		`(?:ceo|cto|cfo|coo|founder|co-?founder|owner|president|vp|vice president|head of [a-z]+|director|` +
		`(?:support |customer care |community |product |engineering |social media )?manager|supervisor|lead engineer|engineer|developer|` +
		`admin|administrator|moderator|lawyer|attorney|legal counsel|spokesperson|official)\b`)
	// A signature at the end: "– Maya", "-- Tom, Support", "Regards, Tom".
	// A signature is a few words after a dash at the very end, each one
	// capitalised (a name, a title) or a word of a team's signature:
	// "sorry – we'll fix it" is a sentence, "– Tom, CEO" is not.
	dashSignature  = regexp.MustCompile(`(?:^|\s)[-–—~]{1,2}\s*(\p{L}[\p{L}\p{N}'’. ,&+]{0,60})$`)
	closeSignature = regexp.MustCompile(`(?i:regards|sincerely|best wishes|cheers|yours|warmly|best),?\s+(\p{Lu}[\p{L}'’.-]+(?:\s+\p{Lu}[\p{L}'’.-]+)?)\s*$`)
)

// staff refuses drafts that claim to come from a named person or a title
// other than the configured sign-off: a reply posted under the brand must
// not invent employees, and an injected "sign it as the CEO" must fail.
func (k *checker) staff(s string) string {
	lower := strings.ToLower(strings.ReplaceAll(s, "’", "'"))
	if containsAny(lower, "i'm", "i am", "this is", "speaking as", "as the", "as your", "my name", "name's") {
		if m := title.FindString(s); m != "" {
			return fmt.Sprintf("claims a title (%q)", m)
		}
		for _, m := range introduction.FindAllStringSubmatch(s, -1) {
			if !k.names[strings.ToLower(m[1])] {
				return fmt.Sprintf("introduces itself as %q", m[1])
			}
		}
	}
	tail := strings.TrimSpace(s)
	if k.signOff != "" && strings.HasSuffix(tail, k.signOff) {
		return ""
	}
	// A signature is at the end; only the end need be read.
	if len(tail) > 200 {
		cut := len(tail) - 200
		for cut < len(tail) && !utf8.RuneStart(tail[cut]) {
			cut++
		}
		tail = tail[cut:]
	}
	for _, re := range []*regexp.Regexp{dashSignature, closeSignature} {
		m := re.FindStringSubmatch(tail)
		if m == nil {
			continue
		}
		ws := words(m[1])
		if re == dashSignature && !signatureLike(ws, k.names) {
			continue
		}
		for _, w := range ws {
			if !k.names[strings.ToLower(w)] {
				return fmt.Sprintf("signs as %q, not with our sign-off", strings.TrimSpace(m[1]))
			}
		}
	}
	return ""
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// signatureLike: at most six words, each capitalised or a word of ours.
func signatureLike(ws []string, ours map[string]bool) bool {
	if len(ws) == 0 || len(ws) > 6 {
		return false
	}
	for _, w := range ws {
		r := []rune(w)
		if !unicode.IsUpper(r[0]) && !ours[strings.ToLower(w)] {
			return false
		}
	}
	return true
}

var (
	secret   = regexp.MustCompile(`(?i)\b(?:passwords?|passcodes?|pin (?:code|number)s?|card numbers?|card details|cvv|cvc|security codes?|one-time codes?|verification codes?|2fa codes?|login codes?)\b`)
	negation = regexp.MustCompile(`(?i)\b(?:never|don't|don’t|do not|won't|won’t|will not|no need|not)\b`)
)

// secrets refuses a draft that asks for a password or card details: the
// care principles forbid it, and phishing is what an attacker would want.
func (k *checker) secrets(s string) string {
	if !secret.MatchString(s) {
		return ""
	}
	for _, sentence := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(".!?\n", r) }) {
		if m := secret.FindString(sentence); m != "" && !negation.MatchString(sentence) {
			return fmt.Sprintf("asks for %s", strings.ToLower(m))
		}
	}
	return ""
}
