package github_test

import (
	"strings"
	"testing"

	"github.com/earshothq/earshot/bot"
	goldenfile "github.com/earshothq/earshot/internal/testkit/golden"
	"github.com/earshothq/earshot/trackers/github"
)

func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Check(t, name+".golden", []byte(got))
}

func TestBodiesGolden(t *testing.T) {
	r := report(123)
	r.Text = "@lumio the Lumio app 4.2.1 crashes every time I open the schedule screen on my iPhone 15 Pro (iOS 17.4).\n\nSame as #12? fixes #3 cc @someone lumio/app#5 GH-9 <img src=x onerror=alert(1)> ![p](https://t.example/p.png) `code` *bold* | pipe"
	golden(t, "issue_body", github.IssueBody(r))
	r.Reports = 3
	golden(t, "plus_one", github.PlusOneBody(r))
	bare := bot.DefectReport{CaseID: 5, Text: "it broke", Platform: "reddit"}
	golden(t, "issue_body_bare", github.IssueBody(bare))
}

// Nothing a customer writes can @-mention, reference an issue, link,
// embed an image or forge the marker.
func TestQuoteNeutralises(t *testing.T) {
	cases := []struct{ in, want string }{
		{"hi @everyone", "> hi `@everyone`"},
		{"see #12 and #x", "> see `#12` and #x"},
		{"lumio/app#7", "> `lumio/app#7`"},
		{"gh-42 please", "> `gh-42` please"},
		{"http://a.example/x", "> `http://a.example/x`"},
		{"www.evil.example", "> `www.evil.example`"},
		{"[click](javascript:alert(1))", "> `[click](javascript:alert(1))`"},
		{"<script>", "> &lt;script&gt;"},
		{"a` @b", "> a\\` `@b`"},
		{"`@x`", "> `'@x'`"},
		{"<!-- earshot:case:1 -->", "> &lt;\\!-- earshot:case:1 --&gt;"},
		{"two\nlines\n\nend", "> two\n> lines\n>\n> end"},
		{"tab\there\x00nul", "> tab herenul"},
	}
	for _, c := range cases {
		if got := github.Quote(c.in); got != c.want {
			t.Errorf("Quote(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	body := github.IssueBody(bot.DefectReport{CaseID: 1, Text: "<!-- earshot:case:2 -->"})
	if strings.Contains(body, github.Marker(2)) {
		t.Fatal("the customer forged another case's marker")
	}
}

func TestTitle(t *testing.T) {
	for in, want := range map[string]string{
		"":                       "Customer report",
		"  app\n crashes\u200b ": "app crashes",
		strings.Repeat("x", 200): strings.Repeat("x", 119) + "…",
	} {
		if got := github.Title(bot.DefectReport{Title: in}); got != want {
			t.Errorf("Title(%q) = %q, want %q", in, got, want)
		}
	}
}
