package feeds

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
)

// trackingKeys are query parameters that say how a reader arrived, not
// which page they read; they are dropped so one article shared through
// several feeds, newsletters and alerts has one address.
var trackingKeys = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "gbraid": true, "wbraid": true,
	"msclkid": true, "yclid": true, "igshid": true, "twclid": true, "ttclid": true,
	"mc_cid": true, "mc_eid": true, "_ga": true, "_gl": true, "_hsenc": true,
	"_hsmi": true, "mkt_tok": true, "oly_anon_id": true, "oly_enc_id": true,
	"vero_id": true, "ncid": true, "ocid": true, "cmpid": true, "sr_share": true,
	"spm": true, "cvid": true,
}

// trackingPrefixes are families of tracking parameters (Google Analytics'
// utm_*, comScore's ns_*, AT Internet's at_*).
var trackingPrefixes = []string{"utm_", "ns_", "at_", "pk_", "mtm_", "hsa_"}

func tracking(key string) bool {
	k := strings.ToLower(key)
	if trackingKeys[k] {
		return true
	}
	for _, p := range trackingPrefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// Canonical is the address that identifies an article across feeds:
// scheme and host lower-cased, default port and fragment dropped, an empty
// path made "/", tracking parameters removed and the rest sorted by name.
// The path's case and the scheme (http vs https) are kept: servers may
// tell them apart. Only absolute http(s) addresses are accepted.
func Canonical(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("link %q: %w", clip(raw, 200), err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("link %q is not http(s)", clip(raw, 200))
	}
	if u.Host == "" {
		return "", fmt.Errorf("link %q has no host", clip(raw, 200))
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	host = strings.TrimSuffix(host, ".")
	if host == "" {
		return "", fmt.Errorf("link %q has no host", clip(raw, 200))
	}
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	u.Host = host
	u.User = nil // credentials never identify an article, and never get stored
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path, u.RawPath = "/", ""
	}
	if u.RawQuery != "" {
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			// Keep an unparsable query as it is: dropping it could merge
			// two different articles.
			q = nil
		}
		if q != nil {
			for k := range q {
				if tracking(k) {
					delete(q, k)
				}
			}
			u.RawQuery = q.Encode() // sorted by key
		}
	}
	u.ForceQuery = false
	return u.String(), nil
}

// maxIDBytes bounds an external id: a canonical address longer than this
// (a tracking-laden link) is stored as its hash instead.
const maxIDBytes = 512

// ExternalID is the mention id of an article: its canonical address, or
// "sha256:<hex>" of it when the address is longer than 512 bytes. The same
// article read from two feeds gets the same id, so the store keeps it once.
func ExternalID(canonical string) string {
	if len(canonical) <= maxIDBytes {
		return canonical
	}
	sum := sha256.Sum256([]byte(canonical))
	return "sha256:" + hex.EncodeToString(sum[:])
}
