package routing

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Delight is a team's optional gesture after a good outcome: once a reply
// or a resolution is done, one more suggestion is offered holding a coupon
// code from a pool in the store and/or a link. It is a suggestion like any
// other: nothing goes out without a person's click.
type Delight struct {
	// After lists the actions that offer it: reply, resolve.
	After []string `json:"after"`
	// CouponPool names the store's pool a code is taken from (loaded with
	// `earshot coupons add`); empty for a gesture without a code.
	CouponPool string `json:"coupon_pool,omitempty"`
	// Link is an https page the gesture points to.
	Link string `json:"link,omitempty"`
	// Text is the gesture with {code} and {link} filled in.
	Text string `json:"text"`
}

// DelightAfter lists the actions a delight may follow.
func DelightAfter() []string { return []string{"reply", "resolve"} }

// Offers reports whether the gesture follows action.
func (d *Delight) Offers(action string) bool { return d != nil && slices.Contains(d.After, action) }

// Render is the gesture's text for a code ("" when there is no pool).
func (d *Delight) Render(code string) string {
	return strings.NewReplacer("{code}", code, "{link}", d.Link).Replace(d.Text)
}

var (
	poolName    = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	placeholder = regexp.MustCompile(`\{[^{}]*\}`)
)

// ValidPoolName reports whether s can name a coupon pool: lower-case
// letters, digits, '.', '-' and '_', starting with a letter or digit.
func ValidPoolName(s string) bool { return poolName.MatchString(s) }

// maxDelightText keeps a gesture within every platform's reply limit once
// the code and link are in (X allows 280).
const maxDelightText = 280

// delight reads a team's delight section.
func (p *parser) delight(n *yaml.Node, ctx string) *Delight {
	ctx += ": delight"
	if isNull(n) || !p.want(n, yaml.MappingNode, ctx, "definition") {
		return nil
	}
	d := &Delight{}
	afterSet, textLine := false, n.Line
	p.fields(n, ctx, func(k, v *yaml.Node) bool {
		switch k.Value {
		case "after":
			d.After, afterSet = p.oneOf(v, ctx, k.Value, DelightAfter()), true
		case "coupon_pool":
			d.CouponPool = p.str(v, ctx, k.Value)
			if d.CouponPool != "" && !ValidPoolName(d.CouponPool) {
				p.add(v.Line, ctx, "coupon_pool: %q is not a pool name (want lower-case letters, digits, '.', '-' and '_', like sorry-10)", d.CouponPool)
			}
		case "link":
			d.Link = p.str(v, ctx, k.Value)
			if d.Link != "" && !httpsURL(d.Link) {
				p.add(v.Line, ctx, "link: %q is not an https URL", d.Link)
			}
		case "text":
			d.Text, textLine = p.str(v, ctx, k.Value), v.Line
			for _, ph := range placeholder.FindAllString(d.Text, -1) {
				if ph != "{code}" && ph != "{link}" {
					p.add(v.Line, ctx, "text: unknown placeholder %s (want {code} or {link})", ph)
				}
			}
		default:
			return false
		}
		return true
	})
	switch {
	case d.CouponPool == "" && d.Link == "":
		p.add(n.Line, ctx, "a gesture needs a coupon_pool, a link or both")
	case d.Text == "" && d.CouponPool != "":
		d.Text = "As a thank-you for your patience, here's a code for your next order: {code}"
		if d.Link != "" {
			d.Text += " ({link})"
		}
	case d.Text == "":
		d.Text = "As a thank-you for your patience: {link}"
	}
	if d.CouponPool != "" && !strings.Contains(d.Text, "{code}") {
		p.add(textLine, ctx, "text: the gesture takes a code from coupon_pool %q but its text has no {code}", d.CouponPool)
	}
	if d.Link != "" && !strings.Contains(d.Text, "{link}") && !strings.Contains(d.Text, d.Link) {
		d.Text += " {link}"
	}
	if chars := utf8.RuneCountInString(d.Render(strings.Repeat("X", 16))); chars > maxDelightText {
		p.add(textLine, ctx, "text: %d characters with a 16-character code and the link; keep it to %d so it fits every platform", chars, maxDelightText)
	}
	if !afterSet {
		d.After = DelightAfter()
	} else if len(d.After) == 0 {
		p.add(n.Line, ctx, "after: empty; want reply, resolve or both")
	}
	return d
}
