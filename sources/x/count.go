package x

import (
	"regexp"
	"strings"

	"github.com/rivo/uniseg"
	"golang.org/x/text/unicode/norm"
)

// MaxWeightedLength is X's limit for a post, in weighted characters.
const MaxWeightedLength = 280

// URLLength is what any link counts for (X wraps every link in t.co).
const URLLength = 23

// Weights follow twitter-text's configuration v3 (scale 100): code points
// in these ranges (Latin, Greek, Cyrillic, Hebrew, Arabic, Indic and other
// scripts up to U+10FF, and some punctuation) weigh 100; everything else,
// CJK included, weighs the default 200; an emoji weighs 200 however many
// code points it is made of.
var lightRanges = [][2]rune{{0, 4351}, {8192, 8205}, {8208, 8223}, {8242, 8247}}

// urlRE finds links as X does closely enough: anything with a scheme, and
// bare domains on common top-level domains (X links "acme.com" too).
var urlRE = regexp.MustCompile(`(?i)\bhttps?://[^\s<>"]+|\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:com|net|org|io|co|ai|app|dev|me|info|biz|us|uk|de|fr|es|it|nl|jp|cn|in|br|ca|au|ly|gg|tv|xyz|shop|store|help)\b(?:/[^\s<>"]*)?`)

// WeightedLength counts text as X does for its 280 limit: after NFC
// normalisation, links 23 each, emoji 2, CJK and other heavy scripts 2 per
// code point, Latin and the light ranges 1.
func WeightedLength(text string) int {
	text = norm.NFC.String(text)
	total := 0
	last := 0
	for _, loc := range urlRE.FindAllStringIndex(text, -1) {
		end := loc[1]
		// Trailing punctuation ends a sentence, not the link.
		for end > loc[0] && strings.ContainsRune(".,:;!?)'\"]}", rune(text[end-1])) {
			end--
		}
		total += weigh(text[last:loc[0]])
		total += URLLength * 100
		last = end
	}
	total += weigh(text[last:])
	return (total + 99) / 100
}

func weigh(s string) int {
	w := 0
	g := uniseg.NewGraphemes(s)
	for g.Next() {
		rs := g.Runes()
		if emoji(rs) {
			w += 200
			continue
		}
		for _, r := range rs {
			w += runeWeight(r)
		}
	}
	return w
}

func runeWeight(r rune) int {
	for _, lr := range lightRanges {
		if r >= lr[0] && r <= lr[1] {
			return 100
		}
	}
	return 200
}

// emoji reports whether a grapheme cluster is an emoji: a pictograph,
// flag, keycap or a sequence joined or styled as one.
func emoji(rs []rune) bool {
	for _, r := range rs {
		switch {
		case r >= 0x1F000 && r <= 0x1FAFF, // pictographs, flags, emoticons
			r == 0xFE0F, r == 0x20E3, // emoji style, keycap
			r >= 0x2600 && r <= 0x27BF: // symbols and dingbats
			return true
		}
	}
	return false
}
