package replay

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/sources/wire"
)

// MaxLine is the longest line Scan reads; a longer one is reported as bad
// and skipped, so one runaway record cannot stall a file of good ones.
const MaxLine = 1 << 20

// Stats counts what Scan saw: every line read (blank ones too), the lines
// that decoded into mentions, and the bad lines skipped.
type Stats struct {
	Lines, Mentions, Bad int
}

// Scan reads JSONL from r, one mention per line, calling fn for each good
// line and bad for each line that does not decode (then going on). Blank
// lines are skipped. An error from fn stops the scan and is returned as is;
// a read error is returned wrapped with the line it happened on.
func Scan(r io.Reader, fn func(line int, m bot.Mention) error, bad func(line int, err error)) (Stats, error) {
	var st Stats
	br := bufio.NewReaderSize(r, 64<<10)
	var buf []byte
	for {
		line, err := readLine(br, buf[:0])
		buf = line[:0]
		if err == io.EOF && len(line) == 0 {
			return st, nil
		}
		st.Lines++
		var tooLong *lineTooLongError
		switch {
		case errors.As(err, &tooLong):
			st.Bad++
			if bad != nil {
				bad(st.Lines, err)
			}
			continue
		case err != nil && err != io.EOF:
			return st, fmt.Errorf("read line %d: %w", st.Lines, err)
		}
		if st.Lines == 1 {
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf")) // a BOM from Windows editors
		}
		if len(bytes.TrimSpace(line)) == 0 {
			if err == io.EOF {
				return st, nil
			}
			continue
		}
		m, derr := wire.Decode(line)
		if derr != nil {
			st.Bad++
			if bad != nil {
				bad(st.Lines, derr)
			}
		} else {
			st.Mentions++
			if ferr := fn(st.Lines, m); ferr != nil {
				return st, ferr
			}
		}
		if err == io.EOF {
			return st, nil
		}
	}
}

type lineTooLongError struct{ n int }

func (e *lineTooLongError) Error() string {
	return fmt.Sprintf("line longer than %d bytes (%d), skipped", MaxLine, e.n)
}

// readLine appends one line (without its newline) to buf. A line over
// MaxLine is read to its end and dropped, returning *lineTooLongError, so the
// next call starts on the next line. At the end of input it returns io.EOF
// with whatever the last, unterminated line held.
func readLine(br *bufio.Reader, buf []byte) ([]byte, error) {
	n := 0
	for {
		chunk, err := br.ReadSlice('\n')
		n += len(chunk)
		if n <= MaxLine+1 { // +1: the newline does not count
			buf = append(buf, chunk...)
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err != nil && err != io.EOF:
			return buf, err
		}
		if len(chunk) > 0 && chunk[len(chunk)-1] == '\n' {
			n--
			if n <= MaxLine {
				buf = buf[:len(buf)-1]
			}
		}
		if n > MaxLine {
			return buf[:0], &lineTooLongError{n: n}
		}
		return buf, err
	}
}
