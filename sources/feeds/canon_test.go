package feeds

import (
	"net/url"
	"strings"
	"testing"
)

func TestCanonical(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"https://News.Example.COM/a/B?utm_source=rss&utm_medium=feed&id=3#top", "https://news.example.com/a/B?id=3", ""},
		{"https://example.com/p?z=1&a=2&fbclid=IwAR0&gclid=x", "https://example.com/p?a=2&z=1", ""},
		{"HTTP://example.com:80", "http://example.com/", ""},
		{"https://example.com:443/x?", "https://example.com/x", ""},
		{"https://example.com:8443/x", "https://example.com:8443/x", ""},
		{"https://user:pw@example.com/x", "https://example.com/x", ""},
		{"https://example.com./x?ns_mchannel=rss&ns_campaign=1&mc_cid=a&mc_eid=b", "https://example.com/x", ""},
		{"https://example.com/x?b=2&a=1&a=0", "https://example.com/x?a=1&a=0&b=2", ""},
		{"https://[2001:DB8::1]:443/x", "https://[2001:db8::1]/x", ""},
		{"https://example.com/caf%C3%A9", "https://example.com/caf%C3%A9", ""},
		{"ftp://example.com/x", "", "is not http(s)"},
		{"/relative", "", "is not http(s)"},
		{"https:///nohost", "", "has no host"},
		{"https://exa mple.com/", "", "invalid character"},
	}
	for _, tc := range tests {
		got, err := Canonical(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Canonical(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Canonical(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestExternalID(t *testing.T) {
	short := "https://example.com/a"
	if got := ExternalID(short); got != short {
		t.Errorf("ExternalID(short) = %q", got)
	}
	long := "https://example.com/?" + strings.Repeat("k=v&", 200)
	got := ExternalID(long)
	if !strings.HasPrefix(got, "sha256:") || len(got) != len("sha256:")+64 || got != ExternalID(long) {
		t.Errorf("ExternalID(long) = %q, want a stable sha256:<hex>", got)
	}
}

func FuzzCanonical(f *testing.F) {
	for _, s := range []string{
		"https://www.aglobalmarketresearch.com/report-offers-prediction-of-automotive-slack-market/",
		"https://News.Example.COM/a/B?utm_source=rss&utm_medium=feed&id=3#top",
		"HTTP://example.com:80",
		"https://[2001:DB8::1]:443/x?b=2&a=1",
		"https://example.com/x?%zz",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		c, err := Canonical(in)
		if err != nil {
			return
		}
		// Canonical form is a fixed point: canonicalising twice changes nothing.
		again, err := Canonical(c)
		if err != nil {
			t.Fatalf("Canonical(%q) = %q, which fails: %v", in, c, err)
		}
		if again != c {
			t.Fatalf("Canonical not idempotent: %q → %q → %q", in, c, again)
		}
		u, _ := url.Parse(c)
		if u.Fragment != "" || u.User != nil {
			t.Fatalf("Canonical(%q) = %q keeps a fragment or credentials", in, c)
		}
		// An unparsable query is kept whole on purpose; a parsable one
		// loses its tracking parameters.
		if q, err := url.ParseQuery(u.RawQuery); err == nil {
			for k := range q {
				if tracking(k) {
					t.Fatalf("Canonical(%q) = %q keeps tracking parameter %q", in, c, k)
				}
			}
		}
	})
}
