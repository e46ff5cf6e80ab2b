package routing

import (
	"time"

	"gopkg.in/yaml.v3"
)

// StormPolicy says when a team's new cards are grouped on one storm card,
// the way Alertmanager groups alerts: in a crisis or a viral moment, a
// channel gets one card that counts, not a thousand that bury each other.
type StormPolicy struct {
	// Threshold cards within Window post one by one; the next new case in
	// that window starts a storm.
	Threshold int           `json:"threshold"`
	Window    time.Duration `json:"window"`
	// UpdateEvery is the least time between two updates of the storm card.
	UpdateEvery time.Duration `json:"update_every"`
	// Quiet ends a storm when no new case joined it for this long; later
	// cases get their own cards again.
	Quiet time.Duration `json:"quiet"`
}

// DefaultStorm is the policy of a rules file without a storm section: more
// than ten new cards a minute for one team is a storm.
func DefaultStorm() StormPolicy {
	return StormPolicy{Threshold: 10, Window: time.Minute, UpdateEvery: 10 * time.Second, Quiet: 2 * time.Minute}
}

func (p *parser) storm(n *yaml.Node) StormPolicy {
	s := DefaultStorm()
	const ctx = "storm"
	if isNull(n) || !p.want(n, yaml.MappingNode, "", ctx) {
		return s
	}
	dur := func(v *yaml.Node, key string, d *time.Duration) {
		if x, ok := p.positiveDuration(v, ctx, key, "10s, 1m or 5m"); ok {
			*d = x
		}
	}
	p.fields(n, ctx, func(k, v *yaml.Node) bool {
		switch k.Value {
		case "threshold":
			if t := p.count(v, ctx, k.Value); t > 0 {
				s.Threshold = t
			} else if v.Kind == yaml.ScalarNode {
				p.add(v.Line, ctx, "threshold: want 1 or more cards")
			}
		case "window":
			dur(v, k.Value, &s.Window)
		case "update_every":
			dur(v, k.Value, &s.UpdateEvery)
		case "quiet":
			dur(v, k.Value, &s.Quiet)
		default:
			return false
		}
		return true
	})
	return s
}
