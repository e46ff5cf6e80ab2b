package routing

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

func (p *parser) brand(n *yaml.Node) Brand {
	var b Brand
	if isNull(n) || !p.want(n, yaml.MappingNode, "", "brand") {
		return b
	}
	const ctx = "brand"
	p.fields(n, ctx, func(k, v *yaml.Node) bool {
		key := k.Value
		switch key {
		case "name":
			b.Name = p.str(v, ctx, key)
		case "handles":
			b.Handles = p.strs(v, ctx, key, "handle")
		case "tone":
			b.Tone = p.str(v, ctx, key)
		case "sign_off":
			b.SignOff = p.str(v, ctx, key)
		case "support_url":
			b.SupportURL = p.str(v, ctx, key)
			if u, err := url.Parse(b.SupportURL); b.SupportURL != "" && (err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "") {
				p.add(v.Line, ctx, "support_url: %q is not an http(s) URL", b.SupportURL)
			}
		case "hours":
			b.Hours = p.str(v, ctx, key)
		case "phone":
			b.Phone = p.str(v, ctx, key)
			if b.Phone != "" && !validPhone(b.Phone) {
				p.add(v.Line, ctx, "phone: %q is not a phone number (want digits with optional +, spaces, dashes, dots or brackets)", b.Phone)
			}
		case "links":
			b.Links = p.links(v, ctx)
		case "do":
			b.Do = p.strs(v, ctx, key, "item")
		case "dont":
			b.Dont = p.strs(v, ctx, key, "item")
		case "products":
			b.Products = p.strs(v, ctx, key, "product")
		default:
			return false
		}
		return true
	})
	return b
}

// links reads the brand's named pages. Only https is accepted: these
// addresses go out in public replies under the brand's name.
func (p *parser) links(n *yaml.Node, ctx string) map[string]string {
	ctx += ": links"
	if isNull(n) || !p.want(n, yaml.MappingNode, ctx, "definition") {
		return nil
	}
	out := map[string]string{}
	p.fields(n, ctx, func(k, v *yaml.Node) bool {
		name := k.Value
		if !validTeamName(name) {
			p.add(k.Line, ctx, "%q: invalid name (want lower-case letters, digits, '-' and '_', like status or refunds)", name)
		}
		u := p.str(v, ctx, name)
		if v.Kind != yaml.ScalarNode {
			return true
		}
		if !httpsURL(u) {
			p.add(v.Line, ctx, "%s: %q is not an https URL", name, u)
			return true
		}
		out[name] = u
		return true
	})
	return out
}

// httpsURL reports whether s is an absolute https address with a host and
// nothing a reader could mistake (no spaces, no credentials).
func httpsURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil && !strings.ContainsAny(s, " \t\n<>\"")
}

// validPhone accepts what people write as a phone number: digits (at least
// five) with +, spaces, dashes, dots and brackets.
func validPhone(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case '0' <= r && r <= '9':
			digits++
		case strings.ContainsRune("+ -.()/", r):
		default:
			return false
		}
	}
	return digits >= 5 && digits <= 20
}

func (p *parser) teams(n *yaml.Node, r *Rules) {
	if isNull(n) || !p.want(n, yaml.MappingNode, "", "teams") {
		return
	}
	p.fields(n, "teams", func(k, v *yaml.Node) bool {
		name := k.Value
		if !validTeamName(name) {
			p.add(k.Line, "", "team %q: invalid name (want lower-case letters, digits, '-' and '_', starting with a letter or digit)", name)
		}
		// Registered even when invalid, so routes naming it are not
		// reported a second time.
		r.Teams[name] = p.team(name, k.Line, v)
		r.TeamOrder = append(r.TeamOrder, name)
		return true
	})
}

func validTeamName(s string) bool {
	for i, c := range []byte(s) {
		ok := 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || i > 0 && (c == '-' || c == '_')
		if !ok {
			return false
		}
	}
	return s != ""
}

