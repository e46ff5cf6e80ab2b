package routing

import (
	"slices"
	"testing"
)

// treeRules exercises every matcher and the tree's semantics.
const treeRules = `
teams:
  care: {}
  billing: {sla: 4h}
  safety: {sla: 15m}
  product: {sla: 1d}
  vip: {}
  social: {}
  german: {}
exclude:
  terms: ["we're hiring"]
  authors: ["@DealsBot"]
  domains: ["spam.example"]
route:
  name: brand
  any: ["lumio", "#glowup"]
  team: care
  routes:
    - name: safety
      intent: [safety]
      team: safety
      continue: true
    - name: safety-words
      any: ["caught fire", "smoke"]
      team: safety
      continue: true
    - name: billing
      any: ["refund", "charged twice"]
      team: billing
      routes:
        - name: billing-de
          lang: [de]
          routes:
            - name: billing-de-replies
              is_reply: true
        - name: billing-angry
          sentiment: [negative]
          urgency: [high, critical]
          team: vip
          continue: true
        - name: billing-links
          has_link: true
          team: social
    - name: bugs
      intent: [bug]
      team: product
    - name: bug-words
      any: ["crash"]
      team: product
    - name: loud
      platform: [bluesky, mastodon]
      min_followers: 10000
      team: vip
    - name: german
      lang: [de]
      team: german
`

