package routing

import (
	"slices"
	"testing"
)

func TestDelightParses(t *testing.T) {
	r, err := Parse("r.yaml", []byte(`
teams:
  care:
    delight:
      after: [reply, resolve]
      coupon_pool: sorry-10
      link: https://lumio.example/thanks
      text: "As a thank-you for your patience, here's 10% off your next order: {code}"
  billing:
    delight: {link: https://lumio.example/thanks}
  plain: {}
route: {name: brand, any: [lumio], team: care}
reactions:
  no_entry_sign: dismiss
  wastebasket: dismiss:spam
  leftwards_arrow_with_hook: reopen
`))
	if err != nil {
		t.Fatal(err)
	}
	care, _ := r.Team("care")
	d := care.Delight
	if d == nil || !d.Offers("reply") || !d.Offers("resolve") || d.Offers("dismiss") || d.CouponPool != "sorry-10" {
		t.Fatalf("care delight %+v", d)
	}
	if got := d.Render("AB12"); got != "As a thank-you for your patience, here's 10% off your next order: AB12 https://lumio.example/thanks" {
		t.Fatalf("rendered %q (the link is added when the text does not place it)", got)
	}
	billing, _ := r.Team("billing")
	if b := billing.Delight; b == nil || b.Render("") != "As a thank-you for your patience: https://lumio.example/thanks" || !slices.Equal(b.After, []string{"reply", "resolve"}) {
		t.Fatalf("billing delight %+v", b)
	}
	if plain, _ := r.Team("plain"); plain.Delight != nil {
		t.Fatal("a team without delight got one")
	}
	// Team returns a copy.
	care.Delight.After[0] = "escalate"
	if again, _ := r.Team("care"); again.Delight.After[0] != "reply" {
		t.Fatal("Team returned the rules' own delight")
	}
	if got := r.Reactions["wastebasket"]; got != (Reaction{Action: "dismiss", Reason: "spam"}) || got.String() != "dismiss:spam" {
		t.Fatalf("dismiss:spam reaction = %+v (%s)", got, got)
	}
	if got := r.Reactions["leftwards_arrow_with_hook"]; got.Action != "reopen" {
		t.Fatalf("reopen reaction = %+v", got)
	}
}

func TestTermSet(t *testing.T) {
	ts, err := CompileTerms([]string{"giveaway", "promo code*", "free lamp", "giveaway", "spam.example"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want []int
	}{
		{"Lumio GIVEAWAY!!", []int{0, 3}},
		{"lumio giveaways", nil},
		{"use PROMO codes", []int{1}},
		{"a free   lamp", []int{2}},
		{"see https://www.spam.example/x", []int{4}},
		{"nothing here", nil},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if got := ts.Match(tt.text); !slices.Equal(got, tt.want) {
				t.Fatalf("Match(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
	if _, err := CompileTerms([]string{"ok", "a*b"}); err == nil {
		t.Fatal("a * inside a word compiled")
	}
	if err := ValidTerm("  "); err == nil {
		t.Fatal("a blank term is valid")
	}
	var none *TermSet
	if none.Match("x") != nil {
		t.Fatal("nil set matched")
	}
}
