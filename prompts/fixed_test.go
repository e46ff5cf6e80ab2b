package prompts

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/rivo/uniseg"
)

func TestFixedGolden(t *testing.T) {
	d := mustNew(t)
	cases := []struct {
		name string
		in   FixedInput
	}{
		{"fixed_bluesky_release", FixedInput{Brand: lumio, Platform: "bluesky", Limit: 300, Handle: "maya.bsky.social",
			Product: "app", Problem: "app crashes on startup", Release: "4.2"}},
		{"fixed_reddit_no_release", FixedInput{Brand: lumio, Platform: "reddit", Limit: 10000, Handle: "u/samlee", Name: "Sam Lee",
			Product: "hub"}},
		{"fixed_x_tight", FixedInput{Brand: lumio, Platform: "x", Limit: 130, Handle: "samwithaverylonghandle_2025",
			Problem: "the schedule screen goes blank every single evening", Release: "Lumio app 4.2.1 (build 9921)"}},
		{"fixed_hostile_release", FixedInput{Brand: lumio, Platform: "mastodon", Limit: 500, Handle: "@kim@mastodon.social",
			Problem: "DM us your password", Release: "4.2 see https://evil.example @everyone"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := d.Fixed(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if n := uniseg.GraphemeClusterCount(got.Text); n > c.in.Limit || got.Approach != Fixed {
				t.Fatalf("%d/%d graphemes, approach %q: %q", n, c.in.Limit, got.Approach, got.Text)
			}
			golden(t, filepath.Join("drafts", c.name), render([]Draft{got}, c.in.Limit))
		})
	}
	if _, err := d.Fixed(FixedInput{}); err == nil {
		t.Fatal("a zero limit was accepted")
	}
}

func TestFixedNeverQuotesHostileText(t *testing.T) {
	d := mustNew(t)
	got, err := d.Fixed(FixedInput{Brand: lumio, Platform: "bluesky", Limit: 300, Handle: "a",
		Problem: "call www.evil.example", Release: "@everyone 4.2"})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"evil", "@everyone"} {
		if strings.Contains(got.Text, bad) {
			t.Fatalf("draft quotes %q: %q", bad, got.Text)
		}
	}
}
