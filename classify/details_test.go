package classify

import (
	"strings"
	"testing"
	"unicode/utf8"
)

var lumioProducts = []string{"Lumio app", "Lumio hub", "Lumio+", "lamp", "Lumio"}

func TestProductDetails(t *testing.T) {
	cases := []struct {
		name, text string
		want       Details
	}{
		{"app version and phone", "Lumio app 4.2.1 crashes on my iPhone 15 Pro since iOS 17.4",
			Details{Product: "Lumio app", Version: "4.2.1", OS: "iOS 17.4", Device: "iPhone 15 Pro"}},
		{"v prefix", "the lamp firmware v3.1 bricked it", Details{Product: "lamp", Version: "3.1"}},
		{"beta", "app 4.3 beta keeps logging me out on Android 14", Details{Version: "4.3 beta", OS: "Android 14"}},
		{"rc tag", "version 5.0 rc2 on my Pixel 8 drains the battery", Details{Version: "5.0 rc2", OS: "Android", Device: "Pixel 8"}},
		{"mac answered", "@lumio the Lumio hub won't pair, I'm on my Mac", Details{Product: "Lumio hub", OS: "macOS", Device: "Mac"}},
		{"pc answered", "Lumio app won't open on my PC", Details{Product: "Lumio app", OS: "Windows", Device: "PC"}},
		{"windows version", "Lumio desktop app on Windows 11 shows a blank screen", Details{Product: "Lumio", OS: "Windows 11"}},
		{"windows the word", "the lamp by the windows flickers", Details{Product: "lamp"}},
		{"macos name", "Lumio+ scenes vanish on macOS Sonoma", Details{Product: "Lumio+", OS: "macOS Sonoma"}},
		{"macos number", "crash on macOS 14.2.1 with the Lumio app", Details{Product: "Lumio app", OS: "macOS 14.2.1"}},
		{"mac os x", "still on Mac OS X, does the Lumio app work?", Details{Product: "Lumio app", OS: "macOS"}},
		{"galaxy", "Samsung Galaxy S24 Ultra, app 4.2: notifications never arrive", Details{Version: "4.2", OS: "Android", Device: "Galaxy S24 Ultra"}},
		{"dead pixel is not a phone", "my lamp has a dead pixel in the display", Details{Product: "lamp"}},
		{"ipad", "iPad Air, iPadOS 17 — the widget is empty", Details{OS: "iPadOS 17", Device: "iPad Air"}},
		{"price is not a version", "Lumio+ costs 4.99 a month now?!", Details{Product: "Lumio+"}},
		{"time is not a version", "since 8.30 pm the lamp is off", Details{Product: "lamp"}},
		{"bare number without cue", "I gave it 4.5 stars", Details{}},
		{"three parts need no cue", "still broken in 4.2.10 for me", Details{Version: "4.2.10"}},
		{"longest product", "the Lumio app and the Lumio hub", Details{Product: "Lumio app"}},
		{"possessive", "my iPhone's Lumio app is stuck", Details{Product: "Lumio app", OS: "iOS", Device: "iPhone"}},
		{"chromebook", "Lumio web on a Chromebook", Details{Product: "Lumio", OS: "ChromeOS", Device: "Chromebook"}},
		{"nothing", "love it", Details{}},
		{"empty", "", Details{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ProductDetails(c.text, lumioProducts); got != c.want {
				t.Errorf("ProductDetails(%q)\n got %+v\nwant %+v", c.text, got, c.want)
			}
		})
	}
}

func TestProductDetailsNoProducts(t *testing.T) {
	got := ProductDetails("app 4.2 on iOS 17", nil)
	if got != (Details{Version: "4.2", OS: "iOS 17"}) {
		t.Fatalf("got %+v", got)
	}
}

// FuzzProductDetails: any text gives short, valid, one-line fields, and the
// same text gives the same answer.
func FuzzProductDetails(f *testing.F) {
	for _, s := range []string{
		"Lumio app 4.2.1 crashes on my iPhone 15 Pro since iOS 17.4",
		"app 4.3 beta keeps logging me out on Android 14",
		"@lumio the Lumio hub won't pair, I'm on my Mac",
		"Samsung Galaxy S24 Ultra, app 4.2: notifications never arrive",
		"Lumio+ costs 4.99 a month now?!",
		"Windows 11 iPhone Pixel 8a Mac OS X v1.2.3 rc1",
		"\xff\xfe iOS \u200b 17",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		d := ProductDetails(text, lumioProducts)
		for _, v := range []string{d.Product, d.Version, d.OS, d.Device} {
			if !utf8.ValidString(v) || strings.ContainsAny(v, "\n\r\t") || utf8.RuneCountInString(v) > maxDetail {
				t.Fatalf("ProductDetails(%q) = %+v: bad field %q", text, d, v)
			}
		}
		if again := ProductDetails(text, lumioProducts); again != d {
			t.Fatalf("not deterministic: %+v then %+v", d, again)
		}
	})
}
