package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader carries "t=<unix>,v1=<hex>", where v1 is
// hex(HMAC-SHA256(secret, "<t>.<body>")). Signing the time with the body
// lets the receiver refuse old captures; several v1 entries let a sender
// sign with an old and a new secret while it rotates.
const SignatureHeader = "X-Earshot-Signature"

// maxEntries bounds the work an unauthenticated header can ask for.
const maxEntries = 16

// Sign returns the SignatureHeader value for body sent at t.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac([]byte(secret), ts, body))
}

func mac(secret []byte, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// signature is a parsed SignatureHeader.
type signature struct {
	t   int64
	raw string   // t as sent: the MAC covers these exact digits
	v1  [][]byte // each sha256.Size bytes
}

// parseSignature reads a SignatureHeader value. Its errors never repeat the
// header, which a misconfigured sender may have filled with the secret.
func parseSignature(h string) (signature, error) {
	var sig signature
	h = strings.TrimSpace(h)
	if h == "" {
		return sig, errors.New("empty")
	}
	parts := strings.Split(h, ",")
	if len(parts) > maxEntries {
		return sig, fmt.Errorf("more than %d entries", maxEntries)
	}
	seenT := false
	for i, p := range parts {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || k == "" {
			return sig, fmt.Errorf("entry %d is not key=value", i+1)
		}
		switch k {
		case "t":
			if seenT {
				return sig, errors.New("t= given twice")
			}
			seenT = true
			if v == "" || len(v) > 18 || strings.TrimLeft(v, "0123456789") != "" {
				return sig, errors.New("t= is not a unix time in seconds")
			}
			sig.t, _ = strconv.ParseInt(v, 10, 64) // 18 digits always fit
			sig.raw = v
		case "v1":
			b, err := hex.DecodeString(v)
			if err != nil || len(b) != sha256.Size {
				return sig, fmt.Errorf("v1= is not %d hex digits", 2*sha256.Size)
			}
			sig.v1 = append(sig.v1, b)
		default:
			// Other schemes (a future v2) are for other receivers.
		}
	}
	switch {
	case !seenT:
		return sig, errors.New("no t= timestamp")
	case len(sig.v1) == 0:
		return sig, errors.New("no v1= signature")
	}
	return sig, nil
}

// authError is why a request's signature was refused; its text goes back to
// the sender, so it says which check failed and nothing it was checked against.
type authError struct{ msg string }

func (e *authError) Error() string { return e.msg }

// verify checks a SignatureHeader value against body: well formed, signed
// within window of now (either way: clocks drift), and one v1 matching.
func verify(secret []byte, header string, body []byte, now time.Time, window time.Duration) error {
	if header == "" {
		return &authError{"missing " + SignatureHeader + " header"}
	}
	sig, err := parseSignature(header)
	if err != nil {
		return &authError{"malformed " + SignatureHeader + " header: " + err.Error()}
	}
	at := time.Unix(sig.t, 0)
	switch {
	case at.Before(now.Add(-window)):
		return &authError{fmt.Sprintf("stale signature: signed more than %s ago", window)}
	case at.After(now.Add(window)):
		return &authError{fmt.Sprintf("signature timestamp more than %s in the future", window)}
	}
	want := mac(secret, sig.raw, body)
	ok := false
	for _, got := range sig.v1 {
		// Every entry is compared, in constant time, so timing does not
		// tell which one came close.
		if hmac.Equal(got, want) {
			ok = true
		}
	}
	if !ok {
		return &authError{"signature does not match"}
	}
	return nil
}
