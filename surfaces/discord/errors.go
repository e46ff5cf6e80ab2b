package discordsurface

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/earshothq/earshot/bot"
)

// Discord's JSON error codes earshot tells apart.
const (
	codeUnknownChannel     = 10003
	codeUnknownMessage     = 10008
	codeUnknownInteraction = 10062
	codeMissingAccess      = 50001
	codeMissingPermissions = 50013
	codeThreadExists       = 160004
)

// hints say what to do about a refusal that retrying cannot fix.
var hints = map[int]string{
	codeUnknownChannel:     "the channel does not exist or the bot cannot see it; check the team's discord.channel",
	codeUnknownMessage:     "the message is gone",
	codeMissingAccess:      "the bot cannot see the channel; give its role View Channel there",
	codeMissingPermissions: "the bot lacks a permission there: Send Messages, Embed Links, Create Public Threads, Send Messages in Threads, Read Message History",
}

// quarantine is how long a channel Discord refused (401, 403, unknown
// channel) is left alone. Each refusal counts towards Discord's ban of
// 10,000 invalid requests in 10 minutes; one try per channel per
// quarantine keeps earshot far from it however many cards are waiting.
const quarantine = 10 * time.Minute

// apiCode is the JSON error code of a REST error, or 0.
func apiCode(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil {
		return re.Message.Code
	}
	return 0
}

func httpStatus(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.StatusCode
	}
	return 0
}

// mapErr turns a discordgo error into what the job runner understands: a
// 429 becomes a RetryError after Discord's retry_after (and stops key, the
// channel's route, meanwhile); a refusal retrying cannot fix is permanent, names the
// channel and quarantines it; anything else is retried with back-off.
func (s *Surface) mapErr(err error, channel, key, what string) error {
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) {
		after := rl.RetryAfter
		if after <= 0 {
			after = time.Second
		}
		s.pace.Limited(key, after, false)
		return &bot.RetryError{After: after, Err: fmt.Errorf("discord: %s in channel %s: rate limited: %w", what, channel, err)}
	}
	status, code := httpStatus(err), apiCode(err)
	hint := hints[code]
	switch {
	case status == http.StatusUnauthorized:
		s.blocked.add("", "the bot token is not valid")
		return bot.Permanent(fmt.Errorf("discord: %s in channel %s: the bot token is not valid (Developer Portal → Bot → Reset Token): %w", what, channel, err))
	case status == http.StatusForbidden || code == codeUnknownChannel:
		if hint == "" {
			hint = "the bot may not do this there"
		}
		s.blocked.add(channel, hint)
		return bot.Permanent(fmt.Errorf("discord: %s in channel %s: %s: %w", what, channel, hint, err))
	case status == http.StatusNotFound:
		return bot.Permanent(fmt.Errorf("discord: %s in channel %s: %s: %w", what, channel, firstNonEmpty(hint, "not found"), err))
	case status >= 400 && status < 500:
		return bot.Permanent(fmt.Errorf("discord: %s in channel %s: Discord refused it: %w", what, channel, err))
	}
	return fmt.Errorf("discord: %s in channel %s: %w", what, channel, err)
}

// blocklist remembers channels Discord refused, and a refused token ("").
type blocklist struct {
	now   func() time.Time
	mu    sync.Mutex
	until map[string]blocked
}

type blocked struct {
	until  time.Time
	reason string
}

func (b *blocklist) add(channel, reason string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.until[channel] = blocked{until: b.now().Add(quarantine), reason: reason}
}

// check returns a RetryError while channel (or the token) is quarantined.
func (b *blocklist) check(channel string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	for _, key := range []string{"", channel} {
		bl, ok := b.until[key]
		if !ok {
			continue
		}
		if !now.Before(bl.until) {
			delete(b.until, key)
			continue
		}
		where := "channel " + channel
		if key == "" {
			where = "the bot token"
		}
		return &bot.RetryError{After: bl.until.Sub(now), Err: fmt.Errorf(
			"discord: %s was refused by Discord (%s); not tried again until %s", where, bl.reason, bl.until.UTC().Format("15:04:05 MST"))}
	}
	return nil
}

// threadMemory knows which cards already have a thread, and each thread's
// channel, so a note costs one request and a command typed in a thread
// finds its card. It forgets everything past a size: a thread it forgot
// is found again (Discord answers "already has a thread").
type threadMemory struct {
	mu      sync.Mutex
	parents map[string]string // thread (= card message) → channel
}

const threadMemorySize = 20000

func newThreadMemory() *threadMemory { return &threadMemory{parents: map[string]string{}} }

func (t *threadMemory) known(thread string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.parents[thread]
	return ok
}

func (t *threadMemory) parent(thread string) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p, ok := t.parents[thread]
	return p, ok
}

func (t *threadMemory) remember(thread, channel string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.parents) >= threadMemorySize {
		clear(t.parents)
	}
	t.parents[thread] = channel
}

func (t *threadMemory) forget(thread string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.parents, thread)
}