func TestMatch(t *testing.T) {
	r, err := Parse("tree.yaml", []byte(treeRules))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		in       Input
		teams    []string
		routes   []string
		excluded string
	}{
		{
			name: "root not matching routes nowhere",
			in:   Input{Text: "my lamp is broken", Intent: "safety"},
		},
		{
			name: "word inside another word is not the brand",
			in:   Input{Text: "lumiolamp refund"},
		},
		{
			name:   "root only: its team",
			in:     Input{Text: "Lumio is lovely", Intent: "praise"},
			teams:  []string{"care"},
			routes: []string{"brand"},
		},
		{
			name:   "second root term",
			in:     Input{Text: "my evening #GlowUp"},
			teams:  []string{"care"},
			routes: []string{"brand"},
		},
		{
			name:   "child by term",
			in:     Input{Text: "@lumio where is my REFUND?"},
			teams:  []string{"billing"},
			routes: []string{"brand", "billing"},
		},
		{
			name:   "phrase across a line break",
			in:     Input{Text: "lumio charged\nme twice? no: charged\n twice"},
			teams:  []string{"billing"},
			routes: []string{"brand", "billing"},
		},
		{
			name:   "continue: safety and billing both get it",
			in:     Input{Text: "Lumio refund now, the lamp burned me", Intent: "safety"},
			teams:  []string{"safety", "billing"},
			routes: []string{"brand", "safety", "billing"},
		},
		{
			name:   "continue siblings to one team: deduplicated, parent not a destination",
			in:     Input{Text: "my lumio lamp caught fire", Intent: "safety"},
			teams:  []string{"safety"},
			routes: []string{"brand", "safety", "safety-words"},
		},
		{
			name:   "first match wins: later siblings not tried",
			in:     Input{Text: "lumio app crash", Intent: "bug"},
			teams:  []string{"product"},
			routes: []string{"brand", "bugs"},
		},
		{
			name:   "first match wins over a later label match",
			in:     Input{Text: "lumio refund", Intent: "bug"},
			teams:  []string{"billing"},
			routes: []string{"brand", "billing"},
		},
		{
			name:   "team inherited from parent",
			in:     Input{Text: "Lumio refund bitte", Lang: "de"},
			teams:  []string{"billing"},
			routes: []string{"brand", "billing", "billing-de"},
		},
		{
			name:   "team inherited from grandparent",
			in:     Input{Text: "Lumio refund bitte", Lang: "de-AT", IsReply: true},
			teams:  []string{"billing"},
			routes: []string{"brand", "billing", "billing-de", "billing-de-replies"},
		},
		{
			name:   "language prefix is not a language",
			in:     Input{Text: "Lumio refund", Lang: "dex"},
			teams:  []string{"billing"},
			routes: []string{"brand", "billing"},
		},
		{
			name:   "all labels must match",
			in:     Input{Text: "lumio refund", Sentiment: "negative", Urgency: "low"},
			teams:  []string{"billing"},
			routes: []string{"brand", "billing"},
		},
		{
			name:   "continue inside children",
			in:     Input{Text: "lumio refund", Sentiment: "negative", Urgency: "critical", HasLink: true},
			teams:  []string{"vip", "social"},
			routes: []string{"brand", "billing", "billing-angry", "billing-links"},
		},
		{
			// billing-angry matched (with continue) so billing itself is no
			// destination, even though no later sibling matched.
			name:   "labels compared in any case",
			in:     Input{Text: "lumio refund", Sentiment: "Negative", Urgency: "HIGH"},
			teams:  []string{"vip"},
			routes: []string{"brand", "billing", "billing-angry"},
		},
		{
			name:   "platform and followers",
			in:     Input{Text: "lumio meh", Platform: "Bluesky", Followers: 10000},
			teams:  []string{"vip"},
			routes: []string{"brand", "loud"},
		},
		{
			name:   "too few followers",
			in:     Input{Text: "lumio meh", Platform: "bluesky", Followers: 9999},
			teams:  []string{"care"},
			routes: []string{"brand"},
		},
		{
			name:   "other platform",
			in:     Input{Text: "lumio meh", Platform: "reddit", Followers: 1e6},
			teams:  []string{"care"},
			routes: []string{"brand"},
		},
		{
			name:     "excluded by term",
			in:       Input{Text: "Lumio: we're  hiring!", Intent: "safety"},
			excluded: `term "we're hiring"`,
		},
		{
			name:     "excluded by author, any case, with or without @",
			in:       Input{Text: "lumio lamp 50% off", Author: "@dealsbot"},
			excluded: `author "DealsBot"`,
		},
		{
			name:     "excluded by domain in text",
			in:       Input{Text: "lumio deals at https://www.spam.example/x"},
			excluded: `domain "spam.example"`,
		},
		{
			name:     "excluded by domain in url",
			in:       Input{Text: "lumio deals", URL: "https://spam.example/p/1"},
			excluded: `domain "spam.example"`,
		},
		{
			name:   "look-alike domain not excluded",
			in:     Input{Text: "lumio at notspam.example", URL: "https://spam.example.org/p/1", Author: "dealsbot2"},
			teams:  []string{"care"},
			routes: []string{"brand"},
		},
		{
			name: "exclusions only speak when the root matched",
			in:   Input{Text: "we're hiring"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := r.Match(tt.in)
			if !slices.Equal(d.Teams, tt.teams) || !slices.Equal(d.Routes, tt.routes) || d.Excluded != tt.excluded {
				t.Errorf("Match = %+v\nwant teams %v routes %v excluded %q", d, tt.teams, tt.routes, tt.excluded)
			}
		})
	}
}

func TestMatchRootWithoutMatchers(t *testing.T) {
	r, err := Parse("t.yaml", []byte("teams: {care: {}}\nroute: {team: care}\n"))
	if err != nil {
		t.Fatal(err)
	}
	d := r.Match(Input{})
	if !slices.Equal(d.Teams, []string{"care"}) || !slices.Equal(d.Routes, []string{"root"}) {
		t.Errorf("Match(empty) = %+v, want everything to go to care via root", d)
	}
	var none *Rules
	if d := none.Match(Input{Text: "x"}); len(d.Teams) != 0 {
		t.Errorf("nil rules routed: %+v", d)
	}
}

