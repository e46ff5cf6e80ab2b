package slacksurface

import (
	"context"

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
	text := r.Render(c.Verb, chat.MuteStyle{Escape: escape, Fit: fit, Who: who,
		Bold: func(s string) string { return "*" + s + "*" }, Muted: ":mute:", Unmuted: ":loud_sound:", Refused: ":no_entry:", Warning: ":warning:"})
	s.tell(ctx, to, text)
}
