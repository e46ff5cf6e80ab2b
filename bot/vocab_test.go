package bot

import (
	"slices"
	"testing"

	"github.com/earshothq/earshot/routing"
)

// The rules file validates label and action names with its own lists
// (routing is a leaf and cannot import bot); these keep the two in step.
func TestRulesVocabularyMatchesBot(t *testing.T) {
	strs := func(xs ...string) []string { s := slices.Clone(xs); slices.Sort(s); return s }
	sorted := func(xs []string) []string { s := slices.Clone(xs); slices.Sort(s); return s }
	tests := []struct {
		name       string
		bot, rules []string
	}{
		{"sentiments", strs(string(Positive), string(Neutral), string(Negative)), sorted(routing.Sentiments())},
		{"intents", strs(string(IntentComplaint), string(IntentQuestion), string(IntentBug), string(IntentPraise),
			string(IntentSafety), string(IntentLead), string(IntentChurn), string(IntentSpam), string(IntentOther)), sorted(routing.Intents())},
		{"urgencies", strs(string(UrgencyLow), string(UrgencyNormal), string(UrgencyHigh), string(UrgencyCritical)), sorted(routing.Urgencies())},
		{"dismiss reasons", strs(string(ReasonSpam), string(ReasonNotAboutUs), string(ReasonDuplicate), string(ReasonOther)), sorted(routing.DismissReasons())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !slices.Equal(tt.bot, tt.rules) {
				t.Fatalf("bot %v, rules %v", tt.bot, tt.rules)
			}
		})
	}
	t.Run("actions", func(t *testing.T) {
		for _, a := range routing.Actions() {
			if !ActionKind(a).Valid() {
				t.Errorf("rules accept action %q that bot does not know", a)
			}
		}
		for _, a := range routing.DelightAfter() {
			if !ActionKind(a).Valid() {
				t.Errorf("delight may follow action %q that bot does not know", a)
			}
		}
	})
}
