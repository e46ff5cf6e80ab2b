package routing

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTermMatching(t *testing.T) {
	tests := []struct {
		name, term, text string
		want             bool
	}{
		{"plain", "lumio", "I love my Lumio lamp", true},
		{"upper case", "lumio", "LUMIO!!", true},
		{"term in capitals", "LUMIO", "lumio", true},
		{"glued after", "lumio", "my lumiolamp", false},
		{"glued before", "lumio", "xlumio", false},
		{"underscore is a word character", "lumio", "lumio_fan", false},
		{"digits are word characters", "lumio", "lumio2", false},
		{"possessive", "lumio", "Lumio's app", true},
		{"hashtag contains the word", "lumio", "#lumio", true},
		{"handle contains the word", "lumio", "@lumio.bsky.social", true},
		{"domain contains the word", "lumio", "see lumio.example/help", true},
		{"hyphen ends a word", "lumio", "lumio-lamp", true},
		{"at start and end", "lumio", "lumio", true},
		{"later occurrence qualifies", "lumio", "lumiolamp and lumio", true},
		{"hashtag term", "#lumio", "love it #Lumio", true},
		{"hashtag term not in bare word", "#lumio", "lumio", false},
		{"hashtag term glued before", "#lumio", "great#lumio", true},
		{"hashtag term glued after", "#lumio", "#lumiolamp", false},
		{"handle term", "@lumio", "hey @Lumio help", true},
		{"trailing symbol term", "lumio+", "is Lumio+ worth it", true},
		{"phrase", "charged twice", "I was charged twice!", true},
		{"phrase across a newline and tabs", "charged twice", "charged\n\t twice", true},
		{"phrase across a no-break space", "charged twice", "charged\u00a0twice", true},
		{"phrase spaces in term", "charged   twice", "charged twice", true},
		{"phrase glued", "charged twice", "chargedtwice", false},
		{"phrase word glued", "charged twice", "charged twicer", false},
		{"phrase with apostrophe", "we're hiring", "We're hiring engineers", true},
		{"umlaut folds", "ümlaut", "ÜMLAUT", true},
		{"umlaut term in capitals", "Ümlaut", "ümlaut", true},
		{"umlaut is a word character", "ümlaut", "ümlautx", false},
		{"accented letter ends no word", "café", "cafés", false},
		{"accented possessive", "café", "Café's", true},
		{"decomposed text", "ümlaut", "U\u0308mlaut", true},
		{"decomposed term", "u\u0308mlaut", "ÜMLAUT", true},
		{"umlaut is not its base letter", "umlaut", "ümlaut", false},
		{"capital sharp s", "straße", "STRAẞE", true},
		{"kelvin sign", "kilo", "\u212Ailo", true},
		{"long s", "sun", "\u017Fun", true},
		{"greek final sigma", "λόγος", "ΛΌΓΟΣ", true},
		{"cyrillic", "лампа", "ЛАМПА сломалась", true},
		{"cyrillic glued", "лампа", "лампами", false},
		{"japanese around a latin name", "lumio", "Lumioのランプが壊れた", true},
		{"japanese term in japanese text", "ランプ", "ルミオのランプが", true},
		{"chinese", "灯", "我的灯坏了", true},
		{"no match", "refund", "great lamp", false},
		{"empty text", "lumio", "", false},
		{"invalid utf-8 text", "lumio", "\xff lumio \xfe", true},
		{"prefix", "refund*", "refunded already?", true},
		{"prefix whole word", "refund*", "no refund", true},
		{"prefix needs a word start", "refund*", "norefunds", false},
		{"phrase prefix", "charged tw*", "charged twice", true},
		{"url term", "lumio.example/help", "see https://lumio.example/help.", true},
		{"url term longer path", "lumio.example/help", "lumio.example/helpdesk", false},
		{"cashtag", "$lmio", "buying $LMIO today", true},
		{"cashtag glued", "$lmio", "$lmiox", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			term, err := termLiteral(tt.term)
			if err != nil {
				t.Fatalf("termLiteral(%q): %v", tt.term, err)
			}
			if got := term.in(prepare(tt.text)); got != tt.want {
				t.Errorf("%q in %q = %v, want %v", tt.term, tt.text, got, tt.want)
			}
		})
	}
}

