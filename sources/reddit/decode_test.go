package reddit

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestDecodeListingSample(t *testing.T) {
	data, err := os.ReadFile("testdata/listing.json")
	if err != nil {
		t.Fatal(err)
	}
	l, err := DecodeListing(data)
	if err != nil {
		t.Fatal(err)
	}
	if l.After != "t3_116yyx6" || l.Before != "" || len(l.Children) != 2 {
		t.Fatalf("listing %+v", l)
	}
	post := l.Children[0].Mention("ACME_CARE")
	want := "Acme outage? R&D says <soon>\n\nAnyone else…"
	if post.ExternalID != "t3_116yyx6" || post.Text != want || post.Author.Handle != "u/bob" || post.Author.ID != "t2_4esadt4t" ||
		post.URL != "https://www.reddit.com/r/sysadmin/comments/116yyx6/acme_outage/" || post.InReplyTo != "" || post.Ours ||
		!post.CreatedAt.Equal(time.Unix(1676900000, 0)) || post.Platform != "reddit" {
		t.Errorf("post %+v", post)
	}
	c := l.Children[1].Mention("kharos")
	if c.ExternalID != "t1_c0b6xx0" || c.InReplyTo != "t3_92dd8" || c.Text != "acme support was great" || !c.Ours {
		t.Errorf("comment %+v", c)
	}
}

func TestDecodeListingErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"not json", `{"kind":`, "reddit listing: unexpected end"},
		{"not a listing", `{"kind":"t3","data":{}}`, `kind "t3", want "Listing"`},
		{"no id", `{"kind":"Listing","data":{"children":[{"kind":"t3","data":{"created_utc":1}}]}}`, "child 0 (t3): no id"},
		{"bad id", `{"kind":"Listing","data":{"children":[{"kind":"t1","data":{"id":"A/B","created_utc":1,"parent_id":"t3_x"}}]}}`, `child 0 (t1): id "A/B" is not base 36`},
		{"name mismatch", `{"kind":"Listing","data":{"children":[{"kind":"t1","data":{"id":"abc","name":"t3_abc","created_utc":1,"parent_id":"t3_x"}}]}}`, `name "t3_abc" does not match`},
		{"bad time", `{"kind":"Listing","data":{"children":[{"kind":"t3","data":{"id":"abc","created_utc":"soon"}}]}}`, `t3_abc: created_utc "soon" is not a time`},
		{"comment without parent", `{"kind":"Listing","data":{"children":[{"kind":"t1","data":{"id":"abc","created_utc":1}}]}}`, "a comment without parent_id"},
		{"bad cursor", `{"kind":"Listing","data":{"after":"page2","children":[]}}`, `cursor "page2" is not a fullname`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeListing([]byte(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
	// Kinds earshot does not read are skipped, not errors.
	l, err := DecodeListing([]byte(`{"kind":"Listing","data":{"children":[{"kind":"t5","data":{"display_name":"x"}},{"kind":"more","data":{}}]}}`))
	if err != nil || len(l.Children) != 0 {
		t.Errorf("skipped kinds: %+v %v", l, err)
	}
}

func TestGoneAndTombstone(t *testing.T) {
	for _, tc := range []struct {
		th   Thing
		gone bool
	}{
		{Thing{Kind: "t1", Body: "[deleted]"}, true},
		{Thing{Kind: "t1", Body: "[removed]"}, true},
		{Thing{Kind: "t3", Title: "t", Selftext: "[removed]"}, true},
		{Thing{Kind: "t3", Title: "[deleted]", Selftext: "body"}, false},
		{Thing{Kind: "t1", Body: "it was [deleted] already", Author: "[deleted]"}, false},
	} {
		if got := tc.th.Gone(); got != tc.gone {
			t.Errorf("%+v: gone %v", tc.th, got)
		}
	}
	m := Thing{Kind: "t1", Body: "x", Author: "[deleted]", ID: "a", ParentID: "t3_b"}.Mention("")
	if m.Author.Handle != "" {
		t.Errorf("deleted author shown as %q", m.Author.Handle)
	}
}

func TestDecodeCommentResponse(t *testing.T) {
	ok, _ := os.ReadFile("testdata/comment_ok.json")
	th, err := DecodeCommentResponse(ok)
	if err != nil || th.Fullname() != "t1_k1x2y3z" || th.ParentID != "t3_116yyx6" {
		t.Fatalf("%+v %v", th, err)
	}
	rl, _ := os.ReadFile("testdata/comment_ratelimit.json")
	_, err = DecodeCommentResponse(rl)
	var ae APIError
	if !errors.As(err, &ae) || ae.Code != "RATELIMIT" || ae.Field != "ratelimit" {
		t.Fatalf("%v", err)
	}
	if _, err := DecodeCommentResponse([]byte(`{"json":{"errors":[]}}`)); err == nil {
		t.Error("an empty envelope is an error")
	}
}

func TestParseRateLimitMessage(t *testing.T) {
	for msg, want := range map[string]time.Duration{
		"you are doing that too much. try again in 9 minutes.": 10 * time.Minute,
		"you are doing that too much. try again in 1 minute.":  2 * time.Minute,
		"Try again in 30 seconds.":                             31 * time.Second,
		"try again in 2 hours":                                 2 * time.Hour,
		"slow down":                                            0,
		"try again in 99999999999999999999 minutes":            0,
	} {
		if got := ParseRateLimitMessage(msg); got != want {
			t.Errorf("%q: %s, want %s", msg, got, want)
		}
	}
}

func TestCursorPrune(t *testing.T) {
	c := cursor{Newest: 5000, Seen: map[string]float64{}}
	for i := range maxSeen + 50 {
		c.Seen["t3_"+strconv.FormatInt(int64(i), 36)] = float64(4000 + i%900)
	}
	c.Seen["t3_old"] = 100
	c.prune(1000)
	if _, ok := c.Seen["t3_old"]; ok || len(c.Seen) > maxSeen {
		t.Fatalf("pruned to %d", len(c.Seen))
	}
	back, err := parseCursor(c.String())
	if err != nil || back.Newest != 5000 || len(back.Seen) != len(c.Seen) {
		t.Fatalf("round trip: %v", err)
	}
	if _, err := parseCursor(`{"t":-1}`); err == nil {
		t.Error("negative time accepted")
	}
}
