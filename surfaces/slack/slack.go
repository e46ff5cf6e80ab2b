// Package slacksurface is earshot's Slack surface: it posts each case as a
// Block Kit card in its team's channel, keeps the card current, notes what
// happens in the card's thread, and turns reactions, buttons, modals and the
// /earshot command into bot.ActionRequests. Deciding who may act and doing
// an action once belongs to the handlers behind Actions; this package only
// translates, escapes public text and paces its own posts.
package slacksurface

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/surfaces/background"
	chat "github.com/earshothq/earshot/surfaces/command"
	"github.com/earshothq/earshot/surfaces/pace"
)

// Name is the surface's name in actors, jobs and card refs.
const Name = "slack"

// Actions takes what people do; *handlers.Handlers satisfies it. Do returns
// bot.ErrForbidden (wrapped) when the actor may not act, bot.ErrNotFound for
// an unknown case, and an action with Status bot.ActionSkipped when the same
// action was already done.
type Actions interface {
	Do(ctx context.Context, r bot.ActionRequest) (bot.Action, error)
}

// Options configure a Surface. BotToken, Actions, CaseByRef and Card are
// required, and so is AppToken (Socket Mode) or SigningSecret (HTTP).
type Options struct {
	// BotToken (xoxb-…) posts cards, notes and answers.
	BotToken string
	// AppToken (xapp-…, scope connections:write) switches Socket Mode on:
	// Slack's events come over a WebSocket and nothing needs to be exposed.
	AppToken string
	// SigningSecret verifies the requests Handler serves (HTTP mode).
	SigningSecret string
	// APIURL overrides https://slack.com/api/ (tests point it at a fake).
	APIURL     string
	HTTPClient *http.Client

	Actions Actions
	// CaseByRef finds the case whose card on surface is ref ("channel/ts");
	// it returns an error wrapping bot.ErrNotFound for any other message.
	CaseByRef func(ctx context.Context, surface, ref string) (int64, error)
	// Card loads a case as its card shows it (bot.Bot.CardFor): modals are
	// prefilled from it and a Send on a card whose drafts changed is caught.
	Card func(ctx context.Context, caseID int64) (bot.Card, error)
	// Reactions maps emoji to actions; asked on every reaction so a rules
	// reload takes effect. Nil uses routing.DefaultReactions.
	Reactions func() map[string]routing.Reaction
	// RouteTest answers "/earshot route-test <text>"; nil turns it off.
	RouteTest func(text string) string
	// Stats answers "/earshot stats [team] [7d]"; nil turns it off.
	Stats func(ctx context.Context, team string, days int) (string, error)
	// Mutes answers "/earshot mute term …", "unmute …" and "mutes"; nil
	// turns those off (muting from a case goes through Actions).
	Mutes chat.Mutes
	// Command is the slash command's name; default "/earshot".
	Command string
	// BotUserID is the bot's own user id; empty asks auth.test once.
	BotUserID string

	// Pacing of posts per channel: PerSecond messages a second with bursts
	// of Burst (default 0.9 and 4: just under Slack's chat.postMessage
	// guidance of 1 a second with short bursts, because our clock and
	// Slack's counter never start at the same instant and network jitter
	// bunches requests up; pacing exactly at the limit provokes 429s). A post
	// that would wait longer than MaxWait (default 10s) is handed back as a
	// bot.RetryError instead of holding a job worker.
	PerSecond float64
	Burst     int
	MaxWait   time.Duration

	Logger *slog.Logger
	Now    func() time.Time
}

// DefaultCommand is the slash command the app manifest declares.
const DefaultCommand = "/earshot"

// workTimeout bounds what one event, click or command may take after it
// has been acknowledged.
const workTimeout = 30 * time.Second

// Surface is the Slack surface. It implements bot.Surface.
type Surface struct {
	api       *slack.Client
	appToken  bool
	secret    string
	actions   Actions
	caseByRef func(ctx context.Context, surface, ref string) (int64, error)
	card      func(ctx context.Context, caseID int64) (bot.Card, error)
	reactions func() map[string]routing.Reaction
	routeTest func(text string) string
	stats     func(ctx context.Context, team string, days int) (string, error)
	mutes     chat.Mutes
	command   string
	apiHost   string // host that response_url answers may also go to (a fake in tests)
	http      *http.Client
	log       *slog.Logger
	now       func() time.Time
	pace      *pace.Pacer
	seen      *seenEvents

	botMu   sync.Mutex
	botUser string

	// Work runs after the acknowledgement, on a context of its own: Slack
	// hangs up after 3 s, the work should not.
	ctx    context.Context
	cancel context.CancelFunc
	work   *background.Group
}

var _ bot.Surface = (*Surface)(nil)

