package slackfake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Ack is a Socket Mode acknowledgement the client sent.
type Ack struct {
	EnvelopeID string          `json:"envelope_id"`
	Payload    json.RawMessage `json:"payload,omitempty"`
}

// socketState is the Socket Mode side of the fake: tickets handed out by
// apps.connections.open, the live connection, and the acks received.
type socketState struct {
	pingEvery time.Duration

	mu        sync.Mutex
	tickets   map[string]bool
	conn      *websocket.Conn
	conns     []*websocket.Conn
	connected chan struct{} // closed on the first hello
	acks      map[string]Ack
	waiting   map[string][]chan Ack
	envSeq    int
	opens     int
}

func (s *socketState) init() {
	s.pingEvery = 5 * time.Second
	s.tickets = map[string]bool{}
	s.connected = make(chan struct{})
	s.acks = map[string]Ack{}
	s.waiting = map[string][]chan Ack{}
}

func (s *socketState) closeAll() {
	s.mu.Lock()
	conns := s.conns
	s.conns, s.conn = nil, nil
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.Close(websocket.StatusGoingAway, "fake slack closing")
	}
}

// connectionsOpen answers apps.connections.open with a single-use ws://
// URL to the fake's own Socket Mode endpoint. It wants the app-level token.
func (f *Fake) connectionsOpen(req request) result {
	switch req.token {
	case "":
		return fail("not_authed")
	case f.AppToken:
	default:
		return fail("invalid_auth")
	}
	f.socket.mu.Lock()
	f.socket.opens++
	ticket := fmt.Sprintf("fake-ticket-%d", f.socket.opens)
	f.socket.tickets[ticket] = true
	f.socket.mu.Unlock()
	u := "ws" + strings.TrimPrefix(f.URL, "http") + "/link/?ticket=" + ticket + "&app_id=" + AppID
	return ok(map[string]any{"url": u})
}

// serveSocket is the WebSocket Slack's Socket Mode clients connect to.
func (f *Fake) serveSocket(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	f.socket.mu.Lock()
	valid := f.socket.tickets[ticket]
	delete(f.socket.tickets, ticket) // single use, as Slack's
	f.socket.mu.Unlock()
	if !valid {
		http.Error(w, "invalid ticket", http.StatusUnauthorized)
		return
	}
	// slack-go dials with "Origin: https://api.slack.com".
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: []string{"api.slack.com"}})
	if err != nil {
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	hello := map[string]any{
		"type": "hello", "num_connections": 1,
		"debug_info":      map[string]any{"host": "applink-fake", "build_number": 1, "approximate_connection_time": 18060},
		"connection_info": map[string]any{"app_id": AppID},
	}
	if err := writeJSON(ctx, c, hello); err != nil {
		return
	}
	f.socket.mu.Lock()
	f.socket.conn = c
	f.socket.conns = append(f.socket.conns, c)
	select {
	case <-f.socket.connected:
	default:
		close(f.socket.connected)
	}
	f.socket.mu.Unlock()
	go f.socket.pinger(ctx, c)
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			f.socket.mu.Lock()
			if f.socket.conn == c {
				f.socket.conn = nil
			}
			f.socket.mu.Unlock()
			return
		}
		var a Ack
		if json.Unmarshal(data, &a) != nil || a.EnvelopeID == "" {
			continue
		}
		f.socket.mu.Lock()
		f.socket.acks[a.EnvelopeID] = a
		for _, ch := range f.socket.waiting[a.EnvelopeID] {
			ch <- a
		}
		delete(f.socket.waiting, a.EnvelopeID)
		f.socket.mu.Unlock()
	}
}

// pinger keeps slack-go's dead-connection timer from firing.
func (s *socketState) pinger(ctx context.Context, c *websocket.Conn) {
	t := time.NewTicker(s.pingEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			pctx, cancel := context.WithTimeout(ctx, s.pingEvery)
			err := c.Ping(pctx)
			cancel()
			if err != nil {
				return
			}
		}
	}
}

func writeJSON(ctx context.Context, c *websocket.Conn, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return c.Write(ctx, websocket.MessageText, b)
}

// WaitConnected blocks until a Socket Mode client has connected.
func (f *Fake) WaitConnected(ctx context.Context) error {
	select {
	case <-f.socket.connected:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("slackfake: no Socket Mode client connected: %w", ctx.Err())
	}
}

