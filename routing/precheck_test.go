package routing

import (
	"testing"
)

func TestMayMatch(t *testing.T) {
	ex := Example()
	gatedByQuery, err := Parse("q.yaml", []byte(`
teams: {care: {}}
route:
  name: root
  query: '(acme OR "acme app") -hiring'
  team: care
`))
	if err != nil {
		t.Fatal(err)
	}
	ungated, err := Parse("u.yaml", []byte(`
teams: {care: {}, safety: {}}
route:
  name: root
  team: care
  routes:
    - {name: safety, intent: [safety], team: safety}
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		rules *Rules
		in    Input
		want  bool
	}{
		{"brand word", ex, Input{Text: "my Lumio lamp is smoking"}, true},
		{"brand handle", ex, Input{Text: "hey @lumio, refund please"}, true},
		{"no brand word", ex, Input{Text: "What a beautiful sunset over the lake tonight"}, false},
		{"brand as part of another word", ex, Input{Text: "illumionation festival"}, false},
		{"empty post", ex, Input{}, false},
		{"brand domain in the post's address", ex, Input{Text: "look at this", URL: "https://lumio.example/blog/launch"}, true},
		{"query term", gatedByQuery, Input{Text: "the ACME app again"}, true},
		{"query without its term", gatedByQuery, Input{Text: "hiring now"}, false},
		{"root on labels alone", ungated, Input{Text: "anything at all"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.rules.MayMatch(tc.in); got != tc.want {
				t.Errorf("MayMatch(%q) = %v; want %v", tc.in.Text, got, tc.want)
			}
			// Never false where Match would route: the pre-check only skips.
			if d := tc.rules.Match(tc.in); len(d.Teams) > 0 && !tc.rules.MayMatch(tc.in) {
				t.Errorf("MayMatch false but Match routes to %v", d.Teams)
			}
		})
	}
	var nilRules *Rules
	if nilRules.MayMatch(Input{Text: "lumio"}) {
		t.Error("nil rules may match")
	}
}

func FuzzMayMatch(f *testing.F) {
	for _, s := range []string{
		"@lumio I was charged twice for Lumio+ this month",
		"What a beautiful sunset over the lake tonight",
		"LUMIO-APP", "#lumio", "lumio.example/x", "ｌｕｍｉｏ", "illumio",
	} {
		f.Add(s, "")
	}
	f.Add("look", "https://lumio.example/a")
	ex := Example()
	f.Fuzz(func(t *testing.T, text, url string) {
		for _, intent := range []string{"", "safety", "complaint"} {
			in := Input{Text: text, URL: url, Intent: intent, Platform: "bluesky"}
			if d := ex.Match(in); (len(d.Teams) > 0 || len(d.Routes) > 0) && !ex.MayMatch(in) {
				t.Fatalf("MayMatch(%q, %q) false but Match decided %+v", text, url, d)
			}
		}
	})
}
