package routing

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseQuery(t *testing.T) {
	tests := []struct{ src, want string }{
		{"lumio", "lumio"},
		{"Lumio lamp", "(Lumio AND lamp)"},
		{"lumio AND lamp", "(lumio AND lamp)"},
		{"lumio OR acme", "(lumio OR acme)"},
		{"a b OR c d", "((a AND b) OR (c AND d))"},
		{"a AND (b OR c)", "(a AND (b OR c))"},
		{"a (b OR (c OR d))", "(a AND (b OR c OR d))"},
		{"lumio -coupon", "(lumio AND NOT coupon)"},
		{"lumio NOT coupon", "(lumio AND NOT coupon)"},
		{"lumio -(coupon OR deal)", "(lumio AND NOT (coupon OR deal))"},
		{`"charged twice"`, `"charged twice"`},
		{`-"we're hiring"`, `NOT "we're hiring"`},
		{`"app crash"~5`, `"app crash"~5`},
		{"refund*", "refund*"},
		{"@lumio OR #lumio OR $lmio", "(@lumio OR #lumio OR $lmio)"},
		{"lumio.example", "lumio.example"},
		{"https://lumio.example/help", "https://lumio.example/help"},
		{"platform:Bluesky", "platform:bluesky"},
		{"followers:>1000", "followers:>1000"},
		{"followers:>=5k", "followers:>=5000"},
		{"followers:1.5m", "followers:1500000"},
		{"followers:<10", "followers:<10"},
		{"intent:safety OR sentiment:negative", "(intent:safety OR sentiment:negative)"},
		{"is:reply has:link urgency:high lang:de author:@Jen", "(is:reply AND has:link AND urgency:high AND lang:de AND author:jen)"},
		{"and or not", "(and AND or AND not)"},
		{"lumio+", "lumio+"},
		{"  lumio\t\nlamp  ", "(lumio AND lamp)"},
		{`"say \"hi\""`, `"say "hi""`},
		{"NOT NOT a", "NOT NOT a"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			q, err := ParseQuery(tt.src)
			if err != nil {
				t.Fatalf("ParseQuery(%q): %v", tt.src, err)
			}
			if got := q.String(); got != tt.want {
				t.Errorf("ParseQuery(%q) = %s, want %s", tt.src, got, tt.want)
			}
		})
	}
}

func TestParseQueryErrors(t *testing.T) {
	tests := []struct {
		src  string
		col  int
		want string
	}{
		{"", 1, "empty query"},
		{"   ", 1, "empty query"},
		{"lumio AND", 7, "AND needs a term on both sides"},
		{"AND lumio", 1, "AND needs a term on both sides"},
		{"lumio OR", 7, "OR needs a term on both sides"},
		{"OR lumio", 1, "OR needs a term on both sides"},
		{"lumio OR OR acme", 7, "OR needs a term on both sides"},
		{"lumio NOT", 7, "NOT needs a term after it"},
		{"(lumio", 1, `unbalanced "("`},
		{"lumio)", 6, `unbalanced ")"`},
		{"()", 1, "empty parentheses"},
		{`"charged twice`, 1, "unterminated phrase"},
		{`"app crash"~0`, 12, "proximity"},
		{`"app crash"~99`, 12, "proximity"},
		{`"app crash"~x`, 12, "proximity"},
		{`"app"~3`, 1, "at least two words"},
		{`"app"x`, 6, "put a space between them"},
		{"re*", 1, "at least 3 characters before the *"},
		{"re*und", 1, "only a trailing *"},
		{"lumio -", 7, `a lone "-"`},
		{"colour:red", 1, `unknown field "colour:"`},
		{"intent:angry", 1, `intent: "angry" is not valid (want complaint, question`},
		{"sentiment:meh", 1, "sentiment"},
		{"urgency:now", 1, "urgency"},
		{"followers:many", 1, "followers"},
		{"followers:>", 1, "followers"},
		{"followers:-5", 1, "followers"},
		{"is:question", 1, "is"},
		{"has:photo", 1, "has"},
		{"platform:", 1, "needs a value"},
		{"author:@", 1, "author"},
		{"lumio \xff", 7, "invalid UTF-8"},
		{"ünïcödé )", 9, `unbalanced ")"`},
		{"a " + strings.Repeat("(", 200) + "b" + strings.Repeat(")", 200), 0, "nested more than"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			_, err := ParseQuery(tt.src)
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("ParseQuery(%q) = %v, want a *QueryError", tt.src, err)
			}
			if !strings.Contains(qe.Msg, tt.want) {
				t.Errorf("ParseQuery(%q): %q, want it to contain %q", tt.src, qe.Msg, tt.want)
			}
			if tt.col > 0 && qe.Col != tt.col {
				t.Errorf("ParseQuery(%q): column %d, want %d (%s)", tt.src, qe.Col, tt.col, qe.Msg)
			}
		})
	}
}

