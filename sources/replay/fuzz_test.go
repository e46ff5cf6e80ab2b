package replay

import (
	"bytes"
	"testing"

	"github.com/earshothq/earshot/bot"
)

func FuzzScan(f *testing.F) {
	sample := Sample()
	f.Add(sample[:bytes.IndexByte(sample, '\n')+1])
	f.Add([]byte(line("1") + "\r\n\n" + line("2")))
	f.Add([]byte("\xef\xbb\xbf" + line("1") + "\nnot json\n"))
	f.Add([]byte("\n\n\n"))
	f.Add([]byte(`{"platform":"x","id":1,"text":"a"}` + "\n" + `[{"platform":"x","id":2,"text":"b"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		last := 0
		var good, bad int
		st, err := Scan(bytes.NewReader(data), func(n int, m bot.Mention) error {
			if n <= last {
				t.Fatalf("line %d after line %d", n, last)
			}
			last = n
			good++
			return nil
		}, func(n int, err error) {
			if n <= last || err == nil {
				t.Fatalf("bad line %d (after %d): %v", n, last, err)
			}
			last = n
			bad++
		})
		if err != nil {
			t.Fatal(err)
		}
		// Nothing is dropped silently: every line is a mention, a bad line
		// or blank, and the counts agree with the callbacks.
		if st.Mentions != good || st.Bad != bad || st.Lines < good+bad || last > st.Lines {
			t.Fatalf("stats %+v, callbacks %d good %d bad, last line %d", st, good, bad, last)
		}
		if max := bytes.Count(data, []byte{'\n'}) + 1; st.Lines > max {
			t.Fatalf("counted %d lines in input with at most %d", st.Lines, max)
		}
	})
}
