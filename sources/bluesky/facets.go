package bluesky

import (
	"context"
	"regexp"
	"slices"
	"strings"
)

// Links and mentions in our replies become facets, so they are clickable
// and the person named is notified. A mention is @ and a handle (a domain
// name) after a space or at the start; a link is an http(s) URL up to the
// next space, without trailing punctuation.
var (
	linkRE    = regexp.MustCompile(`https?://[^\s<>"]+`)
	mentionRE = regexp.MustCompile(`(^|[\s(])(@([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z][a-zA-Z0-9-]{0,61}[a-zA-Z0-9])`)
)

// replyFacet is a facet as written in a record.
type replyFacet struct {
	Index    byteSlice `json:"index"`
	Features []feature `json:"features"`
}

// buildFacets finds the links and mentions in text. Offsets are UTF-8
// bytes, as the lexicon wants. resolve turns a handle into a DID; a handle
// it cannot resolve stays plain text.
func buildFacets(ctx context.Context, text string, resolve func(ctx context.Context, handle string) (string, error)) []replyFacet {
	var out []replyFacet
	for _, m := range linkRE.FindAllStringIndex(text, -1) {
		start, end := m[0], m[1]
		end = start + len(strings.TrimRight(text[start:end], ".,;:!?)]}'"))
		if end-start <= len("https://") {
			continue
		}
		out = append(out, replyFacet{Index: byteSlice{start, end}, Features: []feature{{Type: featureLink, URI: text[start:end]}}})
	}
	for _, m := range mentionRE.FindAllStringSubmatchIndex(text, -1) {
		start, end := m[4], m[5]
		if overlaps(out, start, end) {
			continue // part of a link (https://x.com/@someone)
		}
		handle := strings.ToLower(text[start+1 : end])
		did, err := resolve(ctx, handle)
		if err != nil || did == "" {
			continue
		}
		out = append(out, replyFacet{Index: byteSlice{start, end}, Features: []feature{{Type: featureMention, Did: did}}})
	}
	slices.SortFunc(out, func(a, b replyFacet) int { return a.Index.ByteStart - b.Index.ByteStart })
	return out
}

func overlaps(fs []replyFacet, start, end int) bool {
	for _, f := range fs {
		if start < f.Index.ByteEnd && f.Index.ByteStart < end {
			return true
		}
	}
	return false
}
