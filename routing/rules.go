// Package routing reads earshot's rules file (earshot.yaml) and decides, for
// one mention, which teams get a case and which rules said so. It validates
// the file strictly when it is loaded, naming file, line and value, so a typo
// is a start-up error rather than a mention silently routed nowhere. It is a
// leaf: it matches plain data and imports nothing else of earshot's.
package routing

import (
	_ "embed"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// Rules is a parsed, validated rules file. It is not changed after Parse and
// is safe for concurrent use.
type Rules struct {
	File  string
	Brand Brand
	// Teams by name; TeamOrder is the order they are defined in the file.
	Teams     map[string]*Team
	TeamOrder []string
	// Root is the top of the routing tree: a mention it does not match is not
	// routed at all.
	Root *Route
	// Reactions maps an emoji name (without colons) to what it does on a card.
	Reactions map[string]Reaction
	Exclude   Exclude
	// FAQs are canned answers to common questions, tried in file order.
	FAQs []FAQ
	// Storm says when new cards are grouped (DefaultStorm when unset).
	Storm StormPolicy
	// Defects is where defects are filed when a team says nothing else
	// (see DefectsFor).
	Defects Defects

	slaOnce sync.Once
	slas    map[string]time.Duration

	// The compiled matcher: built by Parse, or on first use for rules put
	// together in code.
	engOnce sync.Once
	eng     *engine
	engErr  error
}

// Brand is the voice replies are drafted in and the accounts that are ours.
type Brand struct {
	Name string
	// Handles are the brand's own accounts: their posts are ours, not customers'.
	Handles    []string
	Tone       string
	SignOff    string
	SupportURL string
	Hours      string
	// Phone is the support line drafts may give, as written ("+44 20 7946 0000").
	Phone string
	// Links are https pages drafts may point to, by name (status, refunds);
	// with SupportURL they are the only addresses a model's draft may carry.
	Links    map[string]string
	Do, Dont []string
	// Products are the brand's product names ("Lumio app", "Lumio hub"),
	// looked for in a post when a defect is filed.
	Products []string
}

// Exclude drops a mention from every route: job ads, deal bots, spam domains.
type Exclude struct {
	Terms   []string
	Authors []string // handles without '@'
	Domains []string
}

// Route is one node of the routing tree. A route matches when all of its
// matchers match; a route without matchers (only the root may have none)
// matches everything.
type Route struct {
	Name string
	// Query, when set, must match (see ParseQuery for the language).
	Query *Query
	// Any matches when at least one term occurs in the text.
	Any []string
	// Label matchers: the mention's label must be one of the listed values.
	Intent, Sentiment, Urgency []string
	Platform, Lang             []string
	// MinFollowers matches authors with at least this many followers (0: any).
	MinFollowers int
	// IsReply and HasLink, when set, must equal the mention's.
	IsReply, HasLink *bool
	// Team as written; empty means inherited from the nearest ancestor.
	Team string
	// Continue keeps evaluating siblings after this route matched.
	Continue bool
	// FileDefect files a defect, as earshot, for every case this route
	// opens for its team (see Rules.AutoDefect). It is not a matcher.
	FileDefect bool
	Routes     []*Route
	Line       int

	// Set when the rules are compiled.
	id, parent  int32
	anyIDs      []int32
	gate        []int32
	gated       bool
	ungatedKids []*Route
}

// Reaction is what an emoji on a card does.
type Reaction struct {
	Action string // one of Actions()
	// Suggestion is the rank of the suggestion a "reply" sends (1..3); 0 for
	// other actions.
	Suggestion int
	// Reason is the reason a "dismiss" gives (dismiss:spam); empty is other.
	Reason string
}

// String is the reaction as written in the rules file ("reply:2").
func (r Reaction) String() string {
	if r.Action == "reply" && r.Suggestion > 1 {
		return fmt.Sprintf("reply:%d", r.Suggestion)
	}
	if r.Reason != "" {
		return r.Action + ":" + r.Reason
	}
	return r.Action
}

// Compile builds the matcher now rather than on the first Match, and reports
// a term that cannot be matched. Parse calls it; rules put together in code
// may.
func (r *Rules) Compile() error {
	r.engOnce.Do(func() { r.eng, r.engErr = compile(r) })
	return r.engErr
}

// Stats describes compiled rules, for operators.
type Stats struct {
	Routes   int `json:"routes"`
	Literals int `json:"literals"`
	// AutomatonBytes is the memory the compiled term matcher holds.
	AutomatonBytes int `json:"automaton_bytes"`
}

// Stats counts the routes and distinct literals of compiled rules.
func (r *Rules) Stats() Stats {
	if r == nil || r.Compile() != nil {
		return Stats{}
	}
	st := Stats{Routes: len(r.eng.routes), Literals: len(r.eng.lits)}
	if r.eng.ac != nil {
		st.AutomatonBytes = r.eng.ac.SizeBytes()
	}
	return st
}

// Input is what routing looks at: a mention and its labels as plain data.
type Input struct {
	Text     string
	Platform string // "bluesky", "reddit", ...; compared in any case
	Lang     string // "en", "de-AT"; a route's "de" matches "de-AT"
	Author   string // handle, with or without '@'
	URL      string // the post's address; only exclusions look at it
	// Followers is the author's follower count.
	Followers        int
	IsReply, HasLink bool
	// Labels from classification; empty when not (yet) classified, which
	// no label matcher matches.
	Sentiment, Intent, Urgency string
}

// Decision is where a mention goes and why.
type Decision struct {
	// Teams get a case, deduplicated, in routing order; empty when nothing
	// matched or the mention was excluded.
	Teams []string
	// Routes names every route on the matched paths, root first.
	Routes []string
	// Excluded says which exclusion dropped the mention (`term "we're hiring"`);
	// empty when none did.
	Excluded string
}

// The lists below mirror bot's Sentiment, Intent, Urgency and ActionKind
// values: routing cannot import bot (bot imports routing), so the rules file
// is checked against these, and a test on bot's side keeps the two equal.

// Sentiments lists the sentiment labels a route may match.
func Sentiments() []string { return []string{"positive", "neutral", "negative"} }

// Intents lists the intent labels a route may match.
func Intents() []string {
	return []string{"complaint", "question", "bug", "praise", "safety", "lead", "churn", "spam", "other"}
}

// Urgencies lists the urgency labels a route may match.
func Urgencies() []string { return []string{"low", "normal", "high", "critical"} }

// Actions lists what a reaction may do.
func Actions() []string {
	return []string{"claim", "reply", "escalate", "acknowledge", "defect", "dismiss", "resolve", "mute", "reopen"}
}

// DismissReasons lists the reasons a dismiss reaction may give
// (dismiss:spam), mirroring bot's.
func DismissReasons() []string { return []string{"spam", "not_about_us", "duplicate", "other"} }

// MaxSuggestion is the highest suggestion rank a reaction may send.
const MaxSuggestion = 3

// DefaultReactions is what a rules file without a reactions section gets.
func DefaultReactions() map[string]Reaction {
	return map[string]Reaction{
		"eyes":             {Action: "claim"},
		"white_check_mark": {Action: "reply", Suggestion: 1},
		"one":              {Action: "reply", Suggestion: 1},
		"two":              {Action: "reply", Suggestion: 2},
		"three":            {Action: "reply", Suggestion: 3},
		"rotating_light":   {Action: "escalate"},
		"ok_hand":          {Action: "acknowledge"},
		"bug":              {Action: "defect"},
		"no_entry_sign":    {Action: "dismiss"},
		"checkered_flag":   {Action: "resolve"},
	}
}

// Load reads and parses the rules file at path.
func Load(path string) (*Rules, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read rules: %w", err)
	}
	return Parse(path, data)
}

