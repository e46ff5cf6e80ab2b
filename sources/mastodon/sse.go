package mastodon

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Event is one server-sent event of a Mastodon stream: its name (update,
// notification, delete, status.update, …) and its data (a Status or
// Notification as JSON, or a bare status id for delete).
type Event struct {
	Name string
	Data []byte
}

// maxEventBytes bounds one event; a status with a long poll and many
// mentions is a few tens of kilobytes.
const maxEventBytes = 1 << 20

// ErrEventTooLarge is returned for an event over maxEventBytes.
var ErrEventTooLarge = errors.New("stream event larger than 1 MiB")

// SSEReader reads the text/event-stream framing Mastodon's streaming API
// uses over HTTP: "event: NAME" and "data: …" lines, a blank line ending
// each event, lines starting with ':' being comments (the ":thump"
// heartbeat). Lines end with LF or CRLF. Fields other than event and data
// (id, retry) are ignored: Mastodon's streams cannot be resumed by id.
type SSEReader struct {
	r    *bufio.Reader
	data []byte
	name []byte
	line int
}

// NewSSEReader reads events from r.
func NewSSEReader(r io.Reader) *SSEReader {
	return &SSEReader{r: bufio.NewReaderSize(r, 32<<10)}
}

// Next returns the next event with data. Events without data (a bare
// "event: x" then a blank line) are skipped, as the format says. The
// returned Data is valid until the next call. At the end of the stream it
// returns io.EOF; an event cut off by the end is dropped, since its data
// may be incomplete.
func (s *SSEReader) Next() (Event, error) {
	s.data, s.name = s.data[:0], s.name[:0]
	hasData := false
	size := 0
	for {
		line, err := s.readLine()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return Event{}, io.EOF
			}
			return Event{}, err
		}
		s.line++
		if len(line) == 0 {
			if !hasData {
				s.name = s.name[:0]
				continue
			}
			name := string(s.name)
			if name == "" {
				name = "message"
			}
			return Event{Name: name, Data: s.data}, nil
		}
		if line[0] == ':' {
			continue // comment: the heartbeat
		}
		field, value := line, []byte(nil)
		if i := bytes.IndexByte(line, ':'); i >= 0 {
			field, value = line[:i], line[i+1:]
			if len(value) > 0 && value[0] == ' ' {
				value = value[1:]
			}
		}
		size += len(value)
		if size > maxEventBytes {
			return Event{}, fmt.Errorf("line %d: %w", s.line, ErrEventTooLarge)
		}
		switch string(field) {
		case "event":
			s.name = append(s.name[:0], value...)
		case "data":
			if hasData {
				s.data = append(s.data, '\n')
			}
			s.data = append(s.data, value...)
			hasData = true
		}
	}
}

// readLine returns one line without its ending. A line longer than the
// buffer is assembled; one over maxEventBytes is an error.
func (s *SSEReader) readLine() ([]byte, error) {
	line, err := s.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		buf := append([]byte(nil), line...)
		for errors.Is(err, bufio.ErrBufferFull) {
			if len(buf) > maxEventBytes {
				return nil, fmt.Errorf("line %d: %w", s.line+1, ErrEventTooLarge)
			}
			line, err = s.r.ReadSlice('\n')
			buf = append(buf, line...)
		}
		line = buf
	}
	if err != nil {
		// A last line without its newline is cut off, not complete.
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}
