// Package tuning turns what people dismissed into advice for the rules
// file: which routes bring noise, which authors and words the noise shares,
// and the exclude lines that would have kept it out. It reads case digests
// (bot.CaseDigest) and changes nothing.
package tuning

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/routing"
)

// Options tune the advice; the zero value is the defaults.
type Options struct {
	// MinNoise is how many noise cases (dismissed as spam or not about us,
	// or muted) an author or a term needs before it is suggested; default 2.
	MinNoise int
	// MinShare is the share of an author's or term's cases that must be
	// noise, so words real customers also use are not suggested; default 0.9.
	MinShare float64
	// Top is how many authors and terms are listed; default 10.
	Top int
	// Ignore lists words never suggested: the brand's names and handles,
	// which every case has (see IgnoreFromRules).
	Ignore []string
}

func (o Options) withDefaults() Options {
	if o.MinNoise <= 0 {
		o.MinNoise = 2
	}
	if o.MinShare <= 0 {
		o.MinShare = 0.9
	}
	if o.Top <= 0 {
		o.Top = 10
	}
	return o
}

// Report is what was dismissed in a period and what the rules could do
// about it.
type Report struct {
	Since     time.Time      `json:"since"`
	Cases     int            `json:"cases"` // opened in the period
	Dismissed int            `json:"dismissed"`
	ByReason  map[string]int `json:"by_reason"`
	// Routes counts, per team and deepest matching route, the cases and
	// their dismissals by reason, most dismissed first.
	Routes []RouteCount `json:"routes"`
	// Authors and Terms are the ones noise cases share most, with how much
	// of each one's cases was noise.
	Authors []Candidate `json:"authors"`
	Terms   []Candidate `json:"terms"`
	// Exclude is the rules-file section that would keep the suggested
	// authors and terms out ("" when nothing is suggested).
	Exclude string `json:"exclude"`
}

// RouteCount is one route's cases and dismissals.
type RouteCount struct {
	Team      string         `json:"team"`
	Route     string         `json:"route"`
	Cases     int            `json:"cases"`
	Dismissed int            `json:"dismissed"`
	ByReason  map[string]int `json:"by_reason"`
}

// Candidate is an author or a term seen in noise.
type Candidate struct {
	Value     string  `json:"value"`
	Noise     int     `json:"noise"` // noise cases with it
	Cases     int     `json:"cases"` // all cases with it
	Share     float64 `json:"share"`
	Suggested bool    `json:"suggested"`
}

// noise reports whether a dismissal says the case should never have come:
// what an exclusion could catch. Duplicates and "other" are not.
func noise(dismissed string) bool {
	return dismissed == bot.DismissedMuted || bot.DismissReason(dismissed).Noise()
}

// Build makes the report from the cases opened since since.
func Build(ds []bot.CaseDigest, since time.Time, o Options) Report {
	o = o.withDefaults()
	r := Report{Since: since, Cases: len(ds), ByReason: map[string]int{}}
	routes := map[[2]string]*RouteCount{}
	authors := map[string]*tally{}
	terms := map[string]*tally{}
	ignore := map[string]bool{}
	for _, w := range strings.Fields(stopWords) {
		ignore[w] = true
	}
	for _, w := range o.Ignore {
		for _, t := range words(w) {
			ignore[t] = true
		}
		ignore[strings.ToLower(strings.TrimSpace(w))] = true
	}
	for _, d := range ds {
		route := "(none)"
		if len(d.Rules) > 0 {
			route = d.Rules[len(d.Rules)-1]
		}
		k := [2]string{d.Team, route}
		rc := routes[k]
		if rc == nil {
			rc = &RouteCount{Team: d.Team, Route: route, ByReason: map[string]int{}}
			routes[k] = rc
		}
		rc.Cases++
		isNoise := noise(d.Dismissed)
		if d.Dismissed != "" {
			r.Dismissed++
			r.ByReason[d.Dismissed]++
			rc.Dismissed++
			rc.ByReason[d.Dismissed]++
		}
		if a := strings.ToLower(strings.TrimPrefix(d.Author, "@")); a != "" && !ignore[a] {
			count(authors, a, d.ID, isNoise)
		}
		for t := range caseTerms(d.Text, ignore) {
			count(terms, t, d.ID, isNoise)
		}
	}
	for _, rc := range routes {
		r.Routes = append(r.Routes, *rc)
	}
	slices.SortFunc(r.Routes, func(a, b RouteCount) int {
		return cmp.Or(cmp.Compare(b.Dismissed, a.Dismissed), cmp.Compare(b.Cases, a.Cases), cmp.Compare(a.Team, b.Team), cmp.Compare(a.Route, b.Route))
	})
	r.Authors = rank(authors, o)
	r.Terms = rank(terms, o)
	if r.Routes == nil {
		r.Routes = []RouteCount{}
	}
	r.Exclude = excludeYAML(r.Authors, r.Terms)
	return r
}