// Envelope is a Socket Mode request as the fake sends it.
type Envelope struct {
	EnvelopeID             string          `json:"envelope_id"`
	Type                   string          `json:"type"` // events_api, interactive, slash_commands
	Payload                json.RawMessage `json:"payload"`
	AcceptsResponsePayload bool            `json:"accepts_response_payload"`
	RetryAttempt           int             `json:"retry_attempt,omitempty"`
	RetryReason            string          `json:"retry_reason,omitempty"`
}

// Push sends an envelope to the connected client and returns its id.
func (f *Fake) Push(ctx context.Context, env Envelope) (string, error) {
	f.socket.mu.Lock()
	c := f.socket.conn
	if env.EnvelopeID == "" {
		f.socket.envSeq++
		env.EnvelopeID = fmt.Sprintf("fake-envelope-%04d", f.socket.envSeq)
	}
	f.socket.mu.Unlock()
	if c == nil {
		return "", errors.New("slackfake: no Socket Mode client connected")
	}
	if err := writeJSON(ctx, c, env); err != nil {
		return "", fmt.Errorf("slackfake: push %s: %w", env.Type, err)
	}
	return env.EnvelopeID, nil
}

// PushEvent sends an Events API callback (as built by ReactionAdded or
// AppMention). retry > 0 marks it as Slack's redelivery.
func (f *Fake) PushEvent(ctx context.Context, event []byte, retry int) (string, error) {
	env := Envelope{Type: "events_api", Payload: event, RetryAttempt: retry}
	if retry > 0 {
		env.RetryReason = "timeout"
	}
	return f.Push(ctx, env)
}

// PushInteraction sends an interactivity payload (block_actions,
// view_submission) as a JSON object, as Socket Mode does.
func (f *Fake) PushInteraction(ctx context.Context, payload []byte) (string, error) {
	return f.Push(ctx, Envelope{Type: "interactive", Payload: payload, AcceptsResponsePayload: isViewSubmission(payload)})
}

// PushSlashCommand sends a slash command; its fields are strings, as in
// Slack's own envelopes (is_enterprise_install included).
func (f *Fake) PushSlashCommand(ctx context.Context, cmd map[string]string) (string, error) {
	b, err := json.Marshal(cmd)
	if err != nil {
		return "", err
	}
	return f.Push(ctx, Envelope{Type: "slash_commands", Payload: b, AcceptsResponsePayload: true})
}

// Disconnect asks the client to reconnect, as Slack does before rotating
// its servers.
func (f *Fake) Disconnect(ctx context.Context, reason string) error {
	f.socket.mu.Lock()
	c := f.socket.conn
	f.socket.mu.Unlock()
	if c == nil {
		return errors.New("slackfake: no Socket Mode client connected")
	}
	return writeJSON(ctx, c, map[string]any{"type": "disconnect", "reason": reason, "debug_info": map[string]any{"host": "applink-fake"}})
}

// WaitAck blocks until the client acknowledges envelope id.
func (f *Fake) WaitAck(ctx context.Context, id string) (Ack, error) {
	ch := make(chan Ack, 1)
	f.socket.mu.Lock()
	if a, ok := f.socket.acks[id]; ok {
		f.socket.mu.Unlock()
		return a, nil
	}
	f.socket.waiting[id] = append(f.socket.waiting[id], ch)
	f.socket.mu.Unlock()
	select {
	case a := <-ch:
		return a, nil
	case <-ctx.Done():
		return Ack{}, fmt.Errorf("slackfake: envelope %s not acknowledged: %w", id, ctx.Err())
	}
}

// Acked reports whether envelope id was acknowledged.
func (f *Fake) Acked(id string) bool {
	f.socket.mu.Lock()
	defer f.socket.mu.Unlock()
	_, ok := f.socket.acks[id]
	return ok
}

// Connections counts apps.connections.open calls that succeeded.
func (f *Fake) Connections() int {
	f.socket.mu.Lock()
	defer f.socket.mu.Unlock()
	return f.socket.opens
}

func isViewSubmission(payload []byte) bool {
	var p struct {
		Type string `json:"type"`
	}
	return json.Unmarshal(payload, &p) == nil && p.Type == "view_submission"
}
