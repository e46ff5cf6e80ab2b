package routing

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestBadRules holds the corpus of broken rules files and what each must say.
// Every file in testdata/bad must be listed, so the corpus cannot drift.
func TestBadRules(t *testing.T) {
	cases := map[string][]string{
		"alias.yaml":       {`alias.yaml:8: route "again": any: YAML aliases are not supported`},
		"bad_brand.yaml":   {`bad_brand.yaml:3: brand: support_url: "lumio.example/help" is not an http(s) URL`, `bad_brand.yaml:4: brand: handles: empty handle`},
		"bad_exclude.yaml": {`bad_exclude.yaml:4: exclude: domains: "https://spam.example" is not a bare domain`, `bad_exclude.yaml:5: exclude: authors: empty author`, `bad_exclude.yaml:6: exclude: unknown field "people"`},
		"bad_indent.yaml":  {`bad_indent.yaml:2: invalid YAML:`},
		"bad_labels.yaml":  {`bad_labels.yaml:7: route "complaints": intent: unknown value "complain"`, `bad_labels.yaml:9: route "moods": sentiment: unknown value "angry" (want one of positive, neutral, negative)`, `bad_labels.yaml:11: route "hurry": urgency: unknown value "urgent"`},
		"bad_query.yaml": {
			`bad_query.yaml:6: route "brand": query "lumio OR (acme": column 10: unbalanced "(": no ")" closes it`,
			`bad_query.yaml:10: route "billing": query "refund OR": column 8: OR needs a term on both sides`,
			`bad_query.yaml:12: route "colour": query "lumio colour:red": column 7: unknown field "colour:"`,
			`bad_query.yaml:14: route "angry": query "intent:angry": column 1: intent: "angry" is not valid (want complaint, question,`,
			`bad_query.yaml:16: route "broad": query "re* -coupon": column 1: "re*": a wildcard needs at least 3 characters before the *`,
			`bad_query.yaml:18: route "near": query "\"app\"~3": column 1: proximity needs at least two words`,
			`bad_query.yaml:20: route "list": query: want a single value, got a list`,
		},
		"bad_wildcard.yaml":         {`bad_wildcard.yaml:5: exclude: terms: "ap*": a wildcard needs at least 3 characters`, `bad_wildcard.yaml:8: route "brand": any: "lu*mio": only a trailing *`},
		"bad_reactions.yaml":        {`bad_reactions.yaml:6: reactions: eyes: unknown action "clam"`, `bad_reactions.yaml:7: reactions: four: unknown action "reply:4"`, `bad_reactions.yaml:8: reactions: zero: unknown action "reply:0"`, `bad_reactions.yaml:9: reactions: eyes: duplicate reaction (first at line 6)`, `bad_reactions.yaml:10: reactions: fire: want a single value, got a list`},
		"bad_sla.yaml":              {`bad_sla.yaml:3: team "care": sla: invalid duration "1 hour"`, `bad_sla.yaml:5: team "billing": sla: invalid duration "-5m"`, `bad_sla.yaml:7: team "product": sla: invalid duration "90"`, `bad_sla.yaml:9: team "safety": sla: invalid duration "0s"`},
		"bad_targets.yaml":          {`bad_targets.yaml:3: team "care": slack: channel is required`, `bad_targets.yaml:4: team "care": discord.channel: "#care" is not a channel id`, `bad_targets.yaml:6: team "billing": members: "slck:U024BE7LH"`, `bad_targets.yaml:7: team "billing": discord.escalation_channel: "#exec" is not a channel id`},
		"bad_team_name.yaml":        {`bad_team_name.yaml:2: team "Care": invalid name`},
		"duplicate_key.yaml":        {`duplicate_key.yaml:3: teams: duplicate field "care" (first at line 2)`},
		"duplicate_route_name.yaml": {`duplicate_route_name.yaml:14: route "billing": duplicate route name (first at line 8)`},
		"empty.yaml":                {`empty.yaml: empty rules file`},
		"empty_term.yaml":           {`empty_term.yaml:4: route: any: empty term`, `empty_term.yaml:8: route "blank": any: empty term`},
		"many_errors.yaml":          {`many_errors.yaml:3: team "care": sla: invalid duration "soon"`, `many_errors.yaml:10: route "billing": unknown team "biling"`, `many_errors.yaml:12: route "safety": intent: unknown value "danger"`, `many_errors.yaml:14: reactions: eyes: unknown action "stare"`},
		"no_route.yaml":             {`no_route.yaml:1: missing route`},
		"no_teams.yaml":             {`no_teams.yaml:1: no teams defined`, `no_teams.yaml:3: route: the root route needs a team`},
		"root_continue.yaml":        {`root_continue.yaml:5: route: continue has no meaning on the root route`},
		"root_no_team.yaml":         {`root_no_team.yaml:4: route "brand": the root route needs a team`},
		"route_is_list.yaml":        {`route_is_list.yaml:4: route: want one mapping (the root), got a list`},
		"route_no_matchers.yaml":    {`route_no_matchers.yaml:7: route "everything": no matchers`},
		"route_no_name.yaml":        {`route_no_name.yaml:6: route: name is required`},
		"syntax_error.yaml":         {`syntax_error.yaml:4: invalid YAML: did not find expected ',' or ']'`},
		"top_list.yaml":             {`top_list.yaml:1: rules file: want a mapping, got a list`},
		"unknown_brand_field.yaml":  {`unknown_brand_field.yaml:3: brand: unknown field "voice"`},
		"unknown_route_field.yaml":  {`unknown_route_field.yaml:9: route "angry": unknown field "sentiments"`},
		"unknown_team.yaml":         {`unknown_team.yaml:12: route "billing": unknown team "suport" (did you mean "support"?)`},
		"unknown_team_field.yaml":   {`unknown_team_field.yaml:5: team "care": unknown field "slak"`},
		"unknown_top_field.yaml":    {`unknown_top_field.yaml:3: unknown field "routes"`, `unknown_top_field.yaml:1: missing route`},
		"wrong_kind.yaml":           {`wrong_kind.yaml:5: route: any: want a list, got "lumio"`, `wrong_kind.yaml:8: route "big": min_followers: want a whole number, 0 or more, got "lots"`, `wrong_kind.yaml:10: route "replies": is_reply: want true or false, got "yes"`},
		"bad_brand_links.yaml": {
			`bad_brand_links.yaml:3: brand: phone: "call us maybe" is not a phone number`,
			`bad_brand_links.yaml:5: brand: links: status: "http://status.lumio.example" is not an https URL`,
			`bad_brand_links.yaml:6: brand: links: "Refunds": invalid name`,
			`bad_brand_links.yaml:7: brand: links: help: "lumio.example/help" is not an https URL`,
			`bad_brand_links.yaml:8: brand: links: list: want a single value, got a list`,
		},
		"bad_sla_policy.yaml": {
			`bad_sla_policy.yaml:3: team "care": sla: count_outside_hours: want true or false, got "yes"`,
			`bad_sla_policy.yaml:3: team "care": sla: reminders: 2h is not before the due time (first_response is 1h)`,
			`bad_sla_policy.yaml:5: team "billing": sla: breach: unknown value "page" (want escalate or record)`,
			`bad_sla_policy.yaml:5: team "billing": sla: reminders: 1h is listed twice`,
			`bad_sla_policy.yaml:7: team "product": sla: unknown field "first_responce"`,
			`bad_sla_policy.yaml:9: team "safety": sla: reminders: invalid duration "0s"`,
		},
		"bad_hours.yaml": {
			`bad_hours.yaml:3: team "care": hours: zone "Europe/Berlni": want an IANA time zone like Europe/Berlin`,
			`bad_hours.yaml:5: team "billing": hours: days: "mon-fry": unknown day "fry"`,
			`bad_hours.yaml:5: team "billing": hours: from: "8am" is not a time of day (want HH:MM from 00:00 to 24:00, like 08:00)`,
			`bad_hours.yaml:7: team "product": hours: zone is required`,
			`bad_hours.yaml:9: team "safety": hours: to: 08:00 is not after from`,
			`bad_hours.yaml:15: team "legal": hours: sat: "10:00-09:00": the end must come after the start`,
			`bad_hours.yaml:16: team "legal": hours: holidays: "2026-02-30" is not a date`,
			`bad_hours.yaml:16: team "legal": hours: holidays: "12/25" is not a date`,
			`bad_hours.yaml:18: team "press": hours: days: say when, with from and to`,
		},
		"bad_escalation.yaml": {
			`bad_escalation.yaml:4: team "care": escalation: auto: unknown value "panic"`,
			`bad_escalation.yaml:5: team "care": escalation: repeat: want a whole number, 0 or more, got "lots"`,
			`bad_escalation.yaml:7: team "care": escalation: step 1: notify: "slack:bob": want a name (carol), a Slack user (slack:U024BE7LH)`,
			`bad_escalation.yaml:7: team "care": escalation: step 1: notify: "@dana": want a name`,
			`bad_escalation.yaml:9: team "care": escalation: step 2: notify: want at least one person or group to page`,
			`bad_escalation.yaml:10: team "care": escalation: step 2: after: invalid duration "soon"`,
			`bad_escalation.yaml:14: team "billing": escalation: step 1: after is required`,
			`bad_escalation.yaml:17: team "product": escalation: steps are required`,
			`bad_escalation.yaml:22: team "safety": escalation: step 1: after is required`,
			`bad_escalation.yaml:23: team "safety": escalation: step 1: unknown field "page"`,
		},
		"bad_faq.yaml": {
			`bad_faq.yaml:8: faq "reset": query "reset AND": column 7: AND needs a term on both sides`,
			`bad_faq.yaml:10: faq "reset": duplicate name (first at line 7)`,
			`bad_faq.yaml:12: faq "reset": answer: "http://lumio.example/help/reset": links must be https`,
			`bad_faq.yaml:13: faq: name is required`,
			`bad_faq.yaml:15: faq "Plans": invalid name`,
			`bad_faq.yaml:15: faq "Plans": query is required`,
			`bad_faq.yaml:16: faq "Plans": answer: templates ({{ }}) are not supported`,
			`bad_faq.yaml:19: faq "empty": answer: empty`,
			`bad_faq.yaml:20: faq "empty": unknown field "links"`,
			`bad_faq.yaml:21: faq: entry: want a mapping, got "just a string"`,
		},
		"bad_defects.yaml": {
			`bad_defects.yaml:2: defects: github: repo: "lumio" is not owner/name`,
			`bad_defects.yaml:2: defects: github: labels: empty label`,
			`bad_defects.yaml:3: defects: notify_on: "fixed" is not closed or released`,
			`bad_defects.yaml:7: team "care": defects: github: repo is required`,
			`bad_defects.yaml:9: team "product": defects: unknown field "gitlab"`,
			`bad_defects.yaml:15: route "crashes": file_defect: want true or false, got "yes"`,
		},
		"bad_delight.yaml": {
			`bad_delight.yaml:7: team "care": delight: text: the gesture takes a code from coupon_pool "Sorry 10" but its text has no {code}`,
			`bad_delight.yaml:4: team "care": delight: after: unknown value "close" (want one of reply, resolve)`,
			`bad_delight.yaml:5: team "care": delight: coupon_pool: "Sorry 10" is not a pool name`,
			`bad_delight.yaml:6: team "care": delight: link: "http://lumio.example/thanks" is not an https URL`,
			`bad_delight.yaml:7: team "care": delight: text: unknown placeholder {name} (want {code} or {link})`,
			`bad_delight.yaml:9: team "billing": delight: a gesture needs a coupon_pool, a link or both`,
			`bad_delight.yaml:13: team "support": delight: text: 285 characters with a 16-character code and the link; keep it to 280`,
			`bad_delight.yaml:14: team "support": delight: unknown field "colour"`,
			`bad_delight.yaml:18: reactions: no_entry_sign: unknown action "dismiss:rude"`,
		},
	}
	files, err := filepath.Glob(filepath.Join("testdata", "bad", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	if want := slices.Sorted(maps.Keys(cases)); !slices.Equal(names, want) {
		t.Fatalf("testdata/bad holds %v,\nthe table lists %v", names, want)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			r, err := Load(filepath.Join("testdata", "bad", name))
			if err == nil {
				t.Fatalf("Load succeeded (root %+v); want an error", r.Root)
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error is %T, want *ValidationError: %v", err, err)
			}
			for _, want := range cases[name] {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q; got:\n%v", want, err)
				}
			}
			if n, lines := len(ve.Problems), strings.Count(err.Error(), "\n")+1; n != lines {
				t.Errorf("%d problems printed on %d lines", n, lines)
			}
			if !slices.IsSortedFunc(ve.Problems, func(a, b Problem) int { return a.Line - b.Line }) {
				t.Errorf("problems not in file order:\n%v", err)
			}
		})
	}
}

