package bot

import (
	"context"
	"fmt"

	"github.com/earshothq/earshot/classify"
	"github.com/earshothq/earshot/prompts"
	"github.com/earshothq/earshot/routing"
)

// BuiltinClassifier adapts the built-in classifier to the pipeline.
type BuiltinClassifier struct{ c *classify.Classifier }

// NewBuiltinClassifier builds the default classifier.
func NewBuiltinClassifier() *BuiltinClassifier {
	return &BuiltinClassifier{c: classify.New()}
}

var _ Classifier = (*BuiltinClassifier)(nil)

// Classify labels m.
func (b *BuiltinClassifier) Classify(m Mention) Labels {
	r := b.c.Classify(classify.Input{
		Text: m.Text, Platform: m.Platform, Lang: m.Lang,
		Followers: m.Author.Followers, IsReply: m.IsReply(),
	})
	return Labels{
		Sentiment: Sentiment(r.Sentiment), Intent: Intent(r.Intent), Urgency: Urgency(r.Urgency),
		Score: r.Score, Pressing: r.Urgent, Product: r.Product, Problem: r.Problem, Done: r.Done,
	}
}

// TeamUrgency is how urgent a labelled mention is for a team with policy p:
// the classifier's rules with the team's reach and intent lists.
func TeamUrgency(l Labels, followers int, p routing.UrgencyPolicy) Urgency {
	if p.HighReach == 0 && len(p.High) == 0 && len(p.Critical) == 0 {
		return l.Urgency
	}
	pol := classify.UrgencyPolicy{HighReach: p.HighReach, High: p.High, Critical: p.Critical}
	r := classify.Result{Sentiment: string(l.Sentiment), Intent: string(l.Intent), Urgent: l.Pressing}
	return Urgency(pol.Urgency(r, followers))
}

// BuiltinSuggester drafts replies from the embedded templates, in the brand
// voice of the rules in force. It needs no model and no network.
type BuiltinSuggester struct {
	d     *prompts.Drafter
	brand func() routing.Brand
	// FAQ, when set, finds the rules file's canned answer for a mention.
	FAQ func(m Mention, l Labels) (string, bool)
}

// NewBuiltinSuggester parses the templates once; brand is read per draft so
// a rules reload changes the voice at once.
func NewBuiltinSuggester(brand func() routing.Brand) (*BuiltinSuggester, error) {
	d, err := prompts.New()
	if err != nil {
		return nil, fmt.Errorf("load reply templates: %w", err)
	}
	return &BuiltinSuggester{d: d, brand: brand}, nil
}

var _ Suggester = (*BuiltinSuggester)(nil)

// Suggest drafts replies to the latest customer post in thread.
func (s *BuiltinSuggester) Suggest(_ context.Context, c Case, _ Team, thread []Mention) ([]Suggestion, error) {
	// The drafts continue the thread when we already answered before the
	// customer's latest post; a customer writing twice to silence is not a
	// follow-up to us and must not be thanked "for getting back".
	last, ok := LatestFrom(thread, c.Customer)
	if !ok && len(thread) > 0 {
		last = thread[len(thread)-1]
	}
	oursBefore := false
	for _, m := range thread {
		if m.ID == last.ID && m.ExternalID == last.ExternalID {
			break
		}
		oursBefore = oursBefore || m.Ours
	}
	b := s.brand()
	drafts, err := s.d.Drafts(prompts.DraftInput{
		Brand: prompts.Brand{
			Name: b.Name, Tone: b.Tone, SignOff: b.SignOff, SupportURL: b.SupportURL,
			Hours: b.Hours, Phone: b.Phone, Links: b.Links, Do: b.Do, Dont: b.Dont,
		},
		FAQ:       s.faq(last, c.Labels),
		Platform:  c.Platform,
		Limit:     ReplyLimit(c.Platform),
		Handle:    last.Author.Handle,
		Name:      last.Author.Name,
		Intent:    string(c.Labels.Intent),
		Sentiment: string(c.Labels.Sentiment),
		Product:   c.Labels.Product,
		Problem:   c.Labels.Problem,
		FollowUp:  oursBefore,
		Text:      last.Text,
	})
	if err != nil {
		return nil, fmt.Errorf("draft for case %d: %w", c.ID, err)
	}
	out := make([]Suggestion, len(drafts))
	for i, d := range drafts {
		out[i] = Suggestion{CaseID: c.ID, Rank: i + 1, Text: d.Text, Approach: d.Approach, Origin: "builtin"}
	}
	return out, nil
}

// faq is the canned answer for m, except on safety cases: a person who may
// be hurt gets the safety draft, not a help-centre paragraph.
func (s *BuiltinSuggester) faq(m Mention, l Labels) string {
	if s.FAQ == nil || l.Intent == IntentSafety {
		return ""
	}
	a, _ := s.FAQ(m, l)
	return a
}

// RulesFAQ answers BuiltinSuggester.FAQ from the rules in force.
func RulesFAQ(rules func() *routing.Rules) func(Mention, Labels) (string, bool) {
	return func(m Mention, l Labels) (string, bool) {
		f, ok := rules().FAQ(RoutingInput(m, l))
		return f.Answer, ok
	}
}
