package classify

import (
	"math"
	"strings"
	"testing"
)

func TestScore(t *testing.T) {
	c := New()
	tests := []struct {
		text     string
		min, max float64
	}{
		{"I love this lamp, it is perfect ❤️", 0.6, 1},
		{"great lamp", ScoreThreshold, 0.7},
		{"Saw a Lumio lamp in a café window today", 0, 0},
		{"the app is slow", -0.4, -ScoreThreshold},
		{"this lamp is terrible", -0.8, -ScoreThreshold},
		{"WORST. SUPPORT. EVER. Useless, rude, and I want my money back!!!", -1, -0.7},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			r := c.Classify(Input{Text: tt.text})
			if r.Score < tt.min || r.Score > tt.max {
				t.Errorf("Score = %.3f, want %.2f..%.2f", r.Score, tt.min, tt.max)
			}
			if got := SentimentOf(r.Score); got != r.Sentiment {
				t.Errorf("Sentiment %s, but its score %.3f reads %s", r.Sentiment, r.Score, got)
			}
		})
	}
}

func TestNormScore(t *testing.T) {
	// The threshold is exactly a weight sum of ±1, so labels computed from
	// Score agree with the weights at the boundary.
	if got := normScore(1); got != ScoreThreshold {
		t.Errorf("normScore(1) = %v, want %v", got, ScoreThreshold)
	}
	if got := normScore(-1); got != -ScoreThreshold {
		t.Errorf("normScore(-1) = %v", got)
	}
	for _, x := range []float64{-1e300, -40, -1, -0.5, 0, 0.5, 1, 40, 1e300} {
		if s := normScore(x); s < -1 || s > 1 || math.IsNaN(s) || (x > 0) != (s > 0) {
			t.Errorf("normScore(%g) = %v", x, s)
		}
	}
	for _, tt := range []struct {
		score float64
		want  string
	}{{0.25, Positive}, {0.2499, Neutral}, {0, Neutral}, {-0.2499, Neutral}, {-0.25, Negative}, {-1, Negative}} {
		if got := SentimentOf(tt.score); got != tt.want {
			t.Errorf("SentimentOf(%v) = %s, want %s", tt.score, got, tt.want)
		}
	}
}

// The general lexicon fills the gaps of the hand one, and never overrides it.
func TestGeneralLexicon(t *testing.T) {
	c := New()
	tests := []struct {
		text string
		want string
	}{
		// Words only the general lexicon knows.
		{"the packaging was adorable", Positive},
		{"honestly the setup was a nightmare and I am livid", Negative},
		{"what a heartwarming little lamp", Positive},
		{"such an inconvenience", Negative},
		// Words the general lexicon weighs that mean nothing here.
		{"the smart lamp has a warm white and an alarm", Neutral},
		{"this is a killer feature", Neutral},
		{"it looks like the hub is on low brightness", Neutral},
		{"I hope the new bulbs ship soon, please", Neutral},
		{"the customer care team replied", Neutral},
		// Not English: "die" and "start" are German here.
		{"Die App stürzt beim Start ab", Neutral},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			lang := ""
			if strings.HasPrefix(tt.text, "Die ") {
				lang = "de"
			}
			if got := c.Classify(Input{Text: tt.text, Lang: lang}); got.Sentiment != tt.want {
				t.Errorf("Sentiment = %s (%+.2f), want %s", got.Sentiment, got.Score, tt.want)
			}
		})
	}
	// The same German post untagged is read as English.
	if got := c.Classify(Input{Text: "Die App stürzt beim Start ab"}); got.Sentiment != Negative {
		t.Errorf("untagged: %s, want the English reading, negative", got.Sentiment)
	}
}

func TestForeign(t *testing.T) {
	for lang, want := range map[string]bool{"": false, "en": false, "EN": false, "en-GB": false, "en_US": false, "de": true, "pt-BR": true, "eng": true} {
		if got := foreign(lang); got != want {
			t.Errorf("foreign(%q) = %v, want %v", lang, got, want)
		}
	}
}

func TestCompileGeneral(t *testing.T) {
	hand := "[sentiment]\n+1 good\n[neutral]\nsmart\n"
	general := "# comment\ngood\t3.0\nsmart\t2.0\nlovely\t2.0\ncan't stand\t-2.0\nharmony\t1.7\n"
	l, err := compileWith("hand.txt", hand, source{"general.txt", general}, []string{"Harmony hub"})
	if err != nil {
		t.Fatal(err)
	}
	weight := func(term string) (float64, bool) {
		toks, _, _ := termTokens(term)
		b := l.index[toks[0]]
		if b == nil {
			return 0, false
		}
		for _, e := range b.lex {
			if len(e.toks) == len(toks) && e.matchAt(tokenize(term, nil), 0) {
				return e.weight, true
			}
		}
		return 0, false
	}
	for _, tt := range []struct {
		term  string
		w     float64
		known bool
	}{
		{"good", 1, true},                        // the hand weight wins
		{"smart", 0, true},                       // neutral in the hand lexicon
		{"lovely", 2 * generalScale, true},       // from the general lexicon, scaled
		{"can't stand", -2 * generalScale, true}, // phrases too
		{"harmony", 0, false},                    // a product's name is no sentiment
	} {
		if w, ok := weight(tt.term); ok != tt.known || w != tt.w {
			t.Errorf("%q: weight %v (known %v), want %v (%v)", tt.term, w, ok, tt.w, tt.known)
		}
	}

	for _, tt := range []struct{ src, want string }{
		{"good 3.0", `general.txt:1: "good 3.0" is not term<TAB>valence`},
		{"# x\ngood\tlots", `general.txt:2: valence "lots" is not a number`},
		{"@someone\t1", `general.txt:1: term "@someone" has nothing to match`},
	} {
		_, err := compileWith("hand.txt", hand, source{"general.txt", tt.src}, nil)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q: err = %v, want %s", tt.src, err, tt.want)
		}
	}
}

