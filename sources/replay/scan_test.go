package replay

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/earshothq/earshot/bot"
)

func line(id string) string {
	return fmt.Sprintf(`{"platform":"x","id":%q,"text":"Lumio %s"}`, id, id)
}

type scanned struct {
	ids  []string // "line:id"
	bads []string // "line:error"
}

func scanAll(t *testing.T, in string) (scanned, Stats, error) {
	t.Helper()
	var got scanned
	st, err := Scan(strings.NewReader(in), func(n int, m bot.Mention) error {
		got.ids = append(got.ids, fmt.Sprintf("%d:%s", n, m.ExternalID))
		return nil
	}, func(n int, err error) {
		got.bads = append(got.bads, fmt.Sprintf("%d:%v", n, err))
	})
	return got, st, err
}

func TestScan(t *testing.T) {
	long := `{"platform":"x","id":"big","text":"` + strings.Repeat("a", MaxLine) + `"}`
	tests := []struct {
		name  string
		in    string
		ids   []string
		bads  []string
		stats Stats
	}{
		{"empty", "", nil, nil, Stats{}},
		{"one line no newline", line("1"), []string{"1:1"}, nil, Stats{1, 1, 0}},
		{"lines", line("1") + "\n" + line("2") + "\n", []string{"1:1", "2:2"}, nil, Stats{2, 2, 0}},
		{"blank lines skipped but counted", "\n" + line("1") + "\n  \n\t\n" + line("2") + "\n\n",
			[]string{"2:1", "5:2"}, nil, Stats{6, 2, 0}},
		{"crlf", line("1") + "\r\n" + line("2") + "\r\n", []string{"1:1", "2:2"}, nil, Stats{2, 2, 0}},
		{"bom on first line", "\xef\xbb\xbf" + line("1") + "\n", []string{"1:1"}, nil, Stats{1, 1, 0}},
		{"bad lines reported with their number", line("1") + "\n{not json}\n" + line("3") + "\n" + `{"platform":"x","text":"a"}` + "\n",
			[]string{"1:1", "3:3"},
			[]string{`2:invalid JSON at byte 2: invalid character 'n' looking for beginning of object key string`, `4:field "id": missing`},
			Stats{4, 2, 2}},
		{"bad last line without newline", line("1") + "\n" + `{"platform":"x","id":"2"}`,
			[]string{"1:1"}, []string{`2:field "text": missing`}, Stats{2, 1, 1}},
		{"line over the limit skipped, next line read", line("1") + "\n" + long + "\n" + line("3") + "\n",
			[]string{"1:1", "3:3"},
			[]string{fmt.Sprintf("2:line longer than %d bytes (%d), skipped", MaxLine, len(long))},
			Stats{3, 2, 1}},
		{"line over the limit at the end", line("1") + "\n" + long,
			[]string{"1:1"},
			[]string{fmt.Sprintf("2:line longer than %d bytes (%d), skipped", MaxLine, len(long))},
			Stats{2, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, st, err := scanAll(t, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got.ids) != fmt.Sprint(tt.ids) {
				t.Errorf("mentions = %v, want %v", got.ids, tt.ids)
			}
			if fmt.Sprint(got.bads) != fmt.Sprint(tt.bads) {
				t.Errorf("bad lines = %q, want %q", got.bads, tt.bads)
			}
			if st != tt.stats {
				t.Errorf("stats = %+v, want %+v", st, tt.stats)
			}
		})
	}
}

func TestScanLineAtLimit(t *testing.T) {
	prefix, suffix := `{"platform":"x","id":"edge","text":"`, `"}`
	exact := prefix + strings.Repeat("a", MaxLine-len(prefix)-len(suffix)) + suffix
	if len(exact) != MaxLine {
		t.Fatalf("test line is %d bytes", len(exact))
	}
	got, st, err := scanAll(t, exact+"\n"+exact+"x\n")
	if err != nil {
		t.Fatal(err)
	}
	// The first line is exactly MaxLine and is read; it fails only because
	// its text is over wire's own limit, which proves it reached the decoder.
	if st.Lines != 2 || st.Bad != 2 || len(got.bads) != 2 ||
		!strings.Contains(got.bads[0], `field "text"`) || !strings.Contains(got.bads[1], "line longer than") {
		t.Fatalf("stats %+v, bad %q", st, got.bads)
	}
}

func TestScanStopsOnCallbackError(t *testing.T) {
	stop := errors.New("store is down")
	in := line("1") + "\n" + line("2") + "\n" + line("3") + "\n"
	var seen int
	st, err := Scan(strings.NewReader(in), func(int, bot.Mention) error {
		seen++
		if seen == 2 {
			return stop
		}
		return nil
	}, nil)
	if !errors.Is(err, stop) {
		t.Fatalf("err = %v, want %v", err, stop)
	}
	if seen != 2 || st.Lines != 2 || st.Mentions != 2 {
		t.Fatalf("seen %d, stats %+v", seen, st)
	}
}

func TestScanReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	r := io.MultiReader(strings.NewReader(line("1")+"\n"+line("2")+"\n"), iotest.ErrReader(boom))
	st, err := Scan(r, func(int, bot.Mention) error { return nil }, nil)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "read line 3") {
		t.Fatalf("err = %v", err)
	}
	if st.Mentions != 2 {
		t.Fatalf("stats %+v", st)
	}
}

func TestScanNilBad(t *testing.T) {
	st, err := Scan(strings.NewReader("nope\n"+line("2")), func(int, bot.Mention) error { return nil }, nil)
	if err != nil || st != (Stats{2, 1, 1}) {
		t.Fatalf("stats %+v, err %v", st, err)
	}
}

func BenchmarkScan(b *testing.B) {
	data := bytes.Repeat(Sample(), 40)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		st, err := Scan(bytes.NewReader(data), func(int, bot.Mention) error { return nil }, nil)
		if err != nil || st.Bad != 0 {
			b.Fatal(st, err)
		}
	}
}
