package app

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/config"
	"github.com/earshothq/earshot/internal/tuning"
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/sources/webhook"
	"github.com/earshothq/earshot/store"
)

// muteReload is how often each replica rereads the mutes, so a mute set on
// another replica applies here within it (this replica's own mutes apply
// at once).
const muteReload = 30 * time.Second

// loadMutes builds the mutes holder and reads the mutes in force.
func loadMutes(ctx context.Context, db *store.DB, now func() time.Time, log *slog.Logger) (*bot.Mutes, error) {
	m := bot.NewMutes(db.ActiveMutes, now, log)
	if err := m.Reload(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

// webhookRepliers is one replier per platform in EARSHOT_WEBHOOK_REPLY_URLS:
// replies to mentions that came in through the signed webhook are POSTed,
// signed with the webhook secret, to the platform's callback URL.
func webhookRepliers(cfg config.Config, now func() time.Time, log *slog.Logger) ([]bot.Replier, error) {
	var out []bot.Replier
	for _, platform := range slices.Sorted(maps.Keys(cfg.WebhookReplyURLs)) {
		r, err := webhook.NewReplier(platform, cfg.WebhookReplyURLs[platform], cfg.WebhookSecret,
			webhook.ReplierOptions{Now: now, Logger: log})
		if err != nil {
			return nil, fmt.Errorf("EARSHOT_WEBHOOK_REPLY_URLS: %w", err)
		}
		out = append(out, r)
		log.Info("webhook replies on", "platform", platform)
	}
	return out, nil
}

// TuningReport is what was dismissed since since, with the exclusions that
// would have kept the noise out (GET /api/dismissals, earshot dismissals).
func TuningReport(ctx context.Context, db *store.DB, rules *routing.Rules, since time.Time) (tuning.Report, error) {
	ds, err := db.CaseDigests(ctx, since, 0)
	if err != nil {
		return tuning.Report{}, err
	}
	return tuning.Build(ds, since, tuning.Options{Ignore: tuning.IgnoreFromRules(rules)}), nil
}
