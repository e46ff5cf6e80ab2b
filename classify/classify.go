// Package classify is earshot's built-in classifier: it labels a public post
// with sentiment, intent and urgency, and picks out the product and the
// problem it is about, from a compact English lexicon (lexicon.txt, embedded)
// with negation, intensifiers, emoji, quotes and a little sarcasm handling,
// pairs of words that mean something only together (near.go: a hazard and
// a failure, "the brake stopped biting"), signs of promotion and of waiting,
// backed by the general VADER lexicon (vader_lexicon.txt, MIT, see
// LICENSE.vader) for the words the hand lexicon does not know. It needs no
// network and no model, so the bot labels every mention the moment it
// arrives; an LLM classifier may replace it when one is configured.
//
// It is a leaf: plain strings in, plain strings out. The bot adapts Result
// to its own Labels.
package classify

import (
	_ "embed"
	"fmt"
	"math"
	"strings"

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
	// Lang is the platform's language tag. The hand lexicon is English and
	// is applied whatever the tag says: tags are often wrong, and words such
	// as "app", "bug" or "refund" travel across languages. The general
	// lexicon is only applied to posts tagged English or not tagged: its
	// thousands of common words are false friends elsewhere.
	Lang      string
	Followers int
	IsReply   bool
}

// Result is what Classify finds. Product and Problem are "" when not found.
type Result struct {
	Sentiment string
	// Score is the sentiment's strength in [-1, 1]: the summed term weights
	// x normalised VADER-style, x/sqrt(x*x+ScoreAlpha), once the intent has
	// had its say (a complaint scores at most -ScoreThreshold, spam 0).
	// Sentiment is Positive from ScoreThreshold up, Negative from
	// -ScoreThreshold down: SentimentOf(Score) == Sentiment.
	Score   float64
	Intent  string
	Urgency string
	// Urgent: the author presses for speed ("asap", "third time asking",
	// "still waiting"), which makes a post at least high.
	Urgent bool
	// Product is the first product term in the post, as the caller wrote it.
	Product string
	// Problem is a short phrase around the first problem term, at most
	// MaxProblem characters: "charged twice", "app crashes on startup".
	Problem string
	// Done is set on a reply that reads as the customer's closing remark
	// ("thanks, that fixed it"): the phrases of done.go's table it matched.
	Done string
}

// MaxProblem is the longest Problem phrase, in runes.
const MaxProblem = 60

// ScoreAlpha shapes Score: a weight sum x becomes x/sqrt(x*x+ScoreAlpha),
// so one strong word ("great", 2) gives 0.46 and a post full of them nears
// 1 without reaching it. 15 is VADER's value.
const ScoreAlpha = 15

// ScoreThreshold is the |Score| from which a post is not neutral: a weight
// sum of ±1, one mild word such as "cool" or "slow".
const ScoreThreshold = 0.25 // 1/sqrt(1+ScoreAlpha)

// normScore maps a weight sum to Score.
func normScore(x float64) float64 {
	if math.Abs(x) > 1e100 { // x*x would overflow, and the answer is ±1 anyway
		return math.Copysign(1, x)
	}
	return x / math.Sqrt(x*x+ScoreAlpha)
}

// SentimentOf is the sentiment label of a Score.
func SentimentOf(score float64) string {
	switch {
	case score >= ScoreThreshold:
		return Positive
	case score <= -ScoreThreshold:
		return Negative
	}
	return Neutral
}

//go:embed lexicon.txt
var lexiconText string

//go:embed vader_lexicon.txt
var vaderText string

// DefaultProducts are the product terms every Classifier knows: the example
// brand's (Lumio lamps, the Lumio app, the Lumio+ subscription).
func DefaultProducts() []string {
	return []string{"Lumio+", "lamp", "app", "subscription", "hub", "bulb", "firmware"}
}

// Classifier labels posts. It is safe for concurrent use.
type Classifier struct {
	lex     *lexicon
	closing *closingMatcher
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
	lex, err := compileWith("lexicon.txt", lexiconText, source{"vader_lexicon.txt", vaderText}, products)
	if err != nil {
		panic(fmt.Sprintf("classify: embedded lexicon: %v", err))
	}
	return &Classifier{lex: lex, closing: newClosingMatcher()}
}

// Classify labels one post.
func (c *Classifier) Classify(in Input) Result {
	text := in.Text
	if !norm.NFC.IsNormalString(text) {
		text = norm.NFC.String(text)
	}
	var stack [64]token
	toks := tokenize(text, stack[:0])
	s := scan{lex: c.lex, toks: toks, problemAt: -1, foreign: foreign(in.Lang)}
	s.run()

	raw := s.score()
	r := Result{Intent: s.intent(raw)}
	r.Score = normScore(s.settle(r.Intent, raw))
	r.Sentiment = SentimentOf(r.Score)
	r.Urgent = s.flags&fUrgent != 0
	r.Urgency = UrgencyPolicy{}.Urgency(r, in.Followers)
	if s.product != nil {
		r.Product = s.product.product
	}
	if s.problemAt >= 0 {
		r.Problem = c.lex.problemPhrase(text, toks, s.problemAt, s.problemEnd)
	}
	// Only a reply can end a conversation.
	if in.IsReply {
		r.Done, _ = c.closing.done(text)
	}
	return r
}

