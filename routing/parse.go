package routing

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// DefaultSLA is a team's SLA when the rules file sets none: answer within the hour.
const DefaultSLA = time.Hour

// Parse reads a rules file. file names it in messages; data is its content.
// Every problem found is returned at once, as a *ValidationError.
func Parse(file string, data []byte) (*Rules, error) {
	p := &parser{file: file}
	r := p.rules(data)
	if len(p.probs) == 0 {
		if err := r.Compile(); err != nil {
			p.add(0, "", "%v", err)
		}
	}
	if len(p.probs) > 0 {
		sortProblems(p.probs)
		return nil, &ValidationError{Problems: p.probs}
	}
	return r, nil
}

// parser walks the YAML node tree rather than decoding into structs, so that
// every problem carries the line it is on and unknown keys are caught, and so
// that it can keep going after the first problem.
type parser struct {
	file  string
	probs []Problem
}

func (p *parser) add(line int, ctx, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if ctx != "" {
		msg = ctx + ": " + msg
	}
	p.probs = append(p.probs, Problem{File: p.file, Line: line, Msg: msg})
}

func (p *parser) rules(data []byte) *Rules {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		p.syntax(err)
		return nil
	}
	if len(doc.Content) == 0 {
		p.add(0, "", "empty rules file")
		return nil
	}
	top := doc.Content[0]
	if !p.want(top, yaml.MappingNode, "", "rules file") {
		return nil
	}
	r := &Rules{File: p.file, Teams: map[string]*Team{}, Reactions: DefaultReactions(), Storm: DefaultStorm()}
	// The tree names teams, so it is read once every team is known,
	// wherever the sections are in the file.
	var tree *yaml.Node
	p.fields(top, "", func(k, v *yaml.Node) bool {
		key := k.Value
		switch key {
		case "brand":
			r.Brand = p.brand(v)
		case "teams":
			p.teams(v, r)
		case "exclude":
			r.Exclude = p.exclude(v)
		case "route":
			tree = v
		case "reactions":
			if !isNull(v) {
				r.Reactions = p.reactions(v)
			}
		case "storm":
			r.Storm = p.storm(v)
		case "faq":
			r.FAQs = p.faqs(v)
		case "defects":
			r.Defects = p.defects(v, "")
		default:
			return false
		}
		return true
	})
	if len(r.TeamOrder) == 0 {
		p.add(top.Line, "", "no teams defined: at least one team is required under teams:")
	}
	if tree == nil || isNull(tree) {
		p.add(top.Line, "", "missing route: the root of the routing tree is required")
		return r
	}
	if tree.Kind == yaml.SequenceNode {
		p.add(tree.Line, "", "route: want one mapping (the root), got a list; put routes under route.routes")
		return r
	}
	r.Root = p.route(tree, r, true, map[string]int{})
	return r
}

// syntax turns the YAML library's "yaml: line 3: ..." into a Problem.
func (p *parser) syntax(err error) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.IndexByte(rest, ':'); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				line, msg = n, strings.TrimSpace(rest[i+1:])
			}
		}
	}
	p.add(line, "", "invalid YAML: %s", msg)
}

// fields calls fn for each key of mapping n in file order; fn reports whether
// it knows the key. Unknown and repeated keys are problems.
func (p *parser) fields(n *yaml.Node, ctx string, fn func(k, v *yaml.Node) bool) {
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.add(k.Line, ctx, "keys must be plain names, got %s", describe(k))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			p.add(k.Line, ctx, "duplicate field %q (first at line %d)", k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		if !fn(k, v) {
			p.add(k.Line, ctx, "unknown field %q", k.Value)
		}
	}
}

// lookup finds key in mapping n without reporting anything.
func lookup(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// want checks n's kind. Aliases are refused rather than followed: a few
// nested aliases can expand into billions of routes.
func (p *parser) want(n *yaml.Node, kind yaml.Kind, ctx, field string) bool {
	if n.Kind == yaml.AliasNode {
		p.add(n.Line, ctx, "%s: YAML aliases are not supported", field)
		return false
	}
	if n.Kind != kind {
		p.add(n.Line, ctx, "%s: want %s, got %s", field, kindName(kind), describe(n))
		return false
	}
	return true
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return "a single value"
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		return strconv.Quote(n.Value)
	case yaml.AliasNode:
		return "an alias"
	}
	return kindName(n.Kind)
}