// New checks o and builds the surface. It makes no network calls.
func New(o Options) (*Surface, error) {
	switch {
	case o.BotToken == "":
		return nil, errors.New("slack: a bot token (xoxb-…) is required")
	case !strings.HasPrefix(o.BotToken, "xoxb-"):
		return nil, errors.New("slack: the bot token must be a bot user OAuth token (xoxb-…)")
	case o.AppToken != "" && !strings.HasPrefix(o.AppToken, "xapp-"):
		return nil, errors.New("slack: the app token must be an app-level token (xapp-…)")
	case o.AppToken == "" && o.SigningSecret == "":
		return nil, errors.New("slack: an app token (Socket Mode) or a signing secret (HTTP events) is required")
	case o.Actions == nil || o.CaseByRef == nil || o.Card == nil:
		return nil, errors.New("slack: Actions, CaseByRef and Card are required")
	}
	if o.Command == "" {
		o.Command = DefaultCommand
	}
	if !strings.HasPrefix(o.Command, "/") || strings.ContainsAny(o.Command, " \t\n") {
		return nil, fmt.Errorf("slack: command %q: want a name like /earshot", o.Command)
	}
	if o.Reactions == nil {
		o.Reactions = routing.DefaultReactions
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if o.PerSecond <= 0 {
		o.PerSecond = 0.9
	}
	if o.Burst <= 0 {
		o.Burst = 4
	}
	if o.MaxWait <= 0 {
		o.MaxWait = 10 * time.Second
	}
	opts := []slack.Option{slack.OptionHTTPClient(o.HTTPClient)}
	if o.APIURL != "" {
		if !strings.HasSuffix(o.APIURL, "/") {
			o.APIURL += "/"
		}
		opts = append(opts, slack.OptionAPIURL(o.APIURL))
	}
	if o.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(o.AppToken))
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Surface{
		api:       slack.New(o.BotToken, opts...),
		appToken:  o.AppToken != "",
		secret:    o.SigningSecret,
		actions:   o.Actions,
		caseByRef: o.CaseByRef,
		card:      o.Card,
		reactions: o.Reactions,
		routeTest: o.RouteTest,
		stats:     o.Stats,
		mutes:     o.Mutes,
		command:   o.Command,
		apiHost:   hostOf(o.APIURL),
		http:      o.HTTPClient,
		log:       o.Logger,
		now:       o.Now,
		pace:      pace.New(pace.Options{Name: "slack", PerSecond: o.PerSecond, Burst: o.Burst, MaxWait: o.MaxWait, Now: o.Now}),
		seen:      newSeenEvents(eventMemory, eventMemorySize, o.Now),
		botUser:   o.BotUserID,
		ctx:       ctx,
		cancel:    cancel,
		work:      background.New(ctx, workTimeout, o.Logger, "slack"),
	}
	return s, nil
}

// Name is the surface's name in actors and jobs.
func (s *Surface) Name() string { return Name }

// SocketMode reports whether events come over Socket Mode (Run) rather than
// HTTP (Handler).
func (s *Surface) SocketMode() bool { return s.appToken }

// Close waits for acknowledged work still running (at most workTimeout),
// then stops it; requests arriving after Close are acknowledged and dropped.
func (s *Surface) Close() error {
	s.work.Close()
	s.cancel()
	return nil
}

// msgOptions are sent with every message: links in customers' posts are
// never unfurled into the channel.
func msgOptions(text string, blocks []slack.Block) []slack.MsgOption {
	opts := []slack.MsgOption{
		slack.MsgOptionText(text, false), // escaped by us, piece by piece
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	}
	if blocks != nil {
		opts = append(opts, slack.MsgOptionBlocks(blocks...))
	}
	return opts
}

// ShowCard posts the case's card in its team's channel, or updates it in
// place when ref names it. A team without a Slack channel has no card.
func (s *Surface) ShowCard(ctx context.Context, card bot.Card, ref string) (string, error) {
	channel := card.Team.Slack.Channel
	if ref == "" && channel == "" {
		return "", nil
	}
	blocks, text := cardMessage(card, s.now())
	return s.show(ctx, channel, ref, msgOptions(text, blocks), fmt.Sprintf("card of case %d", card.Case.ID), true)
}

