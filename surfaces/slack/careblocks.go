package slacksurface

import (
	"github.com/slack-go/slack"

	chat "github.com/earshothq/earshot/surfaces/command"
)

// dismissMenu is the card's Dismiss control: picking a reason dismisses
// with it, so the reason is never skipped and costs no extra click.
func dismissMenu(base click) *slack.SelectBlockElement {
	opts := make([]*slack.OptionBlockObject, 0, len(chat.DismissReasons))
	for _, r := range chat.DismissReasons {
		v := base
		v.Reason = string(r.Reason)
		opts = append(opts, slack.NewOptionBlockObject(v.encode(), plain(r.Label), nil))
	}
	return slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Dismiss as…"), actionDismiss, opts...)
}
