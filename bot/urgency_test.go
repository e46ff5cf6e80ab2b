package bot

import (
	"testing"
	"time"

	"github.com/earshothq/earshot/routing"
)

func TestTeamUrgency(t *testing.T) {
	neg := Labels{Sentiment: Negative, Intent: IntentComplaint, Urgency: UrgencyNormal}
	tests := []struct {
		name      string
		l         Labels
		followers int
		p         routing.UrgencyPolicy
		want      Urgency
	}{
		{"default policy keeps the classifier's", neg, 6000, routing.UrgencyPolicy{}, UrgencyNormal},
		{"lower reach makes it high", neg, 6000, routing.UrgencyPolicy{HighReach: 5000}, UrgencyHigh},
		{"below the team's reach", neg, 4000, routing.UrgencyPolicy{HighReach: 5000}, UrgencyNormal},
		{"intent listed high", Labels{Sentiment: Neutral, Intent: IntentQuestion}, 10, routing.UrgencyPolicy{High: []string{"question"}}, UrgencyHigh},
		{"intent listed critical", Labels{Sentiment: Positive, Intent: IntentLead}, 10, routing.UrgencyPolicy{Critical: []string{"lead"}}, UrgencyCritical},
		{"safety stays critical", Labels{Intent: IntentSafety, Urgency: UrgencyCritical}, 0, routing.UrgencyPolicy{HighReach: 1}, UrgencyCritical},
		{"pressing words stay high", Labels{Sentiment: Neutral, Intent: IntentQuestion, Pressing: true}, 0, routing.UrgencyPolicy{HighReach: 100}, UrgencyHigh},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TeamUrgency(tt.l, tt.followers, tt.p); got != tt.want {
				t.Errorf("TeamUrgency = %s, want %s", got, tt.want)
			}
		})
	}
}

// A team's urgency policy shapes the urgency its own case starts with, and
// only its own.
func TestDeciderTeamUrgency(t *testing.T) {
	rules, err := routing.Parse("r.yaml", []byte(`
teams:
  care: {}
  billing: {urgency: {high_reach: 5000}}
route:
  name: brand
  query: lumio
  team: care
  routes:
    - {name: billing, query: "refund*", team: billing, continue: true}
    - {name: all, query: "lumio", team: care}
`))
	if err != nil {
		t.Fatal(err)
	}
	d := Decider{Rules: rules, Classifier: NewBuiltinClassifier()}
	in := d.Decide(Mention{Platform: "bluesky", ExternalID: "1", CreatedAt: time.Now(),
		Author: Author{Handle: "loud", Followers: 6000}, Text: "Lumio charged me twice and still no refund. Terrible service."})
	if in.Labels.Sentiment != Negative || in.Labels.Urgency != UrgencyNormal {
		t.Fatalf("labels %+v: want negative, normal", in.Labels)
	}
	if got := in.LabelsFor("billing").Urgency; got != UrgencyHigh {
		t.Errorf("billing urgency %s, want high", got)
	}
	if got := in.LabelsFor("care").Urgency; got != UrgencyNormal {
		t.Errorf("care urgency %s, want normal", got)
	}
}
