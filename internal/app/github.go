package app

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/handlers"
	"github.com/earshothq/earshot/internal/config"
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/store"
	"github.com/earshothq/earshot/trackers/github"
)

var (
	_ handlers.LinkStore = (*store.DB)(nil)
	_ handlers.Tracker   = (*github.Tracker)(nil)
	_ github.Recorder    = (*handlers.Handlers)(nil)
)

// defectConfig is how the handlers file defects: in GitHub when a token is
// configured (where the rules say), otherwise kept on the case. rules is
// read on each use, so a reload moves where defects go at once.
func defectConfig(cfg config.Config, db *store.DB, rules func() *routing.Rules) (handlers.DefectConfig, error) {
	dc := handlers.DefectConfig{
		Links:   db,
		Where:   func(team string) routing.Defects { return rules().DefectsFor(team) },
		Brand:   func() routing.Brand { return rules().Brand },
		CaseURL: cfg.CaseURL,
	}
	if !cfg.GitHubOn() {
		return dc, nil
	}
	tr, err := github.New(github.Options{Token: cfg.GitHubToken, APIURL: cfg.GitHubAPIURL})
	if err != nil {
		return handlers.DefectConfig{}, fmt.Errorf("github: %w", err)
	}
	dc.Tracker = tr
	return dc, nil
}

// defectJobs are the defect loop's jobs, handled by the handlers.
func defectJobs(h *handlers.Handlers) map[bot.JobKind]bot.JobHandler {
	return map[bot.JobKind]bot.JobHandler{
		bot.JobAutoDefect:  h.AutoDefect,
		bot.JobDefectFixed: h.DefectFixed,
	}
}

// githubHook is POST /hooks/github, or nil when no webhook secret is set.
func githubHook(cfg config.Config, h *handlers.Handlers, log *slog.Logger, now func() time.Time) (http.Handler, error) {
	if cfg.GitHubWebhookSecret == "" {
		return nil, nil
	}
	hook, err := github.NewHook(cfg.GitHubWebhookSecret, h, github.HookOptions{Logger: log, Now: now})
	if err != nil {
		return nil, fmt.Errorf("github webhook: %w", err)
	}
	return hook, nil
}
