// Package eval measures a classifier against gold labels: accuracy,
// precision, recall and F1 per class, macro F1 and a confusion matrix. It
// knows nothing of what is classified, so the same maths scores sentiment,
// intent and urgency.
package eval

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Confusion counts gold labels against predicted ones. The zero value is
// not ready; use NewConfusion.
type Confusion struct {
	labels []string
	index  map[string]int
	counts [][]int // counts[gold][predicted], square, one row per label
	total  int
}

// NewConfusion returns an empty matrix whose rows and columns begin with
// labels, in that order, so reports read the same from run to run. Labels
// met later (a gold label the classifier never gives, a typo in the gold
// file) are added after them as they come.
func NewConfusion(labels ...string) *Confusion {
	c := &Confusion{index: map[string]int{}}
	for _, l := range labels {
		c.label(l)
	}
	return c
}

func (c *Confusion) label(l string) int {
	if i, ok := c.index[l]; ok {
		return i
	}
	i := len(c.labels)
	c.labels = append(c.labels, l)
	c.index[l] = i
	for r := range c.counts {
		c.counts[r] = append(c.counts[r], 0)
	}
	c.counts = append(c.counts, make([]int, i+1))
	return i
}

// Add counts one example.
func (c *Confusion) Add(gold, predicted string) {
	g, p := c.label(gold), c.label(predicted)
	c.counts[g][p]++
	c.total++
}

// Labels returns the rows' (and columns') labels in order.
func (c *Confusion) Labels() []string { return append([]string(nil), c.labels...) }

// Count returns how many examples labelled gold were predicted as predicted.
func (c *Confusion) Count(gold, predicted string) int {
	g, ok1 := c.index[gold]
	p, ok2 := c.index[predicted]
	if !ok1 || !ok2 {
		return 0
	}
	return c.counts[g][p]
}

// Total is the number of examples added.
func (c *Confusion) Total() int { return c.total }

// Correct is the number of examples predicted as their gold label.
func (c *Confusion) Correct() int {
	n := 0
	for i := range c.labels {
		n += c.counts[i][i]
	}
	return n
}

// Accuracy is Correct/Total, or 0 with no examples.
func (c *Confusion) Accuracy() float64 { return ratio(c.Correct(), c.total) }

// Class is one label's scores. A ratio with nothing to divide by is 0 (a
// class never predicted has precision 0), as scikit-learn reports it with
// zero_division=0; Support and Predicted tell such cases apart.
type Class struct {
	Label     string  `json:"label"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Support   int     `json:"support"`   // gold examples of the class
	Predicted int     `json:"predicted"` // examples predicted as the class
}

// Class returns the scores of one label (all zero for an unknown label).
func (c *Confusion) Class(label string) Class {
	i, ok := c.index[label]
	if !ok {
		return Class{Label: label}
	}
	tp := c.counts[i][i]
	var support, predicted int
	for j := range c.labels {
		support += c.counts[i][j]
		predicted += c.counts[j][i]
	}
	p, r := ratio(tp, predicted), ratio(tp, support)
	f1 := 0.0
	if p+r > 0 {
		f1 = 2 * p * r / (p + r)
	}
	return Class{Label: label, Precision: p, Recall: r, F1: f1, Support: support, Predicted: predicted}
}

// Classes returns the scores of every label that occurs as gold or as a
// prediction, in the matrix's order.
func (c *Confusion) Classes() []Class {
	var out []Class
	for _, l := range c.labels {
		if k := c.Class(l); k.Support > 0 || k.Predicted > 0 {
			out = append(out, k)
		}
	}
	return out
}

// MacroF1 is the unweighted mean F1 of Classes: every class counts the
// same, so a rare class done badly shows however well the common ones go.
func (c *Confusion) MacroF1() float64 {
	cs := c.Classes()
	if len(cs) == 0 {
		return 0
	}
	sum := 0.0
	for _, k := range cs {
		sum += k.F1
	}
	return sum / float64(len(cs))
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Summary is a Confusion in a form for JSON.
type Summary struct {
	N        int     `json:"n"`
	Correct  int     `json:"correct"`
	Accuracy float64 `json:"accuracy"`
	MacroF1  float64 `json:"macro_f1"`
	Classes  []Class `json:"classes"`
	// Labels name Matrix's rows (gold) and columns (predicted).
	Labels []string `json:"labels"`
	Matrix [][]int  `json:"matrix"`
}

// Summary returns the matrix and its scores, leaving out labels that occur
// neither as gold nor as a prediction.
func (c *Confusion) Summary() Summary {
	s := Summary{N: c.total, Correct: c.Correct(), Accuracy: c.Accuracy(), MacroF1: c.MacroF1(), Classes: c.Classes()}
	s.Classes = append([]Class{}, s.Classes...)
	s.Labels = []string{}
	s.Matrix = [][]int{}
	var keep []int
	for _, k := range s.Classes {
		s.Labels = append(s.Labels, k.Label)
		keep = append(keep, c.index[k.Label])
	}
	for _, g := range keep {
		row := make([]int, len(keep))
		for j, p := range keep {
			row[j] = c.counts[g][p]
		}
		s.Matrix = append(s.Matrix, row)
	}
	return s
}

// WriteText writes the report a person reads: accuracy, a table of the
// classes and the confusion matrix (rows gold, columns predicted).
func (c *Confusion) WriteText(w io.Writer, name string) error {
	s := c.Summary()
	var b strings.Builder
	fmt.Fprintf(&b, "%s: accuracy %.3f (%d/%d), macro F1 %.3f\n", name, s.Accuracy, s.Correct, s.N, s.MacroF1)
	if s.N == 0 {
		_, err := io.WriteString(w, b.String())
		return err
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  class\tprecision\trecall\tF1\tsupport\tpredicted\t")
	for _, k := range s.Classes {
		fmt.Fprintf(tw, "  %s\t%.3f\t%.3f\t%.3f\t%d\t%d\t\n", k.Label, k.Precision, k.Recall, k.F1, k.Support, k.Predicted)
	}
	tw.Flush()
	b.WriteString("  confusion (rows gold, columns predicted):\n")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "  \t")
	for _, l := range s.Labels {
		fmt.Fprintf(tw, "%s\t", l)
	}
	fmt.Fprintln(tw)
	for i, l := range s.Labels {
		fmt.Fprintf(tw, "  %s\t", l)
		for _, n := range s.Matrix[i] {
			fmt.Fprintf(tw, "%d\t", n)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	_, err := io.WriteString(w, b.String())
	return err
}
