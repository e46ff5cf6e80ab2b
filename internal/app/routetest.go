package app

import (
	"fmt"
	"strings"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/routing"
)

// RouteTest explains in a few lines what the rules do with a text: the
// labels, each matched route and why, and the teams. Chat commands show it
// ("/earshot route-test …"); `earshot rules test` prints the same facts.
func RouteTest(rules *routing.Rules, cls bot.Classifier, text string) string {
	m := bot.Mention{Platform: "bluesky", ExternalID: "route-test", Text: text, Lang: "en", CreatedAt: time.Now()}
	l := cls.Classify(m)
	d, why := rules.Explain(bot.RoutingInput(m, l))
	var b strings.Builder
	fmt.Fprintf(&b, "labels: %s (%+.2f), %s, %s\n", l.Sentiment, l.Score, l.Intent, l.Urgency)
	switch {
	case d.Excluded != "":
		fmt.Fprintf(&b, "excluded: %s\n", d.Excluded)
	case len(why) == 0:
		fmt.Fprintf(&b, "no match: the root route %q does not match\n", rules.Root.Name)
	default:
		for _, r := range why {
			fmt.Fprintf(&b, "route %s (line %d, team %s): %s\n", r.Route, r.Line, r.Team, strings.Join(r.Because, ", "))
		}
		fmt.Fprintf(&b, "teams: %s\n", strings.Join(d.Teams, ", "))
	}
	return b.String()
}
