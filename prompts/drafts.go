package prompts

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// optMark starts a template line that may be dropped to fit the limit. It is
// a control character, and control characters are stripped from every value
// a template prints, so no customer, product or brand text can forge it.
const optMark = "\x1f"

// maxNameLen caps the first name a greeting uses: a display name is not
// always a name.
const maxNameLen = 30

// UsesHandles reports whether replies on the platform start with the
// customer's @handle, as threads on Bluesky, X and Mastodon do.
func UsesHandles(platform string) bool { return usesHandles(platform) }

func usesHandles(platform string) bool {
	switch strings.ToLower(strings.TrimSpace(platform)) {
	case "bluesky", "x", "twitter", "mastodon":
		return true
	}
	return false
}

// view is what the reply templates see: every value cleaned to one line of
// printable text.
type view struct {
	Brand      Brand
	Platform   string
	Intent     string
	Negative   bool // the customer is unhappy, whatever the intent
	FollowUp   bool
	Product    string
	Thing      string // the product as a sentence names it: "the lamp", "Lumio+"
	Problem    string
	SupportURL string
	Hours      string
	Phone      string
	// FAQ is the canned answer the "faq" template prints; empty when none
	// matched or the case is about safety.
	FAQ string
}

// Drafts returns exactly three drafts for in (concise, warm, next step),
// each at most in.Limit grapheme clusters; spam gets none. When in.FAQ is
// set and fits whole, the first draft is that answer (approach "answer")
// instead of the concise one. A draft too long
// for the limit loses its sign-off, then its optional sentences (last
// first), then the product and problem wording; only then is it cut at a
// word boundary with "…".
func (d *Drafter) Drafts(in DraftInput) ([]Draft, error) {
	if in.Limit <= 0 {
		return nil, fmt.Errorf("draft replies: limit %d is not positive", in.Limit)
	}
	intent := strings.ToLower(strings.TrimSpace(in.Intent))
	if intent == "spam" {
		return nil, nil
	}
	if !slices.Contains(intents(), intent) {
		intent = "other"
	}
	v := newView(in, intent)
	greeting, sep := greet(in)
	signoff := clean(in.Brand.SignOff)
	drafts := make([]Draft, 0, 3)
	for _, a := range approaches() {
		name := templateName(intent, a)
		if a == Concise && v.FAQ != "" {
			// A correct, approved answer beats a request for details: the
			// team wrote it for exactly this question. Cut short it could
			// lose the step or the link that matters, so an answer that
			// does not fit whole leaves the concise draft in its place.
			specific, err := d.segments("faq", v)
			if err != nil {
				return nil, err
			}
			p := parts{greeting: greeting, sep: sep, body: specific, signoff: signoff}
			if text, ok := p.fit(in.Limit); ok {
				drafts = append(drafts, Draft{Text: text, Approach: Answer})
				continue
			}
		}
		specific, err := d.segments(name, v)
		if err != nil {
			return nil, err
		}
		p := parts{greeting: greeting, sep: sep, body: specific, signoff: signoff}
		text, ok := p.fit(in.Limit)
		if !ok && (v.Thing != "" || v.Problem != "") {
			g := v
			g.Product, g.Thing, g.Problem = "", "", ""
			generic, err := d.segments(name, g)
			if err != nil {
				return nil, err
			}
			p.body = generic
			text, ok = p.fit(in.Limit)
		}
		if !ok {
			text = truncate(text, in.Limit)
		}
		drafts = append(drafts, Draft{Text: text, Approach: a})
	}
	return drafts, nil
}

func newView(in DraftInput, intent string) view {
	b := cleanBrand(in.Brand)
	v := view{
		Brand:      b,
		Platform:   clean(in.Platform),
		Intent:     intent,
		Negative:   strings.EqualFold(strings.TrimSpace(in.Sentiment), "negative"),
		FollowUp:   in.FollowUp,
		Product:    quotable(in.Product),
		Problem:    quotable(in.Problem),
		SupportURL: b.SupportURL,
		Hours:      b.Hours,
		Phone:      b.Phone,
	}
	if intent != "safety" {
		v.FAQ = clean(in.FAQ)
	}
	v.Thing = thing(v.Product)
	return v
}

