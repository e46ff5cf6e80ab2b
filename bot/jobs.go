package bot

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"
)

// noteRetry is how long a thread note waits for its card to be posted first.
const noteRetry = 2 * time.Second

// HandleJob runs one durable job. It is safe to run a job twice: card jobs
// for an old revision are skipped, a card is posted once and then updated.
func (b *Bot) HandleJob(ctx context.Context, j Job) (err error) {
	start := time.Now()
	defer func() {
		b.obs.JobFinished(j.Kind, err, time.Since(start))
		if err != nil {
			b.log.Warn("job failed", "job", j.String(), "permanent", IsPermanent(err), "error", err)
		}
	}()
	switch j.Kind {
	case JobCard:
		return b.showCard(ctx, j)
	case JobNote:
		return b.postNote(ctx, j)
	case JobSuggest:
		return b.suggest(ctx, j)
	case JobAction:
		if b.actions == nil {
			return Permanent(errors.New("no action handlers configured"))
		}
		return b.actions.Execute(ctx, j.ActionID)
	case JobEscalation, JobSLA:
		return b.timerJob(ctx, j)
	case JobBroadcast:
		return b.broadcast(ctx, j)
	}
	if h := b.jobs[j.Kind]; h != nil {
		return h(ctx, j)
	}
	return Permanent(fmt.Errorf("unknown job kind %q", j.Kind))
}

// CardFor assembles everything a surface needs to render a case.
func (b *Bot) CardFor(ctx context.Context, caseID int64) (Card, error) {
	c, err := b.store.Case(ctx, caseID)
	if err != nil {
		return Card{}, fmt.Errorf("load case %d: %w", caseID, err)
	}
	first, err := b.store.Mention(ctx, c.FirstMentionID)
	if err != nil {
		return Card{}, fmt.Errorf("load first mention of case %d: %w", caseID, err)
	}
	sugg, err := b.store.Suggestions(ctx, caseID)
	if err != nil {
		return Card{}, fmt.Errorf("load suggestions of case %d: %w", caseID, err)
	}
	info, err := b.store.DraftInfo(ctx, caseID)
	if err != nil {
		return Card{}, fmt.Errorf("load draft info of case %d: %w", caseID, err)
	}
	team, _ := b.rules.Load().Team(c.Team)
	if team.Name == "" {
		team.Name = c.Team
	}
	card := Card{Case: c, Team: team, First: first, Suggestions: sugg, Drafts: info}
	if lr, ok := b.store.(LinkReader); ok {
		if card.Links, err = lr.CaseLinks(ctx, caseID); err != nil {
			return Card{}, fmt.Errorf("load links of case %d: %w", caseID, err)
		}
	}
	return card, nil
}

func (b *Bot) surface(name string) (Surface, error) {
	s, ok := b.surfaces[name]
	if !ok {
		// The surface was configured when the job was queued and is not now;
		// retrying cannot help until it is configured again.
		return nil, Permanent(fmt.Errorf("surface %q is not configured", name))
	}
	return s, nil
}

func (b *Bot) showCard(ctx context.Context, j Job) error {
	s, err := b.surface(j.Surface)
	if err != nil {
		return err
	}
	card, err := b.CardFor(ctx, j.CaseID)
	if err != nil {
		return notFoundIsPermanent(err)
	}
	// A newer revision has its own job, which renders the latest state.
	if j.Rev < card.Case.Rev {
		return nil
	}
	// Two jobs of one case and surface must not both find no card and both
	// post one: the first post and every update are serialised per card.
	mu := b.cardLock(j.CaseID, j.Surface)
	mu.Lock()
	defer mu.Unlock()
	ref, err := b.store.CardRef(ctx, j.CaseID, j.Surface)
	if err != nil {
		return fmt.Errorf("load card ref: %w", err)
	}
	if IsStormRef(ref) {
		return nil // counted on its team's storm card
	}
	if ref == "" {
		if grouped, err := b.stormCard(ctx, s, j, card); grouped || err != nil {
			return err
		}
	}
	newRef, err := s.ShowCard(ctx, card, ref)
	if err != nil {
		return fmt.Errorf("show card for case %d on %s: %w", j.CaseID, j.Surface, err)
	}
	if newRef != ref {
		if err := b.store.SaveCardRef(ctx, j.CaseID, j.Surface, newRef); err != nil {
			return fmt.Errorf("save card ref: %w", err)
		}
	}
	return nil
}

