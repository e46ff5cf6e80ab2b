package reddit

import (
	"os"
	"testing"
	"time"
)

func FuzzDecodeListing(f *testing.F) {
	for _, name := range []string{"testdata/listing.json"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"kind":"Listing","data":{"after":null,"children":[]}}`))
	f.Add([]byte(`{"kind":"Listing","data":{"children":[{"kind":"t1","data":{"id":"a","created_utc":"1e3","parent_id":"t1_b","body":"&amp;"}}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := DecodeListing(data)
		if err != nil {
			return
		}
		for _, th := range l.Children {
			if !IsFullname(th.Fullname()) {
				t.Fatalf("decoded a thing with fullname %q", th.Fullname())
			}
			m := th.Mention("acme")
			if m.ExternalID != th.Fullname() || m.Platform != Platform {
				t.Fatalf("mention %+v", m)
			}
			if th.Kind == "t1" && !IsFullname(m.InReplyTo) {
				t.Fatalf("comment answering %q", m.InReplyTo)
			}
		}
	})
}

func FuzzDecodeCommentResponse(f *testing.F) {
	for _, name := range []string{"testdata/comment_ok.json", "testdata/comment_ratelimit.json"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"json":{"errors":[[1,null]]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		th, err := DecodeCommentResponse(data)
		if err == nil && !IsFullname(th.Fullname()) {
			t.Fatalf("comment %q", th.Fullname())
		}
	})
}

func FuzzParseCursor(f *testing.F) {
	f.Add(`{"t":1676900000,"s":{"t3_116yyx6":1676900000}}`)
	f.Add(`{"t":0}`)
	f.Add(`{not json`)
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseCursor(s)
		if err != nil {
			return
		}
		c.prune(c.Newest - 60)
		if _, err := parseCursor(c.String()); err != nil {
			t.Fatalf("a cursor written does not read back: %v", err)
		}
	})
}

func FuzzParseRateLimitMessage(f *testing.F) {
	f.Add("you are doing that too much. try again in 9 minutes.")
	f.Add("try again in 30 seconds")
	f.Fuzz(func(t *testing.T, msg string) {
		if d := ParseRateLimitMessage(msg); d < 0 || d > 25*time.Hour {
			t.Fatalf("%q: %s", msg, d)
		}
	})
}
