package bluesky

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/coder/websocket"
	"github.com/klauspost/compress/zstd"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/blueskyfake"
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/store"
)

// exampleBot is the real pipeline with the example rules, for its Hears.
func exampleBot(tb testing.TB) *bot.Bot {
	tb.Helper()
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "bench.db"), store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	rules := routing.Example()
	sugg, err := bot.NewBuiltinSuggester(func() routing.Brand { return rules.Brand })
	if err != nil {
		tb.Fatal(err)
	}
	b, err := bot.New(bot.Config{Store: db, Rules: rules, Classifier: bot.NewBuiltinClassifier(), Suggester: sugg})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// BenchmarkDecodeAndMatch is the per-event cost of the firehose: decode a
// Jetstream message (optionally zstd), decide, and run the example rules on
// every post, over a realistic mix (2% about the brand, a fifth replies,
// 8% deletes). Run it on one core:
//
//	go test -run '^$' -bench DecodeAndMatch -cpu 1 ./sources/bluesky/
func BenchmarkDecodeAndMatch(b *testing.B) {
	msgs := blueskyfake.MixJSON(20_000, 1, blueskyfake.MixOptions{})
	dict := blueskyfake.Dictionary()
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderDict(dict))
	if err != nil {
		b.Fatal(err)
	}
	compressed := make([][]byte, len(msgs))
	for i, m := range msgs {
		compressed[i] = enc.EncodeAll(m, nil)
	}
	hears := exampleBot(b).Hears
	for _, compress := range []bool{false, true} {
		name := "plain"
		if compress {
			name = "zstd"
		}
		b.Run(name, func(b *testing.B) {
			opts := Options{JetstreamURLs: []string{"ws://127.0.0.1:1/subscribe"}, Hears: hears, DID: "did:plc:lumio"}
			data, typ := msgs, websocket.MessageText
			if compress {
				opts.ZstdDictionary = dict
				data, typ = compressed, websocket.MessageBinary
			}
			src, err := New(opts)
			if err != nil {
				b.Fatal(err)
			}
			st := &stream{src: src}
			ctx := context.Background()
			heard := 0
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := st.handleMessage(ctx, message{data: data[i%len(data)], typ: typ}); err != nil {
					b.Fatal(err)
				}
				if len(st.pending) >= 100 {
					heard += len(st.pending)
					st.pending, st.keys = st.pending[:0], st.keys[:0]
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(heard+len(st.pending))/float64(b.N)*100, "%heard")
		})
	}
}
