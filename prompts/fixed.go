package prompts

import (
	"fmt"
	"unicode/utf8"
)

// Fixed is the approach of the follow-up drafted when a defect is fixed.
const Fixed = "fixed"

// maxRelease caps the release name a draft repeats ("4.2", "Lumio app 4.2.1").
const maxRelease = 40

// FixedInput is what the follow-up to a fixed defect needs.
type FixedInput struct {
	Brand    Brand
	Platform string
	// Limit is the longest draft in grapheme clusters; it must be positive.
	Limit        int
	Handle, Name string // the customer's
	// Product and Problem are the case's labels; Problem is the customer's
	// words and is only echoed when quotable.
	Product, Problem string
	// Release names the release with the fix ("4.2"); empty when the issue
	// was closed without one.
	Release string
}

// Fixed drafts the follow-up that tells a customer their problem is fixed,
// in the brand's voice and within the platform's limit. A release name that
// could not go out under the brand's name (a link, a handle, too long) is
// left out rather than quoted.
func (d *Drafter) Fixed(in FixedInput) (Draft, error) {
	if in.Limit <= 0 {
		return Draft{}, fmt.Errorf("draft follow-up: limit %d is not positive", in.Limit)
	}
	v := newView(DraftInput{Brand: in.Brand, Platform: in.Platform, Product: in.Product, Problem: in.Problem}, "bug")
	rel := quotable(in.Release)
	if utf8.RuneCountInString(rel) > maxRelease {
		rel = ""
	}
	fv := fixedView{view: v, Release: rel}
	segs, err := d.fixedSegments(fv)
	if err != nil {
		return Draft{}, err
	}
	greeting, sep := greet(DraftInput{Platform: in.Platform, Handle: in.Handle, Name: in.Name})
	p := parts{greeting: greeting, sep: sep, body: segs, signoff: clean(in.Brand.SignOff)}
	text, ok := p.fit(in.Limit)
	// Too long: the customer's words go first, then the release name; the
	// news and the thanks are what must fit.
	for _, shorter := range []func(){
		func() { fv.Problem, fv.Thing, fv.Product = "", "", "" },
		func() { fv.Release = "" },
	} {
		if ok {
			break
		}
		shorter()
		if p.body, err = d.fixedSegments(fv); err != nil {
			return Draft{}, err
		}
		text, ok = p.fit(in.Limit)
	}
	if !ok {
		text = truncate(text, in.Limit)
	}
	return Draft{Text: text, Approach: Fixed}, nil
}

// fixedView is what the "fixed" template sees.
type fixedView struct {
	view
	Release string
}

func (d *Drafter) fixedSegments(v fixedView) ([]segment, error) {
	return d.segments("fixed", v)
}
