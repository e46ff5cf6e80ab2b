package textfold

import "testing"

func TestRune(t *testing.T) {
	tests := []struct{ a, b rune }{
		{'A', 'a'}, {'z', 'z'}, {'K', '\u212A'}, {'Σ', 'ς'}, {'σ', 'ς'}, {'Ü', 'ü'}, {'ẞ', 'ß'}, {'1', '1'},
	}
	for _, tt := range tests {
		if Rune(tt.a) != Rune(tt.b) {
			t.Errorf("Rune(%q)=%q, Rune(%q)=%q: want equal", tt.a, Rune(tt.a), tt.b, Rune(tt.b))
		}
	}
	if Rune('a') == Rune('b') || Rune('ß') == Rune('s') {
		t.Error("distinct letters folded together")
	}
}

func FuzzRune(f *testing.F) {
	for _, r := range "AzKΣςÜẞ1ǅ" {
		f.Add(r)
	}
	f.Fuzz(func(t *testing.T, r rune) {
		if Rune(Rune(r)) != Rune(r) {
			t.Fatalf("folding %q is not idempotent", r)
		}
	})
}
