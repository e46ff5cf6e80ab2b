// Package httpbody reads a request body under a size cap, as the signed
// endpoints (webhooks, Slack's HTTP delivery) need it whole before they
// can check its signature.
package httpbody

import (
	"errors"
	"io"
	"net/http"
)

// Read reads r's body, at most limit bytes. tooLarge reports a body over
// the limit, known from Content-Length before anything is read or found
// while reading (answer 413); any other failure is err alone (answer 400).
func Read(w http.ResponseWriter, r *http.Request, limit int64) (body []byte, tooLarge bool, err error) {
	if r.ContentLength > limit {
		return nil, true, &http.MaxBytesError{Limit: limit}
	}
	body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	return body, errors.As(err, &mbe), err
}
