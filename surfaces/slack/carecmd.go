package slacksurface

import (
	"context"
	"fmt"
	"strings"

	chat "github.com/earshothq/earshot/surfaces/command"
)

// runMutes does mute (without a case), unmute and mutes.
func (s *Surface) runMutes(ctx context.Context, c chat.Command, to answer) {
	if s.mutes == nil {
		s.tell(ctx, to, "Mutes are not available here.")
		return
	}
	r := chat.RunMutes(ctx, s.mutes, c, "slack:"+to.user, Name, s.command)
	if r.Err != nil {
		s.log.Error("slack: "+c.Verb, "err", r.Err)
	}
	text := escape(r.Text)
	switch {
	case r.Verdict == chat.Taken && c.Verb == "mute":
		text = ":mute: " + text
	case r.Verdict == chat.Taken && c.Verb == "unmute":
		text = ":loud_sound: " + text
	case r.Verdict == chat.Refused:
		text = ":no_entry: " + text
	case r.Verdict == chat.Invalid || r.Verdict == chat.Broken:
		text = ":warning: " + text
	}
	if len(r.Listed) > 0 {
		lines := []string{"*" + text + "*"}
		for i, m := range r.Listed {
			if i == 20 {
				lines = append(lines, fmt.Sprintf("…and %d more (the web inbox's Mutes page lists them all)", len(r.Listed)-20))
				break
			}
			line := "• " + escape(m.Describe()) + " · by " + who(m.By)
			if m.Reason != "" {
				line += ": " + fit(m.Reason, 200)
			}
			lines = append(lines, line)
		}
		text = strings.Join(lines, "\n")
	}
	s.tell(ctx, to, text)
}
