package llm

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"

	"github.com/earshothq/earshot/internal/textfold"
)

var (
	// "RT @someone:" (one or several) in front of a repost.
	repost = regexp.MustCompile(`(?i)^(?:\s*rt\s+@[^\s:]+:?\s*)+`)
	// Links and handles differ between copies of one post (shorteners,
	// who is tagged) without changing what needs answering.
	linkOrHandle = regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*://\S*|\bwww\.\S+|(?:^|\s)@\S+`)
)

// normalise is the text of a post as far as drafting cares: lower case,
// without repost markers, links and handles, whitespace collapsed. A storm
// of reposts and copies normalises to one string.
func normalise(s string) string {
	s = repost.ReplaceAllString(s, "")
	s = linkOrHandle.ReplaceAllString(s, " ")
	return strings.Join(strings.Fields(strings.Map(textfold.Rune, s)), " ")
}

// keyParts is what decides a model's answer. Anything that differs between
// the cases a cached answer serves (the customer's handle, who reposted)
// is left out, and the drafter keeps it out of the prompt too.
type keyParts struct {
	system      string // the system prompt: brand voice and rules
	model       string
	platform    string
	limit       int // the model's limit, after the handle's reserve
	intent      string
	faq         string
	name        string // display name, on platforms that greet by name
	instruction string
	turns       []string // role and normalised text
}

func (p keyParts) key() string {
	h := sha256.New()
	for _, s := range append([]string{p.system, p.model, p.platform, strconv.Itoa(p.limit), p.intent, p.faq, p.name,
		normalise(p.instruction)}, p.turns...) {
		// Length-prefixed, so no two different part lists hash alike.
		h.Write([]byte(strconv.Itoa(len(s)) + ":" + s))
	}
	return hex.EncodeToString(h.Sum(nil))
}
