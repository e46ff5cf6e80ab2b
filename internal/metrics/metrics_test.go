package metrics

import (
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
)

func TestHandlerExposesPipelineMetrics(t *testing.T) {
	m := New()
	m.Ingested(bot.OutcomeOpened, 3)
	m.Ingested(bot.OutcomeDuplicate, 2)
	m.BatchStored(5, 12*time.Millisecond)
	m.JobFinished(bot.JobCard, nil, time.Millisecond)
	m.JobFinished(bot.JobCard, errors.New("429"), time.Millisecond)

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`earshot_mentions_total{outcome="opened"} 3`,
		`earshot_mentions_total{outcome="duplicate"} 2`,
		`earshot_jobs_total{kind="card",result="ok"} 1`,
		`earshot_jobs_total{kind="card",result="error"} 1`,
		`earshot_ingest_batch_seconds_count 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestRegistriesAreIndependent(t *testing.T) {
	a, b := New(), New() // would panic on a shared default registry
	a.Ingested(bot.OutcomeStored, 1)
	rec := httptest.NewRecorder()
	b.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if strings.Contains(rec.Body.String(), `earshot_mentions_total{outcome="stored"} 1`) {
		t.Fatal("metrics leaked between registries")
	}
}
