package routing

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Notify values: when the team hears that a linked issue is done.
const (
	// NotifyClosed tells the team as soon as the issue is closed as completed.
	NotifyClosed = "closed"
	// NotifyReleased waits for a published release that names the issue, so
	// the customer hears "fixed" when they can get the fix.
	NotifyReleased = "released"
)

// Defects says where a team's product defects are filed and when the team
// hears they were fixed. The top-level section is every team's default; a
// team's own section replaces the tracker and the labels, and notify_on
// when it sets one.
type Defects struct {
	GitHub GitHubTarget `json:"github,omitzero"`
	// NotifyOn is NotifyClosed or NotifyReleased; "" inherits.
	NotifyOn string `json:"notify_on,omitempty"`
	Line     int    `json:"-"`
}

// GitHubTarget is a GitHub repository defects are filed in.
type GitHubTarget struct {
	Repo   string   `json:"repo,omitempty"` // "owner/name"
	Labels []string `json:"labels,omitempty"`
}

// Set reports whether a tracker is configured.
func (d Defects) Set() bool { return d.GitHub.Repo != "" }

// DefectsFor is where team's defects go: its own tracker, or the file's
// default; notify_on from the team, the default, or NotifyClosed.
func (r *Rules) DefectsFor(team string) Defects {
	d := r.Defects
	if t, ok := r.Teams[team]; ok {
		if t.Defects.Set() {
			d.GitHub = t.Defects.GitHub
			d.Line = t.Defects.Line
		}
		if t.Defects.NotifyOn != "" {
			d.NotifyOn = t.Defects.NotifyOn
		}
	}
	if d.NotifyOn == "" {
		d.NotifyOn = NotifyClosed
	}
	d.GitHub.Labels = slices.Clone(d.GitHub.Labels)
	return d
}

// AutoDefect names the route that asks for a defect to be filed for team's
// case when a mention matched routes (names, as in Decision.Routes), or ""
// when none does. A route files for the team it sends to (its own or the
// inherited one), so a mention that also reached another team through
// continue files once, for the route's team.
func (r *Rules) AutoDefect(routes []string, team string) string {
	if r == nil || r.Root == nil || len(routes) == 0 {
		return ""
	}
	var found string
	var walk func(rt *Route, inherited string) bool
	walk = func(rt *Route, inherited string) bool {
		t := rt.Team
		if t == "" {
			t = inherited
		}
		if rt.FileDefect && t == team && slices.Contains(routes, rt.Name) {
			found = rt.Name
			return true
		}
		for _, k := range rt.Routes {
			if walk(k, t) {
				return true
			}
		}
		return false
	}
	walk(r.Root, "")
	return found
}

// defects reads a defects section (top level or a team's).
func (p *parser) defects(n *yaml.Node, ctx string) Defects {
	d := Defects{Line: n.Line}
	ctx += "defects"
	if isNull(n) || !p.want(n, yaml.MappingNode, ctx, "definition") {
		return d
	}
	p.fields(n, ctx, func(k, v *yaml.Node) bool {
		switch k.Value {
		case "github":
			d.GitHub = p.github(v, ctx)
		case "notify_on":
			d.NotifyOn = p.str(v, ctx, k.Value)
			if v.Kind == yaml.ScalarNode && d.NotifyOn != NotifyClosed && d.NotifyOn != NotifyReleased {
				p.add(v.Line, ctx, "notify_on: %q is not %s or %s", d.NotifyOn, NotifyClosed, NotifyReleased)
				d.NotifyOn = ""
			}
		default:
			return false
		}
		return true
	})
	return d
}

func (p *parser) github(n *yaml.Node, ctx string) GitHubTarget {
	var g GitHubTarget
	ctx += ": github"
	if isNull(n) || !p.want(n, yaml.MappingNode, ctx, "definition") {
		return g
	}
	p.fields(n, ctx, func(k, v *yaml.Node) bool {
		switch k.Value {
		case "repo":
			g.Repo = p.str(v, ctx, k.Value)
			if v.Kind == yaml.ScalarNode && !validRepo(g.Repo) {
				p.add(v.Line, ctx, "repo: %q is not owner/name (like lumio/app)", g.Repo)
				g.Repo = ""
			}
		case "labels":
			g.Labels = p.strs(v, ctx, k.Value, "label")
			for _, l := range g.Labels {
				if len(l) > 50 || strings.ContainsAny(l, ",\n\r") {
					p.add(v.Line, ctx, "labels: %q is not a GitHub label (at most 50 characters, no commas)", l)
				}
			}
		default:
			return false
		}
		return true
	})
	if g.Repo == "" && lookup(n, "repo") == nil {
		p.add(n.Line, ctx, "repo is required (owner/name, like lumio/app)")
	}
	return g
}

// validRepo reads "owner/name" as GitHub allows them: letters, digits and
// '-' in the owner, also '.' and '_' in the name.
func validRepo(s string) bool {
	owner, name, ok := strings.Cut(s, "/")
	if !ok || owner == "" || name == "" || len(owner) > 39 || len(name) > 100 || name == "." || name == ".." {
		return false
	}
	for _, c := range []byte(owner) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}
