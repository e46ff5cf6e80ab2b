// Package classify is earshot's built-in classifier: it labels a public post
// with sentiment, intent and urgency, and picks out the product and the
// problem it is about, from a compact English lexicon (lexicon.txt, embedded)
// with negation, intensifiers, emoji and a little sarcasm handling. It needs
// no network and no model, so the bot labels every mention the moment it
// arrives; an LLM classifier may replace it when one is configured.
//
// It is a leaf: plain strings in, plain strings out. The bot adapts Result
// to its own Labels.
package classify

import (
	_ "embed"
	"fmt"

	"golang.org/x/text/unicode/norm"
)

// Sentiment values.
const (
	Positive = "positive"
	Neutral  = "neutral"
	Negative = "negative"
)

// Intent values.
const (
	Complaint = "complaint"
	Question  = "question"
	Bug       = "bug"
	Praise    = "praise"
	Safety    = "safety"
	Lead      = "lead"
	Churn     = "churn"
	Spam      = "spam"
	Other     = "other"
)

// Urgency values.
const (
	Low      = "low"
	Normal   = "normal"
	High     = "high"
	Critical = "critical"
)

// HighReach is the follower count from which a negative post is urgent:
// many people see it, and see whether anyone answers.
const HighReach = 10_000

// Input is one post to classify.
type Input struct {
	Text     string
	Platform string
	// Lang is the platform's language tag. The lexicon is English and is
	// applied whatever the tag says: tags are often wrong, and words such as
	// "app", "bug" or "refund" travel across languages.
	Lang      string
	Followers int
	IsReply   bool
}

// Result is what Classify finds. Product and Problem are "" when not found.
type Result struct {
	Sentiment string
	Intent    string
	Urgency   string
	// Product is the first product term in the post, as the caller wrote it.
	Product string
	// Problem is a short phrase around the first problem term, at most
	// MaxProblem characters: "charged twice", "app crashes on startup".
	Problem string
}

// MaxProblem is the longest Problem phrase, in runes.
const MaxProblem = 60

//go:embed lexicon.txt
var lexiconText string

// DefaultProducts are the product terms every Classifier knows: the example
// brand's (Lumio lamps, the Lumio app, the Lumio+ subscription).
func DefaultProducts() []string {
	return []string{"Lumio+", "lamp", "app", "subscription", "hub", "bulb", "firmware"}
}

// Classifier labels posts. It is safe for concurrent use.
type Classifier struct {
	lex *lexicon
}

// New returns a Classifier that knows DefaultProducts.
func New() *Classifier { return NewWithProducts(nil) }

// NewWithProducts returns a Classifier that knows DefaultProducts and the
// extra product terms. Earlier terms win when two start at the same word.
//
// The lexicon is compiled into the binary, so a lexicon that does not parse
// is a programming error that the package's tests catch; it panics.
func NewWithProducts(extra []string) *Classifier {
	products := append(DefaultProducts(), extra...)
	lex, err := compile("lexicon.txt", lexiconText, products)
	if err != nil {
		panic(fmt.Sprintf("classify: embedded lexicon: %v", err))
	}
	return &Classifier{lex: lex}
}

// Classify labels one post.
func (c *Classifier) Classify(in Input) Result {
	text := in.Text
	if !norm.NFC.IsNormalString(text) {
		text = norm.NFC.String(text)
	}
	var stack [64]token
	toks := tokenize(text, stack[:0])
	s := scan{lex: c.lex, toks: toks, problemAt: -1}
	s.run()

	r := Result{Sentiment: s.sentiment()}
	r.Intent = s.intent(r.Sentiment)
	r.Urgency = urgency(r, s.flags, in.Followers)
	if s.product != nil {
		r.Product = s.product.product
	}
	if s.problemAt >= 0 {
		r.Problem = c.lex.problemPhrase(text, toks, s.problemAt, s.problemEnd)
	}
	return r
}

// intent applies the precedence: safety first, because a person may be in
// danger; then spam, so it never reaches a person; then the specific kinds
// before the general ones. Lead comes before question: "does anyone use a
// Lumio lamp?" is both, and the buying intent is the more useful label.
func (s *scan) intent(sentiment string) string {
	f := s.flags
	switch {
	case f&fSafety != 0:
		return Safety
	case f&fSpam != 0, s.hasLink && (f&fSpamWeak != 0 || s.words-s.hashtags == 0):
		return Spam
	case f&fBug != 0, f&fBugWeak != 0 && (sentiment == Negative || f&problemFlags != 0):
		return Bug
	case f&fChurn != 0:
		return Churn
	case f&fComplaint != 0, sentiment == Negative && f&fService != 0:
		return Complaint
	case f&fLead != 0:
		return Lead
	case s.question || f&(fQuestion|fQuestionAny) != 0:
		return Question
	case sentiment == Positive, f&fPraise != 0 && sentiment == Neutral:
		return Praise
	case sentiment == Negative:
		return Complaint
	}
	return Other
}

func urgency(r Result, f flag, followers int) string {
	switch {
	case r.Intent == Safety:
		return Critical
	case r.Intent == Spam:
		return Low
	case r.Intent == Churn, f&fUrgent != 0, r.Sentiment == Negative && followers >= HighReach:
		return High
	case r.Intent == Praise, r.Intent == Other:
		return Low
	}
	return Normal
}