// tally is a candidate while counting: which noise cases have it.
type tally struct {
	Candidate
	noise map[int64]bool
}

func count(m map[string]*tally, v string, caseID int64, isNoise bool) {
	c := m[v]
	if c == nil {
		c = &tally{Candidate: Candidate{Value: v}, noise: map[int64]bool{}}
		m[v] = c
	}
	c.Cases++
	if isNoise {
		c.Noise++
		c.noise[caseID] = true
	}
}

// rank suggests candidates greedily: each round takes the one that keeps
// out the most noise cases not kept out yet, as long as that is at least
// MinNoise and its share of noise is high enough. Words that always come
// together ("retweet to win") give one suggestion, not four. It returns
// the suggestions, then the rest by noise, up to Top.
func rank(m map[string]*tally, o Options) []Candidate {
	var all []*tally
	for _, c := range m {
		if c.Noise == 0 {
			continue
		}
		c.Share = float64(c.Noise) / float64(c.Cases)
		all = append(all, c)
	}
	better := func(a, b *tally) int {
		return cmp.Or(cmp.Compare(b.Noise, a.Noise), cmp.Compare(b.Share, a.Share),
			cmp.Compare(strings.Count(a.Value, " "), strings.Count(b.Value, " ")), cmp.Compare(a.Value, b.Value))
	}
	slices.SortFunc(all, better)
	covered := map[int64]bool{}
	out := []Candidate{}
	for len(out) < o.Top {
		var best *tally
		bestNew := 0
		for _, c := range all {
			if c.Suggested || c.Share < o.MinShare || routing.ValidTerm(c.Value) != nil {
				continue
			}
			n := 0
			for id := range c.noise {
				if !covered[id] {
					n++
				}
			}
			if n > bestNew {
				best, bestNew = c, n
			}
		}
		if best == nil || bestNew < o.MinNoise {
			break
		}
		best.Suggested = true
		for id := range best.noise {
			covered[id] = true
		}
		out = append(out, best.Candidate)
	}
	for _, c := range all {
		if len(out) == o.Top {
			break
		}
		if !c.Suggested {
			out = append(out, c.Candidate)
		}
	}
	return out
}

var linkRE = regexp.MustCompile(`(?i)\bhttps?://\S+`)

// caseTerms is the set of words and two-word phrases of a text, lower
// case, without links, short words, numbers or ignored (and stop) words.
func caseTerms(text string, ignore map[string]bool) map[string]bool {
	ws := words(linkRE.ReplaceAllString(text, " "))
	out := map[string]bool{}
	keep := func(w string) bool {
		return !ignore[w] && utf8.RuneCountInString(strings.TrimLeft(w, "#@$")) >= 3 && strings.TrimLeft(w, "0123456789#@$.,") != ""
	}
	for i, w := range ws {
		if !keep(w) {
			continue
		}
		out[w] = true
		if i+1 < len(ws) && keep(ws[i+1]) {
			out[w+" "+ws[i+1]] = true
		}
	}
	return out
}