// Each mistake is reported once: a bad matcher value is not also reported
// as a route with no matchers.
func TestOneProblemPerMistake(t *testing.T) {
	_, err := Load(filepath.Join("testdata", "bad", "bad_labels.yaml"))
	if err == nil {
		t.Fatal("want an error")
	}
	if strings.Contains(err.Error(), "no matchers") {
		t.Errorf("cascading problem reported:\n%v", err)
	}
	if got := len(err.(*ValidationError).Problems); got != 3 {
		t.Errorf("got %d problems, want 3:\n%v", got, err)
	}
}

func TestExampleParses(t *testing.T) {
	r, err := Parse("earshot.example.yaml", ExampleYAML())
	if err != nil {
		t.Fatalf("embedded example is invalid:\n%v", err)
	}
	if got, want := r.TeamOrder, []string{"care", "billing", "safety", "product"}; !slices.Equal(got, want) {
		t.Errorf("TeamOrder = %v, want %v", got, want)
	}
	slas := map[string]time.Duration{"care": time.Hour, "billing": 4 * time.Hour, "safety": 15 * time.Minute, "product": 24 * time.Hour}
	for name, want := range slas {
		team, ok := r.Team(name)
		if !ok {
			t.Fatalf("team %q missing", name)
		}
		if team.SLA != want || team.Name != name || !team.Open() || team.Line == 0 {
			t.Errorf("team %q = %+v, want SLA %v, open, with a line", name, team, want)
		}
	}
	if r.Root.Name != "lumio" || r.Root.Team != "care" {
		t.Errorf("root = %q → %q, want lumio → care", r.Root.Name, r.Root.Team)
	}
	if !maps.Equal(r.Reactions, DefaultReactions()) {
		t.Errorf("example reactions %v differ from the defaults %v", r.Reactions, DefaultReactions())
	}
	if r.Brand.Name != "Lumio" || r.Brand.SupportURL != "https://lumio.example/help" || len(r.Brand.Do) == 0 || len(r.Brand.Dont) == 0 {
		t.Errorf("brand = %+v", r.Brand)
	}
	if Example() == nil {
		t.Error("Example() = nil")
	}
}

