// Package metrics exposes the pipeline's measurements to Prometheus. It owns
// its registry (no global default registry) so tests can build many.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/earshothq/earshot/bot"
)

// Metrics implements bot.Observer with Prometheus collectors.
type Metrics struct {
	reg      *prometheus.Registry
	mentions *prometheus.CounterVec
	batch    prometheus.Histogram
	jobs     *prometheus.CounterVec
	jobTime  *prometheus.HistogramVec
	polls    *prometheus.CounterVec
	polled   *prometheus.CounterVec
}

var _ bot.Observer = (*Metrics)(nil)

// New registers earshot's collectors and the Go runtime's on a fresh registry.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		mentions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "earshot_mentions_total",
			Help: "Mentions ingested, by outcome (stored, opened, extended, duplicate; deleted and ignored for deletions).",
		}, []string{"outcome"}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "earshot_ingest_batch_seconds",
			Help:    "Time to store one batch of mentions with its jobs.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "earshot_jobs_total",
			Help: "Durable jobs run, by kind and result (ok, error).",
		}, []string{"kind", "result"}),
		jobTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "earshot_job_seconds",
			Help:    "Time to run one durable job, by kind.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 15),
		}, []string{"kind"}),
	}
	// Polls are counted by platform, not by feed: hundreds of RSS feeds
	// must not make hundreds of series. The per-feed view is the status
	// lines (earshot status).
	m.polls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "earshot_polls_total",
		Help: "Polls of feeds (Reddit, Hacker News, GitHub search, RSS, fallbacks), by platform and result (ok, error).",
	}, []string{"platform", "result"})
	m.polled = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "earshot_poll_mentions_total",
		Help: "Mentions polled feeds brought, by platform.",
	}, []string{"platform"})
	m.reg.MustRegister(m.mentions, m.batch, m.jobs, m.jobTime, m.polls, m.polled,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry lets other packages add their collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

func (m *Metrics) Ingested(o bot.IngestOutcome, n int) {
	m.mentions.WithLabelValues(string(o)).Add(float64(n))
}

func (m *Metrics) BatchStored(_ int, d time.Duration) { m.batch.Observe(d.Seconds()) }

func (m *Metrics) JobFinished(kind bot.JobKind, err error, d time.Duration) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.jobs.WithLabelValues(string(kind), result).Inc()
	m.jobTime.WithLabelValues(string(kind)).Observe(d.Seconds())
}
