package slacksurface

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// Run receives Slack's events over Socket Mode until ctx ends: every
// envelope is acknowledged first, then handled exactly as its HTTP
// counterpart. Without an app token (HTTP mode) it only waits for ctx.
// It returns an error when Slack refuses the app token.
func (s *Surface) Run(ctx context.Context) error {
	if !s.appToken {
		<-ctx.Done()
		return nil
	}
	s.botUserID(ctx) // learn it before the first event; retried per event if Slack is down
	sm := socketmode.New(s.api, socketmode.OptionLog(slog.NewLogLogger(s.log.Handler(), slog.LevelDebug)))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- sm.RunContext(ctx) }()
	for {
		select {
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack: socket mode: %w", err)
		case evt := <-sm.Events:
			if err := s.onSocketEvent(ctx, sm, evt); err != nil {
				cancel()
				<-errc
				return err
			}
		}
	}
}

// onSocketEvent acknowledges and dispatches one Socket Mode event.
func (s *Surface) onSocketEvent(ctx context.Context, sm *socketmode.Client, evt socketmode.Event) error {
	var res response
	switch evt.Type {
	case socketmode.EventTypeEventsAPI:
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if ok {
			res = s.onEvent(ev)
		}
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if ok {
			res = s.onInteraction(cb)
		}
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if ok {
			res = s.onCommand(cmd)
		}
	case socketmode.EventTypeConnected:
		s.log.Info("slack: connected over Socket Mode")
		return nil
	case socketmode.EventTypeConnectionError:
		s.log.Warn("slack: Socket Mode connection failed; retrying", "err", evt.Data)
		return nil
	case socketmode.EventTypeInvalidAuth:
		return errors.New("slack: socket mode: Slack refused the app token")
	case socketmode.EventTypeErrorBadMessage, socketmode.EventTypeIncomingError:
		s.log.Warn("slack: unreadable Socket Mode message", "err", evt.Data)
		return nil
	default:
		return nil
	}
	if evt.Request != nil {
		var err error
		if res.body != nil {
			err = sm.AckCtx(ctx, evt.Request.EnvelopeID, res.body)
		} else {
			err = sm.Ack(*evt.Request)
		}
		if err != nil {
			s.log.Warn("slack: acknowledge envelope", "envelope_id", evt.Request.EnvelopeID, "err", err)
		}
	}
	s.spawn(res.work)
	return nil
}
