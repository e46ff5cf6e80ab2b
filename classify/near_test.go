package classify

import (
	"fmt"
	"strings"
	"testing"
)

// TestNear checks how near terms match: distance, sentence, order, the
// question-only mark, negation and the words of longer terms.
func TestNear(t *testing.T) {
	src := `[negator]
{no,won't}
[neutral]
{battery life}
[safety-near]
{battery} ~3 {bulge,bulging}
[churn-near]
{cancel} ~2 {membership}
[lead-near]
{is} ~4 {worth} ?
[bug-near]
{pills} >2 {different}
[bug]
{after the update}
[bug-near]
{after} ~3 {update}
`
	l, err := compile("near.txt", src, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &Classifier{lex: l}
	tests := []struct {
		text string
		want flag // the labels that must be found…
		not  flag // …and those that must not
	}{
		{"the battery has a bulge", fSafety, 0},
		{"bulging battery", fSafety, 0},                             // either order
		{"the battery is fine and the box has a bulge", 0, fSafety}, // too far apart
		{"the battery is fine. a bulge", 0, fSafety},                // another sentence
		{"no battery bulge at all", fSafety, 0},                     // safety is never denied
		{"battery life and a bulge", 0, fSafety},                    // inside a [neutral] phrase
		{"cancel my membership", fChurn, 0},
		{"won't cancel my membership", 0, fChurn}, // denied
		{"is the premium plan worth it?", fLead, 0},
		{"is the premium plan worth it", fLead, 0},  // opens with a question word
		{"this one is worth every penny", 0, fLead}, // does not ask
		{"pills look different", fBug, 0},           // in order
		{"different prices for pills", 0, fBug},     // the wrong order
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			toks := tokenize(tt.text, nil)
			s := scan{lex: c.lex, toks: toks, problemAt: -1}
			s.run()
			if s.flags&tt.want != tt.want || s.flags&tt.not != 0 {
				t.Errorf("flags %b, want %b set and %b clear", s.flags, tt.want, tt.not)
			}
		})
	}

	// A word inside a term with the rule's own labels takes no part: the
	// term already weighed it.
	toks := tokenize("after the update", nil)
	s := scan{lex: c.lex, toks: toks, problemAt: -1}
	s.run()
	if s.neg != defaultProblemWeight {
		t.Errorf("after the update weighs %v, want %v once", s.neg, defaultProblemWeight)
	}
}

func TestNearErrors(t *testing.T) {
	many := "[bug-near]\n" + strings.Repeat("{a} ~2 {b}\n", maxNear+1)
	tests := []struct{ src, want string }{
		{"[bug-near]\n{a,b} {c}", "has no ~N or >N"},
		{"[bug-near]\n{a} ~x {c}", `distance "x" is not a number`},
		{"[bug-near]\n{a} ~0 {c}", "is not a number from 1"},
		{fmt.Sprintf("[bug-near]\n{a} ~%d {c}", maxNearWindow+1), "is not a number from 1"},
		{"[bug-near]\n{a} ~2 {two words}", `"two words" is not one word`},
		{"[bug-near]\n{a} ~2 {c", "unclosed {"},
		{"[negator-near]\n{a} ~2 {c}", "unknown section [negator-near]"},
		{"[nope-near]\n{a} ~2 {c}", "unknown section [nope-near]"},
		{many, "more than 64 near terms"},
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

// TestInQuestion checks what counts as a sentence that asks.
func TestInQuestion(t *testing.T) {
	tests := []struct {
		text string
		word string
		want bool
	}{
		{"do I need a lawyer at this point?", "lawyer", true},
		{"Do I need a lawyer", "lawyer", true},
		{"we have a lawyer. is that enough?", "lawyer", false},
		{"we have a lawyer", "lawyer", false},
		{"anyone know what the day pass costs", "costs", true},
	}
	for _, tt := range tests {
		toks := tokenize(tt.text, nil)
		at := -1
		for i, tk := range toks {
			if tk.s == tt.word {
				at = i
			}
		}
		if got := inQuestion(toks, at); got != tt.want {
			t.Errorf("inQuestion(%q, %q) = %v, want %v", tt.text, tt.word, got, tt.want)
		}
	}
}
