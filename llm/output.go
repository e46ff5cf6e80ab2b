package llm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/prompts"
	"github.com/earshothq/earshot/routing"
	"github.com/rivo/uniseg"
)

// The answer's schema, sent as response_format json_schema (strict) so
// servers that constrain decoding produce it, and checked here anyway,
// since many servers accept a schema without enforcing it.
var (
	sentiments = routing.Sentiments()
	intents    = routing.Intents()
	urgencies  = routing.Urgencies()
	approaches = []string{prompts.Concise, prompts.Warm, prompts.NextStep}
)

func enum(vs []string) string {
	b, _ := json.Marshal(vs)
	return string(b)
}

// Schema is the JSON Schema of the model's answer.
func Schema() json.RawMessage {
	return json.RawMessage(`{"type":"object","additionalProperties":false,"required":["labels","summary","replies"],"properties":{` +
		`"labels":{"type":"object","additionalProperties":false,"required":["sentiment","intent","urgency","product"],"properties":{` +
		`"sentiment":{"type":"string","enum":` + enum(sentiments) + `},` +
		`"intent":{"type":"string","enum":` + enum(intents) + `},` +
		`"urgency":{"type":"string","enum":` + enum(urgencies) + `},` +
		`"product":{"type":"string"}}},` +
		`"summary":{"type":"string"},` +
		`"replies":{"type":"array","minItems":3,"maxItems":3,"items":{"type":"object","additionalProperties":false,"required":["approach","text"],"properties":{` +
		`"approach":{"type":"string","enum":` + enum(approaches) + `},` +
		`"text":{"type":"string"}}}}}}`)
}

// Limits on what a model's answer may carry.
const (
	maxAnswerBytes = 64 << 10
	maxSummary     = 160 // graphemes
	maxProduct     = 80
)

// answer is a parsed, schema-valid model answer: what the cache keeps.
type answer struct {
	Labels  bot.Labels
	Summary string
	Replies []reply // in approach order
}

type reply struct {
	Approach, Text string
}

// OutputError says the model's answer was unusable as a whole: not JSON,
// or not the schema. Single drafts that fail their checks are dropped
// instead (see Dropped).
type OutputError struct{ Reason string }

func (e *OutputError) Error() string { return "invalid model output: " + e.Reason }

func outputErr(format string, args ...any) error {
	return &OutputError{Reason: fmt.Sprintf(format, args...)}
}

// parseAnswer reads a model's answer strictly: one JSON object, no unknown
// or missing fields, labels and approaches from the vocabulary, exactly
// three replies of three different approaches.
func parseAnswer(content string) (*answer, error) {
	if len(content) > maxAnswerBytes {
		return nil, outputErr("answer of %d bytes is too long", len(content))
	}
	s := strings.TrimSpace(content)
	// Models without constrained decoding like to wrap JSON in a code fence.
	if rest, ok := strings.CutPrefix(s, "```"); ok {
		rest = strings.TrimPrefix(rest, "json")
		if body, ok := strings.CutSuffix(strings.TrimSpace(rest), "```"); ok {
			s = strings.TrimSpace(body)
		}
	}
	if s == "" {
		return nil, outputErr("empty answer")
	}
	var raw struct {
		Labels *struct {
			Sentiment, Intent, Urgency, Product *string
		} `json:"labels"`
		Summary *string `json:"summary"`
		Replies *[]*struct {
			Approach *string `json:"approach"`
			Text     *string `json:"text"`
		} `json:"replies"`
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, outputErr("not the JSON asked for: %s", shorten(err.Error(), 120))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, outputErr("text after the JSON object")
	}
	switch {
	case raw.Labels == nil:
		return nil, outputErr("labels missing")
	case raw.Labels.Sentiment == nil, raw.Labels.Intent == nil, raw.Labels.Urgency == nil, raw.Labels.Product == nil:
		return nil, outputErr("labels need sentiment, intent, urgency and product")
	case raw.Summary == nil:
		return nil, outputErr("summary missing")
	case raw.Replies == nil:
		return nil, outputErr("replies missing")
	}
	a := &answer{Summary: shorten(oneLine(*raw.Summary), maxSummary)}
	l := raw.Labels
	for _, f := range []struct {
		name, v string
		allowed []string
	}{{"sentiment", *l.Sentiment, sentiments}, {"intent", *l.Intent, intents}, {"urgency", *l.Urgency, urgencies}} {
		if !slices.Contains(f.allowed, f.v) {
			return nil, outputErr("labels.%s %q is not one of %s", f.name, shorten(f.v, 40), strings.Join(f.allowed, ", "))
		}
	}
	a.Labels = bot.Labels{Sentiment: bot.Sentiment(*l.Sentiment), Intent: bot.Intent(*l.Intent), Urgency: bot.Urgency(*l.Urgency),
		Product: shorten(oneLine(*l.Product), maxProduct)}
	rs := *raw.Replies
	if len(rs) != len(approaches) {
		return nil, outputErr("%d replies, want %d", len(rs), len(approaches))
	}
	byApproach := map[string]string{}
	for i, r := range rs {
		if r == nil || r.Approach == nil || r.Text == nil {
			return nil, outputErr("reply %d needs approach and text", i+1)
		}
		if !slices.Contains(approaches, *r.Approach) {
			return nil, outputErr("reply %d: approach %q is not one of %s", i+1, shorten(*r.Approach, 40), strings.Join(approaches, ", "))
		}
		if _, dup := byApproach[*r.Approach]; dup {
			return nil, outputErr("two replies with approach %q", *r.Approach)
		}
		byApproach[*r.Approach] = *r.Text
	}
	for _, ap := range approaches {
		a.Replies = append(a.Replies, reply{Approach: ap, Text: byApproach[ap]})
	}
	return a, nil
}

// oneLine collapses whitespace and drops control and format characters.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) && r != '\u200d' {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, ""))), " ")
}

// shorten cuts s to at most n graphemes, ending with "…" when cut.
func shorten(s string, n int) string {
	if uniseg.GraphemeClusterCount(s) <= n {
		return s
	}
	g := uniseg.NewGraphemes(s)
	end := 0
	for i := 0; i < n-1 && g.Next(); i++ {
		_, end = g.Positions()
	}
	return strings.TrimSpace(s[:end]) + "…"
}

// sanitize keeps what a reply may hold: printable text and line breaks,
// no control or invisible formatting characters (which can hide a handle
// or a link from a reader), at most one blank line in a row.
func sanitize(s string) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, ""), "\r\n", "\n")
	var b bytes.Buffer
	for _, r := range s {
		switch {
		case r == '\n', r == '\t':
			b.WriteRune(r)
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r) && r != '\u200d', r == utf8.RuneError,
			r == '\u2028', r == '\u2029':
			continue
		default:
			b.WriteRune(r)
		}
	}
	out := b.String()
	for strings.Contains(out, "\n\n\n") {
		out = strings.ReplaceAll(out, "\n\n\n", "\n\n")
	}
	return strings.TrimSpace(out)
}