func TestEmbeddedGeneralLexicon(t *testing.T) {
	l, err := compileWith("lexicon.txt", lexiconText, source{"vader_lexicon.txt", vaderText}, DefaultProducts())
	if err != nil {
		t.Fatal(err)
	}
	general := 0
	for _, b := range l.index {
		for _, e := range b.lex {
			if e.general {
				general++
			}
		}
	}
	if general < 6000 {
		t.Errorf("%d general terms; is vader_lexicon.txt complete?", general)
	}
}

func TestUrgencyPolicy(t *testing.T) {
	neg := func(intent string) Result { return Result{Sentiment: Negative, Intent: intent} }
	tests := []struct {
		name      string
		policy    UrgencyPolicy
		r         Result
		followers int
		want      string
	}{
		{"safety is critical", UrgencyPolicy{}, neg(Safety), 0, Critical},
		{"safety stays critical when a team lists it as high", UrgencyPolicy{High: []string{Safety}}, neg(Safety), 0, Critical},
		{"team makes churn critical", UrgencyPolicy{Critical: []string{Churn}}, neg(Churn), 0, Critical},
		{"churn is high", UrgencyPolicy{}, neg(Churn), 0, High},
		{"team raises bugs", UrgencyPolicy{High: []string{Bug}}, neg(Bug), 0, High},
		{"bug is normal", UrgencyPolicy{}, neg(Bug), 0, Normal},
		{"team raises spam", UrgencyPolicy{High: []string{Spam}}, Result{Intent: Spam}, 0, High},
		{"spam is low even with reach", UrgencyPolicy{}, Result{Sentiment: Negative, Intent: Spam}, 1e6, Low},
		{"pressing words", UrgencyPolicy{}, Result{Sentiment: Neutral, Intent: Question, Urgent: true}, 0, High},
		{"default reach", UrgencyPolicy{}, neg(Complaint), HighReach, High},
		{"below default reach", UrgencyPolicy{}, neg(Complaint), HighReach - 1, Normal},
		{"team reach", UrgencyPolicy{HighReach: 500}, neg(Complaint), 500, High},
		{"below team reach", UrgencyPolicy{HighReach: 50_000}, neg(Complaint), 20_000, Normal},
		{"reach needs negative", UrgencyPolicy{}, Result{Sentiment: Neutral, Intent: Question}, 1e6, Normal},
		{"praise is low", UrgencyPolicy{}, Result{Sentiment: Positive, Intent: Praise}, 1e6, Low},
		{"other is low", UrgencyPolicy{}, Result{Sentiment: Neutral, Intent: Other}, 0, Low},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.policy.Urgency(tt.r, tt.followers); got != tt.want {
				t.Errorf("Urgency = %s, want %s", got, tt.want)
			}
		})
	}
}

// Classify's urgency is the default policy's, so a team without a policy
// and the classifier agree.
func TestClassifyUsesDefaultPolicy(t *testing.T) {
	c := New()
	for _, p := range posts {
		r := c.Classify(Input{Text: p.text, Followers: p.followers})
		if want := (UrgencyPolicy{}).Urgency(r, p.followers); r.Urgency != want {
			t.Errorf("%s: urgency %s, default policy says %s", p.name, r.Urgency, want)
		}
	}
}

func TestUrgencyPolicyValidate(t *testing.T) {
	tests := []struct {
		p    UrgencyPolicy
		want string
	}{
		{UrgencyPolicy{}, ""},
		{UrgencyPolicy{HighReach: 5000, High: []string{Bug, Churn}, Critical: []string{Complaint}}, ""},
		{UrgencyPolicy{HighReach: -1}, "high_reach -1 is negative"},
		{UrgencyPolicy{High: []string{"bugs"}}, `high: unknown intent "bugs"`},
		{UrgencyPolicy{Critical: []string{Safety, "legal"}}, `critical: unknown intent "legal"`},
	}
	for _, tt := range tests {
		err := tt.p.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%+v: %v", tt.p, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%+v: err %v, want %q", tt.p, err, tt.want)
		}
	}
}
