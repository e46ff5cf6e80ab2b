package blueskyfake

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"

	"github.com/coder/websocket"
	"github.com/klauspost/compress/zstd"
)

// eventLog is what Jetstream replays: every event with its time_us, in order.
type eventLog struct {
	max     int
	base    int // index of events[0] since the start
	events  []logged
	last    int64
	changed chan struct{}
}

type logged struct {
	timeUS     int64
	collection string // "" for identity and account events
	data       []byte
}

func (l *eventLog) init(max int) {
	l.max = max
	l.changed = make(chan struct{})
}

// publishLocked stamps ev with a time_us after every earlier one and sends
// it to every connection; f.mu is held.
func (f *Fake) publishLocked(ev map[string]any) int64 {
	l := &f.log
	t := max(l.last+1, f.now().UnixMicro())
	l.last = t
	ev["time_us"] = t
	data, err := json.Marshal(ev)
	if err != nil {
		panic("blueskyfake: event does not encode: " + err.Error())
	}
	coll := ""
	if c, ok := ev["commit"].(map[string]any); ok {
		coll, _ = c["collection"].(string)
	}
	l.events = append(l.events, logged{timeUS: t, collection: coll, data: data})
	if l.max > 0 && len(l.events) > 2*l.max {
		n := len(l.events) - l.max
		l.events = slices.Clone(l.events[n:])
		l.base += n
	}
	close(l.changed)
	l.changed = make(chan struct{})
	return t
}

// PublishJSON publishes a raw event (its time_us is set by the fake), for
// events the helpers do not make (account events, other collections).
func (f *Fake) PublishJSON(ev map[string]any) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.publishLocked(ev)
}

// LastTimeUS is the time_us of the newest event.
func (f *Fake) LastTimeUS() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.log.last
}

// Host is one Jetstream server of the fake. All hosts stream the same
// events with the same time_us, so a cursor works on any of them.
type Host struct {
	URL string // ws://…/subscribe
	f   *Fake
	srv *httptest.Server

	// guarded by f.mu
	down      bool
	dropEvery int
	conns     map[*websocket.Conn]bool
	requests  []url.Values
}

// AddHost starts another Jetstream host.
func (f *Fake) AddHost() *Host {
	h := &Host{f: f, conns: map[*websocket.Conn]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /subscribe", h.subscribe)
	h.srv = httptest.NewServer(mux)
	h.URL = "ws" + h.srv.URL[len("http"):] + "/subscribe"
	f.mu.Lock()
	f.hosts = append(f.hosts, h)
	f.mu.Unlock()
	return h
}

// Host returns host i (0 is the one New started).
func (f *Fake) Host(i int) *Host {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hosts[i]
}

// SetDown makes the host refuse connections (503) and cuts the open ones.
func (h *Host) SetDown(down bool) {
	h.f.mu.Lock()
	h.down = down
	h.f.mu.Unlock()
	if down {
		h.Drop()
	}
}

// DropEvery cuts each connection, without a close frame, after it has sent
// n events; 0 never does.
func (h *Host) DropEvery(n int) {
	h.f.mu.Lock()
	h.dropEvery = n
	h.f.mu.Unlock()
}

// Drop cuts every open connection without a close frame.
func (h *Host) Drop() {
	h.f.mu.Lock()
	var cs []*websocket.Conn
	for c := range h.conns {
		cs = append(cs, c)
	}
	h.f.mu.Unlock()
	for _, c := range cs {
		_ = c.CloseNow()
	}
}

// Requests are the query strings of every subscription, oldest first.
func (h *Host) Requests() []url.Values {
	h.f.mu.Lock()
	defer h.f.mu.Unlock()
	return slices.Clone(h.requests)
}

// Connected is how many clients are connected now.
func (h *Host) Connected() int {
	h.f.mu.Lock()
	defer h.f.mu.Unlock()
	return len(h.conns)
}

func (h *Host) close() {
	h.Drop()
	h.srv.Close()
}

// subscribe serves one subscriber as Jetstream does: replay from cursor
// (unix µs; absent or in the future: the live tail), then live events;
// commits only from wantedCollections (all when none), identity and
// account events always; zstd-compressed binary messages when compress=true
// or Socket-Encoding: zstd.
func (h *Host) subscribe(w http.ResponseWriter, r *http.Request) {
	f := h.f
	q := r.URL.Query()
	f.mu.Lock()
	if h.down {
		f.mu.Unlock()
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	h.requests = append(h.requests, q)
	f.mu.Unlock()

	wanted := map[string]bool{}
	for _, c := range q["wantedCollections"] {
		wanted[c] = true
	}
	if len(wanted) > 100 {
		http.Error(w, "too many wantedCollections", http.StatusBadRequest)
		return
	}
	var cursor int64
	if c := q.Get("cursor"); c != "" {
		n, err := strconv.ParseInt(c, 10, 64)
		if err != nil {
			http.Error(w, "bad cursor", http.StatusBadRequest)
			return
		}
		cursor = n
	}
	var enc *zstd.Encoder
	if q.Get("compress") == "true" || r.Header.Get("Socket-Encoding") == "zstd" {
		var err error
		enc, err = zstd.NewWriter(nil, zstd.WithEncoderDict(f.ZstdDictionary()), zstd.WithEncoderConcurrency(1))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer conn.CloseNow()
	f.mu.Lock()
	h.conns[conn] = true
	next := f.log.base + len(f.log.events) // live tail
	if cursor > 0 && cursor <= f.log.last {
		i, _ := slices.BinarySearchFunc(f.log.events, cursor, func(e logged, t int64) int {
			switch {
			case e.timeUS < t:
				return -1
			case e.timeUS > t:
				return 1
			}
			return 0
		})
		next = f.log.base + i
	}
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(h.conns, conn)
		f.mu.Unlock()
	}()

	ctx := conn.CloseRead(r.Context())
	sent := 0
	var out []byte
	for {
		f.mu.Lock()
		if next < f.log.base {
			next = f.log.base // trimmed meanwhile: the oldest kept
		}
		var batch []logged
		if i := next - f.log.base; i < len(f.log.events) {
			batch = f.log.events[i:min(len(f.log.events), i+256)]
		}
		changed, drop := f.log.changed, h.dropEvery
		f.mu.Unlock()
		if len(batch) == 0 {
			select {
			case <-changed:
				continue
			case <-ctx.Done():
				return
			}
		}
		for _, e := range batch {
			next++
			if e.collection != "" && len(wanted) > 0 && !wanted[e.collection] {
				continue
			}
			typ, data := websocket.MessageText, e.data
			if enc != nil {
				out = enc.EncodeAll(e.data, out[:0])
				typ, data = websocket.MessageBinary, out
			}
			if err := conn.Write(ctx, typ, data); err != nil {
				return
			}
			sent++
			if drop > 0 && sent >= drop {
				return // deferred CloseNow: no close frame, as a network failure
			}
		}
	}
}
