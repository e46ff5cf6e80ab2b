package slacksurface

import (
	"maps"
	"slices"
	"strings"

	"github.com/earshothq/earshot/routing"
	chat "github.com/earshothq/earshot/surfaces/command"
)

// helpText is the answer to "/earshot help", with the reactions in force.
func helpText(cmd string, reactions map[string]routing.Reaction) string {
	names := slices.Sorted(maps.Keys(reactions))
	var rs []string
	for _, n := range names {
		rs = append(rs, ":"+n+": "+reactions[n].String())
	}
	lines := []string{"*earshot* acts on the case cards in this channel."}
	for _, h := range chat.Help {
		lines = append(lines, "• `"+escape(cmd+" "+h.Usage)+"`: "+escape(h.What))
	}
	lines = append(lines, "Slash commands cannot be used in threads: in a card's thread, mention the app instead (`@earshot dismiss`) and the case is implied.")
	if len(rs) > 0 {
		lines = append(lines, "Reactions on a card: "+strings.Join(rs, ", "))
	}
	return strings.Join(lines, "\n")
}
