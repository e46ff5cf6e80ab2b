package classify

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDone(t *testing.T) {
	c := New()
	for _, tc := range []struct {
		text   string
		phrase string // "" means not done
	}{
		// The brief's examples, and their neighbours.
		{"thanks, that fixed it", "thanks, that fixed it"},
		{"all good now, cheers", "cheers, all good now"},
		{"perfect, thank you!", "perfect, thank you"},
		{"merci, c'est réglé", "merci, c'est regle"},
		{"danke, passt", "danke, passt"},
		{"@acme Thanks, that fixed it 🙏", "thanks, that fixed it"},
		{"That did the trick. Thank you so much!", "thank you, that did the trick"},
		{"It works now, thanks a lot guys", "thanks, it works now"},
		{"thanks Sam, that fixed it", "thanks, that fixed it"},
		{"yes that fixed it", "that fixed it"},
		{"Problem solved 👍", "problem solved"},
		{"all sorted, cheers!", "cheers, all sorted"},
		{"Thank you, you’re the best", "you're the best, thank you"},
		{"THANK YOU, IT'S WORKING NOW", "thank you, it's working now"},
		{"thanks, i got it working", "thanks, got it working"},
		{"Parcel arrived today, thanks!", "thanks, arrived"},
		{"Merci beaucoup, ça marche maintenant !", "merci beaucoup, ca marche maintenant"},
		{"merci encore, tout est bon", "merci encore, tout est bon"},
		{"Vielen Dank, funktioniert wieder", "vielen dank, funktioniert wieder"},
		{"Danke schön, hat geklappt", "danke schon, hat geklappt"},
		{"¡Muchas gracias, ya funciona!", "muchas gracias, ya funciona"},
		{"grazie mille, risolto", "grazie mille, risolto"},
		{"valeu, deu certo", "valeu, deu certo"},
		{"perfekt, danke!", "perfekt, danke"},

		// Thanks that do not end anything, or in doubt.
		{"thanks for nothing", ""},
		{"thanks but it's still broken", ""},
		{"thanks, that fixed it but now the app crashes", ""},
		{"thanks, did that fix it?", ""},
		{"that fixed it?", ""},
		{"thanks", ""},
		{"thank you!", ""},
		{"ok thanks", ""},
		{"thanks, I'll try that tomorrow", ""},
		{"great, thanks a lot", ""},
		{"great, thanks a lot 🙄", ""},
		{"perfect, thank you 🙄", ""},
		{"it worked for a day, then broke again", ""},
		{"it's fixed, not", ""},
		{"still not working, thanks", ""},
		{"not fixed. thanks anyway", ""},
		{"fixed it myself, no thanks to you", ""},
		{"thanks for the update, when will the refund arrive", ""},
		{"your app is broken again", ""},
		{"great, now it's broken", ""},
		{"thanks, I think that fixed it", ""},
		{"seems fixed, thanks", ""},
		{"merci mais ça ne marche toujours pas", ""},
		{"merci, ça marche pas", ""},
		{"danke, aber es geht immer noch nicht", ""},
		{"danke, funktioniert nicht", ""},
		{"gracias pero sigue sin funcionar", ""},
		{"grazie ma non funziona", ""},
		{"perfect timing, my order is lost", ""},
		{"thanks, that fixed it. By the way, I also wanted to ask about the warranty on the other lamp I bought last year from your shop downtown", ""},
		{"", ""},
		{"🙏", ""},
		{"@acme", ""},
	} {
		t.Run(tc.text, func(t *testing.T) {
			got, ok := c.Done(tc.text)
			if ok != (tc.phrase != "") || got != tc.phrase {
				t.Errorf("Done(%q) = %q, %v; want %q", tc.text, got, ok, tc.phrase)
			}
		})
	}
}

func TestClassifyDoneOnlyOnReplies(t *testing.T) {
	c := New()
	if r := c.Classify(Input{Text: "thanks, that fixed it", IsReply: true}); r.Done == "" {
		t.Errorf("reply: Done = %q; want the phrase", r.Done)
	}
	if r := c.Classify(Input{Text: "thanks, that fixed it"}); r.Done != "" {
		t.Errorf("new post: Done = %q; want none (only a reply ends a conversation)", r.Done)
	}
}

func TestClosingWords(t *testing.T) {
	got := strings.Join(closingWords("@acme Ça MARCHE’ — c'est réglé!! https://x.example/a?b /s"), "|")
	if want := "ca|marche|c'est|regle|/s"; got != want {
		t.Errorf("closingWords = %q; want %q", got, want)
	}
}

// tablePhrases is every phrase the table can report.
func tablePhrases() map[string]bool {
	out := map[string]bool{}
	for _, t := range closingTable {
		for _, list := range [][]string{t.thanks, t.solved, t.approval} {
			for _, p := range list {
				out[strings.Join(closingWords(p), " ")] = true
			}
		}
	}
	return out
}

func FuzzDone(f *testing.F) {
	for _, s := range []string{
		"thanks, that fixed it", "all good now, cheers", "perfect, thank you!", "merci, c'est réglé", "danke, passt",
		"thanks for nothing", "thanks but it's still broken", "@acme Thanks, that fixed it 🙏 https://t.co/x",
		"¡Muchas gracias, ya funciona!", "it ' ' works ’’ now", "\u0301thanks", "ǅ fixed it",
	} {
		f.Add(s)
	}
	c := New()
	phrases := tablePhrases()
	f.Fuzz(func(t *testing.T, text string) {
		got, ok := c.Done(text)
		if ok != (got != "") {
			t.Fatalf("Done(%q) = %q, %v", text, got, ok)
		}
		if !ok {
			return
		}
		if strings.ContainsAny(text, "?¿？") {
			t.Errorf("Done(%q): a question read as done", text)
		}
		// What Done reports comes from the table, never from the post.
		for _, p := range strings.Split(got, ", ") {
			if !phrases[p] {
				t.Errorf("Done(%q) = %q: %q is not a phrase of the table", text, got, p)
			}
		}
		if !utf8.ValidString(got) {
			t.Errorf("Done(%q) = %q: invalid UTF-8", text, got)
		}
	})
}
