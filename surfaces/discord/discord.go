// Package discordsurface is earshot's Discord surface: it posts each case as
// an embed with buttons in its team's channel, keeps it current, notes what
// happens in a thread on the card, and turns buttons, modals, reactions and
// the /earshot command into bot.ActionRequests. It connects to the gateway
// (or takes signed interactions over HTTP) with discordgo.
//
// Deciding who may act and doing an action once belongs to the handlers
// behind Actions. What only Discord knows, the member's roles, is checked
// here against the team's discord.roles and handed over as a
// bot.RoleCheck; the handlers record every refusal. Every message and
// edit carries allowed_mentions {"parse": []}, so no text from the public
// can ping anyone.
package discordsurface

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/surfaces/background"
	"github.com/earshothq/earshot/surfaces/command"
	"github.com/earshothq/earshot/surfaces/pace"
)

// Name is the surface's name in actors, jobs and card refs.
const Name = "discord"

// DefaultCommand is the slash command earshot registers.
const DefaultCommand = "earshot"

// Intents are the gateway events earshot asks for: guilds (roles, for
// permission by role name), guild messages and reactions on them. Not
// message content (privileged): earshot never reads messages.
const Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsGuildMessageReactions

// Actions takes what people do; *handlers.Handlers satisfies it.
type Actions interface {
	Do(ctx context.Context, r bot.ActionRequest) (bot.Action, error)
}

// Options configure a Surface. Token, AppID, Actions, CaseByRef and Card
// are required.
type Options struct {
	// Token is the bot's token (Developer Portal → Bot), without "Bot ".
	Token string
	// AppID is the application's id; commands are registered under it.
	AppID string
	// GuildIDs are the servers earshot works in: commands are registered
	// there (at once; global commands take up to an hour) and interactions
	// from other servers are refused. Empty registers global commands and
	// accepts any server the bot was invited to.
	GuildIDs []string
	// PublicKey (hex) switches the HTTP interactions endpoint on (Handler).
	PublicKey string
	// APIURL sends REST calls to another server (a fake in tests, a
	// proxy): each request's scheme and host are replaced, paths stay
	// Discord's (/api/v9/…), and the gateway's address comes from there.
	APIURL string
	// Transport carries REST calls; default net/http's.
	Transport http.RoundTripper

	Actions Actions
	// CaseByRef finds the case whose card on surface is ref
	// ("channel/message"); an error wrapping bot.ErrNotFound for others.
	CaseByRef func(ctx context.Context, surface, ref string) (int64, error)
	// Card loads a case as its card shows it (bot.Bot.CardFor).
	Card func(ctx context.Context, caseID int64) (bot.Card, error)
	// Reactions maps emoji to actions; asked on every reaction so a rules
	// reload takes effect. Nil uses routing.DefaultReactions.
	Reactions func() map[string]routing.Reaction
	// Mutes answers "/earshot mute term …", "unmute …" and "mutes"; nil
	// turns them off (a mute from a case is an action and still works).
	Mutes command.Mutes
	// RouteTest answers "/earshot route-test"; nil turns it off.
	RouteTest func(text string) string
	// Stats answers "/earshot stats"; nil turns it off.
	Stats func(ctx context.Context, team string, days int) (string, error)
	// Command is the slash command's name; default "earshot".
	Command string

	// Pacing of posts, edits and thread starts per channel, under Discord's
	// five per five seconds (default 0.75/s with no burst: at most four in
	// any five seconds, so a clock out of step with Discord's never meets
	// the fifth), and for the whole bot under its 50 requests a second
	// (default 40/s). A post that would wait longer than MaxWait (default
	// 10s) is handed back as a bot.RetryError.
	PerSecond       float64
	Burst           int
	GlobalPerSecond float64
	MaxWait         time.Duration

	Logger *slog.Logger
	Now    func() time.Time
}

// workTimeout bounds what one interaction or reaction may take once
// answered; an interaction's token lasts 15 minutes.
const workTimeout = 30 * time.Second