func (p *parser) team(name string, line int, n *yaml.Node) *Team {
	t := &Team{Name: name, SLA: DefaultSLA, Breach: BreachEscalate, Escalation: Escalation{Auto: DefaultAuto()}, Line: line}
	ctx := fmt.Sprintf("team %q", name)
	if isNull(n) || !p.want(n, yaml.MappingNode, ctx, "definition") {
		return t
	}
	p.fields(n, ctx, func(k, v *yaml.Node) bool {
		key := k.Value
		switch key {
		case "members":
			t.Members = p.identities(v, ctx, key)
		case "leads":
			t.Leads = p.identities(v, ctx, key)
		case "execs":
			t.Execs = p.identities(v, ctx, key)
		case "sla":
			p.sla(v, ctx, t)
		case "hours":
			t.Hours = p.hours(v, ctx)
		case "escalation":
			t.Escalation = p.escalation(v, ctx)
		case "urgency":
			t.Urgency = p.urgency(v, ctx)
		case "slack":
			t.Slack = p.slack(v, ctx)
		case "discord":
			t.Discord = p.discord(v, ctx)
		case "defects":
			t.Defects = p.defects(v, ctx+": ")
		case "delight":
			t.Delight = p.delight(v, ctx)
		default:
			return false
		}
		return true
	})
	return t
}

// urgency reads a team's say on how urgent its cases are.
func (p *parser) urgency(n *yaml.Node, ctx string) UrgencyPolicy {
	var u UrgencyPolicy
	ctx += ": urgency"
	if isNull(n) || !p.want(n, yaml.MappingNode, ctx, "definition") {
		return u
	}
	p.fields(n, ctx, func(k, v *yaml.Node) bool {
		switch k.Value {
		case "high_reach":
			u.HighReach = p.count(v, ctx, k.Value)
		case "high":
			u.High = p.oneOf(v, ctx, k.Value, Intents())
		case "critical":
			u.Critical = p.oneOf(v, ctx, k.Value, Intents())
		default:
			return false
		}
		return true
	})
	return u
}

// identities reads people allowed to act: "alice" or "slack:U024BE7LH".
func (p *parser) identities(n *yaml.Node, ctx, field string) []string {
	ids := p.strs(n, ctx, field, "identity")
	for _, id := range ids {
		surface, who, qualified := strings.Cut(id, ":")
		if !qualified {
			continue
		}
		if surface != "slack" && surface != "discord" && surface != "web" || who == "" {
			p.add(n.Line, ctx, "%s: %q: want a name or surface:id with surface slack, discord or web", field, id)
		}
	}
	return ids
}

func (p *parser) slack(n *yaml.Node, ctx string) SlackTarget {
	var s SlackTarget
	if isNull(n) || !p.want(n, yaml.MappingNode, ctx, "slack") {
		return s
	}
	p.fields(n, ctx+": slack", func(k, v *yaml.Node) bool {
		switch k.Value {
		case "channel":
			s.Channel = p.str(v, ctx, "slack.channel")
		case "escalation_channel":
			s.EscalationChannel = p.str(v, ctx, "slack.escalation_channel")
		default:
			return false
		}
		return true
	})
	if s.Channel == "" {
		p.add(n.Line, ctx, "slack: channel is required (a channel id like C0123CARE)")
	}
	return s
}

func (p *parser) discord(n *yaml.Node, ctx string) DiscordTarget {
	var d DiscordTarget
	if isNull(n) || !p.want(n, yaml.MappingNode, ctx, "discord") {
		return d
	}
	p.fields(n, ctx+": discord", func(k, v *yaml.Node) bool {
		key := k.Value
		switch key {
		case "channel":
			d.Channel = p.str(v, ctx, "discord.channel")
			if d.Channel != "" && strings.Trim(d.Channel, "0123456789") != "" {
				p.add(v.Line, ctx, "discord.channel: %q is not a channel id (want digits, like 112233445566778899)", d.Channel)
			}
		case "roles":
			d.Roles = p.strs(v, ctx, "discord.roles", "role")
		case "escalation_channel":
			d.EscalationChannel = p.str(v, ctx, "discord.escalation_channel")
			if d.EscalationChannel != "" && strings.Trim(d.EscalationChannel, "0123456789") != "" {
				p.add(v.Line, ctx, "discord.escalation_channel: %q is not a channel id (want digits, like 112233445566778899)", d.EscalationChannel)
			}
		default:
			return false
		}
		return true
	})
	if d.Channel == "" {
		p.add(n.Line, ctx, "discord: channel is required (a channel id like 112233445566778899)")
	}
	return d
}

