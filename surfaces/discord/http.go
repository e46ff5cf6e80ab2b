package discordsurface

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// InteractionsPath is where Handler expects Discord's interactions (the
// application's Interactions Endpoint URL).
const InteractionsPath = "/discord/interactions"

// maxBody bounds an interaction; Discord's are a few KB.
const maxBody = 1 << 20

// signatureWindow is how old a signed request may be: a captured request
// cannot be replayed later.
const signatureWindow = 5 * time.Minute

// Handler serves the HTTP interactions endpoint (with a public key set):
// every request must carry Discord's Ed25519 signature over timestamp and
// body, made within the last five minutes; anything else is answered 401
// and nothing is done. Once a URL is saved in the Developer Portal,
// Discord sends interactions there instead of over the gateway.
func (s *Surface) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.publicKey == nil {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		if !s.fresh(r.Header.Get("X-Signature-Timestamp")) || !discordgo.VerifyInteraction(r, s.publicKey) {
			s.log.Warn("discord: interaction with a bad or stale signature refused", "remote", r.RemoteAddr)
			http.Error(w, "invalid request signature", http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(r.Body) // VerifyInteraction put it back
		if err != nil {
			http.Error(w, "cannot read the body", http.StatusBadRequest)
			return
		}
		var i discordgo.Interaction
		if err := json.Unmarshal(body, &i); err != nil {
			http.Error(w, "not an interaction", http.StatusBadRequest)
			return
		}
		a := s.handle(&i)
		w.Header().Set("Content-Type", "application/json")
		if err := json.NewEncoder(w).Encode(a.resp); err != nil {
			s.log.Warn("discord: could not answer an interaction", "error", err)
			return
		}
		s.spawn(a.work)
	})
}

// fresh reports whether a signature's timestamp is within the window.
func (s *Surface) fresh(ts string) bool {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	d := s.now().Sub(time.Unix(sec, 0))
	return d < signatureWindow && d > -signatureWindow
}
