package prompts

import (
	"errors"
	"fmt"
	"strings"

	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The fence around untrusted text in LLM prompts. Neither marker can occur
// inside the fence: runs of three or more angle brackets in customer text
// are replaced (after compatibility normalisation, so look-alike brackets
// count), and every line of it is prefixed with "| ".
const (
	FenceOpen  = "<<<UNTRUSTED"
	FenceClose = "UNTRUSTED>>>"
)

// Turn is one post of a conversation, oldest first.
type Turn struct {
	Author string // handle or name as the platform shows it; may be empty
	Text   string
	Ours   bool // written by the brand's account
	// Other marks a post by someone in the thread who is neither us nor the
	// customer we answer.
	Other bool
}

// Labels are the classification of the case being answered.
type Labels struct {
	Sentiment, Intent, Urgency string
	Product                    string
	// Problem is a phrase from the customer's words, so it is fenced with them.
	Problem string
}

// PromptInput is what an LLM needs to draft replies for one case.
type PromptInput struct {
	Platform string
	Limit    int // longest reply, in characters
	// Handle is written outside the fence, so only handle characters
	// survive; Name, free text, goes inside it.
	Handle, Name string
	// Labels: Intent, Sentiment and Urgency outside the known vocabulary are
	// left out; Product should be one of the brand's product terms.
	Labels       Labels
	Conversation []Turn
	// HandleAdded: the drafter puts the customer's @handle in front of each
	// reply itself, so the model must not write it (Handle is then not
	// shown, and Limit is what remains for the text).
	HandleAdded bool
	// FAQ is the team's canned answer to this question (the rules file's
	// FAQ entry that matched), given to the model as approved facts.
	FAQ string
	// Instruction is a team member's request for this version ("shorter",
	// "offer a refund"): a person on our side, so it stands outside the
	// fence, but it is still cleaned to one short line.
	Instruction string
}

// MaxInstruction caps a regenerate instruction, in characters.
const MaxInstruction = 300

// SystemPrompt renders the care principles and the brand's voice, and
// explains the fence and the JSON answer expected.
func (d *Drafter) SystemPrompt(b Brand) (string, error) {
	v := struct {
		Brand
		Open, Close string
	}{cleanBrand(b), FenceOpen, FenceClose}
	var out strings.Builder
	if err := d.t.ExecuteTemplate(&out, "system", v); err != nil {
		return "", fmt.Errorf("render system prompt: %w", err)
	}
	return out.String(), nil
}

type promptTurn struct {
	N           int
	Author      string
	Ours, Other bool
	Lines       []string
}

// UserPrompt renders one drafting request: the platform's limit, the labels,
// and the conversation fenced as untrusted input.
func (d *Drafter) UserPrompt(in PromptInput) (string, error) {
	if in.Limit <= 0 {
		return "", fmt.Errorf("render user prompt: limit %d is not positive", in.Limit)
	}
	if len(in.Conversation) == 0 {
		return "", errors.New("render user prompt: no conversation to answer")
	}
	v := struct {
		Platform, Handle, Name     string
		Limit                      int
		HandleAdded                bool
		Intent, Sentiment, Urgency string
		Product, Problem           string
		Safety, FollowUp           bool
		FAQ, Instruction           string
		Open, Close                string
		Turns                      []promptTurn
	}{
		Platform:  handleChars(strings.ToLower(in.Platform)),
		Limit:     in.Limit,
		Intent:    oneOf(in.Labels.Intent, append(intents(), "spam")...),
		Sentiment: oneOf(in.Labels.Sentiment, "positive", "neutral", "negative"),
		Urgency:   oneOf(in.Labels.Urgency, "low", "normal", "high", "critical"),
		Product:   untrustedLine(in.Labels.Product),
		Problem:   untrustedLine(in.Labels.Problem),
		// Both are ours, not the public's, yet a marker in them would still
		// break the fence's promise: cleaned and defused like the rest.
		FAQ:         untrustedLine(in.FAQ),
		Instruction: untrustedLine(truncate(clean(in.Instruction), MaxInstruction)),
		HandleAdded: in.HandleAdded,
		Open:        FenceOpen,
		Close:       FenceClose,
	}
	v.Safety = strings.EqualFold(v.Intent, "safety")
	if usesHandles(in.Platform) && !in.HandleAdded {
		v.Handle = handleChars(cleanHandle(in.Handle))
	}
	v.Name = untrustedLine(in.Name)
	ours := false
	for i, t := range in.Conversation {
		if t.Ours {
			ours = true
		} else if ours && !t.Other {
			v.FollowUp = true
		}
		v.Turns = append(v.Turns, promptTurn{N: i + 1, Author: untrustedLine(t.Author), Ours: t.Ours, Other: t.Other && !t.Ours, Lines: untrustedLines(t.Text)})
	}
	var out strings.Builder
	if err := d.t.ExecuteTemplate(&out, "user", v); err != nil {
		return "", fmt.Errorf("render user prompt: %w", err)
	}
	return out.String(), nil
}

// handleChars keeps what platform handles are made of: the handle stands
// outside the fence (the model must write it), so it must not carry words.
func handleChars(h string) string {
	return strings.Map(func(r rune) rune {
		if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("_.-@", r)) {
			return r
		}
		return -1
	}, h)
}

// oneOf returns s, lower-cased, if it is one of the allowed labels, else "".
// Labels stand outside the fence, and an LLM classifier's output is not
// trusted: only the known vocabulary passes.
func oneOf(s string, allowed ...string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	return ""
}

// untrustedLines prepares public text for the fence: compatibility-normalised
// (so full-width brackets are brackets), fence markers defused, control
// characters gone, one entry per line. The template prefixes each line, so
// no line can pose as a header or a marker.
func untrustedLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var lines []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool {
		return r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' || r == '\v' || r == '\f' || r == '\u0085'
	}) {
		if l = untrustedLine(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		lines = []string{"(no text)"}
	}
	return lines
}

// untrustedLine cleans one line of public text and defuses fence markers.
func untrustedLine(s string) string {
	return defuse(clean(norm.NFKC.String(strings.ToValidUTF8(s, ""))))
}

// defuse replaces every run of three or more "<" or ">" with single
// guillemets, so no text can open or close the fence.
func defuse(s string) string {
	if !strings.Contains(s, "<<<") && !strings.Contains(s, ">>>") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c != '<' && c != '>' {
			b.WriteByte(c)
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] == c {
			j++
		}
		if j-i < 3 {
			b.WriteString(s[i:j])
		} else {
			sub := "‹"
			if c == '>' {
				sub = "›"
			}
			b.WriteString(strings.Repeat(sub, j-i))
		}
		i = j
	}
	return b.String()
}
