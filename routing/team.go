package routing

import (
	"strings"
	"time"

	"github.com/earshothq/earshot/internal/bizhours"
)

// Team is a named destination defined once in the rules file.
type Team struct {
	Name string `json:"name"`
	// Members, Leads and Execs are identities allowed to act on the team's
	// cases: a plain name ("alice", matched on any surface) or a
	// surface-qualified id ("slack:U123", "discord:4242", "web:alice").
	Members []string `json:"members,omitempty"`
	Leads   []string `json:"leads,omitempty"`
	Execs   []string `json:"execs,omitempty"`
	// SLA is how long the team has to answer (its first-response target);
	// default one hour. The rest of the answer clock is in sla.go.
	SLA time.Duration `json:"sla"`
	// RemindBefore are points before the due time at which the case's
	// thread is reminded that an answer is due, largest first.
	RemindBefore []time.Duration `json:"remind_before,omitempty"`
	// CountOutsideHours makes the SLA clock run outside Hours too.
	CountOutsideHours bool `json:"count_outside_hours,omitempty"`
	// Breach is what a missed due time does besides being recorded:
	// BreachEscalate (the default) or BreachRecord.
	Breach string `json:"breach,omitempty"`
	// Hours are the team's business hours; nil means around the clock.
	Hours *bizhours.Hours `json:"-"`
	// Escalation is who is paged, in which order, when a case escalates.
	Escalation Escalation `json:"escalation,omitzero"`
	// Urgency is the team's say on how urgent its cases are.
	Urgency UrgencyPolicy `json:"urgency,omitzero"`
	Slack   SlackTarget   `json:"slack,omitzero"`
	Discord DiscordTarget `json:"discord,omitzero"`
	// Defects is where the team's defects are filed, when not the default.
	Defects Defects `json:"defects,omitzero"`
	// Delight, when set, offers a gesture (a coupon, a link) as one more
	// suggestion after a reply or a resolution.
	Delight *Delight `json:"delight,omitempty"`
	// Line is where the team is defined in the rules file, for messages.
	Line int `json:"-"`
}

// UrgencyPolicy adjusts the classifier's urgency for one team's cases: a
// team of three watching a niche product may treat 2,000 followers as a loud
// voice, and a billing team may want every churn threat at the top.
type UrgencyPolicy struct {
	// HighReach is the follower count from which a negative post is high
	// urgency; 0 keeps the default (10,000).
	HighReach int `json:"high_reach,omitempty"`
	// High and Critical list intents that are at least that urgent. Safety
	// is always critical.
	High     []string `json:"high,omitempty"`
	Critical []string `json:"critical,omitempty"`
}

// SlackTarget is where a team's cards go in Slack.
type SlackTarget struct {
	Channel string `json:"channel,omitempty" yaml:"channel"`
	// EscalationChannel, when set, also gets every page of an escalation,
	// with a link to the card.
	EscalationChannel string `json:"escalation_channel,omitempty" yaml:"escalation_channel"`
}

// DiscordTarget is where a team's cards go in Discord, and which roles may act.
type DiscordTarget struct {
	Channel string   `json:"channel,omitempty" yaml:"channel"`
	Roles   []string `json:"roles,omitempty" yaml:"roles"`
	// EscalationChannel, when set, also gets every page of an escalation,
	// with a link to the card.
	EscalationChannel string `json:"escalation_channel,omitempty" yaml:"escalation_channel"`
}

// EscalationChannel is where the team's pages are also posted on surface
// ("slack", "discord"), or "" for none.
func (t Team) EscalationChannel(surface string) string {
	switch surface {
	case "slack":
		return t.Slack.EscalationChannel
	case "discord":
		return t.Discord.EscalationChannel
	}
	return ""
}

// Open reports whether the team lists nobody, so anyone who reaches a surface
// may act (the embedded default).
func (t Team) Open() bool { return len(t.Members)+len(t.Leads)+len(t.Execs) == 0 }

// MayAct reports whether actor ("surface:id" or a plain name) may act on the
// team's cases.
func (t Team) MayAct(actor string) bool {
	if t.Open() {
		return true
	}
	plain := actor
	if i := strings.IndexByte(actor, ':'); i >= 0 {
		plain = actor[i+1:]
	}
	for _, list := range [][]string{t.Members, t.Leads, t.Execs} {
		for _, who := range list {
			if strings.EqualFold(who, actor) || (!strings.Contains(who, ":") && strings.EqualFold(who, plain)) {
				return true
			}
		}
	}
	return false
}