// Surface is the Discord surface. It implements bot.Surface and
// bot.StormSurface.
type Surface struct {
	dg        *discordgo.Session
	appID     string
	guilds    map[string]bool
	guildList []string
	publicKey ed25519.PublicKey
	actions   Actions
	caseByRef func(ctx context.Context, surface, ref string) (int64, error)
	card      func(ctx context.Context, caseID int64) (bot.Card, error)
	reactions func() map[string]routing.Reaction
	routeTest func(text string) string
	mutes     command.Mutes
	stats     func(ctx context.Context, team string, days int) (string, error)
	command   string
	log       *slog.Logger
	now       func() time.Time
	pace      *pace.Pacer
	paceOpts  pace.Options // kept for tests, which move a fake clock when it waits
	threads   *threadMemory
	blocked   *blocklist
	roles     *roleNames

	// Work runs after the interaction was answered, on a context of its
	// own: Discord wants the answer within 3 s, the work may take longer.
	ctx    context.Context
	cancel context.CancelFunc
	work   *background.Group
}

var (
	_ bot.Surface      = (*Surface)(nil)
	_ bot.StormSurface = (*Surface)(nil)
)

// New checks o and builds the surface. It makes no network calls: Run
// registers the commands and connects.
func New(o Options) (*Surface, error) {
	switch {
	case strings.TrimSpace(o.Token) == "":
		return nil, errors.New("discord: a bot token is required")
	case strings.HasPrefix(o.Token, "Bot "):
		return nil, errors.New(`discord: give the bot token without the "Bot " prefix`)
	case !snowflake(o.AppID):
		return nil, fmt.Errorf("discord: application id %q: want the numeric id from the Developer Portal", o.AppID)
	case o.Actions == nil || o.CaseByRef == nil || o.Card == nil:
		return nil, errors.New("discord: Actions, CaseByRef and Card are required")
	}
	guilds := map[string]bool{}
	for _, g := range o.GuildIDs {
		if !snowflake(g) {
			return nil, fmt.Errorf("discord: guild id %q: want a numeric server id", g)
		}
		guilds[g] = true
	}
	if o.APIURL != "" {
		u, err := url.Parse(o.APIURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("discord: API URL %q: want http(s)://host", o.APIURL)
		}
		o.Transport = rewrite{scheme: u.Scheme, host: u.Host, next: o.Transport}
	}
	var key ed25519.PublicKey
	if o.PublicKey != "" {
		b, err := hex.DecodeString(o.PublicKey)
		if err != nil || len(b) != ed25519.PublicKeySize {
			return nil, errors.New("discord: the public key is not 64 hex characters (General Information → Public Key)")
		}
		key = b
	}
	if o.Command == "" {
		o.Command = DefaultCommand
	}
	if !commandName.MatchString(o.Command) {
		return nil, fmt.Errorf("discord: command %q: want a lower-case name like earshot", o.Command)
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
	if o.PerSecond <= 0 {
		o.PerSecond = 0.75
	}
	if o.Burst <= 0 {
		o.Burst = 1
	}
	if o.GlobalPerSecond <= 0 {
		o.GlobalPerSecond = 40
	}
	if o.MaxWait <= 0 {
		o.MaxWait = 10 * time.Second
	}
	dg, err := discordgo.New("Bot " + o.Token)
	if err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	dg.Client = &http.Client{Timeout: 20 * time.Second, Transport: o.Transport}
	// A 429 comes back to us: the job runner waits Discord's retry_after,
	// and our pacer stops the channel meanwhile. One retrier decides.
	dg.ShouldRetryOnRateLimit = false
	dg.MaxRestRetries = 0
	dg.Identify.Intents = Intents
	dg.LogLevel = discordgo.LogError
	dg.State.TrackPresences, dg.State.TrackVoice, dg.State.TrackMembers, dg.State.TrackEmojis = false, false, false, false
	dg.State.MaxMessageCount = 0
	ctx, cancel := context.WithCancel(context.Background())
	s := &Surface{
		dg:        dg,
		appID:     o.AppID,
		guilds:    guilds,
		guildList: append([]string(nil), o.GuildIDs...),
		publicKey: key,
		actions:   o.Actions,
		caseByRef: o.CaseByRef,
		card:      o.Card,
		reactions: o.Reactions,
		routeTest: o.RouteTest,
		mutes:     o.Mutes,
		stats:     o.Stats,
		command:   o.Command,
		log:       o.Logger,
		now:       o.Now,
		paceOpts: pace.Options{Name: "discord", PerSecond: o.PerSecond, Burst: o.Burst,
			GlobalPerSecond: o.GlobalPerSecond, GlobalBurst: max(1, int(o.GlobalPerSecond/4)), MaxWait: o.MaxWait, Now: o.Now},
		threads: newThreadMemory(),
		blocked: &blocklist{now: o.Now, until: map[string]blocked{}},
		ctx:     ctx,
		cancel:  cancel,
		work:    background.New(ctx, workTimeout, o.Logger, "discord"),
	}
	s.pace = pace.New(s.paceOpts)
	s.roles = &roleNames{s: s, fetched: map[string]time.Time{}, names: map[string]map[string]string{}}
	dg.AddHandler(func(_ *discordgo.Session, r *discordgo.MessageReactionAdd) {
		s.spawn(func(ctx context.Context) { s.onReaction(ctx, r) })
	})
	dg.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) { s.onGatewayInteraction(i.Interaction) })
	dg.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) {
		s.log.Info("discord: connected to the gateway", "guilds", len(r.Guilds))
	})
	return s, nil
}

