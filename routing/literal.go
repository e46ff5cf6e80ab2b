package routing

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/unicode/norm"

	"github.com/earshothq/earshot/internal/textfold"
)

// text is a mention's text prepared once for every term lookup: composed
// (NFC), case-folded rune by rune, and with each run of whitespace turned into
// one space, so terms compare as people read them rather than byte for byte.
type text string

func prepare(s string) text { return text(prepareInto(nil, s)) }

// prepareInto appends the prepared form of s to dst. Most posts are ASCII and
// take the fast path: lower-casing bytes, no normalisation and no decoding,
// which is most of what matching a post costs.
func prepareInto(dst []byte, s string) []byte {
	space := false
	if isASCII(s) {
		// One branch-free pass: a table lower-cases letters and turns every
		// ASCII space into ' ', and a space right after a space is written
		// but not kept. Branches here would mispredict on every word.
		n := len(dst)
		dst = slices.Grow(dst, len(s))[:n+len(s)]
		out := dst[n:]
		j, prev := 0, 0
		for i := 0; i < len(s) && j < len(out); i++ {
			c := asciiFold[s[i]]
			sp := int(asciiIsSpace[c])
			out[j] = c
			j += 1 - sp&prev
			prev = sp
		}
		return dst[:n+j]
	}
	if !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	for _, r := range s {
		if unicode.IsSpace(r) {
			if !space {
				dst = append(dst, ' ')
			}
			space = true
			continue
		}
		space = false
		dst = utf8.AppendRune(dst, textfold.Rune(r))
	}
	return dst
}

// asciiFold maps an ASCII byte to its prepared form: letters to lower case,
// the bytes unicode.IsSpace accepts to ' '. It has 256 entries so indexing
// by a byte needs no bounds check.
var asciiFold = func() (t [256]byte) {
	for i := range t {
		c := byte(i)
		switch {
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case c == '\t', c == '\n', c == '\v', c == '\f', c == '\r':
			c = ' '
		}
		t[i] = c
	}
	return t
}()

var asciiIsSpace = [256]uint8{' ': 1}

// isASCII checks eight bytes at a time.
func isASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))&0x8080808080808080 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// isWord reports whether r is part of a word: "lumio" must not match inside
// "lumiolamp", but "#", "@", "'" and "." end a word. Scripts written without
// spaces between words (Chinese, Japanese, Thai, ...) have no boundaries to
// find, so their characters count as separators: "Lumioのランプ" names Lumio.
func isWord(r rune) bool {
	if r < 0x0E00 {
		return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
	}
	if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar) {
		return false
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// literal is one prepared search term: a word, a phrase, a prefix (refund*),
// a handle, a hashtag or a domain. A word boundary is required only at an end
// of the literal that is itself a word character, so "#lumio" matches in
// "love#lumio" while "lumio" does not match in "xlumio".
type literal struct {
	raw       string // as written, for explanations and Decision.Excluded
	s         string // prepared
	wordStart bool
	wordEnd   bool // false for a prefix: refund* matches "refunded"
	prefix    bool
	// domain tightens the boundaries to whole host names: "spam.example"
	// matches "www.spam.example" but not "x-spam.example" or
	// "spam.example.org"; a domain also matches the post's own address.
	domain bool
}

// key identifies literals that match the same way, so a term used by a
// thousand routes is looked for once.
func (l literal) key() string {
	k := l.s
	if l.prefix {
		k += "\x00*"
	}
	if l.domain {
		k += "\x00d"
	}
	return k
}

func (l literal) String() string {
	if l.raw != "" {
		return l.raw
	}
	return l.s
}

// newLiteral prepares a term as written in a query or a list. A term that
// looks like a domain or an address (lumio.example, lumio.example/help) gets
// host-name boundaries.
func newLiteral(raw string, prefix bool) (literal, error) {
	s := strings.TrimSpace(string(prepare(raw)))
	if s == "" {
		return literal{}, fmt.Errorf("empty term %q", raw)
	}
	if prefix && utf8.RuneCountInString(s) < MinPrefix {
		return literal{}, fmt.Errorf("%q: a wildcard needs at least %d characters before the *", raw+"*", MinPrefix)
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	l := literal{raw: raw, s: s, wordStart: isWord(first), wordEnd: isWord(last) && !prefix, prefix: prefix}
	if prefix {
		l.raw += "*"
	}
	l.domain = !prefix && looksLikeDomain(s)
	return l, nil
}

// looksLikeDomain reports whether a prepared term is a host name, optionally
// with a path: labels of letters, digits and hyphens joined by dots, the last
// one alphabetic ("lumio.example", "help.lumio.example/faq"), and no spaces.
// "v4.2" and "e.g." are not.
func looksLikeDomain(s string) bool {
	host, _, _ := strings.Cut(s, "/")
	labels := strings.Split(host, ".")
	if len(labels) < 2 || strings.ContainsAny(s, " @#$") {
		return false
	}
	for _, l := range labels {
		if l == "" {
			return false
		}
		for _, r := range l {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	if utf8.RuneCountInString(tld) < 2 {
		return false
	}
	for _, r := range tld {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

func (t literal) boundedAt(s string, start, end int) bool {
	if t.wordStart && start > 0 {
		if r, _ := utf8.DecodeLastRuneInString(s[:start]); isWord(r) || t.domain && r == '-' {
			return false
		}
	}
	if t.wordEnd && end < len(s) {
		r, size := utf8.DecodeRuneInString(s[end:])
		if isWord(r) {
			return false
		}
		if t.domain && (r == '-' || r == '.') {
			// A dot ending a sentence is fine; one starting another label is not.
			next, _ := utf8.DecodeRuneInString(s[end+size:])
			if r == '-' || isWord(next) {
				return false
			}
		}
	}
	return true
}
