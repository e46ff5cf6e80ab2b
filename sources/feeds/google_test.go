package feeds

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

const gSuffix = "&ct=ga&cd=CAIyHGU4ZTJkZjQ3OTVkYmIzMTc6Y28uanA6ZW46SlA&usg=AFQjCNHUcRGtHY1ygcMDkVS68IgpYs7Wpg"

func TestUnwrapGoogle(t *testing.T) {
	tests := []struct {
		name, link, want string
		ok               bool
	}{
		{"real alert", "https://www.google.com/url?rct=j&sa=t&url=https://www.aglobalmarketresearch.com/report-offers-prediction-of-automotive-slack-market/" + gSuffix,
			"https://www.aglobalmarketresearch.com/report-offers-prediction-of-automotive-slack-market/", true},
		{"encoded query and fragment", "https://www.google.com/url?rct=j&sa=t&url=https://news.example.com/story%3Fid%3D42%26page%3D2%23comments" + gSuffix,
			"https://news.example.com/story?id=42&page=2#comments", true},
		{"fully encoded target", "https://www.google.com/url?rct=j&sa=t&url=https%3A%2F%2Fnews.example.com%2Fa%3Fb%3Dc" + gSuffix,
			"https://news.example.com/a?b=c", true},
		{"unencoded query spills", "https://www.google.com/url?rct=j&sa=t&url=https://shop.example.com/p?id=7&lang=de" + gSuffix,
			"https://shop.example.com/p?id=7&lang=de", true},
		{"unencoded fragment spills", "https://www.google.com/url?rct=j&sa=t&url=https://shop.example.com/p?id=7#reviews" + gSuffix,
			"https://shop.example.com/p?id=7#reviews", true},
		{"encoded target, unknown google param", "https://www.google.com/url?rct=j&sa=t&url=https://a.example/x%3Fy%3D1&ust=1700000000" + gSuffix,
			"https://a.example/x?y=1", true},
		{"q parameter", "https://www.google.com/url?q=https://a.example/post&sa=D&source=editors", "https://a.example/post", true},
		{"country domain", "https://www.google.co.uk/url?sa=t&url=https://a.example/uk", "https://a.example/uk", true},
		{"plus kept in encoded", "https://www.google.com/url?rct=j&url=https://a.example/c%2B%2B" + gSuffix, "https://a.example/c++", true},
		{"not google", "https://example.com/url?url=https://a.example/", "", false},
		{"google but not /url", "https://www.google.com/search?q=acme", "", false},
		{"lookalike host", "https://google.com.evil.example/url?url=https://a.example/", "", false},
		{"no target", "https://www.google.com/url?rct=j&sa=t" + gSuffix, "", false},
		{"javascript target", "https://www.google.com/url?url=javascript:alert(1)" + gSuffix, "", false},
		{"relative target", "https://www.google.com/url?url=/local" + gSuffix, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := UnwrapGoogle(tc.link)
			if got != tc.want || ok != tc.ok {
				t.Errorf("UnwrapGoogle(%q) = %q, %v; want %q, %v", tc.link, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func FuzzUnwrapGoogle(f *testing.F) {
	for _, s := range []string{
		"https://www.google.com/url?rct=j&sa=t&url=https://www.aglobalmarketresearch.com/report/" + gSuffix,
		"https://www.google.com/url?rct=j&sa=t&url=https://news.example.com/story%3Fid%3D42%26page%3D2%23comments" + gSuffix,
		"https://www.google.com/url?rct=j&sa=t&url=https://shop.example.com/p?id=7&lang=de#x&ct=ga",
		"https://www.google.com/url?q=https://a.example/post&sa=D",
		"https://www.google.com/url?url=%zz",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, link string) {
		got, ok := UnwrapGoogle(link)
		if !ok {
			if got != "" {
				t.Fatalf("not ok but %q", got)
			}
			return
		}
		u, err := url.Parse(got)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			t.Fatalf("UnwrapGoogle(%q) = %q: not an absolute http(s) URL", link, got)
		}
		if !utf8.ValidString(link) {
			return
		}
		// Unwrapping is idempotent on the result: the article is not itself a redirect to unwrap again
		// unless Google wrapped a Google redirect.
		if again, ok := UnwrapGoogle(got); ok && !strings.Contains(link, "google") {
			t.Fatalf("unwrapped %q twice to %q", link, again)
		}
		if _, err := Canonical(got); err != nil {
			t.Fatalf("target %q has no canonical form: %v", got, err)
		}
	})
}