// Name is the surface's name in actors and jobs.
func (s *Surface) Name() string { return Name }

// HTTPInteractions reports whether interactions come to Handler (a public
// key is configured) rather than over the gateway.
func (s *Surface) HTTPInteractions() bool { return s.publicKey != nil }

// Run registers the application commands, connects to the gateway and
// stays connected until ctx ends; discordgo reconnects and resumes a
// dropped connection by itself. A first connection that fails is tried
// again with back-off.
func (s *Surface) Run(ctx context.Context) error {
	if err := s.RegisterCommands(ctx); err != nil {
		s.log.Error("discord: commands not registered; cards and reactions still work", "error", err)
	}
	wait := time.Second
	for {
		err := s.dg.Open()
		if err == nil {
			break
		}
		s.log.Warn("discord: cannot connect to the gateway; trying again", "in", wait, "error", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Minute)
	}
	<-ctx.Done()
	// discordgo's reconnect loop only looks at this when it starts; a
	// connection dropping while we shut down must not be reopened.
	s.dg.Lock()
	s.dg.ShouldReconnectOnError = false
	s.dg.Unlock()
	return s.dg.Close()
}

// Close waits for answered work still running (at most workTimeout), then
// stops it; interactions arriving after Close are answered and dropped.
func (s *Surface) Close() error {
	s.work.Close()
	s.cancel()
	return nil
}

// spawn runs work in the background, bounded by workTimeout.
func (s *Surface) spawn(work func(ctx context.Context)) { s.work.Go(work) }

// noPings is allowed_mentions for every message we send: nothing in it is
// parsed as a mention. Parse must be an empty list, not nil: a nil slice
// is sent as null, which Discord does not promise to read as "none".
func noPings() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// ShowCard posts the case's card in its team's channel, or edits it in
// place when ref names it. A team without a Discord channel has no card.
func (s *Surface) ShowCard(ctx context.Context, card bot.Card, ref string) (string, error) {
	channel := card.Team.Discord.Channel
	if ref == "" && channel == "" {
		return "", nil
	}
	content, embed, comps := cardMessage(card, s.now())
	return s.show(ctx, channel, ref, content, embed, comps, fmt.Sprintf("card of case %d", card.Case.ID), true)
}

// ShowStorm posts the team's storm card, or edits it in place.
func (s *Surface) ShowStorm(ctx context.Context, card bot.StormCard, ref string) (string, error) {
	channel := card.Team.Discord.Channel
	if ref == "" && channel == "" {
		return "", nil
	}
	content, embed := stormMessage(card, s.now())
	return s.show(ctx, channel, ref, content, embed, []discordgo.MessageComponent{}, "storm card of "+card.Team.Name, false)
}

// show posts a message in channel (ref == "") or edits the one ref names,
// paced per channel. With repost, a message someone deleted is posted again
// rather than lost.
func (s *Surface) show(ctx context.Context, channel, ref, content string, embed *discordgo.MessageEmbed,
	comps []discordgo.MessageComponent, what string, repost bool) (string, error) {
	if comps == nil {
		comps = []discordgo.MessageComponent{}
	}
	if ref != "" {
		ch, msg, err := splitRef(ref)
		if err != nil {
			return "", bot.Permanent(fmt.Errorf("discord: %s: %w", what, err))
		}
		if err := s.ready(ctx, ch, ch+routeEdit); err != nil {
			return "", err
		}
		embeds := []*discordgo.MessageEmbed{embed}
		_, err = s.dg.ChannelMessageEditComplex(&discordgo.MessageEdit{
			Channel: ch, ID: msg, Content: &content, Embeds: &embeds, Components: &comps, AllowedMentions: noPings(),
		}, discordgo.WithContext(ctx))
		if err == nil {
			return ref, nil
		}
		if !repost || apiCode(err) != codeUnknownMessage || channel == "" {
			return "", s.mapErr(err, ch, ch+routeEdit, "edit "+what)
		}
		s.log.Warn("discord: card gone, posting it again", "what", what, "ref", ref)
	}
	if err := s.ready(ctx, channel, channel); err != nil {
		return "", err
	}
	m, err := s.dg.ChannelMessageSendComplex(channel, &discordgo.MessageSend{
		Content: content, Embeds: []*discordgo.MessageEmbed{embed}, Components: comps, AllowedMentions: noPings(),
		StickerIDs: []string{},
	}, discordgo.WithContext(ctx))
	if err != nil {
		return "", s.mapErr(err, channel, channel, "post "+what)
	}
	return makeRef(m.ChannelID, m.ID), nil
}

