// Package textfold is the one case-folding rule that routing (what a query
// matches) and classify (what a lexicon word matches) must share, so a term
// that routes a mention is also a term the classifier sees. It is a leaf.
package textfold

import (
	"unicode"
	"unicode/utf8"
)

// Rune maps every rune of a Unicode simple case-folding orbit to one member
// (lower case where there is one), so "K", "k" and the Kelvin sign compare
// equal. Simple folding is per rune: "ß" does not become "ss", and no locale
// rules apply (Turkish dotless i folds as in English).
func Rune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	return unicode.ToLower(least)
}
