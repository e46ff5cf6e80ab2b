package bluesky

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/earshothq/earshot/bot"
)

// maxMessage is the largest Jetstream message read; posts are far smaller.
const maxMessage = 4 << 20

var errEmit = errors.New("emit")

// selfID is our account's DID, learnt at start.
type selfID struct{ v atomic.Pointer[string] }

func (s *selfID) set(did string) {
	if did != "" {
		s.v.Store(&did)
	}
}

func (s *selfID) get() string {
	if p := s.v.Load(); p != nil {
		return *p
	}
	return ""
}

func jitter() float64 { return rand.Float64() }

// stream is one Run: its position and what waits to be emitted.
type stream struct {
	src  *Source
	emit bot.Emit
	// done is the time_us of the last event whose mentions are all stored:
	// the position to save and to resume from. pos publishes it to the
	// saver, which writes it to the store off the read path.
	done int64
	pos  atomic.Int64
	// saveMu serialises saves; saved is the last position written.
	saveMu sync.Mutex
	saved  int64
	// last is the time_us of the last event handled, stored or not.
	last      int64
	pending   []bot.Mention
	keys      []string
	firstWait time.Time // when the oldest pending mention arrived
	buf       []byte    // zstd output, reused
}

type message struct {
	data []byte
	typ  websocket.MessageType
	at   time.Time
}

