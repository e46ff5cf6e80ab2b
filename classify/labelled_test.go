package classify

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/earshothq/earshot/classify/eval"
)

// labelledSet is the labelled corpus `earshot eval` scores; this test holds
// the classifier to the targets on it.
const labelledSet = "testdata/labelled.jsonl"

// The targets: three-class sentiment accuracy, F1 of the negative class
// (a complaint read as neutral goes unanswered), and recall of safety,
// where a miss is the worst a care team can suffer.
const (
	minSentimentAccuracy = 0.75
	minNegativeF1        = 0.85
	minSafetyRecall      = 1.0
)

type labelledLine struct {
	Text   string `json:"text"`
	Lang   string `json:"lang"`
	Author struct {
		Followers int `json:"followers"`
	} `json:"author"`
	InReplyTo json.RawMessage `json:"in_reply_to"`
	Labels    *struct {
		Sentiment string `json:"sentiment"`
		Intent    string `json:"intent"`
		Urgency   string `json:"urgency"`
	} `json:"labels"`
}

func TestLabelledSet(t *testing.T) {
	sentiment, intent := scoreSet(t, labelledSet)
	acc, neg, safety := sentiment.Accuracy(), sentiment.Class(Negative), intent.Class(Safety)
	t.Logf("sentiment accuracy %.3f, negative F1 %.3f, intent accuracy %.3f, safety recall %.3f (%d)",
		acc, neg.F1, intent.Accuracy(), safety.Recall, safety.Support)
	if acc < minSentimentAccuracy {
		t.Errorf("sentiment accuracy %.3f, want >= %.2f", acc, minSentimentAccuracy)
	}
	if neg.F1 < minNegativeF1 {
		t.Errorf("negative F1 %.3f (P %.3f, R %.3f), want >= %.2f", neg.F1, neg.Precision, neg.Recall, minNegativeF1)
	}
	if safety.Support > 0 && safety.Recall < minSafetyRecall {
		t.Errorf("safety recall %.3f, want %.2f", safety.Recall, minSafetyRecall)
	}
}

// scoreSet classifies every labelled mention of a JSONL file and returns
// the sentiment and intent confusion matrices. A safety post read as
// anything else fails the test: that miss is never acceptable. With -v,
// every other miss is logged.
func scoreSet(t *testing.T, path string) (sentiment, intent *eval.Confusion) {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		t.Skipf("%s not present", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := New()
	sentiment = eval.NewConfusion(Positive, Neutral, Negative)
	intent = eval.NewConfusion(Intents()...)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var l labelledLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s:%d: %v", path, n, err)
		}
		if l.Labels == nil {
			continue
		}
		reply := len(l.InReplyTo) > 0 && string(l.InReplyTo) != "null" && string(l.InReplyTo) != `""`
		r := c.Classify(Input{Text: l.Text, Lang: l.Lang, Followers: l.Author.Followers, IsReply: reply})
		if g := l.Labels.Sentiment; g != "" {
			sentiment.Add(g, r.Sentiment)
			if g != r.Sentiment && testing.Verbose() {
				t.Logf("%s:%d: sentiment %s → %s (%+.2f): %.100q", path, n, g, r.Sentiment, r.Score, l.Text)
			}
		}
		if g := l.Labels.Intent; g != "" {
			intent.Add(g, r.Intent)
			if g == Safety && r.Intent != Safety {
				t.Errorf("%s:%d: safety read as %s: %.100q", path, n, r.Intent, l.Text)
			} else if g != r.Intent && testing.Verbose() {
				t.Logf("%s:%d: intent %s → %s: %.100q", path, n, g, r.Intent, l.Text)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if sentiment.Total() == 0 {
		t.Fatalf("%s has no labelled sentiment", path)
	}
	return sentiment, intent
}
