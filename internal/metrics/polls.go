package metrics

import (
	"context"

	"github.com/earshothq/earshot/bot"
)

// RecordSourcePoll counts one poll (a status recorder of the scheduler).
func (m *Metrics) RecordSourcePoll(_ context.Context, p bot.SourcePoll) error {
	result := "ok"
	if p.Err != "" {
		result = "error"
	}
	m.polls.WithLabelValues(p.Platform, result).Inc()
	m.polled.WithLabelValues(p.Platform).Add(float64(p.Mentions))
	return nil
}
