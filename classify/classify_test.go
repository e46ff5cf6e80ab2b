package classify

import (
	"encoding/json"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// want is what a post should be labelled; empty fields are not checked, and
// "-" means the field must be empty.
type want struct {
	sentiment, intent, urgency, product, problem string
}

var posts = []struct {
	name      string
	text      string
	followers int
	want      want
}{
	// Complaints.
	{"charged twice", "@lumio I was charged twice for my Lumio+ subscription this month. Not happy.", 120,
		want{Negative, Complaint, Normal, "Lumio+", "charged twice for my Lumio+ subscription"}},
	{"refund wait", "Still waiting for my refund from @lumio. Third time asking. Worst support ever", 300,
		want{Negative, Complaint, High, "-", "Still waiting for my refund"}},
	{"order never arrived", "My order never arrived and nobody answers the support email", 40,
		want{Negative, Complaint, Normal, "-", "order never arrived"}},
	{"rude support", "Your customer support was so rude to me on the phone today", 15,
		want{Negative, Complaint, Normal, "-", "-"}},
	{"arrived broken", "Lamp arrived broken. Box was fine, the shade is cracked.", 80,
		want{Negative, Complaint, Normal, "lamp", "Lamp arrived broken"}},
	{"high reach complaint", "Honestly the most disappointing purchase of the year. Avoid.", 250_000,
		want{Negative, Complaint, High, "-", ""}},
	{"shouting", "WHERE IS MY ORDER??? PAID 3 WEEKS AGO", 10,
		want{Negative, Complaint, Normal, "", ""}},
	{"do not buy", "Do not buy this lamp", 10,
		want{Negative, Complaint, Normal, "lamp", ""}},
	{"mixed leans negative", "Great lamp, terrible app", 10,
		want{Negative, Complaint, Normal, "lamp", ""}},
	{"but stresses what follows", "The lamp is great but the app is really slow", 10,
		want{Negative, Complaint, Normal, "lamp", ""}},
	{"but the other way", "The app was slow at first but now it's great", 10,
		want{Positive, Praise, Low, "app", ""}},
	{"unicode apostrophe refund", "I want my money back, this is a rip‑off. Don’t recommend.", 9,
		want{Negative, Complaint, Normal, "", ""}},

	// Bugs.
	{"sarcasm crash", "great, the app crashed again", 10,
		want{Negative, Bug, Normal, "app", "app crashed again"}},
	{"startup crash", "The Lumio app crashes on startup every single time since the update", 200,
		want{Negative, Bug, Normal, "app", "app crashes on startup"}},
	{"error code", "Getting error code E42 when I try to pair the hub", 12,
		want{"", Bug, Normal, "hub", "error code E42"}},
	{"firmware bricked", "Firmware update bricked my bulb. It just blinks now 😡", 55,
		want{Negative, Bug, Normal, "firmware", "Firmware update bricked my bulb"}},
	{"doesn't work after update", "My lamp doesn't work after the update", 3,
		want{Negative, Bug, Normal, "lamp", ""}},
	{"keeps disconnecting", "hub keeps disconnecting from wifi, super annoying", 3,
		want{Negative, Bug, Normal, "hub", "hub keeps disconnecting from wifi"}},
	{"offline", "Why does the hub keep going offline?", 3,
		want{"", Bug, Normal, "hub", "hub keep going offline"}},
	{"lamp died", "thanks a lot, my lamp died after 2 weeks", 3,
		want{Negative, Complaint, Normal, "lamp", "lamp died after 2 weeks"}},
	{"flicker", "Anyone else's Lumio bulb flickering at low brightness?", 3,
		want{"", Bug, Normal, "bulb", "bulb flickering at low brightness"}},
	{"love how sarcasm", "Love how the app freezes every time I open the schedule tab 🙄", 3,
		want{Negative, Bug, Normal, "app", "app freezes"}},
	{"soft hyphen evasion", "the app cr\u00ADashes constantly", 3,
		want{Negative, Bug, Normal, "app", ""}},

	// Safety.
	{"caught fire", "My Lumio lamp caught fire last night. My kid was right next to it.", 90,
		want{Negative, Safety, Critical, "lamp", "lamp caught fire last night"}},
	{"overheating", "lamp is overheating and there's a burning smell, is this normal?", 10,
		want{"", Safety, Critical, "lamp", "lamp is overheating"}},
	{"child swallowed", "My son swallowed a button cell from the Lumio remote. We're at the hospital.", 10,
		want{"", Safety, Critical, "", "son swallowed a button cell"}},
	{"shock", "Got an electric shock from the bulb socket!!", 10,
		want{"", Safety, Critical, "bulb", ""}},
	{"negated safety still safety", "no fire yet but it sparks when I plug it in", 10,
		want{"", Safety, Critical, "", ""}},

	// Churn.
	{"cancelling", "I'm cancelling my Lumio+ subscription, done with this", 40,
		want{Negative, Churn, High, "Lumio+", "-"}},
	{"switching", "Switching to Philips Hue. Lumio used to be good.", 40,
		want{"", Churn, High, "", ""}},
	{"unsubscribe", "how do I unsubscribe from Lumio+", 40,
		want{"", Churn, High, "Lumio+", ""}},
	{"never buying", "NEVER BUYING AGAIN", 40,
		want{Negative, Churn, High, "", ""}},

	// Questions.
	{"reset hub", "How do I reset the hub?", 5,
		want{Neutral, Question, Normal, "hub", "-"}},
	{"no question mark", "does the lamp work with homekit", 5,
		want{Neutral, Question, Normal, "lamp", "-"}},
	{"when question", "@lumio when will the new bulbs ship to Canada", 5,
		want{Neutral, Question, Normal, "bulb", ""}},
	{"quick question", "Quick question: can the app schedule two lamps at once", 5,
		want{"", Question, Normal, "app", ""}},
	{"question opener mid sentence", "I know how much it costs.", 5,
		want{Neutral, Other, Low, "", ""}},

	// Leads.
	{"does anyone use", "Does anyone use Lumio lamps? Thinking of buying one for my office", 5,
		want{"", Lead, Normal, "lamp", ""}},
	{"recommendations", "Any recommendations for a smart bedside lamp that isn't too bright?", 5,
		want{"", Lead, Normal, "lamp", ""}},
	{"versus", "Lumio vs Nanoleaf for a small flat?", 5,
		want{"", Lead, Normal, "", ""}},

	// Praise.
	{"love lamp", "I love my new lamp ❤️ thank you Lumio!", 5,
		want{Positive, Praise, Low, "lamp", "-"}},
	{"support praise", "Shout out to Lumio support for sorting my hub in 10 minutes 👏", 5,
		want{Positive, Praise, Low, "hub", ""}},
	{"can't believe good", "I can't believe how good this lamp is", 5,
		want{Positive, Praise, Low, "lamp", "-"}},
	{"never crashed", "The app has never crashed once, really solid", 5,
		want{Positive, Praise, Low, "app", "-"}},
	{"skin tone thumbs", "new bulbs 👍🏽👍🏽", 5,
		want{Positive, Praise, Low, "bulb", ""}},

	// Spam.
	{"crypto", "Free crypto giveaway! DM me for details https://scam.example/x", 5,
		want{"", Spam, Low, "", ""}},
	{"followers", "Buy followers cheap, real followers fast 🚀 check out my page", 5,
		want{"", Spam, Low, "", ""}},
	{"link only", "https://bit.ly/3xyz #lumio #deal", 5,
		want{"", Spam, Low, "", ""}},

	// Negation, and neither good nor bad.
	{"never works", "It never works", 5,
		want{Negative, "", "", "", ""}},
	{"not good", "the lamp is not good", 5,
		want{Negative, Complaint, Normal, "lamp", ""}},
	{"neutral mention", "Saw a Lumio lamp in a café window today", 5,
		want{Neutral, Other, Low, "lamp", "-"}},
	{"firmware neutral", "New firmware is out for the hub, installing now", 5,
		want{Neutral, Other, Low, "firmware", "-"}},
	{"slang fire", "this lamp is fire", 5,
		want{"", Other, Low, "lamp", "-"}},
	{"fire your support", "you should fire your support team, useless", 5,
		want{Negative, Complaint, Normal, "", ""}},
	{"urgent question", "URGENT: how do I turn off the alarm light?", 5,
		want{"", Question, High, "", ""}},
	{"word boundary", "Lampshade and applesauce", 5,
		want{Neutral, Other, Low, "-", "-"}},
}

func TestClassify(t *testing.T) {
	c := New()
	for _, p := range posts {
		t.Run(p.name, func(t *testing.T) {
			got := c.Classify(Input{Text: p.text, Platform: "bluesky", Followers: p.followers})
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
			check("sentiment", got.Sentiment, p.want.sentiment)
			check("intent", got.Intent, p.want.intent)
			check("urgency", got.Urgency, p.want.urgency)
			check("product", got.Product, p.want.product)
			check("problem", got.Problem, p.want.problem)
			if t.Failed() {
				t.Logf("text: %q\ngot:  %+v", p.text, got)
			}
		})
	}
}

func TestNewWithProducts(t *testing.T) {
	c := NewWithProducts([]string{"smart plug", "Lumio Go", "  "})
	tests := []struct{ text, product string }{
		{"my smart plugs keep dropping off", "smart plug"},
		{"Lumio Go arrived today", "Lumio Go"},
		{"the Lumio Go app crashed", "Lumio Go"}, // the earliest term wins
		{"smart people plug things", ""},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := c.Classify(Input{Text: tt.text}).Product; got != tt.product {
				t.Errorf("Product = %q, want %q", got, tt.product)
			}
		})
	}
	if got := New().Classify(Input{Text: "my smart plug"}).Product; got != "" {
		t.Errorf("New() knows caller products: %q", got)
	}
}

