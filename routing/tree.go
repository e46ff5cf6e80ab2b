package routing

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// route reads one node of the tree and its children. seen maps route names
// to the line they were first used on.
func (p *parser) route(n *yaml.Node, r *Rules, root bool, seen map[string]int) *Route {
	rt := &Route{Line: n.Line}
	if !p.want(n, yaml.MappingNode, "", "route") {
		return rt
	}
	ctx := "route"
	if v := lookup(n, "name"); v != nil && v.Kind == yaml.ScalarNode && !isNull(v) && strings.TrimSpace(v.Value) != "" {
		rt.Name = strings.TrimSpace(v.Value)
		ctx = fmt.Sprintf("route %q", rt.Name)
	}
	matchers := 0
	var kids *yaml.Node
	var contLine int
	before := len(p.probs)
	p.fields(n, ctx, func(k, v *yaml.Node) bool {
		key := k.Value
		switch key {
		case "name":
			p.str(v, ctx, key) // kind check; the value was read above
		case "query":
			src := p.str(v, ctx, key)
			if v.Kind != yaml.ScalarNode {
				break
			}
			q, err := ParseQuery(src)
			if err != nil {
				p.add(v.Line, ctx, "query %q: %v", src, err)
				break
			}
			rt.Query = q
			matchers++
		case "any":
			rt.Any = p.terms(v, ctx, key)
			matchers += len(rt.Any)
		case "intent":
			rt.Intent = p.oneOf(v, ctx, key, Intents())
			matchers += len(rt.Intent)
		case "sentiment":
			rt.Sentiment = p.oneOf(v, ctx, key, Sentiments())
			matchers += len(rt.Sentiment)
		case "urgency":
			rt.Urgency = p.oneOf(v, ctx, key, Urgencies())
			matchers += len(rt.Urgency)
		case "platform":
			for _, s := range p.strs(v, ctx, key, "platform") {
				rt.Platform = append(rt.Platform, strings.ToLower(s))
			}
			matchers += len(rt.Platform)
		case "lang":
			rt.Lang = p.strs(v, ctx, key, "language")
			matchers += len(rt.Lang)
		case "min_followers":
			rt.MinFollowers = p.count(v, ctx, key)
			if rt.MinFollowers > 0 {
				matchers++
			}
		case "is_reply":
			if b, ok := p.boolean(v, ctx, key); ok {
				rt.IsReply = &b
				matchers++
			}
		case "has_link":
			if b, ok := p.boolean(v, ctx, key); ok {
				rt.HasLink = &b
				matchers++
			}
		case "team":
			rt.Team = p.str(v, ctx, key)
			if _, ok := r.Teams[rt.Team]; rt.Team != "" && !ok {
				p.add(v.Line, ctx, "unknown team %q%s", rt.Team, suggestTeam(rt.Team, r.TeamOrder))
			}
		case "continue":
			rt.Continue, _ = p.boolean(v, ctx, key)
			contLine = v.Line
		case "file_defect":
			rt.FileDefect, _ = p.boolean(v, ctx, key)
		case "routes":
			kids = v
		default:
			return false
		}
		return true
	})
	fieldsWrong := len(p.probs) > before

	switch {
	case root && rt.Name == "":
		rt.Name = "root"
	case rt.Name == "":
		p.add(n.Line, ctx, "name is required")
	}
	if first, dup := seen[rt.Name]; dup && rt.Name != "" {
		p.add(n.Line, ctx, "duplicate route name (first at line %d)", first)
	} else if rt.Name != "" {
		seen[rt.Name] = n.Line
	}
	if root {
		if rt.Team == "" {
			p.add(n.Line, ctx, "the root route needs a team (the default for everything it matches)")
		}
		if rt.Continue {
			p.add(contLine, ctx, "continue has no meaning on the root route")
		}
	} else if matchers == 0 && !fieldsWrong {
		// Only when nothing else was wrong here: a misspelt or invalid
		// matcher is the real problem, already reported.
		p.add(n.Line, ctx, "no matchers: set query, any, intent, sentiment, urgency, platform, lang, min_followers, is_reply or has_link (only the root may match everything)")
	}

	if kids != nil && !isNull(kids) && p.want(kids, yaml.SequenceNode, ctx, "routes") {
		for _, k := range kids.Content {
			rt.Routes = append(rt.Routes, p.route(k, r, false, seen))
		}
	}
	return rt
}

// suggestTeam names a defined team one edit or swap away, for typos.
func suggestTeam(name string, teams []string) string {
	for _, t := range teams {
		if closeTo(name, t) {
			return fmt.Sprintf(" (did you mean %q?)", t)
		}
	}
	return ""
}

// closeTo reports whether a and b differ by at most one inserted, deleted,
// replaced or transposed byte.
func closeTo(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if len(a) == len(b) {
		if i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:] {
			return true
		}
		return i >= len(a) || a[i+1:] == b[i+1:]
	}
	return a[i:] == b[i+1:]
}