// grievance is the weight sum from which a question or a lead reads as a
// complaint: one strong word or two plain ones ("so annoying"), where one
// mild word ("worried about clogging?") is only part of the question.
const grievance = -2.0

// foreign reports a language tag other than English ("en", "en-GB", "EN_us").
func foreign(lang string) bool {
	if lang == "" {
		return false
	}
	base, _, _ := strings.Cut(strings.ReplaceAll(lang, "_", "-"), "-")
	return !strings.EqualFold(base, "en")
}

// settle makes the weight sum agree with the intent where the intent says
// what the author feels: a complaint or a churn threat is negative however
// politely it is put ("I'm porting to Ringo"), and so is a report of harm;
// praise is positive. A question or a lead asks rather than judges: "how
// bad are the cold starts?" is not a bad review. Spam and news are nobody's
// feeling about the brand, so their bait and reporting words weigh nothing,
// and a report the author calls calm ("fyi", "heads up") is neutral.
func (s *scan) settle(intent string, raw float64) float64 {
	switch intent {
	case Bug, Safety:
		// A calm report, or a recall or lawsuit reported as news, is
		// nobody's feeling.
		if s.flags&fCalm != 0 || intent == Safety && s.flags&fNews != 0 && !s.self {
			return 0
		}
		// A defect written up with versions or code and no word of
		// feeling is a report, not a grievance.
		if intent == Bug && s.tech && !s.feel {
			return 0
		}
		if intent == Safety {
			return min(raw, -1)
		}
	case Complaint, Churn:
		return min(raw, -1)
	case Praise:
		return max(raw, 1)
	case Question, Lead:
		return max(raw, 0)
	case Spam:
		return 0
	case Other:
		if s.flags&fNews != 0 && !s.self {
			return 0
		}
	}
	return raw
}

// intent applies the precedence: safety first, because a person may be in
// danger; then spam, so it never reaches a person; then praise that is
// plainly praise; then the specific kinds before the general ones, and news
// before the labels sentiment alone would give. Lead comes before question:
// "does anyone use a Lumio lamp?" is both, and the buying intent is the
// more useful label.
func (s *scan) intent(raw float64) string {
	f := s.flags
	sentiment := SentimentOf(normScore(raw))
	switch {
	case f&(fSafety|fLegal) != 0,
		f&fSafetyWeak != 0 && sentiment != Positive && (sentiment == Negative || f&(problemFlags|fNews|fCalm) != 0):
		// A recall or a doctor counts in a post that reads negative, names
		// a problem or reports: "my doctor said to try their app" is not one.
		return Safety
	case f&fSpam != 0, s.hasLink && (f&fSpamWeak != 0 || s.words-s.hashtags == 0), s.promotion():
		return Spam
	case sentiment == Positive && f&fPraise != 0 && f&(fBug|fChurn|fLead|fQuestion|fQuestionAny) == 0 && !s.question:
		// Thanks in a post that reads positive is praise even when it
		// names a refund or a fee: "thanks for the quick refund".
		return Praise
	case f&fBug != 0, f&fBugWeak != 0 && (sentiment == Negative || f&problemFlags != 0):
		return Bug
	case f&fChurn != 0, f&fChurnOpen != 0 && sentiment != Positive,
		f&fChurnWeak != 0 && (sentiment == Negative || f&problemFlags != 0):
		return Churn
	case f&fLead != 0 && s.question && sentiment != Negative:
		// "our old monitor just died. is the Nestling worth it? heard
		// good things": a buying question that mentions a mishap is still
		// a lead, unless the post reads as a grievance ("charged twice
		// again. anyone using Hue instead?").
		return Lead
	case f&fComplaint != 0, sentiment == Negative && f&fService != 0 && (f&fNews == 0 || s.self):
		return Complaint
	case raw <= grievance && (f&fLead != 0 || s.question || f&(fQuestion|fQuestionAny) != 0),
		s.why && sentiment == Negative:
		// "why does the app keep logging me out?? so annoying" asks
		// nothing: a question that is really a grievance is a complaint,
		// and so is a "why" in a post that reads negative.
		return Complaint
	case f&fNews != 0 && !s.self && !s.question:
		// Reported in the third person, "Clearstream fined £4.3m": news,
		// whatever its words weigh, unless it asks something.
		return Other
	case f&fLead != 0:
		return Lead
	case s.question || f&(fQuestion|fQuestionAny) != 0:
		return Question
	case f&fNews != 0 && !s.self:
		return Other
	case sentiment == Positive, f&fPraise != 0 && sentiment == Neutral:
		return Praise
	case sentiment == Negative:
		return Complaint
	}
	return Other
}

// promotion reports a post that sells: a weak spam term ("today only",
// "DM me", "giveaway") with two more signs of promotion (hashtags, "!!", a
// price, a pointing emoji), or two weak terms with one sign. A post that
// tells the author's own story ("I got mine on sale!! #happy") is not one.
func (s *scan) promotion() bool {
	if s.spamWeak == 0 || s.first {
		return false
	}
	signs := 0
	for _, b := range []bool{s.hashtags >= 2, s.bangs, s.prices > 0, s.pointer} {
		if b {
			signs++
		}
	}
	return signs >= 2 || s.spamWeak >= 2 && signs >= 1
}

// Intents lists every intent Classify gives, most specific first.
func Intents() []string {
	return []string{Safety, Spam, Bug, Churn, Complaint, Lead, Question, Praise, Other}
}