func TestProblemLength(t *testing.T) {
	c := New()
	long := "the app crashes " + strings.Repeat("supercalifragilistic ", 10)
	got := c.Classify(Input{Text: long}).Problem
	if got == "" || utf8.RuneCountInString(got) > MaxProblem {
		t.Errorf("Problem = %q (%d runes), want 1..%d", got, utf8.RuneCountInString(got), MaxProblem)
	}
}

func TestUrgencyReach(t *testing.T) {
	c := New()
	text := "this lamp is terrible"
	for _, tt := range []struct {
		followers int
		want      string
	}{{HighReach - 1, Normal}, {HighReach, High}} {
		if got := c.Classify(Input{Text: text, Followers: tt.followers}).Urgency; got != tt.want {
			t.Errorf("followers %d: urgency %q, want %q", tt.followers, got, tt.want)
		}
	}
}

func TestEmbeddedLexicon(t *testing.T) {
	l, err := compile("lexicon.txt", lexiconText, DefaultProducts())
	if err != nil {
		t.Fatal(err)
	}
	if len(l.index) < 300 {
		t.Errorf("lexicon has %d first words; did sections go missing?", len(l.index))
	}
}

func TestLexiconErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"love", "before any [section]"},
		{"[nope]\nx", "unknown section [nope]"},
		{"[sentiment]\nlove", "needs a weight"},
		{"[sentiment]\n+x love", "not a number"},
		{"[sentiment]\n+2", "no term"},
		{"[bug]\ncrash{,es", "unclosed {"},
		{"[bug]\ncrash}", "unmatched }"},
		{"[bug]\n{a,{b}}", "nested {"},
		{"[sentiment]\n+1 good\n[praise]\n-1 good", "weighs -1 here and 1 elsewhere"},
		{"[bug]\n[oops", "unclosed section header"},
		{"[bug]\n{,}", "nothing to match"},
		{"[churn]\nquit\n[churn-opener]\nquit", `"quit" is in [churn-opener] and in another section`},
		{"[churn-opener]\nquit\n[complaint]\nquit", `"quit" is in [complaint] and in another section`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := compile("x.txt", tt.src, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "x.txt:") {
				t.Errorf("err %q does not name the file and line", err)
			}
		})
	}
}

