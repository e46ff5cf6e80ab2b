package classify

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/earshothq/earshot/internal/textfold"
)

type tokKind uint8

const (
	tkWord   tokKind = iota // letters, digits, marks; inner apostrophes and digit separators
	tkPunct                 // one punctuation or symbol rune
	tkEmoji                 // one emoji, without its variation selector or skin tone
	tkURL                   // http(s)://… or www.… up to the next space
	tkHandle                // @name, @name@instance
)

// token is one unit of a post. Lexicon terms are tokenised the same way, so
// matching compares whole tokens: word boundaries come for free.
type token struct {
	// s is the case-folded text, a substring of one buffer per post; empty
	// for URLs and handles, which no lexicon term matches.
	s          string
	start, end int32 // byte offsets in the original text, for the problem phrase
	kind       tokKind
	// glued: no whitespace since the previous token, so "Lumio+" is not "Lumio +1".
	glued bool
	// caps: a word of two or more letters written without lower case.
	caps bool
	// sentStart: the first word of a sentence, where question openers count.
	sentStart bool
}

// tokenize splits s into tokens, folding case into one buffer so each token's
// text is a substring of one allocation.
func tokenize(s string, toks []token) []token {
	buf := make([]byte, 0, len(s))
	type span struct{ fs, fe int32 }
	spans := make([]span, 0, len(s)/4+4)
	toks = toks[:0]
	sentence, space := true, false
	emit := func(kind tokKind, start, end, fs int, caps bool) {
		t := token{start: int32(start), end: int32(end), kind: kind, caps: caps, glued: !space && len(toks) > 0}
		if kind == tkWord {
			t.sentStart = sentence
			sentence = false
		}
		toks = append(toks, t)
		spans = append(spans, span{int32(fs), int32(len(buf))})
		space = false
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			sentence, space = true, true
			i += size
		case unicode.IsSpace(r):
			space = true
			i += size
		case (r == 'h' || r == 'H' || r == 'w' || r == 'W') && isURLStart(s[i:]) && !afterWord(s, i):
			start, fs := i, len(buf)
			for i < len(s) {
				r, size := utf8.DecodeRuneInString(s[i:])
				if unicode.IsSpace(r) {
					break
				}
				i += size
			}
			emit(tkURL, start, i, fs, false)
		case r == '@' && !afterWord(s, i) && i+1 < len(s) && startsWord(s[i+1:]):
			start, fs := i, len(buf)
			i++
			for i < len(s) {
				r, size := utf8.DecodeRuneInString(s[i:])
				if isWordRune(r) || (r == '.' || r == '-' || r == '@') && startsWord(s[i+size:]) {
					i += size
					continue
				}
				break
			}
			emit(tkHandle, start, i, fs, false)
		case isIgnorable(r) || isSkinTone(r):
			// Variation selectors, joiners and marks with nothing to
			// attach to are invisible: never a token of their own.
			i += size
		case isWordRune(r):
			start, fs := i, len(buf)
			letters, lower := 0, 0
			var prev rune
		word:
			for i < len(s) {
				r, size := utf8.DecodeRuneInString(s[i:])
				switch {
				case isWordRune(r):
					if unicode.IsLetter(r) {
						letters++
						if !unicode.IsUpper(r) {
							lower++
						}
					}
					buf = utf8.AppendRune(buf, textfold.Rune(r))
				case isIgnorable(r):
					// A soft hyphen or zero-width joiner inside a word hides
					// nothing: "cr\u00ADash" is still "crash".
				case isApostrophe(r) && startsWord(s[i+size:]):
					buf = append(buf, '\'')
				case (r == '.' || r == ',') && unicode.IsDigit(prev) && startsDigit(s[i+size:]):
					buf = append(buf, byte(r))
				default:
					break word
				}
				prev = r
				i += size
			}
			emit(tkWord, start, i, fs, letters >= 2 && lower == 0)
		case isEmoji(r):
			fs := len(buf)
			buf = append(buf, s[i:i+size]...)
			emit(tkEmoji, i, i+size, fs, false)
			sentence = true
			i += size
		default:
			fs := len(buf)
			if r == utf8.RuneError && size == 1 {
				buf = append(buf, "\uFFFD"...)
			} else {
				buf = append(buf, s[i:i+size]...)
			}
			emit(tkPunct, i, i+size, fs, false)
			switch r {
			case '.', '!', '?', ':', '…', '¿', '¡':
				sentence = true
			}
			i += size
		}
	}
	folded := string(buf)
	for k := range toks {
		toks[k].s = folded[spans[k].fs:spans[k].fe]
	}
	return toks
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

func isApostrophe(r rune) bool { return r == '\'' || r == '’' || r == 'ʼ' }

// isIgnorable reports format characters and stray combining marks: invisible,
// and never a token of their own.
func isIgnorable(r rune) bool {
	return r >= utf8.RuneSelf && (unicode.Is(unicode.Cf, r) || unicode.IsMark(r))
}

func isSkinTone(r rune) bool { return r >= 0x1F3FB && r <= 0x1F3FF }

func isEmoji(r rune) bool {
	switch {
	case r >= 0x1F000 && r <= 0x1FAFF, r >= 0x2600 && r <= 0x27BF, r >= 0x2300 && r <= 0x23FF:
		return true
	case r == 0x2B50 || r == 0x2B55 || r == 0x2B1B || r == 0x2B1C:
		return true
	}
	return false
}

func startsWord(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return len(s) > 0 && isWordRune(r)
}

func startsDigit(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return len(s) > 0 && unicode.IsDigit(r)
}

// afterWord reports whether s[i] directly follows a word character, as the
// "@" of an e-mail address or the "www" in "awww." does.
func afterWord(s string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return i > 0 && isWordRune(r)
}

func isURLStart(s string) bool {
	return hasPrefixFold(s, "https://") || hasPrefixFold(s, "http://") || hasPrefixFold(s, "www.")
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