func TestDomainMatching(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"deals at spam.example today", true},
		{"https://spam.example/deal?id=1", true},
		{"www.SPAM.example", true},
		{"ends a sentence: spam.example.", true},
		{"notspam.example", false},
		{"x-spam.example", false},
		{"spam.example.org", false},
		{"spam.examples", false},
		{"spam.example-shop.org", false},
		{"spam example", false},
	}
	l, err := newLiteral("spam.example", false)
	if err != nil || !l.domain {
		t.Fatalf("spam.example: %v, domain %v", err, l.domain)
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := l.in(prepare(tt.text)); got != tt.want {
				t.Errorf("spam.example in %q = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestLooksLikeDomain(t *testing.T) {
	for s, want := range map[string]bool{
		"lumio.example": true, "help.lumio.example/faq": true, "xn--bcher-kva.example": true,
		"v4.2": false, "e.g.": false, "lumio": false, "a.b": false, "lumio .example": false,
		".example": false, "@lumio.bsky.social": false, "lumio.bsky.social": true,
	} {
		if got := looksLikeDomain(s); got != want {
			t.Errorf("looksLikeDomain(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestLiteralErrors(t *testing.T) {
	for _, raw := range []string{"", "   ", "re*", "*", "a*b*"} {
		if _, err := termLiteral(raw); err == nil {
			t.Errorf("termLiteral(%q): no error", raw)
		}
	}
}

func TestPrepareFastPathAgrees(t *testing.T) {
	for _, s := range []string{"Hello  World\t\nLUMIO", "  a\r\n\vb\f ", "", "MiXeD 123 !!"} {
		slow := []byte{}
		for _, r := range s + "\u00e9" { // force the slow path
			slow = append(slow, string(r)...)
		}
		got := string(prepareInto(nil, s))
		want := strings.TrimSuffix(string(prepareInto(nil, string(slow))), "\u00e9")
		if got != want {
			t.Errorf("prepare(%q): fast %q, slow %q", s, got, want)
		}
	}
}

// FuzzTerm checks the preparation of terms and texts: a term is always found
// in itself, whatever case and spacing surround it, and never panics.
func FuzzTerm(f *testing.F) {
	for _, s := range [][2]string{
		{"lumio", "I love my Lumio lamp"},
		{"#lumio", "#lumiolamp #lumio"},
		{"charged twice", "charged\n\ttwice"},
		{"ümlaut", "U\u0308MLAUT"},
		{"lumio", "Lumioのランプ"},
		{"spam.example", "https://www.spam.example/x"},
		{"\xff", "\xfe\xff"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, raw, txt string) {
		term, err := termLiteral(raw)
		if err != nil {
			return
		}
		term.in(prepare(txt))
		if !term.in(prepare(raw)) && !strings.HasSuffix(strings.TrimSpace(raw), "*") {
			t.Fatalf("%q not found in itself", raw)
		}
		if !term.in(prepare(" " + strings.TrimSuffix(strings.TrimSpace(raw), "*") + " ")) {
			t.Fatalf("%q not found between spaces", raw)
		}
	})
}

// in is the plain search for one literal: the reference the compiled matcher
// is tested against.
func (t literal) in(x text) bool {
	s := string(x)
	for i := 0; i <= len(s); {
		j := strings.Index(s[i:], t.s)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(t.s)
		if t.boundedAt(s, j, end) {
			return true
		}
		_, size := utf8.DecodeRuneInString(s[j:])
		i = j + size
	}
	return false
}