func TestExpand(t *testing.T) {
	got, err := expand("crash{,es} {a,b}")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"crash a", "crash b", "crashes a", "crashes b"}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("expand = %q, want %q", got, want)
	}
}

func TestTokenize(t *testing.T) {
	toks := tokenize("@Lumio DOESN’T work!! see https://x.io/a?b ❤️👍🏽 v2.1.0 Lumio+", nil)
	var got []string
	for _, tk := range toks {
		s := tk.s
		switch tk.kind {
		case tkURL:
			s = "<url>"
		case tkHandle:
			s = "<handle>"
		}
		if tk.caps {
			s += "^"
		}
		if tk.glued {
			s = "+" + s
		}
		got = append(got, s)
	}
	want := []string{"<handle>", "doesn't^", "work", "+!", "+!", "see", "<url>", "❤", "+👍", "v2.1.0", "lumio", "++"}
	if !slices.Equal(got, want) {
		t.Errorf("tokens\n got %q\nwant %q", got, want)
	}
}

var labels = map[string][]string{
	"sentiment": {Positive, Neutral, Negative},
	"intent":    {Complaint, Question, Bug, Praise, Safety, Lead, Churn, Spam, Other},
	"urgency":   {Low, Normal, High, Critical},
}

func FuzzClassify(f *testing.F) {
	for _, p := range posts {
		f.Add(p.text, p.followers)
	}
	f.Add("", 0)
	f.Add("\xff\xfe@ @@ http:// www. #", -1)
	f.Add("not not not never no", 1<<40)
	f.Add("e\u0301\u0301\u200d\ufe0f🏽 K ß İ", 3)
	f.Add("from $1,200 to $4,800 took 6 days 'smart' fixed the bug sooooo a.shop", 20_000)
	f.Add("brake lever went to the bar. battery bulge?? someone else's pills. is it worth it? `v1.2.3` returns 502 🙃", 5)
	f.Add("$14 for tablets that were $8.99!! DM me #a #b 👉 x.example → two weeks late. SHOUTING HERE NOW", 5)
	for _, text := range labelledTexts(f, 60) {
		f.Add(text, 100)
	}
	c := New()
	f.Fuzz(func(t *testing.T, text string, followers int) {
		r := c.Classify(Input{Text: text, Followers: followers})
		for field, got := range map[string]string{"sentiment": r.Sentiment, "intent": r.Intent, "urgency": r.Urgency} {
			if !slices.Contains(labels[field], got) {
				t.Errorf("%s = %q, not a label", field, got)
			}
		}
		if n := utf8.RuneCountInString(r.Problem); n > MaxProblem || !utf8.ValidString(r.Problem) {
			t.Errorf("Problem %q: %d runes, valid %v", r.Problem, n, utf8.ValidString(r.Problem))
		}
		if r.Product != "" && !slices.Contains(DefaultProducts(), r.Product) {
			t.Errorf("Product %q is not a known term", r.Product)
		}
		if (r.Intent == Safety) != (r.Urgency == Critical) {
			t.Errorf("intent %s with urgency %s", r.Intent, r.Urgency)
		}
		if r.Score < -1 || r.Score > 1 || SentimentOf(r.Score) != r.Sentiment {
			t.Errorf("score %v with sentiment %s", r.Score, r.Sentiment)
		}
	})
}

