package routing

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
)

func TestExampleBrandAndFAQ(t *testing.T) {
	r := Example()
	b := r.Brand
	if b.Phone == "" || !maps.Equal(b.Links, map[string]string{
		"status": "https://status.lumio.example", "returns": "https://lumio.example/help/returns", "plans": "https://lumio.example/plus",
	}) {
		t.Errorf("brand phone %q, links %v", b.Phone, b.Links)
	}
	if len(r.FAQs) == 0 {
		t.Fatal("the example has no FAQ entries")
	}
	for _, f := range r.FAQs {
		if f.Name == "" || f.Query == nil || f.Answer == "" || f.Line == 0 || !strings.Contains(f.Answer, "https://") {
			t.Errorf("entry %+v is incomplete (every example answer carries its link)", f)
		}
	}
}

// The example's entries answer the sample mentions they were written for,
// and stay quiet on the ones they were not.
func TestExampleFAQMatches(t *testing.T) {
	r := Example()
	tests := []struct {
		in   Input
		want string // "" for no entry
	}{
		{Input{Text: "how do I reset the Lumio hub? holding the little pinhole button does nothing. @lumio.bsky.social", Intent: "question"}, "hub-reset"},
		{Input{Text: "Does Lumio work with HomeKit natively, or do I need Homebridge?", Intent: "question"}, "smart-home"},
		{Input{Text: "¿Alguien sabe si las lámparas Lumio funcionan con Google Home?", Intent: "question"}, "smart-home"},
		{Input{Text: "@lumio does Lumio+ include vacation mode or is that free? the app is not clear at all", Intent: "question"}, "plans"},
		{Input{Text: "@lumio does Lumio+ include vacation mode or is that free?", Intent: "complaint"}, ""},
		{Input{Text: "my Lumio order has been 'processing' for 12 days now. @lumio can you check order LM-2026-120931?", Intent: "question"}, "order-status"},
		{Input{Text: "Hub is a brick now. Factory reset does nothing.", Intent: "bug"}, ""},
		{Input{Text: "the new Lumio sunset scene is genuinely lovely", Intent: "praise"}, ""},
		{Input{Text: "", Intent: "question"}, ""},
	}
	for _, tt := range tests {
		f, ok := r.FAQ(tt.in)
		if ok != (tt.want != "") || f.Name != tt.want {
			t.Errorf("FAQ(%q) = %q, %v; want %q", tt.in.Text, f.Name, ok, tt.want)
		}
	}
}

func TestFAQFirstMatchWinsAndFields(t *testing.T) {
	const src = `
teams: {care: {}}
route: {team: care}
faq:
  - name: reset-bluesky
    query: 'reset platform:bluesky'
    answer: "Bluesky: hold the pinhole."
  - name: reset
    query: 'reset OR "start over"~2'
    answer: |
      Hold the pinhole
      for ten seconds.
  - name: unhappy
    query: 'sentiment:negative'
    answer: Sorry.
`
	r, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in   Input
		want string
	}{
		{Input{Text: "how to reset?", Platform: "Bluesky"}, "reset-bluesky"},
		{Input{Text: "how to reset?", Platform: "x"}, "reset"},
		{Input{Text: "how do I start it all over", Platform: "x"}, "reset"},
		{Input{Text: "how do I start it all over", Platform: "x", Sentiment: "negative"}, "reset"},
		{Input{Text: "meh", Sentiment: "negative"}, "unhappy"},
		{Input{Text: "meh"}, ""},
	}
	for _, tt := range tests {
		f, ok := r.FAQ(tt.in)
		if ok != (tt.want != "") || f.Name != tt.want {
			t.Errorf("FAQ(%+v) = %q, %v; want %q", tt.in, f.Name, ok, tt.want)
		}
	}
	if f, _ := r.FAQ(Input{Text: "reset", Platform: "x"}); f.Answer != "Hold the pinhole\nfor ten seconds." || f.Line != 8 {
		t.Errorf("entry = %+v", f)
	}
	var none *Rules
	if _, ok := none.FAQ(Input{Text: "reset"}); ok {
		t.Error("nil rules answered")
	}
}

