package app

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/handlers"
	"github.com/earshothq/earshot/internal/config"
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/store"
	discordsurface "github.com/earshothq/earshot/surfaces/discord"
)

// discordParts is what the Discord surface is built from.
type discordParts struct {
	cfg        config.Config
	actions    *handlers.Handlers
	db         *store.DB
	bot        func() *bot.Bot // set once the bot is built, before any event
	classifier bot.Classifier
	log        *slog.Logger
	now        func() time.Time
}

// newDiscord builds the Discord surface when a token is configured, nil
// otherwise. It makes no network calls; runDiscord connects.
func newDiscord(p discordParts) (*discordsurface.Surface, error) {
	if p.cfg.DiscordToken == "" {
		return nil, nil
	}
	b := p.bot
	var guilds []string
	for _, g := range p.cfg.DiscordGuildIDs {
		if g = strings.TrimSpace(g); g != "" {
			guilds = append(guilds, g)
		}
	}
	return discordsurface.New(discordsurface.Options{
		Token: p.cfg.DiscordToken, AppID: p.cfg.DiscordAppID, GuildIDs: guilds,
		PublicKey: p.cfg.DiscordPublicKey, APIURL: p.cfg.DiscordAPIURL,
		Actions: p.actions, CaseByRef: p.db.CaseByCardRef,
		Card:      func(ctx context.Context, id int64) (bot.Card, error) { return b().CardFor(ctx, id) },
		Reactions: func() map[string]routing.Reaction { return b().Rules().Reactions },
		RouteTest: func(text string) string { return RouteTest(b().Rules(), p.classifier, text) },
		Mutes:     p.actions,
		Stats: func(ctx context.Context, team string, days int) (string, error) {
			return StatsText(ctx, p.db, team, days, p.now())
		},
		Logger: p.log, Now: p.now,
	})
}

// runDiscord connects the Discord surface until ctx ends or the returned
// function is called, which disconnects and waits for work still running.
func (a *App) runDiscord(ctx context.Context) func() {
	if a.Discord == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := a.Discord.Run(ctx); err != nil && ctx.Err() == nil {
			a.log.Error("discord gateway stopped", "error", err)
		}
	}()
	return func() {
		cancel()
		<-done
		_ = a.Discord.Close()
	}
}
