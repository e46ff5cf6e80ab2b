package retryafter

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		v    string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"120", 2 * time.Minute, true},
		{" 7 ", 7 * time.Second, true},
		{"0", 0, true},
		{"-5", 0, false},
		{"soon", 0, false},
		{"1.5", 0, false},
		{"Mon, 23 Nov 2026 10:01:30 GMT", 90 * time.Second, true},
		{"Mon, 23 Nov 2026 09:59:00 GMT", -time.Minute, true},
		{"99999999999999999", 365 * 24 * time.Hour, true},
	} {
		d, ok := Parse(tc.v, now)
		if d != tc.want || ok != tc.ok {
			t.Errorf("Parse(%q) = %s, %v; want %s, %v", tc.v, d, ok, tc.want, tc.ok)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "120", "0", "-1", "Mon, 23 Nov 2026 10:01:30 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "9223372036854775807"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := Parse(v, now)
		if !ok && d != 0 {
			t.Fatalf("Parse(%q) = %s without ok", v, d)
		}
	})
}
