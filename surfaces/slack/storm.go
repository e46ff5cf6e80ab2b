package slacksurface

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/earshothq/earshot/bot"
	chat "github.com/earshothq/earshot/surfaces/command"
)

var _ bot.StormSurface = (*Surface)(nil)

// ShowStorm posts the team's storm card, or updates it in place: one
// message counting a burst of new cases that would otherwise each post a
// card and bury the channel.
func (s *Surface) ShowStorm(ctx context.Context, card bot.StormCard, ref string) (string, error) {
	channel := card.Team.Slack.Channel
	if ref == "" && channel == "" {
		return "", nil
	}
	blocks, text := stormMessage(card, s.now())
	return s.show(ctx, channel, ref, msgOptions(text, blocks), "storm card of "+card.Team.Name, false)
}

// stormMessage renders a storm card. Authors and texts are public and
// escaped like every card's.
func stormMessage(c bot.StormCard, now time.Time) ([]slack.Block, string) {
	title := fmt.Sprintf("🌩️ %d new cases for %s since %s", c.Count, c.Team.Name, c.Since.UTC().Format("15:04 MST"))
	if c.Over {
		title = fmt.Sprintf("Storm over: %d cases for %s between %s and %s", c.Count, c.Team.Name,
			c.Since.UTC().Format("15:04"), now.UTC().Format("15:04 MST"))
	}
	blocks := []slack.Block{slack.NewHeaderBlock(plain(clip(title, 150)))}
	if len(c.Authors) > 0 {
		var parts []string
		for _, a := range c.Authors {
			parts = append(parts, fit("@"+strings.TrimPrefix(a.Author.Handle, "@"), 100)+" ("+strconv.Itoa(a.Cases)+", "+chat.Reach(a.Author.Followers)+")")
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn("*Top authors:* "+strings.Join(parts, " · ")), nil, nil))
	}
	if len(c.Samples) > 0 {
		var lines []string
		for i := len(c.Samples) - 1; i >= 0; i-- {
			sm := c.Samples[i]
			line := "*#" + strconv.FormatInt(sm.CaseID, 10) + "* " + fit("@"+strings.TrimPrefix(sm.First.Author.Handle, "@"), 100) +
				": " + fit(postLine(sm.First), 300)
			if u := safeURL(sm.First.URL); u != "" {
				line += " <" + u + "|view post>"
			}
			lines = append(lines, line)
		}
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(clipEscaped("*Latest:*\n"+strings.Join(lines, "\n"), 3000)), nil, nil))
	}
	blocks = append(blocks, slack.NewContextBlock("", mrkdwn(
		"Every case is in the web inbox. Act on one here with `/earshot reply #ID text`, `/earshot dismiss #ID` or `/earshot escalate #ID`.")))
	return blocks, title
}
