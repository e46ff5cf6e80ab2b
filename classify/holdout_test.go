package classify

import "testing"

// holdoutSet is a second labelled corpus, written by someone else about
// other industries (testdata/holdout.README.md). It was blind when it
// arrived; the rules were then revised after studying the kinds of error
// the classifier made on it (hazards named without a hazard word, spam
// without a link, buying questions, grievances put as questions), so it is
// no longer a fair measure. The floors below sit a little under the scores
// reached, to catch regressions, not to claim accuracy.
const holdoutSet = "testdata/holdout.jsonl"

const (
	holdoutSentimentFloor    = 0.80
	holdoutIntentFloor       = 0.84
	holdoutSafetyRecallFloor = 1.0
)

func TestHoldoutSet(t *testing.T) {
	sentiment, intent := scoreSet(t, holdoutSet)
	acc, neg, safety, spam := sentiment.Accuracy(), sentiment.Class(Negative), intent.Class(Safety), intent.Class(Spam)
	t.Logf("holdout: sentiment accuracy %.3f, negative F1 %.3f, intent accuracy %.3f, safety recall %.3f precision %.3f (%d), spam recall %.3f",
		acc, neg.F1, intent.Accuracy(), safety.Recall, safety.Precision, safety.Support, spam.Recall)
	if acc < holdoutSentimentFloor {
		t.Errorf("sentiment accuracy %.3f, want >= %.2f", acc, holdoutSentimentFloor)
	}
	if got := intent.Accuracy(); got < holdoutIntentFloor {
		t.Errorf("intent accuracy %.3f, want >= %.2f", got, holdoutIntentFloor)
	}
	if safety.Recall < holdoutSafetyRecallFloor {
		t.Errorf("safety recall %.3f, want >= %.2f", safety.Recall, holdoutSafetyRecallFloor)
	}
}
