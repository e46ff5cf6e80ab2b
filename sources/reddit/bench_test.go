package reddit

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkDecodeListing decodes a full page (100 children, half posts
// with a paragraph of self text, half comments) and turns each into a
// Mention, as a poll does.
func BenchmarkDecodeListing(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"kind":"Listing","data":{"after":"t1_zz99","before":null,"dist":100,"children":[`)
	for i := range 100 {
		if i > 0 {
			sb.WriteByte(',')
		}
		if i%2 == 0 {
			fmt.Fprintf(&sb, `{"kind":"t3","data":{"id":"p%d","name":"t3_p%d","subreddit":"sysadmin","title":"Acme outage &amp; more %d","selftext":%q,"author":"bob","author_fullname":"t2_4esadt4t","permalink":"/r/sysadmin/comments/p%d/acme/","created_utc":1676900000.0,"num_comments":3,"score":12,"over_18":false,"is_self":true}}`,
				i, i, i, strings.Repeat("Anyone else seeing the hub drop offline? ", 10), i)
		} else {
			fmt.Fprintf(&sb, `{"kind":"t1","data":{"id":"c%d","name":"t1_c%d","link_id":"t3_92dd8","parent_id":"t3_92dd8","subreddit":"sysadmin","body":"acme support was great &gt; everyone else","author":"Kharos","author_fullname":"t2_3goil","permalink":"/r/sysadmin/comments/92dd8/x/c%d/","created_utc":1247932861.0,"score":6355,"replies":""}}`, i, i, i)
		}
	}
	sb.WriteString(`]}}`)
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		l, err := DecodeListing(data)
		if err != nil {
			b.Fatal(err)
		}
		for _, t := range l.Children {
			_ = t.Mention("acme_care")
		}
		if len(l.Children) != 100 {
			b.Fatal(len(l.Children))
		}
	}
}