func (p *parser) exclude(n *yaml.Node) Exclude {
	var e Exclude
	const ctx = "exclude"
	if isNull(n) || !p.want(n, yaml.MappingNode, "", ctx) {
		return e
	}
	p.fields(n, ctx, func(k, v *yaml.Node) bool {
		key := k.Value
		switch key {
		case "terms":
			e.Terms = p.terms(v, ctx, key)
		case "authors":
			for _, a := range p.strs(v, ctx, key, "author") {
				if a = bareHandle(a); a == "" {
					p.add(v.Line, ctx, "authors: empty author")
					continue
				}
				e.Authors = append(e.Authors, a)
			}
		case "domains":
			e.Domains = p.strs(v, ctx, key, "domain")
			for _, d := range e.Domains {
				if strings.ContainsAny(d, "/:@?# \t") || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") {
					p.add(v.Line, ctx, "domains: %q is not a bare domain (want e.g. spam.example)", d)
				}
			}
		default:
			return false
		}
		return true
	})
	return e
}

// terms reads search terms. A blank term would match everywhere, so strs'
// refusal of empty items is what keeps a typo from routing every mention.
func (p *parser) terms(n *yaml.Node, ctx, field string) []string {
	terms := p.strs(n, ctx, field, "term")
	for _, t := range terms {
		if _, err := termLiteral(t); err != nil {
			p.add(n.Line, ctx, "%s: %v", field, err)
		}
	}
	return terms
}

func (p *parser) reactions(n *yaml.Node) map[string]Reaction {
	out := map[string]Reaction{}
	const ctx = "reactions"
	if !p.want(n, yaml.MappingNode, "", ctx) {
		return out
	}
	seen := map[string]int{}
	p.fields(n, ctx, func(k, v *yaml.Node) bool {
		key := k.Value
		emoji := strings.Trim(key, ":")
		if emoji == "" || strings.ContainsAny(emoji, " \t") {
			p.add(k.Line, ctx, "%q is not an emoji name (want e.g. eyes or white_check_mark)", key)
			return true
		}
		if first, dup := seen[emoji]; dup {
			p.add(k.Line, ctx, "%s: duplicate reaction (first at line %d)", emoji, first)
			return true
		}
		seen[emoji] = k.Line
		s := p.str(v, ctx, emoji)
		if v.Kind != yaml.ScalarNode {
			return true
		}
		re, ok := parseReaction(s)
		if !ok {
			p.add(v.Line, ctx, "%s: unknown action %q (want one of %s, reply:N with N 1..%d, or dismiss:REASON with a reason of %s)", emoji, s, strings.Join(Actions(), ", "), MaxSuggestion, strings.Join(DismissReasons(), ", "))
			return true
		}
		out[emoji] = re
		return true
	})
	return out
}

func parseReaction(s string) (Reaction, bool) {
	if n, ok := strings.CutPrefix(s, "reply:"); ok {
		i, err := strconv.Atoi(n)
		if err != nil || i < 1 || i > MaxSuggestion || n != strconv.Itoa(i) {
			return Reaction{}, false
		}
		return Reaction{Action: "reply", Suggestion: i}, true
	}
	if why, ok := strings.CutPrefix(s, "dismiss:"); ok {
		if !slices.Contains(DismissReasons(), why) {
			return Reaction{}, false
		}
		return Reaction{Action: "dismiss", Reason: why}, true
	}
	if !slices.Contains(Actions(), s) {
		return Reaction{}, false
	}
	if s == "reply" {
		return Reaction{Action: s, Suggestion: 1}, true
	}
	return Reaction{Action: s}, true
}
