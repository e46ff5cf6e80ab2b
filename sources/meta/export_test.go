package meta

import (
	"encoding/json"
	"time"
)

// DecodeForTest runs the whole webhook decoder, for the fuzz test.
func DecodeForTest(body []byte, now time.Time) (int, error) {
	d, err := DecodeDelivery(body)
	if err != nil {
		return 0, err
	}
	got, err := decode(d, now)
	return len(got.items) + len(got.lookups), err
}

// GraphPagesForTest decodes body as each Graph list the pollers read and
// turns every object into a mention, for the fuzz test.
func GraphPagesForTest(body []byte) {
	var fp fbPostPage
	if json.Unmarshal(body, &fp) == nil {
		for _, p := range fp.Data {
			_, _ = p.mention("1")
		}
	}
	var fc fbCommentPage
	if json.Unmarshal(body, &fc) == nil {
		for _, c := range fc.Data {
			_, _ = c.mention("1", "1_2")
		}
	}
	var ic igCommentPage
	if json.Unmarshal(body, &ic) == nil {
		for _, c := range ic.Data {
			_, _ = c.mention("1", "acme")
		}
	}
	var im igMediaPage
	if json.Unmarshal(body, &im) == nil {
		for _, m := range im.Data {
			_, _ = m.mention()
		}
	}
	_ = decodeError(body).Error()
}
