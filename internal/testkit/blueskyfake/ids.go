package blueskyfake

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
)

const tidAlphabet = "234567abcdefghijklmnopqrstuvwxyz"

// tidLocked returns a new record key in the TID format: 13 characters of
// base32-sortable, the microsecond timestamp shifted over a 10-bit clock id.
// f.mu is held; keys only increase.
func (f *Fake) tidLocked() string {
	t := max(f.clock+1, f.now().UnixMicro())
	f.clock = t
	v := uint64(t)<<10 | 7
	var b [13]byte
	for i := 12; i >= 0; i-- {
		b[i] = tidAlphabet[v&31]
		v >>= 5
	}
	return string(b[:])
}

// cidOf makes a CID-shaped string (bafyrei…) from the record's bytes.
func cidOf(raw []byte) string {
	sum := sha256.Sum256(raw)
	return "bafyrei" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:]))
}

// jwt makes a token shaped like the PDS's (header.payload.signature), whose
// payload carries the expiry a client may read.
func jwt(did, scope string, exp time.Time) string {
	enc := base64.RawURLEncoding
	head, _ := json.Marshal(map[string]string{"typ": "at+jwt", "alg": "ES256K"})
	body, _ := json.Marshal(map[string]any{"scope": scope, "sub": did, "iat": time.Now().Unix(), "exp": exp.Unix()})
	var sig [32]byte
	_, _ = rand.Read(sig[:])
	return enc.EncodeToString(head) + "." + enc.EncodeToString(body) + "." + enc.EncodeToString(sig[:])
}
