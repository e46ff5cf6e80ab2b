package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/earshothq/earshot/routing"
)

// StormCard is one card standing for many new cases of a team on a surface
// while they arrive faster than the channel can take cards (a crisis, a
// viral post). Every case is still a case: stored, in the web inbox, and
// actionable there or with a command naming its id.
type StormCard struct {
	Team  Team
	Since time.Time
	// Count is how many cases joined the storm.
	Count int
	// Authors are the most frequent authors, most first.
	Authors []AuthorCount
	// Samples are the latest few first mentions, newest last.
	Samples []StormSample
	// Over is set on the last update, once the storm has quietened.
	Over bool

	id int
}

// AuthorCount is one author of a storm and how many of its cases they opened.
type AuthorCount struct {
	Author Author
	Cases  int
}

// StormSample is one case of a storm, as the storm card lists it.
type StormSample struct {
	CaseID int64
	First  Mention
}

// StormSurface is a surface that groups storms. Surfaces without it (the
// web inbox, a list with no rate limit) get every card.
type StormSurface interface {
	Surface
	// ShowStorm posts the storm card (ref == "") or updates it in place.
	ShowStorm(ctx context.Context, card StormCard, ref string) (string, error)
}

const (
	maxStormSamples = 5
	maxStormAuthors = 5
	// stormRefPrefix marks a case's card ref as "on a storm card": its own
	// card is never posted and thread notes stay in the web inbox.
	stormRefPrefix = "storm:"
)

// IsStormRef reports whether a case's card ref means it was grouped.
func IsStormRef(ref string) bool { return strings.HasPrefix(ref, stormRefPrefix) }

type stormKey struct{ surface, team string }

// storms tracks, per surface and team, how fast new cards go out and the
// storm in progress. It lives in memory: after a restart a continuing
// storm starts a new storm card, and cases already grouped stay grouped.
type storms struct {
	mu     sync.Mutex
	groups map[stormKey]*stormGroup
	seq    int
}

type stormGroup struct {
	posted []time.Time // own cards posted within the window
	active bool
	id     int
	// overShown: the storm's last update, saying it is over, is scheduled.
	overShown bool
	watching  bool // a watchStormEnd chain runs for this storm
	card      StormCard
	byAuth    map[string]int
	last      time.Time // last case joined

	// show serialises rendering; ref, refID, shown and pending are guarded
	// by it. Lock order: show before storms.mu, never the other way.
	show    sync.Mutex
	ref     string
	refID   int // the storm ref was posted for
	shown   time.Time
	pending bool // an update is scheduled
}

func policyOf(r *routing.Rules) routing.StormPolicy {
	p := r.Storm
	d := routing.DefaultStorm()
	if p.Threshold <= 0 {
		p.Threshold = d.Threshold
	}
	if p.Window <= 0 {
		p.Window = d.Window
	}
	if p.UpdateEvery <= 0 {
		p.UpdateEvery = d.UpdateEvery
	}
	if p.Quiet <= 0 {
		p.Quiet = d.Quiet
	}
	return p
}

// admit decides whether a new card for (surface, team) goes out on its own
// or joins the storm; it returns the storm's group when it joins.
func (st *storms) admit(k stormKey, p routing.StormPolicy, now time.Time) *stormGroup {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.groups == nil {
		st.groups = map[stormKey]*stormGroup{}
	}
	g := st.groups[k]
	if g == nil {
		g = &stormGroup{}
		st.groups[k] = g
	}
	cut := now.Add(-p.Window)
	i := 0
	for i < len(g.posted) && !g.posted[i].After(cut) {
		i++
	}
	g.posted = g.posted[i:]
	if g.id != 0 && now.Sub(g.last) > p.Quiet {
		// The storm ended: it absorbed the burst, so the cards posted
		// before it stop counting and a new storm needs the threshold
		// crossed again.
		g.posted = slices.DeleteFunc(g.posted, func(t time.Time) bool { return !t.After(g.last) })
		g.active = false
	}
	if !g.active && len(g.posted) < p.Threshold {
		g.posted = append(g.posted, now)
		return nil
	}
	if !g.active {
		st.seq++
		g.active, g.id, g.overShown, g.watching = true, st.seq, false, false
		g.card = StormCard{Since: now}
		g.byAuth = map[string]int{}
		// The new storm gets a card of its own: renderStorm sees that ref
		// belongs to an older storm. (admit holds mu and must not take show,
		// which renderStorm holds while it takes mu.)
	}
	g.last = now
	return g
}

