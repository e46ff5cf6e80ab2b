package slacksurface

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/earshothq/earshot/internal/testkit/slackfake"
)

// BenchmarkEventAck measures how long Slack waits for our 200 on signed
// reaction events arriving at 50 a second (Slack gives up after 3 s). Each
// event is a distinct reaction on a card, so the work after the ack (case
// lookup, the handlers, Slack calls on refusal) runs alongside, as in
// production. Run with -benchtime=500x for a stable p99.
func BenchmarkEventAck(b *testing.B) {
	e := newEnv(b, nil)
	ch, ts, _ := splitRef(e.post(sampleCard()))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	reqs := make([]*http.Request, b.N)
	for i := range reqs {
		body := slackfake.ReactionAdded(fmt.Sprintf("EvBench%d", i), "U0ALICE", "eyes", ch, ts)
		r, err := e.fake.Request(b.Context(), e.srv.URL, slackfake.EventDelivery(body))
		if err != nil {
			b.Fatal(err)
		}
		reqs[i] = r
	}
	lat := make([]time.Duration, b.N)
	tick := time.NewTicker(time.Second / 50)
	defer tick.Stop()
	type result struct {
		i   int
		d   time.Duration
		err error
	}
	results := make(chan result, b.N)
	b.ResetTimer()
	for i := range b.N {
		<-tick.C
		go func() {
			start := time.Now()
			res, err := client.Do(reqs[i])
			d := time.Since(start)
			if err == nil {
				_ = res.Body.Close()
				if res.StatusCode != http.StatusOK {
					err = fmt.Errorf("status %d", res.StatusCode)
				}
			}
			results <- result{i, d, err}
		}()
	}
	for range b.N {
		r := <-results
		if r.err != nil {
			b.Fatal(r.err)
		}
		lat[r.i] = r.d
	}
	b.StopTimer()
	e.s.work.Wait()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}
