package testkit

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// SignedRequest builds a POST of body to url as a webhook sender would:
// JSON content type and an X-Earshot-Signature made at time at. It works
// with an http.Client and with a handler's ServeHTTP alike.
//
// The signature is computed here from the documented format rather than by
// calling the webhook package, so tests using it check that the receiver
// follows the format, not merely that it agrees with itself.
func SignedRequest(t testing.TB, url, secret string, body []byte, at time.Time) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("testkit: signed request to %s: %v", url, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Earshot-Signature", WebhookSignature(secret, at, body))
	return req
}

// WebhookSignature is the X-Earshot-Signature value for body sent at at:
// "t=<unix>,v1=<hex(HMAC-SHA256(secret, "<unix>.<body>"))>".
func WebhookSignature(secret string, at time.Time, body []byte) string {
	ts := strconv.FormatInt(at.Unix(), 10)
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts + "."))
	h.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(h.Sum(nil))
}
