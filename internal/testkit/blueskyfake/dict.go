package blueskyfake

import (
	"fmt"

	"github.com/klauspost/compress/zstd"
)

// Dictionary builds the zstd dictionary the fake compresses with, from
// Jetstream-shaped events. Real Jetstream uses its own published dictionary;
// the client is given whichever one its server uses.
func Dictionary() []byte {
	var samples [][]byte
	for i := range 64 {
		samples = append(samples, fmt.Appendf(nil,
			`{"did":"did:plc:%024d","time_us":17259111623%05d,"kind":"commit","commit":{"rev":"3l3qo2vutsw2b","operation":"create","collection":"app.bsky.feed.post","rkey":"3l3qo2vuowo2b","record":{"$type":"app.bsky.feed.post","text":"post number %d about lamps and the weather","createdAt":"2024-09-09T19:46:02.102Z","langs":["en"]},"cid":"bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi"}}`,
			i*7919, i, i))
	}
	d, err := zstd.BuildDict(zstd.BuildDictOptions{
		ID:       0x6a657473, // "jets"
		Contents: samples,
		History:  []byte(`{"did":"did:plc:","time_us":,"kind":"commit","commit":{"rev":"","operation":"create","collection":"app.bsky.feed.post","rkey":"","record":{"$type":"app.bsky.feed.post","text":"","createdAt":"","langs":["en"],"reply":{"root":{"uri":"at://","cid":"bafyrei"},"parent":{"uri":"at://","cid":"bafyrei"}},"facets":[{"index":{"byteStart":,"byteEnd":},"features":[{"$type":"app.bsky.richtext.facet#mention","did":""}]}]},"cid":"bafyrei"}}`),
		Offsets:  [3]int{1, 4, 8},
	})
	if err != nil {
		panic("blueskyfake: build zstd dictionary: " + err.Error())
	}
	return d
}
