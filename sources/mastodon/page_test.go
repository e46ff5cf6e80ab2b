package mastodon

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestPageSkipsAMalformedEntry(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("min_id") != "3" || r.Header.Get("Authorization") != "Bearer tok" {
			http.Error(w, `{"error":"unexpected request"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`[{"id":"5","created_at":"yesterday"},
			{"id":"4","created_at":"2024-01-01T00:00:00Z","content":"<p>ok</p>","account":{"id":"1","acct":"a"}}]`))
	}))
	defer srv.Close()
	c, err := NewClient(srv.URL, "tok", ClientOptions{})
	if err != nil {
		t.Fatal(err)
	}
	items, newest, more, err := c.fetchPage(t.Context(), &feed{kind: kindTimeline, path: "/api/v1/timelines/home"}, "3")
	if err != nil || len(items) != 1 || items[0].id != "4" || newest != "4" || more {
		t.Errorf("page: %+v %q %v %v", items, newest, more, err)
	}
}
