package mastodon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/earshothq/earshot/bot"
)

// stream is one server-sent-events endpoint and the feeds its events
// belong to (by event name: "update", "notification"). Mastodon's streams
// have no resume point: on every (re)connection the feeds are read over
// REST from their cursors first.
type stream struct {
	name   string
	path   string
	query  url.Values
	feeds  map[string]*feed
	public bool
}

// errUnavailable says the instance does not stream here (404, 501, a
// refused token, not an event stream): polling takes over.
var errUnavailable = errors.New("streaming unavailable")

// runStream holds st open, reconnecting with back-off, until ctx ends or
// streaming proves unavailable or keeps failing.
func (s *Source) runStream(ctx context.Context, st *stream, emit bot.Emit) error {
	failures := 0
	back := s.o.ReconnectMin
	for {
		began := time.Now()
		body, cancel, err := s.open(ctx, st)
		if err == nil {
			var n int64
			n, err = s.consume(ctx, st, body, cancel, emit)
			cancel()
			body.Close()
			if ctx.Err() != nil {
				return ctx.Err()
			}
			switch {
			case n == 0:
				failures++ // connected, then nothing, not even a heartbeat
			case time.Since(began) > 30*time.Second:
				failures, back = 0, s.o.ReconnectMin // it worked for a while
			default:
				failures = 0 // it streams, but drops: keep backing off
			}
		} else {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, errUnavailable) {
				return err
			}
			failures++
		}
		if failures >= s.o.StreamFailures {
			return fmt.Errorf("stream %s: %d connections in a row failed; last: %w", st.name, failures, err)
		}
		wait := jitter(back)
		var rl *RateLimitError
		if errors.As(err, &rl) {
			wait = max(wait, rl.Until.Sub(s.o.Now()))
		}
		s.log.Info("mastodon: stream dropped; reconnecting", "stream", st.name, "err", err, "in", wait)
		if err := sleep(ctx, wait); err != nil {
			return err
		}
		back = min(2*back, s.o.ReconnectMax)
	}
}

// open connects to st. The token goes in the Authorization header, never
// the URL, and redirects are not followed (they would carry it elsewhere).
func (s *Source) open(ctx context.Context, st *stream) (io.ReadCloser, context.CancelFunc, error) {
	u := *s.streamBase.Load()
	u.Path += st.path
	u.RawQuery = st.query.Encode()
	cctx, cancel := context.WithCancel(ctx)
	req, err := http.NewRequestWithContext(cctx, http.MethodGet, u.String(), nil)
	if err != nil {
		cancel()
		return nil, nil, fmt.Errorf("stream %s: %w", st.name, err)
	}
	req.Header.Set("Authorization", "Bearer "+s.o.Token)
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Cache-Control", "no-cache")
	req.Header.Set("User-Agent", "earshot (+https://github.com/earshothq/earshot)")
	res, err := s.o.StreamClient.Do(req)
	if err != nil {
		cancel()
		return nil, nil, fmt.Errorf("stream %s: %w", st.name, redact(err))
	}
	media, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
	if res.StatusCode == http.StatusOK && media == "text/event-stream" {
		return res.Body, cancel, nil
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 4<<10))
	res.Body.Close()
	cancel()
	switch code := res.StatusCode; {
	case code == http.StatusTooManyRequests:
		return nil, nil, &RateLimitError{Path: st.path, Until: s.c.retryAt(res.Header), Sent: true}
	case code == http.StatusOK:
		return nil, nil, fmt.Errorf("%w: %s answered %q, not an event stream", errUnavailable, st.path, media)
	case code == http.StatusNotFound, code == http.StatusNotImplemented, code == http.StatusBadRequest,
		code == http.StatusUnauthorized, code == http.StatusForbidden, code >= 300 && code < 400:
		return nil, nil, fmt.Errorf("%w: %s answered %d", errUnavailable, st.path, code)
	}
	return nil, nil, fmt.Errorf("stream %s: answered %d", st.name, res.StatusCode)
}