// quotable returns the phrase cleaned, or "" when it should not be echoed
// in a public reply: the Problem is the customer's own words, and a post
// crafted to make our draft say "DM us your password" or carry a link or
// a handle must not get its way.
func quotable(s string) string {
	s = clean(s)
	lower := strings.ToLower(s)
	for _, bad := range []string{"@", "://", "www.", "password", "passcode", "pin code", "card number", "cvv", "security code"} {
		if strings.Contains(lower, bad) {
			return ""
		}
	}
	return s
}

// thing names a product in a sentence: a brand-style name stands alone
// ("Lumio+"), a common noun takes "the" ("the lamp").
func thing(product string) string {
	if product == "" {
		return ""
	}
	for _, r := range product {
		if unicode.IsUpper(r) {
			return product
		}
	}
	return "the " + product
}

// greet opens a draft: "@handle" where the platform threads by handle,
// otherwise "Hi Sam," on first contact and nothing on a follow-up, which
// continues a conversation already under way. sep goes between the opening
// and the body, and before the sign-off.
func greet(in DraftInput) (greeting, sep string) {
	if usesHandles(in.Platform) {
		if h := cleanHandle(in.Handle); h != "" {
			return "@" + h, " "
		}
		return "", " "
	}
	if in.FollowUp {
		return "", "\n\n"
	}
	if n := firstName(in.Name); n != "" {
		return "Hi " + n + ",", "\n\n"
	}
	return "Hi there,", "\n\n"
}

// CleanHandle is the handle as drafts write it after "@": its first word,
// without leading "@"s and control characters.
func CleanHandle(h string) string { return cleanHandle(h) }

// cleanHandle is the handle's first word without leading "@"s: a handle has
// no spaces, so whatever follows one is not part of it.
func cleanHandle(h string) string {
	f := strings.Fields(clean(h))
	if len(f) == 0 {
		return ""
	}
	return strings.TrimLeft(f[0], "@")
}

func firstName(name string) string {
	f := strings.Fields(clean(name))
	if len(f) == 0 {
		return ""
	}
	n := strings.Trim(f[0], ",.;:!?")
	letters := false
	for _, r := range n {
		if r == '@' || r == '/' {
			return "" // an address or a handle, not a name
		}
		letters = letters || unicode.IsLetter(r)
	}
	if !letters || uniseg.GraphemeClusterCount(n) > maxNameLen {
		return ""
	}
	return n
}

// segment is one sentence or group of sentences of a draft's body.
type segment struct {
	text     string
	optional bool
}

// segments renders a reply template: each non-empty line is a segment, and a
// line starting with {{opt}} may be dropped.
func (d *Drafter) segments(name string, v any) ([]segment, error) {
	var b strings.Builder
	if err := d.t.ExecuteTemplate(&b, name, v); err != nil {
		return nil, fmt.Errorf("render %s draft: %w", name, err)
	}
	var segs []segment
	for _, line := range strings.Split(b.String(), "\n") {
		line = strings.TrimSpace(line)
		opt := strings.HasPrefix(line, optMark)
		line = strings.TrimSpace(strings.ReplaceAll(line, optMark, ""))
		if line != "" {
			segs = append(segs, segment{text: line, optional: opt})
		}
	}
	if len(segs) == 0 {
		return nil, errors.New("render " + name + " draft: empty")
	}
	return segs, nil
}

// clean makes untrusted or configured text safe to print in one line:
// control and invisible formatting characters go (except the joiner inside
// emoji), whitespace runs become one space, and invalid UTF-8 is dropped.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "")
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r) && r != '\u200d', r == utf8.RuneError:
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

func cleanBrand(b Brand) Brand {
	out := Brand{
		Name:       clean(b.Name),
		Tone:       clean(b.Tone),
		SignOff:    clean(b.SignOff),
		SupportURL: clean(b.SupportURL),
		Hours:      clean(b.Hours),
		Phone:      clean(b.Phone),
	}
	for name, u := range b.Links {
		name, u = clean(name), clean(u)
		if name == "" || u == "" || strings.ContainsRune(u, ' ') {
			continue
		}
		if out.Links == nil {
			out.Links = map[string]string{}
		}
		out.Links[name] = u
	}
	for _, s := range b.Do {
		if s = clean(s); s != "" {
			out.Do = append(out.Do, s)
		}
	}
	for _, s := range b.Dont {
		if s = clean(s); s != "" {
			out.Dont = append(out.Dont, s)
		}
	}
	return out
}