// An FAQ query's terms go into the routes' automaton: routing still works
// with them there, and a route and an entry may share a term.
func TestFAQSharesTheAutomaton(t *testing.T) {
	const src = `
teams: {care: {}, billing: {}}
route:
  team: care
  routes:
    - name: billing
      any: [refund]
      team: billing
faq:
  - name: refunds
    query: 'refund* AND policy'
    answer: Returns within 30 days.
`
	r, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	in := Input{Text: "what is your refund policy?"}
	if d := r.Match(in); len(d.Teams) != 1 || d.Teams[0] != "billing" {
		t.Errorf("Match = %+v, want billing", d)
	}
	if f, ok := r.FAQ(in); !ok || f.Name != "refunds" {
		t.Errorf("FAQ = %q, %v; want refunds", f.Name, ok)
	}
	if _, ok := r.FAQ(Input{Text: "refund please"}); ok {
		t.Error("matched without policy")
	}
}

func TestBrandLinksAndPhone(t *testing.T) {
	const src = `
brand:
  phone: "+1 (555) 010-0199"
  links: {status: "https://status.example/", refunds: "https://lumio.example/help/refunds?lang=en"}
teams: {care: {}}
route: {team: care}
`
	r, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if r.Brand.Phone != "+1 (555) 010-0199" || len(r.Brand.Links) != 2 || r.Brand.Links["refunds"] != "https://lumio.example/help/refunds?lang=en" {
		t.Errorf("brand = %+v", r.Brand)
	}
	for _, bad := range []string{"https://", "https://user:pw@x.example", "https://x.example/a b", "ftp://x.example", "javascript:alert(1)"} {
		if httpsURL(bad) {
			t.Errorf("httpsURL(%q) = true", bad)
		}
	}
	for _, bad := range []string{"1234", "+44 20 7946 0321 ext. 5", "555-CALL-NOW", strings.Repeat("1", 21)} {
		if validPhone(bad) {
			t.Errorf("validPhone(%q) = true", bad)
		}
	}
}

func BenchmarkFAQ(b *testing.B) {
	r := Example()
	in := Input{Text: "how do I reset the Lumio hub? holding the little pinhole button does nothing. @lumio.bsky.social", Intent: "question"}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := r.FAQ(in); !ok {
			b.Fatal("no match")
		}
	}
}

// FuzzFAQ checks that an FAQ entry's query matches exactly where a route
// with the same query does: they share the parser and the compiled engine.
func FuzzFAQ(f *testing.F) {
	for _, fq := range Example().FAQs {
		f.Add(fq.Query.Src, "how do I reset the Lumio hub? does Lumio+ include vacation mode", "question")
	}
	f.Add(`"start over"~2 OR reset*`, "how do I start it all over, resetting fails", "bug")
	f.Add(`-refund platform:x`, "refund please", "complaint")
	f.Fuzz(func(t *testing.T, query, text, intent string) {
		q, err := json.Marshal(query)
		if err != nil {
			return
		}
		src := "teams: {care: {}, other: {}}\nroute:\n  team: care\n  routes:\n    - name: q\n      team: other\n      query: " + string(q) +
			"\nfaq:\n  - name: q\n    query: " + string(q) + "\n    answer: yes\n"
		r, err := Parse("fuzz.yaml", []byte(src))
		if err != nil {
			return
		}
		in := Input{Text: text, Intent: intent, Platform: "x"}
		_, faq := r.FAQ(in)
		route := slices.Equal(r.Match(in).Teams, []string{"other"})
		if faq != route {
			t.Fatalf("query %q on %q: FAQ %v, route %v", query, text, faq, route)
		}
	})
}