// subscribeURL adds the query Jetstream reads to base.
func (st *stream) subscribeURL(base string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("wantedCollections", PostCollection)
	if st.done > 0 {
		q.Set("cursor", strconv.FormatInt(max(st.done-st.src.opts.Rewind.Microseconds(), 1), 10))
	}
	if st.src.zstd != nil {
		q.Set("compress", "true")
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// connect subscribes to one host and handles its events until the
// connection ends. healthy says it delivered events: worth retrying there.
func (st *stream) connect(ctx context.Context, base string) (healthy bool, err error) {
	s := st.src
	u, err := st.subscribeURL(base)
	if err != nil {
		return false, fmt.Errorf("jetstream URL: %w", err)
	}
	dialCtx, cancelDial := context.WithTimeout(ctx, 15*time.Second)
	conn, _, err := websocket.Dial(dialCtx, u, &websocket.DialOptions{HTTPClient: s.opts.HTTPClient})
	cancelDial()
	if err != nil {
		return false, fmt.Errorf("connect to %s: %w", hostOf(base), err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(maxMessage)
	s.log.Info("jetstream connected", "host", hostOf(base), "cursor", st.done)

	connCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	msgs := make(chan message, 1024)
	readErr := make(chan error, 1)
	go func() {
		defer close(msgs)
		for {
			typ, data, err := conn.Read(connCtx)
			if err != nil {
				readErr <- err
				return
			}
			select {
			case msgs <- message{data: data, typ: typ, at: time.Now()}:
			case <-connCtx.Done():
				readErr <- connCtx.Err()
				return
			}
		}
	}()
	go st.ping(connCtx, conn, cancel)

	var events int
	for {
		var m message
		var ok bool
		if len(st.pending) > 0 && (len(st.pending) >= s.opts.BatchSize || time.Since(st.firstWait) >= s.opts.MaxDelay) {
			if err := st.flush(ctx); err != nil {
				return events > 0, err
			}
			continue
		}
		if len(st.pending) > 0 {
			// Busy stream: take what is there; quiet: emit at once.
			select {
			case m, ok = <-msgs:
			default:
				if err := st.flush(ctx); err != nil {
					return events > 0, err
				}
				continue
			}
		} else {
			select {
			case m, ok = <-msgs:
			case <-ctx.Done():
				return events > 0, ctx.Err()
			}
		}
		if !ok {
			err := <-readErr
			if ctx.Err() != nil {
				return events > 0, ctx.Err()
			}
			return events > 0, fmt.Errorf("read from %s after %d events: %w", hostOf(base), events, err)
		}
		events++
		if err := st.handleMessage(ctx, m); err != nil {
			s.log.Warn("jetstream event skipped", "error", err)
		}
	}
}

// ping checks the connection now and then; a dead one is closed so the
// read fails and the source reconnects.
func (st *stream) ping(ctx context.Context, conn *websocket.Conn, cancel func()) {
	t := time.NewTicker(st.src.opts.PingEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			pctx, done := context.WithTimeout(ctx, 10*time.Second)
			err := conn.Ping(pctx)
			done()
			if err != nil && ctx.Err() == nil {
				st.src.log.Warn("jetstream ping failed; reconnecting", "error", err)
				cancel()
				return
			}
		}
	}
}

// handleMessage decodes one message (zstd when compressed) and handles it.
func (st *stream) handleMessage(ctx context.Context, m message) error {
	data := m.data
	if m.typ == websocket.MessageBinary {
		if st.src.zstd == nil {
			return errors.New("binary message without compression turned on")
		}
		out, err := st.src.zstd.DecodeAll(data, st.buf[:0])
		if err != nil {
			return fmt.Errorf("decompress jetstream message: %w", err)
		}
		st.buf, data = out, out
	}
	ev, err := decodeEvent(data)
	if err != nil {
		return err
	}
	return st.handle(ctx, &ev, m.at)
}

// handle turns one event into at most one mention.
func (st *stream) handle(ctx context.Context, ev *event, at time.Time) error {
	st.last = ev.TimeUS
	defer func() {
		if len(st.pending) == 0 {
			st.setDone(st.last)
		}
	}()
	m, key, ok, err := st.src.mention(ev)
	if err != nil || !ok {
		return err
	}
	if st.src.emitted.Contains(key) {
		return nil // replayed after a reconnect: emitted already
	}
	for _, k := range st.keys {
		if k == key {
			return nil
		}
	}
	if len(st.pending) == 0 {
		st.firstWait = at
	}
	if !m.Deleted {
		// Tracked at once: its answers may be in the very next events.
		st.src.threads.Add(m.ExternalID)
	}
	st.pending = append(st.pending, m)
	st.keys = append(st.keys, key)
	return nil
}

// flush resolves the pending authors and emits the batch; once it is
// stored the cursor may pass it.
func (st *stream) flush(ctx context.Context) error {
	if len(st.pending) == 0 {
		return nil
	}
	st.src.fillProfiles(ctx, st.pending)
	if err := st.emit(ctx, st.pending); err != nil {
		// Dropped here, read again: the cursor stayed before them.
		n := len(st.pending)
		st.pending, st.keys = st.pending[:0], st.keys[:0]
		return fmt.Errorf("%w %d mentions: %w", errEmit, n, err)
	}
	for _, k := range st.keys {
		st.src.emitted.Add(k, struct{}{})
	}
	clear(st.pending)
	st.pending, st.keys = st.pending[:0], st.keys[:0]
	st.setDone(st.last)
	return nil
}

func (st *stream) setDone(t int64) {
	st.done = t
	st.pos.Store(t)
}

// saveLoop saves the position every SaveEvery until ctx ends.
func (st *stream) saveLoop(ctx context.Context) {
	t := time.NewTicker(st.src.opts.SaveEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			st.saveCursor(ctx)
		}
	}
}

func (st *stream) saveCursor(ctx context.Context) {
	st.saveMu.Lock()
	defer st.saveMu.Unlock()
	pos := st.pos.Load()
	if st.src.opts.Cursors == nil || pos == st.saved || pos == 0 {
		return
	}
	if err := st.src.opts.Cursors.SaveCursor(ctx, st.src.Name(), strconv.FormatInt(pos, 10)); err != nil {
		if ctx.Err() == nil {
			st.src.log.Warn("cursor not saved", "error", err)
		}
		return
	}
	st.saved = pos
}

// finish emits what is pending and saves the cursor on the way out, even
// though ctx has ended: the pipeline still takes writes until Run returns.
func (st *stream) finish(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := st.flush(ctx); err != nil {
		st.src.log.Warn("mentions not stored at shutdown; they are read again at start", "error", err)
	}
	st.saveCursor(ctx)
}
