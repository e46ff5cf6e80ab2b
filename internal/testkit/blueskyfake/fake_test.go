package blueskyfake

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/klauspost/compress/zstd"
)

func call(t *testing.T, f *Fake, method, token string, body any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", f.URL()+"/xrpc/"+method, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// createRecord holds replies to the lexicon and the thread rules.
func TestCreateRecordChecks(t *testing.T) {
	f := New(Options{})
	defer f.Close()
	f.AddAccount(Account{DID: "did:plc:brand", Handle: "brand.test", Password: "abcd-efgh-ijkl-mnop"})
	top, topCID, _ := f.Post("did:plc:alice", "hello", PostOptions{})
	mid, midCID, _ := f.Post("did:plc:bob", "hi", PostOptions{ReplyTo: top})
	_, s := call(t, f, "com.atproto.server.createSession", "", map[string]string{"identifier": "brand.test", "password": "abcd-efgh-ijkl-mnop"})
	tok, _ := s["accessJwt"].(string)
	if tok == "" {
		t.Fatalf("session %v", s)
	}
	rec := func(text string, reply any, facets any) map[string]any {
		r := map[string]any{"$type": Collection, "text": text, "createdAt": "2026-01-01T00:00:00.000Z"}
		if reply != nil {
			r["reply"] = reply
		}
		if facets != nil {
			r["facets"] = facets
		}
		return map[string]any{"repo": "did:plc:brand", "collection": Collection, "record": r}
	}
	ref := func(u, c string) map[string]string { return map[string]string{"uri": u, "cid": c} }
	for _, tc := range []struct {
		name string
		body map[string]any
		want string
	}{
		{"top-level", rec("hi", nil, nil), ""},
		{"reply in thread", rec("hi", map[string]any{"root": ref(top, topCID), "parent": ref(mid, midCID)}, nil), ""},
		{"root is not the parent's root", rec("hi", map[string]any{"root": ref(mid, midCID), "parent": ref(mid, midCID)}, nil), "is not the parent's root"},
		{"stale parent cid", rec("hi", map[string]any{"root": ref(top, topCID), "parent": ref(mid, "bafyreiold")}, nil), "reply parent cid"},
		{"no root", rec("hi", map[string]any{"parent": ref(mid, midCID)}, nil), "root and parent"},
		{"too long", rec(strings.Repeat("x", 301), nil, nil), "301 graphemes"},
		{"facet past the end", rec("hi", nil, []any{map[string]any{"index": map[string]int{"byteStart": 0, "byteEnd": 3}, "features": []any{map[string]string{"$type": "app.bsky.richtext.facet#tag", "tag": "x"}}}}), "out of the text"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := call(t, f, "com.atproto.repo.createRecord", tok, tc.body)
			if tc.want == "" {
				if code != 200 {
					t.Fatalf("%d %v", code, out)
				}
				return
			}
			if code != 400 || out["error"] != "InvalidRequest" || !strings.Contains(out["message"].(string), tc.want) {
				t.Fatalf("%d %v, want 400 InvalidRequest %q", code, out, tc.want)
			}
		})
	}
}

// Jetstream replays from a cursor, filters collections, and compresses.
func TestJetstreamReplayFilterCompress(t *testing.T) {
	f := New(Options{})
	defer f.Close()
	_, _, _ = f.Post("did:plc:a", "one", PostOptions{})
	from := f.LastTimeUS()
	f.PublishJSON(map[string]any{"did": "did:plc:a", "kind": "commit", "commit": map[string]any{"operation": "create", "collection": "app.bsky.feed.like", "rkey": "x"}})
	_, _, _ = f.Post("did:plc:a", "two", PostOptions{})
	f.Rename("did:plc:a", "a.test")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, f.JetstreamURL()+"?wantedCollections="+Collection+"&compress=true&cursor="+strconv.FormatInt(from, 10), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	dec := newTestDecoder(t, f.ZstdDictionary())
	var kinds []string
	for range 3 {
		typ, data, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if typ != websocket.MessageBinary {
			t.Fatal("not compressed")
		}
		var ev struct {
			Kind   string `json:"kind"`
			Commit struct {
				Record struct{ Text string } `json:"record"`
			} `json:"commit"`
		}
		if err := json.Unmarshal(dec(data), &ev); err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, ev.Kind+":"+ev.Commit.Record.Text)
	}
	if got := strings.Join(kinds, ","); got != "commit:one,commit:two,identity:" {
		t.Fatalf("got %s", got)
	}
}

func newTestDecoder(t *testing.T, dict []byte) func([]byte) []byte {
	d, err := zstd.NewReader(nil, zstd.WithDecoderDicts(dict))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return func(b []byte) []byte {
		out, err := d.DecodeAll(b, nil)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
}
