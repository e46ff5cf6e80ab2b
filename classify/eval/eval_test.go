package eval

import (
	"math"
	"slices"
	"strings"
	"testing"
)

type pair struct{ gold, pred string }

func pairs(gold, pred string) []pair {
	g, p := strings.Fields(gold), strings.Fields(pred)
	out := make([]pair, len(g))
	for i := range g {
		out[i] = pair{g[i], p[i]}
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// The expectations are worked by hand from the matrix in each comment.
func TestScores(t *testing.T) {
	tests := []struct {
		name     string
		labels   []string
		examples []pair
		accuracy float64
		macroF1  float64
		classes  []Class
	}{
		{
			// gold\pred pos neg neu
			// pos        2   1   0
			// neg        0   2   1
			// neu        1   0   3
			name:     "three classes",
			labels:   []string{"pos", "neu", "neg"},
			examples: pairs("pos pos pos neg neg neu neu neu neu neg", "pos neg pos neg neu neu pos neu neu neg"),
			accuracy: 0.7,
			macroF1:  (2.0/3 + 2.0/3 + 3.0/4) / 3,
			classes: []Class{
				{"pos", 2.0 / 3, 2.0 / 3, 2.0 / 3, 3, 3},
				{"neu", 3.0 / 4, 3.0 / 4, 3.0 / 4, 4, 4},
				{"neg", 2.0 / 3, 2.0 / 3, 2.0 / 3, 3, 3},
			},
		},
		{
			// a: tp 2 of 4 gold, 2 predicted → P 1, R 1/2, F1 2/3.
			// b: tp 1 of 1 gold, 3 predicted → P 1/3, R 1, F1 1/2.
			name:     "precision and recall differ",
			examples: pairs("a a a a b", "a a b b b"),
			accuracy: 0.6,
			macroF1:  (2.0/3 + 0.5) / 2,
			classes: []Class{
				{"a", 1, 0.5, 2.0 / 3, 4, 2},
				{"b", 1.0 / 3, 1, 0.5, 1, 3},
			},
		},
		{
			// c is never predicted: precision 0/0 counts as 0, F1 0; the
			// unused label "z" is not a class.
			name:     "class never predicted",
			labels:   []string{"z"},
			examples: pairs("a c", "a a"),
			accuracy: 0.5,
			macroF1:  (2.0/3 + 0) / 2,
			classes: []Class{
				{"a", 0.5, 1, 2.0 / 3, 1, 2},
				{"c", 0, 0, 0, 1, 0},
			},
		},
		{name: "empty", classes: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewConfusion(tt.labels...)
			for _, e := range tt.examples {
				c.Add(e.gold, e.pred)
			}
			if got := c.Accuracy(); !near(got, tt.accuracy) {
				t.Errorf("Accuracy = %v, want %v", got, tt.accuracy)
			}
			if got := c.MacroF1(); !near(got, tt.macroF1) {
				t.Errorf("MacroF1 = %v, want %v", got, tt.macroF1)
			}
			got := c.Classes()
			if len(got) != len(tt.classes) {
				t.Fatalf("Classes = %+v, want %+v", got, tt.classes)
			}
			for i, w := range tt.classes {
				g := got[i]
				if g.Label != w.Label || g.Support != w.Support || g.Predicted != w.Predicted ||
					!near(g.Precision, w.Precision) || !near(g.Recall, w.Recall) || !near(g.F1, w.F1) {
					t.Errorf("class %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

func TestMatrix(t *testing.T) {
	c := NewConfusion("pos", "neu", "neg", "unused")
	for _, e := range pairs("pos pos neg other", "pos neg neg neu") {
		c.Add(e.gold, e.pred)
	}
	if got := c.Count("pos", "neg"); got != 1 {
		t.Errorf("Count(pos, neg) = %d, want 1", got)
	}
	if got := c.Count("nope", "pos"); got != 0 {
		t.Errorf("Count of an unknown label = %d", got)
	}
	if got := c.Class("nope"); got != (Class{Label: "nope"}) {
		t.Errorf("Class of an unknown label = %+v", got)
	}
	s := c.Summary()
	// "other" is a gold label met on the way: it comes after the given ones;
	// "unused" never occurs and is left out.
	if want := []string{"pos", "neu", "neg", "other"}; !slices.Equal(s.Labels, want) {
		t.Fatalf("Labels = %q, want %q", s.Labels, want)
	}
	want := [][]int{
		{1, 0, 1, 0},
		{0, 0, 0, 0},
		{0, 0, 1, 0},
		{0, 1, 0, 0},
	}
	for i := range want {
		if !slices.Equal(s.Matrix[i], want[i]) {
			t.Errorf("row %s = %v, want %v", s.Labels[i], s.Matrix[i], want[i])
		}
	}
	if s.N != 4 || s.Correct != 2 || !near(s.Accuracy, 0.5) {
		t.Errorf("N %d, Correct %d, Accuracy %v", s.N, s.Correct, s.Accuracy)
	}
}

func TestWriteText(t *testing.T) {
	c := NewConfusion("positive", "neutral", "negative")
	for _, e := range pairs("positive negative negative", "positive negative neutral") {
		c.Add(e.gold, e.pred)
	}
	var b strings.Builder
	if err := c.WriteText(&b, "sentiment"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"sentiment: accuracy 0.667 (2/3), macro F1 0.556",
		"negative      1.000   0.500  0.667        2          1",
		"confusion (rows gold, columns predicted)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	if err := NewConfusion().WriteText(&b, "intent"); err != nil || b.String() != "intent: accuracy 0.000 (0/0), macro F1 0.000\n" {
		t.Errorf("empty: %q, %v", b.String(), err)
	}
}