// words splits text into lower-case words; a leading # or @ stays with
// its word (hashtags and handles are terms of their own).
func words(text string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, r := range strings.ToLower(text) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '\'':
			b.WriteRune(r)
		case (r == '#' || r == '@' || r == '$') && b.Len() == 0:
			b.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
	for i, w := range out {
		out[i] = strings.Trim(w, "'")
	}
	return out
}

// stopWords are too common to tell noise from customers.
const stopWords = `the and for you your our are was were with this that have has had not but all any can
		get got just like from they them their there what when where who why how its it's i'm i've you're don't can't
		will would could should about into out over more most some very really here now today then than too also been
		being one two new now off own same such only other each again still even much many make made see via amp dm
		me my mine we us he she his her him hers ours yours lol omg`

// excludeYAML is the rules-file section for the suggested candidates.
func excludeYAML(authors, terms []Candidate) string {
	list := func(cs []Candidate) string {
		var vs []string
		for _, c := range cs {
			if c.Suggested {
				vs = append(vs, strconv.Quote(c.Value))
			}
		}
		return strings.Join(vs, ", ")
	}
	a, t := list(authors), list(terms)
	if a == "" && t == "" {
		return ""
	}
	var b strings.Builder
	b.WriteString("exclude:\n")
	if a != "" {
		fmt.Fprintf(&b, "  authors: [%s]\n", a)
	}
	if t != "" {
		fmt.Fprintf(&b, "  terms: [%s]\n", t)
	}
	return b.String()
}

// IgnoreFromRules lists the words every case of the rules shares: the
// brand's name and handles and the root route's terms.
func IgnoreFromRules(r *routing.Rules) []string {
	if r == nil {
		return nil
	}
	out := []string{r.Brand.Name}
	out = append(out, r.Brand.Handles...)
	if r.Root != nil {
		out = append(out, r.Root.Any...)
	}
	return out
}

// ParseSince reads a period back from now: "7d", "24h", "2w" (default 7d).
func ParseSince(s string, now time.Time) (time.Time, error) {
	if strings.TrimSpace(s) == "" {
		s = "7d"
	}
	d, forever, err := bot.ParsePeriod(s)
	if err != nil || forever {
		return time.Time{}, fmt.Errorf("since %q: want a period like 24h, 7d or 30d", clip(s, 20))
	}
	return now.Add(-d), nil
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// Text is the report for a terminal or a chat message.
func Text(r Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Since %s: %d cases, %d dismissed", r.Since.UTC().Format("2006-01-02 15:04 UTC"), r.Cases, r.Dismissed)
	if r.Dismissed > 0 {
		fmt.Fprintf(&b, " (%s)", reasons(r.ByReason))
	}
	b.WriteString("\n")
	if len(r.Routes) > 0 {
		b.WriteString("\nBy route (team/route: dismissed of cases, by reason)\n")
		for _, rc := range r.Routes {
			fmt.Fprintf(&b, "  %-28s %4d of %-5d %s\n", rc.Team+"/"+rc.Route, rc.Dismissed, rc.Cases, reasons(rc.ByReason))
		}
	}
	cands := func(title string, cs []Candidate) {
		if len(cs) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s (noise cases of all their cases)\n", title)
		for _, c := range cs {
			mark := " "
			if c.Suggested {
				mark = "*"
			}
			fmt.Fprintf(&b, "  %s %-30s %3d of %-4d %3.0f%%\n", mark, c.Value, c.Noise, c.Cases, 100*c.Share)
		}
	}
	cands("Authors dismissed as spam, not about us, or muted", r.Authors)
	cands("Words and phrases in those cases", r.Terms)
	if r.Exclude != "" {
		b.WriteString("\nSuggested for the rules file (* above; check before adding):\n")
		b.WriteString(r.Exclude)
	} else {
		b.WriteString("\nNo exclusion to suggest.\n")
	}
	return b.String()
}

func reasons(m map[string]int) string {
	var parts []string
	for _, k := range []string{"spam", "not_about_us", "duplicate", "other", bot.DismissedMuted} {
		if n := m[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", strings.ReplaceAll(k, "_", " "), n))
		}
	}
	return strings.Join(parts, ", ")
}
