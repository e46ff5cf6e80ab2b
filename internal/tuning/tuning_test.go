package tuning

import (
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/routing"
)

func digests() []bot.CaseDigest {
	var ds []bot.CaseDigest
	add := func(n int, d bot.CaseDigest) {
		for range n {
			d.ID = int64(len(ds) + 1)
			ds = append(ds, d)
		}
	}
	add(4, bot.CaseDigest{Team: "care", Rules: []string{"brand"}, Author: "DealsBot", Dismissed: "spam",
		Text: "WIN a free Lumio lamp!! #giveaway retweet to enter https://spam.example/x?ref=lumio"})
	add(1, bot.CaseDigest{Team: "care", Rules: []string{"brand"}, Author: "promo_x", Dismissed: bot.DismissedMuted,
		Text: "lumio #giveaway retweet now"})
	add(2, bot.CaseDigest{Team: "care", Rules: []string{"brand", "travel"}, Author: "traveller", Dismissed: "not_about_us",
		Text: "Lovely week at the Lumio Beach Resort"})
	add(1, bot.CaseDigest{Team: "billing", Rules: []string{"brand", "billing"}, Author: "kev", Dismissed: "duplicate",
		Text: "@lumio charged twice"})
	add(6, bot.CaseDigest{Team: "care", Rules: []string{"brand"}, Author: "maya", Text: "my lumio lamp flickers, is free shipping on the replacement?"})
	add(3, bot.CaseDigest{Team: "billing", Rules: []string{"brand", "billing"}, Author: "sam", Text: "@lumio refund please, charged twice"})
	return ds
}

func TestBuild(t *testing.T) {
	since := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	r := Build(digests(), since, Options{Ignore: []string{"Lumio", "@lumio"}})
	if r.Cases != 17 || r.Dismissed != 8 {
		t.Fatalf("cases %d dismissed %d", r.Cases, r.Dismissed)
	}
	if r.ByReason["spam"] != 4 || r.ByReason["not_about_us"] != 2 || r.ByReason["duplicate"] != 1 || r.ByReason["muted"] != 1 {
		t.Fatalf("by reason %v", r.ByReason)
	}
	first := r.Routes[0]
	if first.Team != "care" || first.Route != "brand" || first.Cases != 11 || first.Dismissed != 5 || first.ByReason["spam"] != 4 {
		t.Fatalf("top route %+v", first)
	}
	suggested := func(cs []Candidate) []string {
		var out []string
		for _, c := range cs {
			if c.Suggested {
				out = append(out, c.Value)
			}
		}
		return out
	}
	if got := suggested(r.Authors); len(got) != 2 || got[0] != "dealsbot" || got[1] != "traveller" {
		t.Fatalf("authors suggested %v, want dealsbot and traveller (promo_x has one case)", got)
	}
	// One word per group of noise: retweet, win and resort come with
	// #giveaway and beach and keep out nothing more.
	if terms := suggested(r.Terms); len(terms) != 2 || terms[0] != "#giveaway" || terms[1] != "beach" {
		t.Errorf("terms suggested %v, want #giveaway and beach", terms)
	}
	for _, c := range r.Terms {
		if c.Value == "lumio" || strings.Contains(c.Value, "http") || strings.Contains(c.Value, "spam.example") {
			t.Errorf("listed %q: the brand or a link", c.Value)
		}
	}
	for _, c := range r.Terms {
		if c.Value == "free" && (c.Suggested || c.Cases != 10) {
			t.Errorf("free: %+v", c)
		}
	}
	if !strings.Contains(r.Exclude, `authors: ["dealsbot", "traveller"]`) || !strings.Contains(r.Exclude, `"#giveaway"`) {
		t.Fatalf("exclude:\n%s", r.Exclude)
	}
	// The suggestion is a valid rules-file section.
	yaml := "teams: {care: {}}\nroute: {name: brand, any: [lumio], team: care}\n" + r.Exclude
	if _, err := routing.Parse("suggested.yaml", []byte(yaml)); err != nil {
		t.Fatalf("suggested exclude does not load: %v\n%s", err, yaml)
	}
	text := Text(r)
	for _, want := range []string{"17 cases, 8 dismissed (spam 4, not about us 2, duplicate 1, muted 1)", "care/brand", "* dealsbot", "Suggested for the rules file"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
}

func TestBuildNothingDismissed(t *testing.T) {
	r := Build([]bot.CaseDigest{{ID: 1, Team: "care", Text: "lumio lamp", Author: "maya"}}, time.Now(), Options{})
	if r.Dismissed != 0 || len(r.Authors) != 0 || len(r.Terms) != 0 || r.Exclude != "" {
		t.Fatalf("report %+v", r)
	}
	if !strings.Contains(Text(r), "No exclusion to suggest") {
		t.Fatal(Text(r))
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"", now.AddDate(0, 0, -7), true},
		{"24h", now.Add(-24 * time.Hour), true},
		{"30d", now.AddDate(0, 0, -30), true},
		{"forever", time.Time{}, false},
		{"lots", time.Time{}, false},
	} {
		got, err := ParseSince(tt.in, now)
		if (err == nil) != tt.ok || !got.Equal(tt.want) {
			t.Errorf("ParseSince(%q) = %v, %v", tt.in, got, err)
		}
	}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
