package meta_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/sources/meta"
)

// The documented samples decode to what they describe.
func TestDecodeSamples(t *testing.T) {
	for _, tc := range []struct {
		file string
		n    int
	}{
		{"webhook_feed_comment.json", 1},
		{"webhook_feed_status.json", 2}, // a visitor's post and a removal
		{"webhook_instagram_comments.json", 1},
		{"webhook_instagram_mentions.json", 1}, // one lookup
	} {
		b, err := os.ReadFile("testdata/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		n, err := meta.DecodeForTest(b, t0)
		if err != nil || n != tc.n {
			t.Errorf("%s: %d items, %v; want %d", tc.file, n, err, tc.n)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`[]`, "not a webhook delivery"},
		{`{"entry":[]}`, `no "object"`},
		{`{"object":"page"} {}`, "data after"},
		{`{"object":"page","entry":[{"changes":[{"field":"feed","value":{"item":"status","verb":"add"}}]}]}`, "entry 1 change 1 (feed): status has no post_id"},
		{`{"object":"page","entry":[{"changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"1_2","created_time":"yesterday"}}]}]}`, `"yesterday" is not like`},
		{`{"object":"instagram","entry":[{"changes":[{"field":"comments","value":{"text":"x"}}]}]}`, "comment has no id"},
		{`{"object":"instagram","entry":[{"changes":[{"field":"mentions","value":{}}]}]}`, "neither media_id nor comment_id"},
		{`{"object":"page","entry":[{"changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"1_2","message":"` + strings.Repeat("a", 70000) + `"}}]}]}`, "longer than"},
	} {
		_, err := meta.DecodeForTest([]byte(tc.body), t0)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%.60s: %v, want %q", tc.body, err, tc.want)
		}
	}
	// Other objects and fields are skipped, not refused.
	if n, err := meta.DecodeForTest([]byte(`{"object":"user","entry":[{"id":"1"}]}`), time.Now()); n != 0 || err != nil {
		t.Errorf("other object: %d %v", n, err)
	}
}
