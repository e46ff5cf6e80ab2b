package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/earshothq/earshot/bot"
)

// caseEvent tells browsers that a case changed; they fetch the row or the
// detail themselves, so the stream never carries public text.
type caseEvent struct {
	ID    int64         `json:"id"`
	Rev   int64         `json:"rev"`
	Team  string        `json:"team"`
	State bot.CaseState `json:"state"`
	Event bot.EventKind `json:"event,omitempty"`
}

// subscriberBuffer is how far a browser may fall behind before it is cut off;
// EventSource reconnects by itself and the page then refreshes in full.
const subscriberBuffer = 64

// hub fans case events out to the open event streams.
type hub struct {
	mu     sync.Mutex
	subs   map[chan caseEvent]struct{}
	done   chan struct{}
	closed bool
}

func newHub() *hub {
	return &hub{subs: make(map[chan caseEvent]struct{}), done: make(chan struct{})}
}

func (h *hub) subscribe() (chan caseEvent, func()) {
	ch := make(chan caseEvent, subscriberBuffer)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		close(ch)
		return ch, func() {}
	}
	h.subs[ch] = struct{}{}
	return ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if _, ok := h.subs[ch]; ok {
			delete(h.subs, ch)
			close(ch)
		}
	}
}

// publish never blocks: the bot's card jobs must not wait on a slow browser.
func (h *hub) publish(ev caseEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- ev:
		default:
			delete(h.subs, ch)
			close(ch)
		}
	}
}

func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	close(h.done)
	for ch := range h.subs {
		delete(h.subs, ch)
		close(ch)
	}
}

func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// handleEvents is the Server-Sent Events stream: "case" events, a comment
// every heartbeat so proxies keep the connection, and a retry hint.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	// The stream outlives any server write timeout by design.
	if err := rc.SetWriteDeadline(time.Time{}); err != nil && !errors.Is(err, http.ErrNotSupported) {
		s.log.Warn("web events: clearing write deadline", "err", err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	ch, unsubscribe := s.hub.subscribe()
	defer unsubscribe()
	if _, err := fmt.Fprint(w, "retry: 3000\n: connected\n\n"); err != nil {
		return
	}
	if err := rc.Flush(); err != nil {
		return
	}
	tick := time.NewTicker(s.heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.hub.done:
			return
		case ev, ok := <-ch:
			if !ok {
				return
			}
			data, err := json.Marshal(ev)
			if err != nil {
				s.log.Error("web events: encoding case event", "case", ev.ID, "err", err)
				continue
			}
			if _, err := fmt.Fprintf(w, "event: case\ndata: %s\n\n", data); err != nil {
				return
			}
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return
			}
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
