package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/earshothq/earshot/routing"
)

// MuteChecker says whether a mention's author or words are muted. The
// Decider asks it only for mentions that would open a case.
type MuteChecker interface {
	Muted(m Mention) (Mute, bool)
}

// MuteSet is an immutable snapshot of mutes, compiled for the hot path: an
// author is a map lookup, terms are one automaton scan.
type MuteSet struct {
	all     []Mute
	authors map[string][]Mute // normalized handle → mutes
	terms   *routing.TermSet
	// termMutes[i] are the mutes of the i-th term given to the TermSet.
	termMutes [][]Mute
}

// NewMuteSet compiles mutes. A term that cannot be matched is an error
// naming it; the store only holds terms that were checked when muted.
func NewMuteSet(ms []Mute) (*MuteSet, error) {
	s := &MuteSet{all: ms, authors: map[string][]Mute{}}
	var terms []string
	index := map[string]int{}
	for _, m := range ms {
		switch m.Kind {
		case MuteAuthor:
			k := strings.ToLower(strings.TrimPrefix(m.Value, "@"))
			s.authors[k] = append(s.authors[k], m)
		case MuteTerm:
			i, ok := index[m.Value]
			if !ok {
				i = len(terms)
				index[m.Value] = i
				terms = append(terms, m.Value)
				s.termMutes = append(s.termMutes, nil)
			}
			s.termMutes[i] = append(s.termMutes[i], m)
		}
	}
	if len(terms) > 0 {
		ts, err := routing.CompileTerms(terms)
		if err != nil {
			return nil, fmt.Errorf("mutes: %w", err)
		}
		s.terms = ts
	}
	return s, nil
}

// Len is how many mutes the set holds.
func (s *MuteSet) Len() int {
	if s == nil {
		return 0
	}
	return len(s.all)
}

// Check finds a mute active at now that silences m: its author (on its
// platform, or on every platform) or a term in its text.
func (s *MuteSet) Check(m Mention, now time.Time) (Mute, bool) {
	if s == nil || len(s.all) == 0 {
		return Mute{}, false
	}
	if h := m.Author.Handle; h != "" && len(s.authors) > 0 {
		for _, mu := range s.authors[strings.ToLower(strings.TrimPrefix(strings.TrimSpace(h), "@"))] {
			if (mu.Platform == "" || strings.EqualFold(mu.Platform, m.Platform)) && mu.Active(now) {
				return mu, true
			}
		}
	}
	for _, i := range s.terms.Match(m.Text) {
		for _, mu := range s.termMutes[i] {
			if mu.Active(now) {
				return mu, true
			}
		}
	}
	return Mute{}, false
}

// MuteLoader reads the mutes active at a time (the store's ActiveMutes).
type MuteLoader func(ctx context.Context, at time.Time) ([]Mute, error)

// Mutes holds the mutes in force as a snapshot swapped atomically, so the
// Decider reads it without a lock. It is reloaded from the store when a mute
// is added or ended here, and periodically for other replicas' changes;
// expired mutes are ignored by time in between.
type Mutes struct {
	load MuteLoader
	now  func() time.Time
	log  *slog.Logger
	set  atomic.Pointer[MuteSet]
	mu   sync.Mutex // one reload at a time, so an older read never wins
}

// NewMutes returns an empty holder; call Reload to fill it.
func NewMutes(load MuteLoader, now func() time.Time, log *slog.Logger) *Mutes {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := &Mutes{load: load, now: now, log: log}
	m.set.Store(&MuteSet{})
	return m
}

var _ MuteChecker = (*Mutes)(nil)

// Reload reads the active mutes and swaps them in. On error the mutes in
// force stay.
func (m *Mutes) Reload(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	ms, err := m.load(ctx, m.now())
	if err != nil {
		return fmt.Errorf("load mutes: %w", err)
	}
	s, err := NewMuteSet(ms)
	if err != nil {
		return err
	}
	m.set.Store(s)
	return nil
}

// Watch reloads every interval until ctx ends, so a mute added on another
// replica takes effect here within one interval.
func (m *Mutes) Watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := m.Reload(ctx); err != nil && ctx.Err() == nil {
				m.log.Warn("mutes not reloaded; the ones in force stay", "error", err)
			}
		}
	}
}

// Muted reports the mute that silences mention now, if any. A nil *Mutes
// mutes nothing.
func (m *Mutes) Muted(mn Mention) (Mute, bool) {
	if m == nil {
		return Mute{}, false
	}
	return m.set.Load().Check(mn, m.now())
}

// Active lists the mutes in force now.
func (m *Mutes) Active() []Mute {
	if m == nil {
		return nil
	}
	now := m.now()
	var out []Mute
	for _, mu := range m.set.Load().all {
		if mu.Active(now) {
			out = append(out, mu)
		}
	}
	return out
}