func TestParseDefaultsAndValues(t *testing.T) {
	const src = `
brand:
  name: Lumio
  handles: ["@lumio"]
teams:
  care: ~
  safety:
    members: [alice, "slack:U024BE7LH", "discord:80351110224678912", "web:bob"]
    leads: [carol]
    execs: [dana]
    sla: 1d2h
    slack: {channel: "C0123SAFE"}
    discord: {channel: "112233445566778899", roles: ["Safety", "Exec"]}
exclude:
  authors: ["@DealsBot", "other"]
route:
  team: care
  routes:
    - name: big
      platform: [Bluesky]
      lang: [en]
      min_followers: 1_000
      is_reply: false
      has_link: true
      continue: true
reactions:
  ":eyes:": claim
  tada: reply
  two: reply:2
  mute: mute
`
	r, err := Parse("t.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	care, _ := r.Team("care")
	if care.SLA != DefaultSLA || !care.Open() {
		t.Errorf("care = %+v, want default SLA and open", care)
	}
	safety, _ := r.Team("safety")
	if safety.SLA != 26*time.Hour || safety.Slack.Channel != "C0123SAFE" || safety.Discord.Channel != "112233445566778899" ||
		!slices.Equal(safety.Discord.Roles, []string{"Safety", "Exec"}) || len(safety.Members) != 4 ||
		!safety.MayAct("slack:U024BE7LH") || !safety.MayAct("web:carol") || safety.MayAct("web:mallory") {
		t.Errorf("safety = %+v", safety)
	}
	if safety.Line != 7 {
		t.Errorf("safety defined at line %d, want 7 (its name's line)", safety.Line)
	}
	if r.Root.Name != "root" {
		t.Errorf("unnamed root is %q, want root", r.Root.Name)
	}
	big := r.Root.Routes[0]
	if !slices.Equal(big.Platform, []string{"bluesky"}) || big.MinFollowers != 1000 || big.IsReply == nil || *big.IsReply ||
		big.HasLink == nil || !*big.HasLink || !big.Continue {
		t.Errorf("route big = %+v", big)
	}
	if !slices.Equal(r.Exclude.Authors, []string{"DealsBot", "other"}) {
		t.Errorf("authors = %v", r.Exclude.Authors)
	}
	want := map[string]Reaction{"eyes": {Action: "claim"}, "tada": {Action: "reply", Suggestion: 1}, "two": {Action: "reply", Suggestion: 2}, "mute": {Action: "mute"}}
	if !maps.Equal(r.Reactions, want) {
		t.Errorf("reactions = %v, want %v (given reactions replace the defaults)", r.Reactions, want)
	}

	// The team returned is a copy: changing it leaves the rules alone.
	safety.Members[0] = "mallory"
	if again, _ := r.Team("safety"); again.Members[0] != "alice" {
		t.Error("Team returned the rules' own slice")
	}
	if _, ok := r.Team("nobody"); ok {
		t.Error("Team(nobody) found a team")
	}
}

func TestReactionsDefaultWhenMissing(t *testing.T) {
	for name, src := range map[string]string{
		"absent": "teams: {care: {}}\nroute: {team: care}\n",
		"null":   "teams: {care: {}}\nroute: {team: care}\nreactions:\n",
	} {
		t.Run(name, func(t *testing.T) {
			r, err := Parse("t.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(r.Reactions, DefaultReactions()) {
				t.Errorf("reactions = %v, want the defaults", r.Reactions)
			}
		})
	}
}

func TestReactionString(t *testing.T) {
	for _, s := range []string{"claim", "reply", "reply:2", "reply:3", "escalate", "acknowledge", "defect", "dismiss", "resolve", "mute"} {
		r, ok := parseReaction(s)
		if !ok {
			t.Errorf("parseReaction(%q) failed", s)
			continue
		}
		if r.String() != s {
			t.Errorf("parseReaction(%q).String() = %q", s, r.String())
		}
	}
	for _, s := range []string{"", "reply:", "reply:01", "reply:4", "reply:-1", "claim:1", "Reply", "defects"} {
		if r, ok := parseReaction(s); ok {
			t.Errorf("parseReaction(%q) = %+v, want failure", s, r)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"1h", time.Hour, true},
		{"30m", 30 * time.Minute, true},
		{"90s", 90 * time.Second, true},
		{"1h30m", 90 * time.Minute, true},
		{"1d", 24 * time.Hour, true},
		{"2d12h", 60 * time.Hour, true},
		{"0d", 0, true},
		{"", 0, false},
		{"d", 0, false},
		{"1", 0, false},
		{"-1d", 0, false},
		{"1d-1h", 0, false},
		{"+1d", 0, false},
		{"1.5d", 0, false},
		{"1h1d", 0, false},
		{"99999d", 0, false},
		{"1 hour", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseDuration(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("parseDuration(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
			}
		})
	}
}

func TestCloseTo(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"suport", "support", true},
		{"support", "suport", true},
		{"biling", "billing", true},
		{"crae", "care", true},
		{"cera", "care", false},
		{"cars", "care", true},
		{"care", "care", true},
		{"safety", "product", false},
		{"ca", "care", false},
		{"", "a", true},
		{"ab", "ba", true},
		{"abc", "bca", false},
	}
	for _, tt := range tests {
		if got := closeTo(tt.a, tt.b); got != tt.want {
			t.Errorf("closeTo(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestValidationErrorFormat(t *testing.T) {
	e := &ValidationError{Problems: []Problem{
		{File: "earshot.yaml", Line: 7, Msg: `team "care": unknown field "slak"`},
		{File: "earshot.yaml", Msg: "empty rules file"},
	}}
	want := "earshot.yaml:7: team \"care\": unknown field \"slak\"\nearshot.yaml: empty rules file"
	if e.Error() != want {
		t.Errorf("Error() = %q, want %q", e.Error(), want)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "earshot.yaml")
	if err := os.WriteFile(path, ExampleYAML(), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if r.File != path {
		t.Errorf("File = %q, want %q", r.File, path)
	}
	_, err = Load(filepath.Join(dir, "missing.yaml"))
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("Load(missing) = %v, want a not-exist error naming the file", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(ExampleYAML())
	files, _ := filepath.Glob(filepath.Join("testdata", "bad", "*.yaml"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("teams: {care: {}}\nroute: {team: care, routes: [{name: a, any: [x], routes: [{name: b, is_reply: true}]}]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse("fuzz.yaml", data)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) == 0 {
				t.Fatalf("error %T %v: want a non-empty *ValidationError", err, err)
			}
			for _, p := range ve.Problems {
				if p.File != "fuzz.yaml" || p.Msg == "" || p.Line < 0 {
					t.Fatalf("bad problem %+v", p)
				}
			}
			return
		}
		if r.Root == nil || r.Root.Team == "" || len(r.TeamOrder) == 0 {
			t.Fatalf("valid rules without a root team: %+v", r)
		}
		// Whatever parses must route without panicking, and only to defined teams.
		for _, in := range []Input{{Text: string(data)}, {Text: "x", Intent: "bug", Followers: 1 << 30}} {
			for _, team := range r.Match(in).Teams {
				if _, ok := r.Teams[team]; !ok {
					t.Fatalf("routed to undefined team %q", team)
				}
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	data := ExampleYAML()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("earshot.example.yaml", data); err != nil {
			b.Fatal(err)
		}
	}
}
