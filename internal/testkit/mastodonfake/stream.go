package mastodonfake

import (
	"net/http"
	"strings"
	"time"
)

type frame struct {
	event string
	data  []byte
}

// sub is one open stream.
type sub struct {
	name string // user, hashtag, public, public:local, …
	tag  string
	ch   chan frame
	done chan struct{}
}

// send queues a frame; a stream that cannot keep up is cut, as Mastodon
// does, and catches up over REST when it reconnects.
func (s *sub) send(fr frame) {
	select {
	case s.ch <- fr:
	default:
		s.close()
	}
}

func (s *sub) close() {
	select {
	case <-s.done:
	default:
		close(s.done)
	}
}

// push sends fr to every stream named name (and tag).
func (f *Fake) push(name, tag string, fr frame) {
	for s := range f.subs {
		if s.name == name || (name == "user" && s.name == "user:notification" && fr.event == "notification") {
			if s.tag == "" || strings.EqualFold(s.tag, tag) {
				s.send(fr)
			}
		}
	}
}

// DropStreams cuts every open stream, as a restart of the streaming server does.
func (f *Fake) DropStreams() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for s := range f.subs {
		s.close()
		delete(f.subs, s)
	}
}

// Streams is how many streams are open.
func (f *Fake) Streams() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.subs)
}

var streamNames = map[string]string{
	"/api/v1/streaming/user":              "user",
	"/api/v1/streaming/user/notification": "user:notification",
	"/api/v1/streaming/public":            "public",
	"/api/v1/streaming/public/local":      "public:local",
	"/api/v1/streaming/public/remote":     "public:remote",
	"/api/v1/streaming/hashtag":           "hashtag",
}

// serveStream is the streaming API's server-sent events.
func (f *Fake) serveStream(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/api/v1/streaming/health" {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("OK"))
		return
	}
	f.mu.Lock()
	code := f.streaming
	f.mu.Unlock()
	if code != 0 {
		apiError(w, code, http.StatusText(code))
		return
	}
	if !authorized(r) {
		apiError(w, http.StatusUnauthorized, "Error: Missing access token")
		return
	}
	name, ok := streamNames[r.URL.Path]
	tag := r.URL.Query().Get("tag")
	if !ok || (name == "hashtag" && tag == "") {
		apiError(w, http.StatusBadRequest, "Unknown channel requested")
		return
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		apiError(w, 500, "no flusher")
		return
	}
	s := &sub{name: name, tag: tag, ch: make(chan frame, 1<<14), done: make(chan struct{})}
	f.mu.Lock()
	f.subs[s] = true
	beat := f.Heartbeat
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.subs, s)
		f.mu.Unlock()
	}()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(":)\n"))
	fl.Flush()
	t := time.NewTicker(beat)
	defer t.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		case <-t.C:
			_, _ = w.Write([]byte(":thump\n"))
			fl.Flush()
		case fr := <-s.ch:
			buf := make([]byte, 0, len(fr.data)+32)
			buf = append(buf, "event: "...)
			buf = append(buf, fr.event...)
			buf = append(buf, "\ndata: "...)
			buf = append(buf, fr.data...)
			buf = append(buf, "\n\n"...)
			if _, err := w.Write(buf); err != nil {
				return
			}
			fl.Flush()
		}
	}
}