func (b *Bot) postNote(ctx context.Context, j Job) error {
	s, err := b.surface(j.Surface)
	if err != nil {
		return err
	}
	ref, err := b.store.CardRef(ctx, j.CaseID, j.Surface)
	if err != nil {
		return fmt.Errorf("load card ref: %w", err)
	}
	if ref == "" {
		return &RetryError{After: noteRetry, Err: fmt.Errorf("case %d has no card on %s yet", j.CaseID, j.Surface)}
	}
	if IsStormRef(ref) {
		return nil // the thread is in the web inbox; the storm card only counts
	}
	card, ev, err := b.cardAndEvent(ctx, j.CaseID, j.EventID)
	if err != nil {
		return err
	}
	if err := s.Note(ctx, card, ref, ev); err != nil {
		return fmt.Errorf("note event %d on %s: %w", ev.ID, j.Surface, err)
	}
	return nil
}

// cardAndEvent loads a case's card and one event of its thread, for the
// jobs that show that event on a surface. A case or event gone is a
// permanent failure: retrying will not bring it back.
func (b *Bot) cardAndEvent(ctx context.Context, caseID, eventID int64) (Card, Event, error) {
	card, err := b.CardFor(ctx, caseID)
	if err != nil {
		return Card{}, Event{}, notFoundIsPermanent(err)
	}
	_, events, err := b.store.Thread(ctx, caseID)
	if err != nil {
		return Card{}, Event{}, fmt.Errorf("load thread of case %d: %w", caseID, err)
	}
	for _, ev := range events {
		if ev.ID == eventID {
			return card, ev, nil
		}
	}
	return Card{}, Event{}, Permanent(fmt.Errorf("event %d of case %d: %w", eventID, caseID, ErrNotFound))
}

func (b *Bot) suggest(ctx context.Context, j Job) error {
	c, err := b.store.Case(ctx, j.CaseID)
	if err != nil {
		return notFoundIsPermanent(fmt.Errorf("load case %d: %w", j.CaseID, err))
	}
	if !c.State.Open() {
		return nil
	}
	mentions, _, err := b.store.Thread(ctx, j.CaseID)
	if err != nil {
		return fmt.Errorf("load thread of case %d: %w", j.CaseID, err)
	}
	if !Answerable(mentions) {
		return nil // every post was deleted: nothing left to answer
	}
	team, _ := b.rules.Load().Team(c.Team)
	drafts, err := b.drafter.DraftReplies(ctx, c, team, mentions, DraftRequest{})
	if err != nil {
		return fmt.Errorf("draft replies for case %d: %w", j.CaseID, err)
	}
	// Drafting can be slow (a model); if the customer wrote again meanwhile,
	// these drafts answer an old message and the newer job's must win.
	if now, _, err := b.store.Thread(ctx, j.CaseID); err == nil {
		before, _ := LatestFrom(mentions, c.Customer)
		if after, _ := LatestFrom(now, c.Customer); after.ID != before.ID {
			return nil
		}
	}
	kept := FitDrafts(c, drafts.Suggestions)
	info := drafts.Info
	info.At = b.now()
	change := CaseChange{Drafts: &info}
	for _, s := range b.surfaceIDs {
		change.Jobs = append(change.Jobs, Job{Kind: JobCard, CaseID: c.ID, Surface: s})
	}
	if err := b.store.SaveSuggestions(ctx, c.ID, kept, change); err != nil {
		return fmt.Errorf("save suggestions for case %d: %w", c.ID, err)
	}
	return nil
}

func notFoundIsPermanent(err error) error {
	if errors.Is(err, ErrNotFound) {
		return Permanent(err)
	}
	return err
}

// cardLock returns the lock for one case's card on one surface. A fixed set
// of stripes keeps memory flat however many cases there are; two cards
// sharing a stripe only wait for each other.
func (b *Bot) cardLock(caseID int64, surface string) *sync.Mutex {
	h := fnv.New32a()
	fmt.Fprintf(h, "%d/%s", caseID, surface)
	return &b.cardLocks[h.Sum32()%uint32(len(b.cardLocks))]
}