// The example file routes the way its comments say.
func TestMatchExample(t *testing.T) {
	r := Example()
	tests := []struct {
		name   string
		in     Input
		teams  []string
		routes []string
	}{
		{"praise stays with care", Input{Text: "The new Lumio lamp is gorgeous", Intent: "praise", Sentiment: "positive"},
			[]string{"care"}, []string{"lumio"}},
		{"fire after a firmware update", Input{Text: "My Lumio lamp caught fire after the firmware update", Intent: "safety", Sentiment: "negative"},
			[]string{"safety", "product"}, []string{"lumio", "safety", "safety-words", "product-words"}},
		{"double charge", Input{Text: "@lumio you charged twice for Lumio+ this month", Intent: "complaint"},
			[]string{"billing"}, []string{"lumio", "billing"}},
		{"cancelling", Input{Text: "Cancelling my lumio subscription, app is useless", Intent: "churn"},
			[]string{"billing"}, []string{"lumio", "billing", "billing-churn"}},
		{"app crash", Input{Text: "lumio app crashes on launch", Intent: "bug"},
			[]string{"product"}, []string{"lumio", "product"}},
		{"loud and unhappy", Input{Text: "Lumio support never answers", Sentiment: "negative", Followers: 52000},
			[]string{"care"}, []string{"lumio", "high-reach"}},
		{"not about us", Input{Text: "my lamp from another brand broke"}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := r.Match(tt.in)
			if !slices.Equal(d.Teams, tt.teams) || !slices.Equal(d.Routes, tt.routes) || d.Excluded != "" {
				t.Errorf("Match = %+v\nwant teams %v routes %v", d, tt.teams, tt.routes)
			}
		})
	}
	for _, in := range []Input{
		{Text: "Lumio: we're hiring! Apply now"},
		{Text: "Lumio lamp 40% off", Author: "@DealsBot"},
		{Text: "lumio deal", URL: "https://coupon-deals.example/lumio"},
	} {
		if d := r.Match(in); d.Excluded == "" || len(d.Teams) != 0 {
			t.Errorf("Match(%+v) = %+v, want excluded", in, d)
		}
	}
}

// Rules assembled in code, without Parse, match the same way.
func TestMatchHandBuilt(t *testing.T) {
	r := &Rules{
		Teams:   map[string]*Team{"care": {Name: "care"}, "billing": {Name: "billing"}},
		Exclude: Exclude{Terms: []string{"job opening"}, Domains: []string{"spam.example"}},
		Root: &Route{Name: "brand", Any: []string{"lumio"}, Team: "care", Routes: []*Route{
			{Name: "billing", Any: []string{"refund"}, Team: "billing"},
		}},
	}
	for _, tt := range []struct {
		in   Input
		want Decision
	}{
		{Input{Text: "lamp"}, Decision{}},
		{Input{Text: "lumio lamp"}, Decision{Teams: []string{"care"}, Routes: []string{"brand"}}},
		{Input{Text: "lumio refund"}, Decision{Teams: []string{"billing"}, Routes: []string{"brand", "billing"}}},
		{Input{Text: "lumio job opening"}, Decision{Excluded: `term "job opening"`}},
		{Input{Text: "lumio", URL: "http://spam.example/"}, Decision{Excluded: `domain "spam.example"`}},
	} {
		d := r.Match(tt.in)
		if !slices.Equal(d.Teams, tt.want.Teams) || !slices.Equal(d.Routes, tt.want.Routes) || d.Excluded != tt.want.Excluded {
			t.Errorf("Match(%+v) = %+v, want %+v", tt.in, d, tt.want)
		}
	}
}

// Match is called from many goroutines on one Rules; run with -race.
func TestMatchConcurrent(t *testing.T) {
	r := Example()
	in := Input{Text: "My Lumio lamp caught fire", URL: "https://bsky.app/x", Intent: "safety"}
	want := r.Match(in)
	done := make(chan Decision)
	for range 4 {
		go func() { done <- r.Match(in) }()
	}
	for range 4 {
		if d := <-done; !slices.Equal(d.Teams, want.Teams) || !slices.Equal(d.Routes, want.Routes) {
			t.Errorf("concurrent Match = %+v, want %+v", d, want)
		}
	}
}

func TestIsOurs(t *testing.T) {
	r := Example()
	for handle, want := range map[string]bool{
		"@lumio":             true,
		"lumio":              true,
		"@LUMIO":             true,
		"lumio.bsky.social":  true,
		"@lumio.bsky.social": true,
		"lumio_fan":          false,
		"":                   false,
		"@":                  false,
	} {
		if got := r.IsOurs(handle); got != want {
			t.Errorf("IsOurs(%q) = %v, want %v", handle, got, want)
		}
	}
}