// consume catches the stream's feeds up over REST, then handles events
// until the connection ends or goes quiet. It returns how many bytes came.
func (s *Source) consume(ctx context.Context, st *stream, body io.Reader, cancel context.CancelFunc, emit bot.Emit) (int64, error) {
	done := map[*feed]bool{}
	for _, f := range st.feeds {
		if done[f] {
			continue
		}
		done[f] = true
		// All of it: once streaming, the cursor moves past anything left.
		if err := s.poll(ctx, f, emit, 0); err != nil {
			// Streaming now would move the cursor past the gap and lose
			// it: drop the connection, and catch up on the next one.
			return 0, fmt.Errorf("stream %s: catch up %s: %w", st.name, f.key, err)
		}
	}
	idle := &idleReader{r: body, d: s.o.IdleTimeout, t: time.AfterFunc(s.o.IdleTimeout, cancel)}
	defer idle.t.Stop()
	r := NewSSEReader(idle)
	for {
		ev, err := r.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = errors.New("stream ended")
			}
			return idle.n.Load(), fmt.Errorf("stream %s: %w", st.name, redact(err))
		}
		if err := s.event(ctx, st, ev, emit); err != nil {
			return idle.n.Load(), err
		}
	}
}

// event handles one streamed event; only a failed emit is an error (the
// connection is then dropped, and the reconnection reads the gap again).
func (s *Source) event(ctx context.Context, st *stream, ev Event, emit bot.Emit) error {
	switch ev.Name {
	case "update":
		f := st.feeds["update"]
		if f == nil {
			return nil
		}
		status, err := DecodeStatus(ev.Data)
		if err != nil {
			s.log.Warn("mastodon: bad status in stream", "stream", st.name, "err", err)
			return nil
		}
		return s.handleOne(ctx, f, item{id: status.ID, status: status}, emit)
	case "notification":
		f := st.feeds["notification"]
		if f == nil {
			return nil
		}
		n, err := DecodeNotification(ev.Data)
		if err != nil {
			s.log.Warn("mastodon: bad notification in stream", "stream", st.name, "err", err)
			return nil
		}
		it := item{id: n.ID}
		if n.Type == "mention" && n.Status != nil {
			it.status, it.mentionsUs = *n.Status, true
		}
		return s.handleOne(ctx, f, it, emit)
	case "delete":
		if m, ok := s.tombstone(DeletedID(ev.Data), st.public); ok {
			return s.deliver(ctx, emit, []bot.Mention{m})
		}
	}
	// status.update (edits), filters_changed, announcements…: not mentions.
	return nil
}

// handleOne emits one streamed item if it concerns us, then moves the
// feed's cursor past it (saved at once after an emit, in bulk otherwise).
func (s *Source) handleOne(ctx context.Context, f *feed, it item, emit bot.Emit) error {
	m, ok := s.consider(it, false)
	if ok {
		if err := s.deliver(ctx, emit, []bot.Mention{m}); err != nil {
			return err
		}
	}
	f.advance(it.id)
	if ok {
		s.save(ctx, f)
	}
	return nil
}

// DeletedID reads a delete event's payload: the bare status id over
// server-sent events, a JSON string over the WebSocket.
func DeletedID(data []byte) string {
	d := strings.TrimSpace(string(data))
	if strings.HasPrefix(d, `"`) {
		var s string
		if json.Unmarshal([]byte(d), &s) != nil {
			return ""
		}
		d = s
	}
	return d
}

// idleReader cancels the connection when nothing arrives for d.
type idleReader struct {
	r io.Reader
	d time.Duration
	t *time.Timer
	n atomic.Int64
}

func (i *idleReader) Read(p []byte) (int, error) {
	n, err := i.r.Read(p)
	if n > 0 {
		i.t.Reset(i.d)
		i.n.Add(int64(n))
	}
	return n, err
}
