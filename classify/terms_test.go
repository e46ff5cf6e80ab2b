package classify

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestKeyTerms(t *testing.T) {
	drop := []string{"Lumio", "Lumio app", "lamp"}
	cases := []struct {
		name, text string
		max        int
		want       []string
	}{
		{"symptoms first", "@lumio the Lumio app crashes every time I open the schedule screen https://x.example/p/1", 4,
			[]string{"schedule", "crashes", "screen", "open"}},
		{"no brand, stop words or feelings", "Ugh, the lamp keeps disconnecting from wifi again. Terrible!", 5,
			[]string{"disconnecting", "wifi"}},
		{"one per stem", "crash crashed crashing crashes", 5, []string{"crash"}},
		{"no numbers or versions", "since 4.2.1 the hub reboots 3 times a night", 5, []string{"reboots", "hub"}},
		{"hashtags and handles go", "#LumioFail @someone bluetooth pairing fails", 5, []string{"bluetooth", "pairing", "fails"}},
		{"max", "battery drain overheating flicker", 2, []string{"overheating", "battery"}},
		{"devices are details", "the sync fails on my iPhone 15 Pro, and on Android, third time this week", 5, []string{"sync", "fails"}},
		{"zero max", "battery", 0, nil},
		{"nothing", "love it!!", 3, []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := KeyTerms(c.text, drop, c.max)
			if len(got) == 0 && len(c.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("KeyTerms(%q) = %q, want %q", c.text, got, c.want)
			}
		})
	}
}

func TestStemAndOverlap(t *testing.T) {
	for in, want := range map[string]string{
		"crashes": "crash", "crashing": "crash", "crashed": "crash", "crash": "crash",
		"updates": "updat", "update": "updat", "glass": "glass", "fixes": "fix", "is": "is",
	} {
		if got := Stem(in); got != want {
			t.Errorf("Stem(%q) = %q, want %q", in, got, want)
		}
	}
	if n := Overlap([]string{"crashes", "schedule", "screen"}, []string{"crashing", "Schedules", "battery", "crash"}); n != 2 {
		t.Errorf("Overlap = %d, want 2", n)
	}
}

func FuzzKeyTerms(f *testing.F) {
	for _, s := range []string{
		"@lumio the Lumio app crashes every time I open the schedule screen https://x.example/p/1",
		"Ugh, the lamp keeps disconnecting from wifi again. Terrible!",
		"won't connect it's broken #fail",
		"\xff crash \u0301",
	} {
		f.Add(s, 4)
	}
	f.Fuzz(func(t *testing.T, text string, max int) {
		max %= 10
		got := KeyTerms(text, []string{"Lumio"}, max)
		if len(got) > max && max >= 0 {
			t.Fatalf("%d terms, max %d", len(got), max)
		}
		seen := map[string]bool{}
		for _, w := range got {
			if w == "" || !utf8.ValidString(w) || strings.ContainsAny(w, " \t\n\"") || w != strings.ToLower(w) || seen[Stem(w)] {
				t.Fatalf("KeyTerms(%q) = %q: bad term %q", text, got, w)
			}
			seen[Stem(w)] = true
		}
	})
}
