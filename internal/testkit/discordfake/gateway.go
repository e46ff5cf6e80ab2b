package discordfake

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// GatewayState is what the gateway has seen, for tests to wait on.
type GatewayState struct {
	Connected  bool
	Identifies int
	Resumes    int
	// Intents is what the last identify asked for.
	Intents int64
	// Heartbeats counts the client's heartbeats (op 1).
	Heartbeats int
}

// gateway is the WebSocket side of the fake. A session lives across
// connections: events dispatched while the client is away are replayed when
// it resumes, as Discord does.
type gateway struct {
	heartbeat time.Duration

	mu       sync.Mutex
	conn     *websocket.Conn
	conns    []*websocket.Conn
	sessions map[string]*session
	current  *session
	state    GatewayState
	changed  chan struct{} // closed and replaced on every change of state
}

type session struct {
	id  string
	seq int64
	log []frame
}

type frame struct {
	seq  int64
	data []byte
}

func (g *gateway) init() {
	g.heartbeat = 45 * time.Second
	g.sessions = map[string]*session{}
	g.changed = make(chan struct{})
}

// notify wakes waiters; g.mu must be held.
func (g *gateway) notify() {
	close(g.changed)
	g.changed = make(chan struct{})
}

func (g *gateway) closeAll() {
	g.mu.Lock()
	conns := g.conns
	g.conns, g.conn = nil, nil
	g.mu.Unlock()
	for _, c := range conns {
		_ = c.CloseNow()
	}
}

// State returns what the gateway has seen so far.
func (f *Fake) State() GatewayState {
	f.gw.mu.Lock()
	defer f.gw.mu.Unlock()
	return f.gw.state
}

// WaitGateway waits until cond holds for the gateway's state.
func (f *Fake) WaitGateway(ctx context.Context, cond func(GatewayState) bool) error {
	for {
		f.gw.mu.Lock()
		st, ch := f.gw.state, f.gw.changed
		f.gw.mu.Unlock()
		if cond(st) {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("gateway state %+v: %w", st, ctx.Err())
		}
	}
}

// Drop cuts the client's gateway connection without a close frame, as a
// network failure would. The session stays: the client should resume it.
func (f *Fake) Drop() {
	f.gw.mu.Lock()
	c := f.gw.conn
	f.gw.conn = nil
	f.gw.state.Connected = false
	f.gw.notify()
	f.gw.mu.Unlock()
	if c != nil {
		_ = c.CloseNow()
	}
}

// Dispatch sends a dispatch event (op 0) to the client in the current
// session. While the client is away it is kept and replayed on resume.
func (f *Fake) Dispatch(event string, d any) error {
	data, err := json.Marshal(d)
	if err != nil {
		return err
	}
	g := &f.gw
	g.mu.Lock()
	s := g.current
	if s == nil {
		g.mu.Unlock()
		return fmt.Errorf("dispatch %s: no gateway session yet", event)
	}
	s.seq++
	fr := frame{seq: s.seq, data: mustJSON(map[string]any{"op": 0, "s": s.seq, "t": event, "d": json.RawMessage(data)})}
	s.log = append(s.log, fr)
	c := g.conn
	g.mu.Unlock()
	if c != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.Write(ctx, websocket.MessageText, fr.data) // a failed write is replayed on resume
	}
	return nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// serveGateway is the WebSocket discordgo connects to.
func (f *Fake) serveGateway(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	c.SetReadLimit(1 << 20)
	g := &f.gw
	g.mu.Lock()
	g.conns = append(g.conns, c)
	g.mu.Unlock()
	ctx := r.Context()
	write := func(v any) error {
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		return c.Write(wctx, websocket.MessageText, mustJSON(v))
	}
	if err := write(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": g.heartbeat.Milliseconds()}}); err != nil {
		return
	}
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			return
		}
		var in struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if json.Unmarshal(data, &in) != nil {
			_ = c.Close(4002, "Decode error")
			return
		}
		switch in.Op {
		case 1:
			g.mu.Lock()
			g.state.Heartbeats++
			g.mu.Unlock()
			if write(map[string]any{"op": 11}) != nil {
				return
			}
		case 2:
			if !f.identify(c, in.D, write) {
				return
			}
		case 6:
			if !f.resume(c, in.D) {
				return
			}
		}
	}
}

// identify starts a session: READY, then a GUILD_CREATE per guild with
// roles, as Discord sends once the guild is available.
func (f *Fake) identify(c *websocket.Conn, raw json.RawMessage, write func(any) error) bool {
	var id struct {
		Token   string `json:"token"`
		Intents int64  `json:"intents"`
	}
	_ = json.Unmarshal(raw, &id)
	if strings.TrimPrefix(id.Token, "Bot ") != f.Token {
		_ = c.Close(4004, "Authentication failed.")
		return false
	}
	g := &f.gw
	g.mu.Lock()
	s := &session{id: fmt.Sprintf("fake-session-%d", len(g.sessions)+1)}
	g.sessions[s.id] = s
	g.current, g.conn = s, c
	g.state.Identifies++
	g.state.Intents = id.Intents
	g.state.Connected = true
	g.notify()
	g.mu.Unlock()
	f.mu.Lock()
	var guilds []map[string]any
	for guild, roles := range f.roles {
		guilds = append(guilds, map[string]any{"id": guild, "name": "guild " + guild, "roles": roles, "channels": []any{}, "members": []any{}})
	}
	f.mu.Unlock()
	unavailable := make([]map[string]any, len(guilds))
	for i, gd := range guilds {
		unavailable[i] = map[string]any{"id": gd["id"], "unavailable": true}
	}
	ws := "ws" + strings.TrimPrefix(f.URL, "http") + "/gw"
	if err := f.Dispatch("READY", map[string]any{
		"v": 9, "user": map[string]any{"id": BotUserID, "username": "earshot", "bot": true},
		"guilds": unavailable, "session_id": s.id, "resume_gateway_url": ws,
		"application": map[string]any{"id": AppID, "flags": 0},
	}); err != nil {
		return false
	}
	for _, gd := range guilds {
		if f.Dispatch("GUILD_CREATE", gd) != nil {
			return false
		}
	}
	return true
}

// resume replays what the session missed after the client's sequence
// number, then says RESUMED. An unknown session is told to identify afresh
// (op 9, not resumable).
func (f *Fake) resume(c *websocket.Conn, raw json.RawMessage) bool {
	var rs struct {
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
		Token     string `json:"token"`
	}
	_ = json.Unmarshal(raw, &rs)
	g := &f.gw
	g.mu.Lock()
	s, known := g.sessions[rs.SessionID]
	if !known || strings.TrimPrefix(rs.Token, "Bot ") != f.Token {
		g.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return c.Write(ctx, websocket.MessageText, mustJSON(map[string]any{"op": 9, "d": false})) == nil
	}
	var missed [][]byte
	for _, fr := range s.log {
		if fr.seq > rs.Seq {
			missed = append(missed, fr.data)
		}
	}
	g.current, g.conn = s, c
	g.state.Resumes++
	g.state.Connected = true
	g.notify()
	g.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, m := range missed {
		if c.Write(ctx, websocket.MessageText, m) != nil {
			return false
		}
	}
	return f.Dispatch("RESUMED", map[string]any{}) == nil
}
