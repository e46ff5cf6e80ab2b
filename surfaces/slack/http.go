package slacksurface

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/earshothq/earshot/internal/httpbody"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// maxBody bounds a request from Slack; view submissions carry the modal's
// blocks and stay far below it.
const maxBody = 1 << 20

// Handler serves Slack's HTTP deliveries (HTTP mode): /slack/events,
// /slack/interactivity and /slack/commands. Every request must carry a
// valid v0 signature made with the signing secret within the last five
// minutes; anything else gets 401 and nothing is done. Each request is
// answered at once and acted on afterwards. Mount it at "/slack/".
func (s *Surface) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/events", s.verified(s.serveEvents))
	mux.HandleFunc("POST /slack/interactivity", s.verified(s.serveInteractivity))
	mux.HandleFunc("POST /slack/commands", s.verified(s.serveCommands))
	return mux
}

// verified reads the body and checks Slack's signature over it before h
// sees anything.
func (s *Surface) verified(h func(w http.ResponseWriter, r *http.Request, body []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.secret == "" {
			http.Error(w, "slack: HTTP delivery is not configured (no signing secret)", http.StatusNotFound)
			return
		}
		body, tooLarge, err := httpbody.Read(w, r, maxBody)
		switch {
		case tooLarge:
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		case err != nil:
			http.Error(w, "cannot read request", http.StatusBadRequest)
			return
		}
		if err := verify(r.Header, body, s.secret); err != nil {
			s.log.Warn("slack: request refused: bad signature", "path", r.URL.Path, "remote", r.RemoteAddr, "err", err)
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		h(w, r, body)
	}
}

// verify checks the v0 signature: HMAC-SHA256 of "v0:{ts}:{body}", a
// timestamp within five minutes, compared in constant time.
func verify(h http.Header, body []byte, secret string) error {
	sv, err := slack.NewSecretsVerifier(h, secret)
	if err != nil {
		return err
	}
	if _, err := sv.Write(body); err != nil {
		return err
	}
	return sv.Ensure()
}

func (s *Surface) serveEvents(w http.ResponseWriter, r *http.Request, body []byte) {
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		// Signed by Slack but not an event we know: answering 200 keeps
		// Slack from redelivering what we cannot use anyway.
		s.log.Warn("slack: unreadable event", "err", err)
		w.WriteHeader(http.StatusOK)
		return
	}
	if ev.Type == slackevents.URLVerification {
		if v, ok := ev.Data.(*slackevents.EventsAPIURLVerificationEvent); ok {
			writeJSON(w, map[string]string{"challenge": v.Challenge})
			return
		}
		http.Error(w, "bad url_verification", http.StatusBadRequest)
		return
	}
	s.respond(w, s.onEvent(ev))
}

func (s *Surface) serveInteractivity(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	cb, err := decodeInteraction([]byte(form.Get("payload")))
	if err != nil {
		s.log.Warn("slack: unreadable interaction", "err", err)
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	s.respond(w, s.onInteraction(cb))
}

// decodeInteraction reads an interactivity payload (the form's "payload"
// field over HTTP, the envelope's payload in Socket Mode).
func decodeInteraction(raw []byte) (slack.InteractionCallback, error) {
	var cb slack.InteractionCallback
	if len(raw) == 0 {
		return cb, errors.New("empty interaction payload")
	}
	if err := json.Unmarshal(raw, &cb); err != nil {
		return cb, err
	}
	return cb, nil
}

func (s *Surface) serveCommands(w http.ResponseWriter, r *http.Request, body []byte) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	cmd, err := slack.SlashCommandParse(r)
	if err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	s.respond(w, s.onCommand(cmd))
}

// respond acknowledges with the immediate answer and starts the work. The
// work is counted before the answer is written, so Close (and a test) that
// sees the answer also waits for the work.
func (s *Surface) respond(w http.ResponseWriter, res response) {
	s.spawn(res.work)
	if res.body != nil {
		writeJSON(w, res.body)
	} else {
		w.WriteHeader(http.StatusOK)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}
