package classify

import "testing"

// Each case shows one rule beyond single lexicon terms, with a twin that
// must not trigger it.
func TestCues(t *testing.T) {
	c := New()
	tests := []struct {
		name, text string
		want       want
	}{
		// Sentiment follows intent where the intent says what is felt.
		{"polite churn is negative", "I'm porting to Ringo when my contract ends.", want{Negative, Churn, High, "", ""}},
		{"spam bait weighs nothing", "🔥 LUMIO BULBS 70% OFF TODAY ONLY 🔥 amazing deals 👉 lumio-outlet.shop", want{Neutral, Spam, Low, "", ""}},
		{"news is neutral", "Clearstream Water fined £4.3m after sewage spill into the River Wend.", want{Neutral, Other, Low, "", ""}},
		{"own story is not news", "I got fined because the Lumio app failed to pay my parking", want{Negative, "", "", "", ""}},
		{"calm defect report", "fyi the Lumio app subtitles are out of sync on episode 4", want{Neutral, Bug, Normal, "", ""}},
		{"defect report", "the Lumio app subtitles are out of sync on episode 4", want{Negative, Bug, Normal, "", ""}},
		{"calm hazard is still safety", "Heads up: the blanket has a recall notice about overheating", want{Neutral, Safety, Critical, "", ""}},
		{"question is not a review", "how bad are the cold starts really?", want{Neutral, Question, "", "", ""}},
		{"question that is a grievance", "why does the app keep logging me out?? so annoying", want{Negative, Bug, "", "", ""}},
		{"grievance without a defect", "why is your support so useless and rude?", want{Negative, Complaint, "", "", ""}},

		// Negated verbs of a device are defects; of a company, complaints.
		{"denied device verb", "the hub hasn't synced since Tuesday", want{Negative, Bug, "", "", ""}},
		{"device verb", "the hub synced in seconds", want{"", Other, "", "", ""}},
		{"denied service verb", "nobody has replied to my emails", want{Negative, Complaint, "", "", ""}},

		// Churn openers count at the start of a sentence only.
		{"churn opener", "Cancelled my plan. Too many outages.", want{Negative, "", "", "", ""}},
		{"opener mid-sentence", "they cancelled the show after one season", want{"", Other, "", "", ""}},
		{"cancelled flight is service", "Cancelled flight and no help at the desk", want{Negative, Complaint, "", "", ""}},

		// A fix solves what follows it.
		{"fixed bug is praise", "thank you for fixing the save bug so fast", want{Positive, Praise, Low, "", "-"}},
		{"not fixed is not", "they still have not fixed the save bug", want{Negative, Bug, "", "", ""}},

		// Scare quotes take the praise out of a claim.
		{"scare quotes", "my 'smart' lamp and its 'amazing' app", want{Neutral, "", "", "", ""}},
		{"no quotes", "my smart lamp and its amazing app", want{Positive, "", "", "", ""}},
		{"apostrophes are not quotes", "Lumio's weeks' notice was great", want{Positive, "", "", "", ""}},

		// Prices going up, long waits.
		{"price rise", "my Lumio+ renewal went from $49 to $89 with no warning", want{Negative, Complaint, "", "", ""}},
		{"price fall", "my Lumio+ renewal went from $89 to $49, nice", want{Positive, "", "", "", ""}},
		{"upgrade is no rise", "upgraded from the $99 lamp to the $149 one", want{Neutral, "", "", "", ""}},
		{"long wait", "Lumio support took 6 working days to answer", want{Negative, Complaint, "", "", ""}},
		{"short wait", "Lumio support took 6 minutes to answer", want{Neutral, "", "", "", ""}},
		{"long wait with praise", "took 3 days to arrive and I love it", want{Positive, Praise, "", "", ""}},

		// Written the way people type.
		{"stretched word", "soooo goooood", want{Positive, "", "", "", ""}},
		{"ratings", "Lumio Arc - 1/5. Returned it.", want{Negative, "", "", "", ""}},
		{"bare domain is a link", "giveaway!! claim at lumio-free.win", want{"", Spam, "", "", ""}},
		{"version is no domain", "firmware 3.8.1 is out", want{"", Other, "", "", ""}},
		{"zero negates", "zero regrets, zero complaints", want{Positive, "", "", "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Classify(Input{Text: tt.text})
			check := func(field, got, want string) {
				t.Helper()
				switch {
				case want == "":
				case want == "-" && got != "":
					t.Errorf("%s = %q, want none", field, got)
				case want != "-" && got != want:
					t.Errorf("%s = %q, want %q", field, got, want)
				}
			}
			check("sentiment", got.Sentiment, tt.want.sentiment)
			check("intent", got.Intent, tt.want.intent)
			check("urgency", got.Urgency, tt.want.urgency)
			check("problem", got.Problem, tt.want.problem)
			if t.Failed() {
				t.Logf("text: %q\ngot:  %+v\nterms: %v", tt.text, got, termsOf(c, tt.text))
			}
		})
	}
}

// termsOf lists the lexicon terms a post matches, for failure messages.
func termsOf(c *Classifier, text string) []string {
	toks := tokenize(text, nil)
	var out []string
	for i := 0; i < len(toks); i++ {
		b := c.lex.index[toks[i].s]
		if b == nil {
			continue
		}
		for _, e := range b.lex {
			if e.matchAt(toks, i) {
				out = append(out, text[toks[i].start:toks[i+len(e.toks)-1].end])
				i += len(e.toks) - 1
				break
			}
		}
	}
	return out
}
