package webhook

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/earshothq/earshot/sources/wire"
)

func FuzzParseSignature(f *testing.F) {
	for _, s := range []string{
		Sign(secret, now, []byte(one)),
		signed(one, now, "whsec_old", secret).sig,
		"t=1795357800, v1=" + strings.Repeat("0", 64) + ", v0=legacy",
		"t=1795357800",
		"v1=" + strings.Repeat("f", 64),
		"t=,v1=",
		"t=1,t=2,v1=" + strings.Repeat("a", 64),
		"sha256=deadbeef",
		"t=-5,v1=" + strings.Repeat("a", 64),
		strings.Repeat(",", 20),
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		sig, err := parseSignature(h)
		if err != nil {
			return
		}
		if sig.t < 0 || sig.raw == "" || len(sig.v1) == 0 || len(sig.v1) > maxEntries {
			t.Fatalf("accepted %q as %+v", h, sig)
		}
		for _, v := range sig.v1 {
			if len(v) != sha256.Size {
				t.Fatalf("accepted a %d-byte v1", len(v))
			}
		}
		// What parsed, written out again, parses the same.
		var b strings.Builder
		b.WriteString("t=" + sig.raw)
		for _, v := range sig.v1 {
			b.WriteString(",v1=" + hex.EncodeToString(v))
		}
		again, err := parseSignature(b.String())
		if err != nil || again.t != sig.t || again.raw != sig.raw || len(again.v1) != len(sig.v1) {
			t.Fatalf("re-parse of %q: %+v, %v", b.String(), again, err)
		}
	})
}

// FuzzHandler drives the whole request path with arbitrary bodies and
// headers: it never panics, answers JSON, and emits only what a valid
// signature covers and wire accepts, all or nothing.
func FuzzHandler(f *testing.F) {
	f.Add([]byte(one), "", true, "application/json")
	f.Add([]byte("["+one+","+two+"]"), "", true, "application/json")
	f.Add([]byte("["+one+`,{"platform":"x"}]`), "", true, "application/json")
	f.Add([]byte(`{"platform":"x","id":"1","text":"a"}`), "t=1795357800,v1="+strings.Repeat("0", 64), false, "application/json")
	f.Add([]byte(one), "t=1795357800", false, "application/json")
	f.Add([]byte("not json"), "", true, "text/plain")
	f.Add([]byte{}, "", true, "application/json; charset=utf-8")
	f.Fuzz(func(t *testing.T, body []byte, header string, sign bool, ct string) {
		if sign {
			header = Sign(secret, now, body)
		}
		s := &sink{}
		src := running(t, secret, Options{MaxBody: 64 << 10}, s.emit)
		req := httptest.NewRequest("POST", Path, strings.NewReader(string(body)))
		req.Header.Set("Content-Type", ct)
		req.Header.Set(SignatureHeader, header)
		rec := httptest.NewRecorder()
		src.ServeHTTP(rec, req)

		var resp map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatalf("status %d, response not JSON: %q", rec.Code, rec.Body)
		}
		emitted := s.count()
		if !sign && emitted > 0 {
			t.Fatalf("emitted %d mentions for an unsigned body", emitted)
		}
		if (rec.Code == 202) != (emitted > 0) {
			t.Fatalf("status %d with %d emitted", rec.Code, emitted)
		}
		if rec.Code == 202 {
			ms, err := wire.DecodeBody(body)
			if err != nil || len(ms) != emitted || resp["accepted"] != float64(emitted) {
				t.Fatalf("accepted %v, emitted %d, wire says %d, %v", resp["accepted"], emitted, len(ms), err)
			}
		}
		if !sign && rec.Code != 401 && rec.Code != 415 && rec.Code != 413 {
			t.Fatalf("unsigned request answered %d", rec.Code)
		}
	})
}

// An unsigned body is refused before it is parsed: bodies that would crash
// or slow a parser never reach it without the secret.
func TestUnsignedNeverParsed(t *testing.T) {
	s := &sink{}
	src := running(t, secret, Options{}, s.emit)
	for _, body := range []string{one, "{", "[" + strings.Repeat("{},", 1000) + "{}]"} {
		rec := serve(src, request{body: body})
		if rec.Code != 401 || strings.Contains(rec.Body.String(), "JSON") {
			t.Fatalf("unsigned %q: %d %s", body[:1], rec.Code, rec.Body)
		}
	}
	if s.calls != 0 {
		t.Fatal("emit called for unsigned input")
	}
}
