package hackernews

import (
	"fmt"
	"strings"
	"testing"
)

// benchPage is a full page of 100 comment hits in Algolia's format.
func benchPage() []byte {
	var b strings.Builder
	b.WriteString(`{"hits":[`)
	for i := range 100 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"created_at":"2024-05-01T12:00:00.000Z","created_at_i":%d,"author":"user%d","comment_text":"I think <em>acme</em> fixed it.<p>But the <a href=\"https://acme.com/status/page/long\" rel=\"nofollow\">https://acme.com/status/pa...</a> says otherwise &amp; I&#x27;m not sure.","story_id":40000000,"story_title":"Acme raises $10M","story_url":"https://acme.com/blog","parent_id":%d,"objectID":"%d","_tags":["comment","author_user%d","story_40000000"],"points":null,"title":null,"url":null,"num_comments":null,"story_text":null,"_highlightResult":{"comment_text":{"value":"x","matchLevel":"full","matchedWords":["acme"]}}}`,
			1714564800+i, i, 40000001+i, 40000100+i, i)
	}
	b.WriteString(`],"page":0,"nbHits":100,"nbPages":1,"hitsPerPage":100,"processingTimeMS":1,"query":"acme","params":"query=acme"}`)
	return []byte(b.String())
}

func BenchmarkDecodePage(b *testing.B) {
	data := benchPage()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := Decode(data)
		if err != nil {
			b.Fatal(err)
		}
		for _, h := range p.Hits {
			_ = h.Mention()
		}
	}
}