// Discord limits posts, edits and thread starts in a channel separately
// (a thread is a channel of its own); each gets its own pace, keyed by the
// channel and these suffixes.
const (
	routeEdit   = "/edit"
	routeThread = "/threads"
)

// ready waits for key's turn (a channel's posts, edits or thread starts),
// unless Discord refused the channel recently: then nothing is sent (each
// refusal counts towards Discord's invalid-request ban) and the job tries
// again once the refusal is old.
func (s *Surface) ready(ctx context.Context, channel, key string) error {
	if err := s.blocked.check(channel); err != nil {
		return err
	}
	return s.pace.Wait(ctx, key)
}

// Note adds one line about ev to the card's thread, starting the thread on
// the card the first time.
func (s *Surface) Note(ctx context.Context, card bot.Card, ref string, ev bot.Event) error {
	ch, msg, err := splitRef(ref)
	if err != nil {
		return bot.Permanent(fmt.Errorf("discord: note on case %d: %w", card.Case.ID, err))
	}
	text, paged := noteText(card, ev)
	if text == "" {
		return nil
	}
	thread, err := s.thread(ctx, ch, msg, card)
	if err != nil {
		return err
	}
	if err := s.ready(ctx, ch, thread); err != nil {
		return err
	}
	_, err = s.dg.ChannelMessageSendComplex(thread, &discordgo.MessageSend{
		// Only who an escalation pages may be pinged; links do not unfurl.
		Content: text, AllowedMentions: paged.allowed(), Flags: discordgo.MessageFlagsSuppressEmbeds,
		Embeds: []*discordgo.MessageEmbed{}, Components: []discordgo.MessageComponent{}, StickerIDs: []string{},
	}, discordgo.WithContext(ctx))
	if err != nil {
		if apiCode(err) == codeUnknownChannel {
			s.threads.forget(thread) // deleted: the next try starts it again
			return fmt.Errorf("discord: note %s on case %d: the card's thread is gone; starting a new one: %w", ev.Kind, card.Case.ID, err)
		}
		return s.mapErr(err, ch, thread, fmt.Sprintf("note %s on case %d in thread %s", ev.Kind, card.Case.ID, thread))
	}
	return nil
}

// thread returns the card's thread, starting it if need be. A thread
// started from a message has the message's id.
func (s *Surface) thread(ctx context.Context, channel, message string, card bot.Card) (string, error) {
	if s.threads.known(message) {
		return message, nil
	}
	if err := s.ready(ctx, channel, channel+routeThread); err != nil {
		return "", err
	}
	name := clip(fmt.Sprintf("Case #%d · %s on %s", card.Case.ID, firstNonEmpty(string(card.Case.Labels.Intent), "mention"),
		firstNonEmpty(card.Case.Platform, "the web")), maxThreadName)
	_, err := s.dg.MessageThreadStartComplex(channel, message, &discordgo.ThreadStart{
		Name: name, AutoArchiveDuration: 10080, // a week: threads reopen when written to
	}, discordgo.WithContext(ctx))
	if err != nil && apiCode(err) != codeThreadExists {
		return "", s.mapErr(err, channel, channel+routeThread, fmt.Sprintf("start the thread of case %d", card.Case.ID))
	}
	s.threads.remember(message, channel)
	return message, nil
}

// rewrite sends every request to one scheme and host, paths unchanged:
// discordgo's endpoints are package variables, fixed at Discord's address,
// and are left alone.
type rewrite struct {
	scheme, host string
	next         http.RoundTripper
}

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host, req.Host = r.scheme, r.host, r.host
	next := r.next
	if next == nil {
		next = http.DefaultTransport
	}
	return next.RoundTrip(req)
}