// A query on a route, as a rules file says it.
func queryRules(t testing.TB, query string) *Rules {
	t.Helper()
	q, err := ParseQuery(query)
	if err != nil {
		t.Fatalf("ParseQuery(%q): %v", query, err)
	}
	r := &Rules{
		Teams: map[string]*Team{"care": {Name: "care"}, "hit": {Name: "hit"}},
		Root:  &Route{Name: "root", Team: "care", Routes: []*Route{{Name: "q", Query: q, Team: "hit"}}},
	}
	if err := r.Compile(); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestQueryMatching(t *testing.T) {
	tests := []struct {
		query string
		in    Input
		want  bool
	}{
		{"lumio", Input{Text: "Love my LUMIO lamp"}, true},
		{"lumio", Input{Text: "lumioville is a town"}, false},
		{"acme", Input{Text: "acmeville"}, false},
		{"lumio lamp", Input{Text: "lamp by lumio"}, true},
		{"lumio lamp", Input{Text: "lumio app"}, false},
		{"lamp OR app", Input{Text: "the app"}, true},
		{"lumio -coupon", Input{Text: "lumio coupon code"}, false},
		{"lumio -coupon", Input{Text: "lumio lamp"}, true},
		{"-coupon", Input{Text: "anything at all"}, true},
		{`"charged twice"`, Input{Text: "I was CHARGED\ntwice"}, true},
		{`"charged twice"`, Input{Text: "twice charged"}, false},
		{"refund*", Input{Text: "still no refunds"}, true},
		{"refund*", Input{Text: "prerefund"}, false},
		{`"app crash"~1`, Input{Text: "the app keeps on crash"}, false},
		{`"app crash"~2`, Input{Text: "the app keeps on crash"}, true},
		{`"app crash"~2`, Input{Text: "crash, said the app"}, true},
		{`"app crash"~1`, Input{Text: "app crash"}, true},
		{`"app crash"~1`, Input{Text: "app one two three four crash app"}, true},
		{`"app crash lamp"~1`, Input{Text: "lamp app crash"}, true},
		{`"app crash lamp"~1`, Input{Text: "lamp x y app crash"}, false},
		{"@lumio", Input{Text: "hey @Lumio!"}, true},
		{"@lumio", Input{Text: "lumio"}, false},
		{"#lumio", Input{Text: "#LumioLamp"}, false},
		{"$lmio", Input{Text: "$LMIO to the moon"}, true},
		{"lumio.example", Input{Text: "check lumio.example/help"}, true},
		{"lumio.example", Input{Text: "no link", URL: "https://www.lumio.example/post/1"}, true},
		{"lumio", Input{Text: "no name here", URL: "https://reddit.com/r/lumio/1"}, false},
		{"platform:bluesky", Input{Platform: "Bluesky"}, true},
		{"platform:bluesky", Input{Platform: "mastodon"}, false},
		{"lang:en", Input{Lang: "en-GB"}, true},
		{"lang:en", Input{Lang: "eng"}, false},
		{"author:jen", Input{Author: "@JEN"}, true},
		{"followers:>1000", Input{Followers: 1001}, true},
		{"followers:>1000", Input{Followers: 1000}, false},
		{"followers:>=1k", Input{Followers: 1000}, true},
		{"followers:<10", Input{Followers: 9}, true},
		{"followers:5", Input{Followers: 5}, true},
		{"sentiment:negative intent:complaint", Input{Sentiment: "negative", Intent: "complaint"}, true},
		{"sentiment:negative intent:complaint", Input{Sentiment: "negative", Intent: "bug"}, false},
		{"urgency:critical", Input{Urgency: "CRITICAL"}, true},
		{"is:reply", Input{IsReply: true}, true},
		{"-is:reply", Input{IsReply: true}, false},
		{"has:link", Input{HasLink: true}, true},
		{"lumio (refund OR cancel*) -coupon followers:>100", Input{Text: "Lumio, cancelling now", Followers: 500}, true},
		{"lumio (refund OR cancel*) -coupon followers:>100", Input{Text: "Lumio, cancelling now", Followers: 50}, false},
	}
	for _, tt := range tests {
		t.Run(tt.query+"/"+tt.in.Text, func(t *testing.T) {
			d := queryRules(t, tt.query).Match(tt.in)
			if got := slices.Contains(d.Teams, "hit"); got != tt.want {
				t.Errorf("%s on %+v: matched %v, want %v (%+v)", tt.query, tt.in, got, tt.want, d)
			}
		})
	}
}

// FuzzParseQuery: any string parses or gives a QueryError with a column
// inside the query, and a parsed query prints to a form that parses to the
// same thing.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		`lumio AND (refund* OR "charged twice") -coupon followers:>1000`,
		`"app crash"~5 platform:bluesky`, `@lumio OR #lumio OR $lmio`, `intent:safety -is:reply`,
		`a OR`, `((a)`, `"x`, `-`, `colour:red`, `NOT NOT NOT`, `lumio.example/help`, "\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := ParseQuery(src)
		if err != nil {
			var qe *QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("ParseQuery(%q): %T %v", src, err, err)
			}
			if qe.Col < 1 || qe.Col > len([]rune(src))+1 {
				t.Fatalf("ParseQuery(%q): column %d outside the query", src, qe.Col)
			}
			return
		}
		again, err := ParseQuery(q.String())
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", q.String(), src, err)
		}
		if again.String() != q.String() {
			t.Fatalf("canonical form changed: %q -> %q", q.String(), again.String())
		}
	})
}