// str reads a single value; an empty value (field:) reads as "".
func (p *parser) str(n *yaml.Node, ctx, field string) string {
	if !p.want(n, yaml.ScalarNode, ctx, field) || isNull(n) {
		return ""
	}
	return strings.TrimSpace(n.Value)
}

// strs reads a list of non-empty values; what names one item in messages.
func (p *parser) strs(n *yaml.Node, ctx, field, what string) []string {
	if isNull(n) || !p.want(n, yaml.SequenceNode, ctx, field) {
		return nil
	}
	out := make([]string, 0, len(n.Content))
	for _, item := range n.Content {
		if !p.want(item, yaml.ScalarNode, ctx, field) {
			continue
		}
		s := strings.TrimSpace(item.Value)
		if isNull(item) || s == "" {
			p.add(item.Line, ctx, "%s: empty %s", field, what)
			continue
		}
		out = append(out, s)
	}
	return out
}

// oneOf reads a list whose values must come from known.
func (p *parser) oneOf(n *yaml.Node, ctx, field string, known []string) []string {
	if isNull(n) || !p.want(n, yaml.SequenceNode, ctx, field) {
		return nil
	}
	var out []string
	for _, item := range n.Content {
		if !p.want(item, yaml.ScalarNode, ctx, field) {
			continue
		}
		if !slices.Contains(known, item.Value) {
			p.add(item.Line, ctx, "%s: unknown value %s (want one of %s)", field, describe(item), strings.Join(known, ", "))
			continue
		}
		out = append(out, item.Value)
	}
	return out
}

func (p *parser) boolean(n *yaml.Node, ctx, field string) (bool, bool) {
	if !p.want(n, yaml.ScalarNode, ctx, field) {
		return false, false
	}
	if n.Tag != "!!bool" {
		p.add(n.Line, ctx, "%s: want true or false, got %s", field, describe(n))
		return false, false
	}
	var b bool
	if err := n.Decode(&b); err != nil {
		p.add(n.Line, ctx, "%s: want true or false, got %s", field, describe(n))
		return false, false
	}
	return b, true
}

// positiveDuration reads a duration above zero; a bad one is a problem that
// shows examples, and ok is false (so the default stays).
func (p *parser) positiveDuration(n *yaml.Node, ctx, field, examples string) (time.Duration, bool) {
	s := p.str(n, ctx, field)
	if n.Kind != yaml.ScalarNode || isNull(n) {
		return 0, false
	}
	d, err := parseDuration(s)
	if err != nil || d <= 0 {
		p.add(n.Line, ctx, "%s: invalid duration %q (want a positive duration like %s)", field, s, examples)
		return 0, false
	}
	return d, true
}

func (p *parser) count(n *yaml.Node, ctx, field string) int {
	if !p.want(n, yaml.ScalarNode, ctx, field) {
		return 0
	}
	var i int
	if n.Tag != "!!int" || n.Decode(&i) != nil || i < 0 {
		p.add(n.Line, ctx, "%s: want a whole number, 0 or more, got %s", field, describe(n))
		return 0
	}
	return i
}

// parseDuration is time.ParseDuration plus a leading whole number of days
// ("1d", "2d12h"), because SLAs are often counted in days.
func parseDuration(s string) (time.Duration, error) {
	var days time.Duration
	if head, rest, ok := strings.Cut(s, "d"); ok {
		n, err := strconv.Atoi(head)
		if err != nil || n < 0 || n > 10000 || head != strconv.Itoa(n) {
			return 0, fmt.Errorf("parse duration %q: bad day count", s)
		}
		days = time.Duration(n) * 24 * time.Hour
		if rest == "" {
			return days, nil
		}
		if strings.ContainsAny(rest, "+-") {
			return 0, fmt.Errorf("parse duration %q: sign after days", s)
		}
		s = rest
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("parse duration: %w", err)
	}
	if d > math.MaxInt64-days {
		return 0, fmt.Errorf("parse duration %q: too long", s)
	}
	return days + d, nil
}