// join adds a case to the storm and returns a snapshot of the card.
func (st *storms) join(g *stormGroup, card Card) {
	st.mu.Lock()
	defer st.mu.Unlock()
	c := &g.card
	c.Team = card.Team
	c.Count++
	key := strings.ToLower(card.First.Author.Handle)
	g.byAuth[key]++
	found := false
	for i := range c.Authors {
		if strings.EqualFold(c.Authors[i].Author.Handle, card.First.Author.Handle) {
			c.Authors[i].Cases = g.byAuth[key]
			found = true
		}
	}
	if !found {
		// byAuth, not 1: the author may have been trimmed from the list before.
		c.Authors = append(c.Authors, AuthorCount{Author: card.First.Author, Cases: g.byAuth[key]})
	}
	slices.SortStableFunc(c.Authors, func(a, b AuthorCount) int { return cmp.Compare(b.Cases, a.Cases) })
	if len(c.Authors) > maxStormAuthors*4 {
		c.Authors = c.Authors[:maxStormAuthors*4] // keep candidates, show the top few
	}
	c.Samples = append(c.Samples, StormSample{CaseID: card.Case.ID, First: card.First})
	if len(c.Samples) > maxStormSamples {
		c.Samples = c.Samples[len(c.Samples)-maxStormSamples:]
	}
}

func (st *storms) snapshot(g *stormGroup, p routing.StormPolicy, now time.Time) StormCard {
	st.mu.Lock()
	defer st.mu.Unlock()
	c := g.card
	c.Authors = slices.Clone(c.Authors[:min(len(c.Authors), maxStormAuthors)])
	c.Samples = slices.Clone(c.Samples)
	c.Over = !g.active || now.Sub(g.last) > p.Quiet
	c.id = g.id
	return c
}

// stormCard puts a new case on its team's storm card, or reports false when
// the case should get a card of its own.
func (b *Bot) stormCard(ctx context.Context, s Surface, j Job, card Card) (bool, error) {
	ss, ok := s.(StormSurface)
	if !ok {
		return false, nil
	}
	p := policyOf(b.rules.Load())
	g := b.storms.admit(stormKey{j.Surface, card.Case.Team}, p, b.now())
	if g == nil {
		return false, nil
	}
	b.storms.join(g, card)
	if err := b.store.SaveCardRef(ctx, j.CaseID, j.Surface, stormRefPrefix+strconv.Itoa(g.id)); err != nil {
		return true, fmt.Errorf("save storm ref: %w", err)
	}
	b.showStorm(ss, g, p)
	return true, nil
}

// showStorm renders the storm card now if it was not shown within the
// policy's interval, else once when the interval is up: a storm of a
// thousand cases costs a handful of messages.
func (b *Bot) showStorm(s StormSurface, g *stormGroup, p routing.StormPolicy) {
	b.storms.mu.Lock()
	id := g.id
	b.storms.mu.Unlock()
	g.show.Lock()
	if g.pending {
		g.show.Unlock()
		return
	}
	wait := time.Duration(0)
	if !g.shown.IsZero() && g.refID == id {
		wait = p.UpdateEvery - b.now().Sub(g.shown)
	}
	g.pending = true
	g.show.Unlock()
	run := func() { b.renderStorm(s, g, p) }
	if wait <= 0 {
		go run()
		return
	}
	time.AfterFunc(wait, run)
}

func (b *Bot) renderStorm(s StormSurface, g *stormGroup, p routing.StormPolicy) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	g.show.Lock()
	g.pending = false
	card := b.storms.snapshot(g, p, b.now())
	if g.refID != card.id {
		g.ref, g.shown = "", time.Time{}
	}
	ref, err := s.ShowStorm(ctx, card, g.ref)
	if err == nil {
		g.ref, g.refID, g.shown = ref, card.id, b.now()
	}
	g.show.Unlock()
	if err != nil {
		b.log.Warn("storm card not shown; retrying", "surface", s.Name(), "team", card.Team.Name, "error", err)
		var re *RetryError
		after := p.UpdateEvery
		if errors.As(err, &re) && re.After > 0 {
			after = re.After
		}
		if !IsPermanent(err) {
			g.show.Lock()
			g.pending = true
			g.show.Unlock()
			time.AfterFunc(after, func() { b.renderStorm(s, g, p) })
		}
		return
	}
	if !card.Over {
		b.storms.mu.Lock()
		start := g.id == card.id && !g.watching
		g.watching = g.watching || start
		b.storms.mu.Unlock()
		if start {
			b.watchStormEnd(s, g, p, card.id)
		}
	}
}

// watchStormEnd makes sure the storm card's last update says it is over:
// it looks again after the quiet period, and again while cases keep
// joining, until the storm is over or a newer storm replaced it.
func (b *Bot) watchStormEnd(s StormSurface, g *stormGroup, p routing.StormPolicy, id int) {
	time.AfterFunc(p.Quiet+p.UpdateEvery, func() {
		b.storms.mu.Lock()
		if g.id != id || g.overShown {
			if g.id == id {
				g.watching = false
			}
			b.storms.mu.Unlock()
			return
		}
		over := b.now().Sub(g.last) > p.Quiet
		if over {
			g.active, g.overShown, g.watching = false, true, false
		}
		b.storms.mu.Unlock()
		if over {
			b.showStorm(s, g, p)
			return
		}
		b.watchStormEnd(s, g, p, id)
	})
}
