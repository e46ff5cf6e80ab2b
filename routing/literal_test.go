package routing

import (
	"strings"
	"testing"
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			term, ok := newTerm(tt.term)
			if !ok {
				t.Fatalf("newTerm(%q) failed", tt.term)
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
	ds := newDomainSet([]string{"spam.example"})
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			_, got := ds.first(prepare(tt.text))
			if got != tt.want {
				t.Errorf("spam.example in %q = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestTermSetFirst(t *testing.T) {
	ts := newTermSet([]string{"refund", "  ", "charged twice"})
	if len(ts.terms) != 2 {
		t.Fatalf("blank term kept: %d terms", len(ts.terms))
	}
	got, ok := ts.first(prepare("Charged  twice, want a REFUND"))
	if !ok || got != "refund" {
		t.Errorf("first = %q, %v; want the first term in rules order, as written", got, ok)
	}
	var none *termSet
	if _, ok := none.first(prepare("x")); ok || !none.empty() {
		t.Error("nil set matched or is not empty")
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
		term, ok := newTerm(raw)
		if !ok {
			if strings.TrimSpace(raw) != "" && strings.TrimSpace(string(prepare(raw))) != "" {
				t.Fatalf("newTerm(%q) refused a non-blank term", raw)
			}
			return
		}
		term.in(prepare(txt))
		newDomainSet([]string{raw}).first(prepare(txt))
		if !term.in(prepare(raw)) {
			t.Fatalf("%q not found in itself", raw)
		}
		if !term.in(prepare(" " + raw + " ")) {
			t.Fatalf("%q not found between spaces", raw)
		}
	})
}
