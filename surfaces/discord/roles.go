package discordsurface

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/earshothq/earshot/bot"
)

// roleCheck is the surface's verdict on a member and a case's team, for
// the handlers: nil when the team names no Discord roles (its lists
// decide), held when the member has one of the roles, and a refusal with
// the reason otherwise, unless the team's lists name the member. The
// handlers record the refusal like any other; this is the only place
// Discord roles are read.
func (s *Surface) roleCheck(ctx context.Context, guild string, member *discordgo.Member, team bot.Team) *bot.RoleCheck {
	want := team.Discord.Roles
	if len(want) == 0 || member == nil || member.User == nil {
		return nil
	}
	actor := "discord:" + member.User.ID
	if !team.Open() && team.MayAct(actor) {
		return nil // named in the team's lists: they decide
	}
	for _, r := range member.Roles {
		for _, w := range want {
			if r == w || strings.EqualFold(s.roles.name(ctx, guild, r), w) {
				return &bot.RoleCheck{Held: true}
			}
		}
	}
	reason := fmt.Sprintf("%s holds none of team %q's Discord roles (%s)", actor, team.Name, strings.Join(want, ", "))
	if !team.Open() {
		reason = fmt.Sprintf("%s is not a member of team %q and holds none of its Discord roles (%s)", actor, team.Name, strings.Join(want, ", "))
	}
	return &bot.RoleCheck{Reason: reason}
}

// roleNames knows the names of a guild's roles, so teams may name roles
// ("Care") rather than ids. The gateway's GUILD_CREATE fills discordgo's
// state; a role missing there is asked of the REST API, at most once a
// minute per guild.
type roleNames struct {
	s       *Surface
	mu      sync.Mutex
	fetched map[string]time.Time
	names   map[string]map[string]string // guild → role id → name
}

func (r *roleNames) name(ctx context.Context, guild, id string) string {
	if guild == "" {
		return ""
	}
	if role, err := r.s.dg.State.Role(guild, id); err == nil && role != nil {
		return role.Name
	}
	r.mu.Lock()
	if n, ok := r.names[guild][id]; ok {
		r.mu.Unlock()
		return n
	}
	if last, ok := r.fetched[guild]; ok && r.s.now().Sub(last) < time.Minute {
		r.mu.Unlock()
		return ""
	}
	r.fetched[guild] = r.s.now()
	r.mu.Unlock()
	roles, err := r.s.dg.GuildRoles(guild, discordgo.WithContext(ctx))
	if err != nil {
		r.s.log.Warn("discord: cannot list the server's roles; roles named in the rules are matched by id only", "guild", guild, "error", err)
		return ""
	}
	m := map[string]string{}
	for _, role := range roles {
		m[role.ID] = role.Name
	}
	r.mu.Lock()
	r.names[guild] = m
	r.mu.Unlock()
	return m[id]
}
