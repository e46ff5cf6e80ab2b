package web

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
)

// openStream connects to /events and waits for the server's greeting, so
// the subscription exists before the test publishes.
func openStream(t *testing.T, srv *httptest.Server, s *Server) (*bufio.Reader, func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/events", nil)
	res, err := srv.Client().Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("status %d, Content-Type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	br := bufio.NewReader(res.Body)
	var head []string
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("reading greeting: %v", err)
		}
		head = append(head, line)
		if line == "\n" {
			break
		}
	}
	if got := strings.Join(head, ""); got != "retry: 3000\n: connected\n\n" {
		t.Fatalf("greeting %q", got)
	}
	return br, func() { cancel(); res.Body.Close() }
}

// nextEvent reads lines up to the next blank line, skipping comments.
func nextEvent(t *testing.T, br *bufio.Reader) (event, data string) {
	t.Helper()
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("reading stream: %v", err)
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "" && event != "":
			return event, data
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		}
	}
}

func TestEventsAfterShowCardAndNote(t *testing.T) {
	ts := newTestServer(t, nil)
	srv := httptest.NewServer(ts.Handler())
	defer srv.Close()
	br, stop := openStream(t, srv, ts.Server)
	defer stop()

	card := bot.Card{Case: bot.Case{ID: 3, Rev: 2, Team: "care", State: bot.StateClaimed, Summary: "<b>never on the wire</b>"}}
	ref, err := ts.ShowCard(context.Background(), card, "")
	if err != nil || ref != "case/3" {
		t.Fatalf("ShowCard = %q, %v", ref, err)
	}
	ev, data := nextEvent(t, br)
	if ev != "case" {
		t.Fatalf("event %q", ev)
	}
	var got caseEvent
	if err := json.Unmarshal([]byte(data), &got); err != nil {
		t.Fatal(err)
	}
	if got != (caseEvent{ID: 3, Rev: 2, Team: "care", State: bot.StateClaimed}) {
		t.Errorf("event %+v", got)
	}
	if strings.Contains(data, "never on the wire") {
		t.Error("the stream carries public text")
	}

	card.Case.Rev = 3
	if err := ts.Note(context.Background(), card, ref, bot.Event{Kind: bot.EventReplied, Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	_, data = nextEvent(t, br)
	if err := json.Unmarshal([]byte(data), &got); err != nil {
		t.Fatal(err)
	}
	if got.Rev != 3 || got.Event != bot.EventReplied {
		t.Errorf("note event %+v", got)
	}
}

func TestEventsHeartbeatAndClose(t *testing.T) {
	ts := newTestServer(t, nil)
	ts.heartbeat = time.Millisecond
	srv := httptest.NewServer(ts.Handler())
	defer srv.Close()
	br, stop := openStream(t, srv, ts.Server)
	defer stop()
	line, err := br.ReadString('\n')
	if err != nil || line != ": ping\n" {
		t.Fatalf("heartbeat %q, %v", line, err)
	}
	// Close ends every stream so a graceful shutdown can finish.
	if err := ts.Close(); err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := br.ReadString('\n'); err != nil {
			break // EOF: the server hung up
		}
	}
	if n := ts.hub.count(); n != 0 {
		t.Errorf("%d subscribers left", n)
	}
	// Publishing after close is harmless.
	if _, err := ts.ShowCard(context.Background(), bot.Card{Case: bot.Case{ID: 1}}, ""); err != nil {
		t.Fatal(err)
	}
}

func TestHubDropsSlowSubscriber(t *testing.T) {
	h := newHub()
	slow, _ := h.subscribe()
	fast, unsubscribe := h.subscribe()
	defer unsubscribe()
	for i := range subscriberBuffer + 1 {
		h.publish(caseEvent{ID: int64(i + 1)})
		if i < subscriberBuffer {
			<-fast
		}
	}
	// The slow one was cut off (its channel drained then closed); the
	// publisher never blocked on it.
	n := 0
	for range slow {
		n++
	}
	if n != subscriberBuffer {
		t.Errorf("slow subscriber got %d events before being dropped, want %d", n, subscriberBuffer)
	}
	if got := <-fast; got.ID != subscriberBuffer+1 {
		t.Errorf("fast subscriber got %+v", got)
	}
	if h.count() != 1 {
		t.Errorf("subscribers %d, want 1", h.count())
	}
}

func TestServeStopsWithContext(t *testing.T) {
	ts := newTestServer(t, func(o *Options) { o.Addr = "127.0.0.1:0" })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ts.Serve(ctx) }()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve after cancel: %v", err)
	}

	bad := newTestServer(t, func(o *Options) { o.Addr = "127.0.0.1:99999" })
	if err := bad.Serve(context.Background()); err == nil || !strings.Contains(err.Error(), "127.0.0.1:99999") {
		t.Errorf("Serve on a bad port: %v", err)
	}
}
