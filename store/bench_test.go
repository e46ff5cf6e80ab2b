package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
)

var benchTexts = []string{
	"@acme my order #%d never arrived and support hasn't answered in three days. Not impressed.",
	"Is anyone else's Acme blender making a grinding noise after the 2.1 firmware update? Order %d",
	"Honestly the new Acme app is great, checkout took ten seconds 🎉 (%d)",
	"@acme you charged me twice for order %d, please refund the duplicate payment asap",
	"acme support chat keeps disconnecting me, ticket %d, this is the fourth time today. I just want to change my delivery address before it ships tomorrow morning.",
}

// benchBatch is 500 distinct, routed mentions.
func benchBatch(batch int) []bot.Incoming {
	out := make([]bot.Incoming, 500)
	for i := range out {
		n := batch*500 + i
		m := mention("bluesky", fmt.Sprintf("3kq%09d", n), fmt.Sprintf("user%d.bsky.social", n%9000),
			fmt.Sprintf(benchTexts[n%len(benchTexts)], n))
		out[i] = routed(m, "care")
	}
	return out
}

// benchPlan is two jobs per opened case, like a card on one surface and a
// suggestion draft.
func benchPlan(r bot.IngestResult) []bot.Job {
	var jobs []bot.Job
	for _, t := range r.Cases {
		jobs = append(jobs,
			bot.Job{Kind: bot.JobCard, CaseID: t.Case.ID, Surface: "slack", Rev: t.Case.Rev},
			bot.Job{Kind: bot.JobSuggest, CaseID: t.Case.ID, Rev: t.Case.Rev})
	}
	return jobs
}

// BenchmarkIngest stores batches of 500 mentions, each opening a case with
// two jobs, in a SQLite file with synchronous=FULL.
func BenchmarkIngest(b *testing.B) {
	clk := newClock()
	opts := testOptions(clk)
	db := MustOpenSQLite(b, opts)
	ctx := b.Context()
	batches := make([][]bot.Incoming, b.N)
	for i := range batches {
		batches[i] = benchBatch(i)
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := db.Ingest(ctx, batches[i], benchPlan); err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N*500)/elapsed.Seconds(), "mentions/s")
}