//go:embed earshot.example.yaml
var exampleYAML string

// ExampleYAML is the embedded example rules file, the default when no rules
// file is configured.
func ExampleYAML() []byte { return []byte(exampleYAML) }

// Example is the parsed example rules file. It panics only if the embedded
// file is invalid, which a test rules out.
func Example() *Rules {
	r, err := Parse("earshot.example.yaml", ExampleYAML())
	if err != nil {
		panic(fmt.Sprintf("routing: embedded example rules are invalid: %v", err))
	}
	return r
}

// Team returns the named team.
func (r *Rules) Team(name string) (Team, bool) {
	t, ok := r.Teams[name]
	if !ok {
		return Team{}, false
	}
	c := *t
	// Copies, so a caller appending to a list cannot change the rules.
	c.Members = slices.Clone(t.Members)
	c.Leads = slices.Clone(t.Leads)
	c.Execs = slices.Clone(t.Execs)
	c.Urgency.High = slices.Clone(t.Urgency.High)
	c.Urgency.Critical = slices.Clone(t.Urgency.Critical)
	c.Discord.Roles = slices.Clone(t.Discord.Roles)
	c.Defects.GitHub.Labels = slices.Clone(t.Defects.GitHub.Labels)
	c.RemindBefore = slices.Clone(t.RemindBefore)
	c.Escalation = t.Escalation.clone()
	if t.Delight != nil {
		d := *t.Delight
		d.After = slices.Clone(t.Delight.After)
		c.Delight = &d
	}
	return c, true
}

// SLAs maps every team to its SLA. The map is built once per Rules and
// shared: callers must not change it.
func (r *Rules) SLAs() map[string]time.Duration {
	r.slaOnce.Do(func() {
		r.slas = make(map[string]time.Duration, len(r.Teams))
		for name, t := range r.Teams {
			r.slas[name] = t.SLA
		}
	})
	return r.slas
}

// IsOurs reports whether handle is one of the brand's own accounts, compared
// case-insensitively and without a leading '@'.
func (r *Rules) IsOurs(handle string) bool {
	h := bareHandle(handle)
	if h == "" {
		return false
	}
	for _, own := range r.Brand.Handles {
		if strings.EqualFold(bareHandle(own), h) {
			return true
		}
	}
	return false
}

func bareHandle(h string) string { return strings.TrimPrefix(strings.TrimSpace(h), "@") }