// show posts a message in channel (ref == "") or updates the one ref names,
// paced per channel. With repost, a message someone deleted is posted again
// rather than lost.
func (s *Surface) show(ctx context.Context, channel, ref string, opts []slack.MsgOption, what string, repost bool) (string, error) {
	if ref != "" {
		ch, ts, err := splitRef(ref)
		if err != nil {
			return "", bot.Permanent(fmt.Errorf("slack: %s: %w", what, err))
		}
		if err := s.pace.Wait(ctx, ch); err != nil {
			return "", err
		}
		_, _, _, err = s.api.UpdateMessageContext(ctx, ch, ts, opts...)
		if err == nil {
			return ref, nil
		}
		if !repost || !messageGone(err) || channel == "" {
			return "", s.mapErr(err, ch, "update "+what)
		}
		s.log.Warn("slack: message gone, posting it again", "what", what, "ref", ref, "err", err)
	}
	if err := s.pace.Wait(ctx, channel); err != nil {
		return "", err
	}
	ch, ts, err := s.api.PostMessageContext(ctx, channel, opts...)
	if err != nil {
		return "", s.mapErr(err, channel, "post "+what)
	}
	s.pace.Alias(channel, ch)
	return makeRef(ch, ts), nil
}

// Note adds one line about ev to the card's thread.
func (s *Surface) Note(ctx context.Context, card bot.Card, ref string, ev bot.Event) error {
	ch, ts, err := splitRef(ref)
	if err != nil {
		return bot.Permanent(fmt.Errorf("slack: note on case %d: %w", card.Case.ID, err))
	}
	text := noteText(card, ev)
	if text == "" {
		return nil
	}
	if err := s.pace.Wait(ctx, ch); err != nil {
		return err
	}
	opts := append(msgOptions(text, nil), slack.MsgOptionTS(ts))
	if _, _, err := s.api.PostMessageContext(ctx, ch, opts...); err != nil {
		return s.mapErr(err, ch, fmt.Sprintf("note %s on case %d", ev.Kind, card.Case.ID))
	}
	return nil
}

// permanent are Slack errors that retrying cannot fix, with what to do.
var permanent = map[string]string{
	"channel_not_found":   "the channel does not exist or the bot cannot see it; check the team's slack.channel",
	"not_in_channel":      "the bot is not in the channel; invite it with /invite",
	"is_archived":         "the channel is archived",
	"invalid_auth":        "the bot token is not valid",
	"not_authed":          "no bot token was sent",
	"account_inactive":    "the bot's token belongs to a deactivated app or workspace",
	"token_revoked":       "the bot token was revoked",
	"missing_scope":       "the app lacks a scope; reinstall it from deploy/slack-manifest.yaml",
	"restricted_action":   "a workspace setting keeps the bot from posting there",
	"invalid_blocks":      "Slack refused the card's blocks",
	"msg_too_long":        "the message is too long",
	"cant_update_message": "the card was not posted by this app",
}

// mapErr turns a slack-go error into what the job runner understands: a
// 429 becomes a RetryError after Slack's Retry-After (and pauses the
// channel), a configuration error is permanent and names the channel, and
// anything else is retried with back-off.
func (s *Surface) mapErr(err error, channel, what string) error {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		s.pace.Limited(channel, rl.RetryAfter, false)
		return &bot.RetryError{After: rl.RetryAfter, Err: fmt.Errorf("slack: %s in channel %s: %w", what, channel, err)}
	}
	if code := slackError(err); code != "" {
		if hint, ok := permanent[code]; ok {
			return bot.Permanent(fmt.Errorf("slack: %s in channel %s: %s (%s): %w", what, channel, code, hint, err))
		}
	}
	return fmt.Errorf("slack: %s in channel %s: %w", what, channel, err)
}

// slackError is the error code of a {"ok":false} answer, or "".
func slackError(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	var sp *slack.SlackErrorResponse
	if errors.As(err, &sp) {
		return sp.Err
	}
	return ""
}

// messageGone reports whether an update failed because the card no longer
// exists (deleted by someone), so posting it anew is right.
func messageGone(err error) bool {
	code := slackError(err)
	return code == "message_not_found" || code == "cant_update_message"
}

// botUserID is the bot's own user id, asked of auth.test once; events by the
// bot itself are ignored. It returns "" (and acts on everything) when Slack
// cannot say: the bot never reacts or mentions itself, so that is safe.
func (s *Surface) botUserID(ctx context.Context) string {
	s.botMu.Lock()
	defer s.botMu.Unlock()
	if s.botUser != "" {
		return s.botUser
	}
	res, err := s.api.AuthTestContext(ctx)
	if err != nil {
		s.log.Warn("slack: auth.test failed; cannot tell the bot's own events yet", "err", err)
		return ""
	}
	s.botUser = res.UserID
	return s.botUser
}

// Check asks auth.test whether the bot token works, for start-up.
func (s *Surface) Check(ctx context.Context) error {
	res, err := s.api.AuthTestContext(ctx)
	if err != nil {
		return fmt.Errorf("slack: auth.test: %w", err)
	}
	s.botMu.Lock()
	if s.botUser == "" {
		s.botUser = res.UserID
	}
	s.botMu.Unlock()
	return nil
}
