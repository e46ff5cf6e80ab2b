package slacksurface

import (
	"strings"

	"github.com/earshothq/earshot/bot"
)

// linkStates say, on the card, what became of a linked issue.
var linkStates = map[string]string{
	bot.LinkOpen: "open", bot.LinkClosed: "closed, waiting for the release", bot.LinkFixed: "fixed",
	bot.LinkNotPlanned: "not planned", bot.LinkDuplicate: "closed as a duplicate", bot.LinkReleased: "released",
}

// linksLine shows the issues tracking the case: ":bug: <url|lumio/app#412> open".
func linksLine(links []bot.CaseLink) string {
	var parts []string
	for _, l := range links {
		ref := fit(l.Ref(), 200)
		if u := safeURL(l.URL); u != "" {
			ref = "<" + u + "|" + ref + ">"
		}
		state := linkStates[l.State]
		if l.Release != "" && (l.State == bot.LinkFixed || l.State == bot.LinkReleased) {
			state += " in " + fit(l.Release, 60)
		}
		parts = append(parts, strings.TrimSpace(ref+" "+state))
	}
	if len(parts) == 0 {
		return ""
	}
	return ":bug: " + strings.Join(parts, " · ")
}
