// Package mutesfake answers mute requests the way the handlers do, for
// chat surface tests that check what a surface asks and says, not what
// the store keeps.
package mutesfake

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/handlers"
)

// Mutes records requests. A term "gi*ve" is refused as the handlers refuse
// a wildcard inside a term; an unmute of "@nobody" finds nothing.
type Mutes struct {
	Now func() time.Time

	mu     sync.Mutex
	muted  []handlers.MuteRequest
	ended  []handlers.UnmuteRequest
	active []bot.Mute
}

func (f *Mutes) Mute(_ context.Context, r handlers.MuteRequest) (bot.Mute, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.muted = append(f.muted, r)
	if r.Spec.Value == "gi*ve" {
		return bot.Mute{}, &handlers.RequestError{Field: "mute.value", Msg: `"gi*ve": only a trailing *`}
	}
	now := time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)
	if f.Now != nil {
		now = f.Now()
	}
	m := bot.Mute{ID: int64(len(f.active) + 1), Kind: r.Spec.Kind, Value: strings.ToLower(strings.Trim(r.Spec.Value, `"@`)), By: r.Actor, Until: now.AddDate(0, 0, 1)}
	f.active = append(f.active, m)
	return m, nil
}

func (f *Mutes) Unmute(_ context.Context, r handlers.UnmuteRequest) ([]bot.Mute, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ended = append(f.ended, r)
	if r.Value == "@nobody" {
		return nil, nil
	}
	return []bot.Mute{{Kind: bot.MuteAuthor, Value: "dealsbot"}}, nil
}

func (f *Mutes) ActiveMutes(context.Context) ([]bot.Mute, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bot.Mute(nil), f.active...), nil
}

// Muted is every mute asked for, in order.
func (f *Mutes) Muted() []handlers.MuteRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]handlers.MuteRequest(nil), f.muted...)
}

// Ended is every unmute asked for, in order.
func (f *Mutes) Ended() []handlers.UnmuteRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]handlers.UnmuteRequest(nil), f.ended...)
}
