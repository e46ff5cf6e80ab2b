package httpbody

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type failing struct{}

func (failing) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestRead(t *testing.T) {
	for _, tc := range []struct {
		name     string
		body     io.Reader
		length   int64
		want     string
		tooLarge bool
		err      bool
	}{
		{"fits", strings.NewReader("hello"), 5, "hello", false, false},
		{"at the limit", strings.NewReader("0123456789"), 10, "0123456789", false, false},
		{"declared too large", strings.NewReader("x"), 11, "", true, true},
		{"too large, length unknown", strings.NewReader(strings.Repeat("x", 11)), -1, "", true, true},
		{"read fails", failing{}, -1, "", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", tc.body)
			r.ContentLength = tc.length
			body, tooLarge, err := Read(httptest.NewRecorder(), r, 10)
			if tooLarge != tc.tooLarge || (err != nil) != tc.err || (!tc.err && string(body) != tc.want) {
				t.Fatalf("Read = %q, %v, %v", body, tooLarge, err)
			}
		})
	}
}
