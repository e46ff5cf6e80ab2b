package feeds

import (
	"net/url"
	"strings"
)

// googleKeys are the parameters Google itself puts on a /url redirect
// besides the target. Anything else found in the query belongs to a target
// Google forgot to percent-encode.
var googleKeys = map[string]bool{
	"rct": true, "sa": true, "ct": true, "cd": true, "usg": true, "ved": true,
	"source": true, "esrc": true, "uact": true, "cad": true, "ei": true,
	"sig2": true, "bvm": true, "opi": true, "oi": true, "sqi": true, "psig": true,
}

// IsGoogleRedirect reports whether link is a Google click-through address
// (https://www.google.com/url?...), the form of every Google Alerts link.
func IsGoogleRedirect(u *url.URL) bool {
	if u == nil || (u.Scheme != "https" && u.Scheme != "http") || u.Path != "/url" {
		return false
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	// google.com, google.co.uk, google.de, ...
	rest, ok := strings.CutPrefix(host, "google.")
	if !ok {
		return false
	}
	parts := strings.Split(rest, ".")
	switch len(parts) {
	case 1:
		return rest == "com" || isCC(rest)
	case 2:
		return (parts[0] == "co" || parts[0] == "com") && isCC(parts[1])
	}
	return false
}

// isCC reports whether s looks like a country-code top-level domain.
func isCC(s string) bool {
	return len(s) == 2 && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z'
}

// UnwrapGoogle returns the article a Google redirect link points to, and
// false when link is not such a redirect or names no usable target (then
// the link is kept as it is).
//
// Google percent-encodes the target (url=https://a.example/x%3Fid%3D5), so
// net/url's query parsing gives it back whole, query and fragment included.
// Older alerts left the target unencoded; its own "&k=v" parameters and
// "#fragment" then spill into the redirect's query and fragment, and are
// put back until the first parameter Google owns (ct, cd, usg, ...).
func UnwrapGoogle(link string) (string, bool) {
	u, err := url.Parse(link)
	if err != nil || !IsGoogleRedirect(u) {
		return "", false
	}
	q, err := url.ParseQuery(u.RawQuery)
	key := "url"
	if q.Get(key) == "" {
		key = "q"
	}
	target := q.Get(key)
	if target == "" {
		return "", false
	}
	stray := err != nil || u.Fragment != ""
	for k := range q {
		if !googleKeys[k] && k != key {
			stray = true
		}
	}
	if stray {
		if t, ok := rebuildUnencoded(u, key); ok {
			target = t
		}
	}
	return checkTarget(target)
}

// rebuildUnencoded reads the target from the raw query when Google did not
// encode it: the url= value, then every following parameter that is not
// Google's, then the fragment's part before Google's parameters resume.
func rebuildUnencoded(u *url.URL, key string) (string, bool) {
	segs := strings.Split(u.RawQuery, "&")
	start := -1
	for i, s := range segs {
		if strings.HasPrefix(s, key+"=") {
			start = i
			break
		}
	}
	if start < 0 {
		return "", false
	}
	first := strings.TrimPrefix(segs[start], key+"=")
	if encoded(first) {
		// Google did encode the target: what follows is its own.
		return "", false
	}
	var b strings.Builder
	b.WriteString(first)
	ended := false
	for _, s := range segs[start+1:] {
		k, _, _ := strings.Cut(s, "=")
		if googleKeys[k] {
			ended = true
			break
		}
		b.WriteString("&")
		b.WriteString(s)
	}
	if frag := u.EscapedFragment(); frag != "" && !ended {
		fsegs := strings.Split(frag, "&")
		b.WriteString("#")
		b.WriteString(fsegs[0])
		for _, s := range fsegs[1:] {
			k, _, _ := strings.Cut(s, "=")
			if googleKeys[k] {
				break
			}
			b.WriteString("&")
			b.WriteString(s)
		}
	}
	return b.String(), true
}

// encoded reports whether a raw url= value carries the target's query
// delimiters percent-encoded, the way Google writes it today.
func encoded(raw string) bool {
	l := strings.ToLower(raw)
	return strings.Contains(l, "%3f") || strings.Contains(l, "%26") || strings.Contains(l, "%3d") ||
		strings.Contains(l, "%23") || strings.HasPrefix(l, "http%3a") || strings.HasPrefix(l, "https%3a")
}

// checkTarget accepts only absolute http(s) addresses: a redirect to
// javascript: or a relative path is not an article.
func checkTarget(t string) (string, bool) {
	u, err := url.Parse(strings.TrimSpace(t))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", false
	}
	if _, err := Canonical(u.String()); err != nil {
		return "", false
	}
	return u.String(), true
}
