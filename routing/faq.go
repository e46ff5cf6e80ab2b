package routing

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/rivo/uniseg"
	"gopkg.in/yaml.v3"
)

// FAQ is a canned answer to a common question, written by the team once
// and offered as a draft whenever its query matches a mention: "how do I
// reset the hub?" gets the same correct steps every time, with the link.
type FAQ struct {
	Name string
	// Query selects the mentions it answers, in the routing query language.
	Query *Query
	// Answer is plain text, one paragraph; links in it must be https.
	Answer string
	Line   int
}

// MaxFAQAnswer is the longest answer, in characters. An answer is one
// reply's worth of text; drafts on short platforms cut it further.
const MaxFAQAnswer = 1000

// FAQ returns the first entry whose query matches in, in file order. The
// queries are compiled with the routes, so asking costs one scan of the text.
func (r *Rules) FAQ(in Input) (FAQ, bool) {
	if r == nil || len(r.FAQs) == 0 || r.Compile() != nil {
		return FAQ{}, false
	}
	s := r.eng.get(&in)
	defer r.eng.put(s)
	for _, f := range r.FAQs {
		if f.Query != nil && evalNode(f.Query.root, s) {
			return f, true
		}
	}
	return FAQ{}, false
}

// faqs reads the faq section: a list of {name, query, answer}.
func (p *parser) faqs(n *yaml.Node) []FAQ {
	const ctx = "faq"
	if isNull(n) || !p.want(n, yaml.SequenceNode, "", ctx) {
		return nil
	}
	var out []FAQ
	seen := map[string]int{}
	for _, item := range n.Content {
		if !p.want(item, yaml.MappingNode, ctx, "entry") {
			continue
		}
		f := FAQ{Line: item.Line}
		ectx := ctx
		if v := lookup(item, "name"); v != nil && v.Kind == yaml.ScalarNode && !isNull(v) && strings.TrimSpace(v.Value) != "" {
			f.Name = strings.TrimSpace(v.Value)
			ectx = fmt.Sprintf("faq %q", f.Name)
		}
		p.fields(item, ectx, func(k, v *yaml.Node) bool {
			switch k.Value {
			case "name":
				p.str(v, ectx, k.Value) // kind check; the value was read above
			case "query":
				src := p.str(v, ectx, k.Value)
				if v.Kind != yaml.ScalarNode || isNull(v) {
					break
				}
				q, err := ParseQuery(src)
				if err != nil {
					p.add(v.Line, ectx, "query %q: %v", src, err)
					break
				}
				f.Query = q
			case "answer":
				f.Answer = p.str(v, ectx, k.Value)
				if v.Kind == yaml.ScalarNode {
					p.answer(v.Line, ectx, f.Answer)
				}
			default:
				return false
			}
			return true
		})
		switch {
		case f.Name == "":
			p.add(item.Line, ectx, "name is required")
		case !validTeamName(f.Name):
			p.add(item.Line, ectx, "invalid name (want lower-case letters, digits, '-' and '_')")
		}
		if first, dup := seen[f.Name]; dup && f.Name != "" {
			p.add(item.Line, ectx, "duplicate name (first at line %d)", first)
		} else {
			seen[f.Name] = item.Line
		}
		if lookup(item, "query") == nil {
			p.add(item.Line, ectx, "query is required (which mentions does it answer?)")
		}
		if lookup(item, "answer") == nil {
			p.add(item.Line, ectx, "answer is required")
		}
		out = append(out, f)
	}
	return out
}

// answer checks an FAQ answer: text that goes out in public under the
// brand's name, so no control characters, no templates, https links only.
func (p *parser) answer(line int, ctx, a string) {
	if a == "" {
		p.add(line, ctx, "answer: empty")
		return
	}
	if n := uniseg.GraphemeClusterCount(a); n > MaxFAQAnswer {
		p.add(line, ctx, "answer: %d characters, at most %d", n, MaxFAQAnswer)
	}
	if strings.Contains(a, "{{") {
		p.add(line, ctx, "answer: templates ({{ }}) are not supported; write plain text")
	}
	for _, r := range a {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			p.add(line, ctx, "answer: control character %U", r)
			return
		}
	}
	for _, w := range strings.Fields(a) {
		w = strings.TrimRight(w, ".,;:!?)»”’\"'")
		if strings.HasPrefix(strings.ToLower(w), "http://") {
			p.add(line, ctx, "answer: %q: links must be https", w)
		} else if strings.HasPrefix(strings.ToLower(w), "https://") && !httpsURL(w) {
			p.add(line, ctx, "answer: %q is not an https URL", w)
		}
	}
}