// labelledTexts returns up to n texts of the labelled set, as fuzz seeds.
func labelledTexts(tb testing.TB, n int) []string {
	data, err := os.ReadFile(labelledSet)
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		var l labelledLine
		if json.Unmarshal([]byte(line), &l) == nil && l.Text != "" {
			out = append(out, l.Text)
		}
		if len(out) == n {
			break
		}
	}
	return out
}

func FuzzCompileGeneral(f *testing.F) {
	f.Add(vaderText[:1500])
	f.Add("good\t1.9\ncan't stand\t-2\n# x\n\n")
	f.Add("\t\n@x\t1\nx\tNaN\nx\t1e400")
	f.Fuzz(func(t *testing.T, src string) {
		l, err := compileWith("hand.txt", "[sentiment]\n+1 good\n", source{"general.txt", src}, []string{"lamp"})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "general.txt:") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		r := (&Classifier{lex: l}).Classify(Input{Text: src})
		if math.IsNaN(r.Score) || r.Score < -1 || r.Score > 1 {
			t.Fatalf("score %v", r.Score)
		}
	})
}

func FuzzCompile(f *testing.F) {
	f.Add(lexiconText[:2000])
	f.Add("[sentiment]\n+2 love{,d}\n[bug]\ncrash{,es}")
	f.Add("[bug]\n{a,{b}}\n}{")
	f.Add("[safety-near]\n{brake,lever} ~4 {stopped,bar}\n[lead-near]\n{is} >5 {worth} ?\n[neutral]\nbrake pad")
	f.Add("[bug-near]\n{a} ~ {b}\n{a} ~99 {b}\n~3\n{} ~2 {}")
	f.Fuzz(func(t *testing.T, src string) {
		l, err := compile("fuzz.txt", src, []string{"lamp"})
		if err != nil {
			return
		}
		// Whatever compiled must be usable.
		c := &Classifier{lex: l}
		c.Classify(Input{Text: src})
	})
}

var benchPosts = []string{
	"@lumio I was charged twice for my Lumio+ subscription this month. Not happy.",
	"The Lumio app crashes on startup every single time since the update. Tried reinstalling, same thing. Please fix!!",
	"I love my new lamp ❤️ thank you Lumio! The warm white setting is perfect for reading at night.",
	"Does anyone use Lumio lamps? Thinking of buying one for my office, wondering how the app compares to Hue.",
	"My Lumio lamp caught fire last night. My kid was right next to it.",
	"Free crypto giveaway! DM me for details https://scam.example/x",
	"Saw a Lumio lamp in a café window today",
	"Still waiting for my refund from @lumio. Third time asking. Worst support ever",
}

// BenchmarkClassify measures realistic mentions; mentions/s = 1e9 / ns/op.
func BenchmarkClassify(b *testing.B) {
	c := New()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c.Classify(Input{Text: benchPosts[i%len(benchPosts)], Followers: 100})
	}
}
