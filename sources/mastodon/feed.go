package mastodon

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"unicode"

	"github.com/earshothq/earshot/bot"
)

// feed is one list Mastodon can page through with min_id (notifications, a
// timeline, a search) and the cursor earshot keeps for it: the newest id
// handed on. The cursor only moves after emit returned, so a restart
// resumes after the last post stored and before the first one not stored.
type feed struct {
	key    string // cursor name in the store
	kind   feedKind
	path   string
	query  url.Values
	public bool // the public timeline: tombstones only for known posts

	mu     sync.Mutex
	cursor string // newest id handled
	saved  string // what the store has
}

func (f *feed) position() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cursor
}

// advance moves the cursor forward to id, never back.
func (f *feed) advance(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if newer(id, f.cursor) {
		f.cursor = id
	}
}

// save stores the cursor if it moved since the last save.
func (s *Source) save(ctx context.Context, f *feed) {
	f.mu.Lock()
	c, saved := f.cursor, f.saved
	f.mu.Unlock()
	if c == saved {
		return
	}
	if err := s.o.Cursors.SaveCursor(ctx, f.key, c); err != nil {
		// Not fatal: a stale cursor fetches again what the store dedupes.
		s.log.Warn("mastodon: cursor not saved", "feed", f.key, "err", err)
		return
	}
	f.mu.Lock()
	if f.saved == saved {
		f.saved = c
	}
	f.mu.Unlock()
}

// flushCursors saves every cursor that moved (filtered-out posts move a
// cursor without an emit; they are saved here, in bulk).
func (s *Source) flushCursors(ctx context.Context) {
	for _, f := range s.feeds {
		s.save(ctx, f)
	}
	for _, f := range s.search {
		s.save(ctx, f)
	}
}

// beginning is the cursor of a feed that was empty when first read: every
// id sorts after it.
const beginning = "0"

// maxPagesPerRound bounds one feed's catch-up per poll, so one busy hashtag
// does not starve the others; the next round goes on from the cursor.
const maxPagesPerRound = 10

// pollAll polls each feed in turn.
func (s *Source) pollAll(ctx context.Context, feeds []*feed, emit bot.Emit) {
	for _, f := range feeds {
		if ctx.Err() != nil {
			return
		}
		if err := s.poll(ctx, f, emit, maxPagesPerRound); err != nil && ctx.Err() == nil {
			s.log.Warn("mastodon: poll failed", "feed", f.key, "err", err)
		}
	}
}

// poll reads f from its cursor until caught up or after maxPages pages
// (0: until caught up).
func (s *Source) poll(ctx context.Context, f *feed, emit bot.Emit, maxPages int) error {
	for page := 0; maxPages == 0 || page < maxPages; page++ {
		cursor := f.position()
		items, newest, more, err := s.c.fetchPage(ctx, f, cursor)
		var rl *RateLimitError
		if errors.As(err, &rl) {
			// Refused before anything happened: wait as told, then the same page.
			if err := sleep(ctx, rl.Until.Sub(s.o.Now())); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if err := s.handle(ctx, f, items, cursor == "", emit); err != nil {
			return err
		}
		if newest != "" {
			f.advance(newest)
		} else if cursor == "" {
			// Empty on the first read: everything from now on is new, so
			// the next read starts from the beginning, not the newest page.
			f.advance(beginning)
		}
		s.save(ctx, f)
		if !more {
			return nil
		}
	}
	return nil
}

// handle emits what of a page (newest first) concerns us, oldest first.
func (s *Source) handle(ctx context.Context, f *feed, items []item, firstRun bool, emit bot.Emit) error {
	var ms []bot.Mention
	for i := len(items) - 1; i >= 0; i-- {
		if m, ok := s.consider(items[i], firstRun); ok {
			ms = append(ms, m)
		}
	}
	return s.deliver(ctx, emit, ms)
}

// readThreads reads the threads of open cases for answers that mention no
// one (the customer adding to their own post), a few per round, rotating,
// and only while the request budget is healthy.
func (s *Source) readThreads(ctx context.Context, emit bot.Emit) {
	t := s.threads.Load()
	if t == nil || len(*t) == 0 {
		return
	}
	ids := *t
	s.ctxMu.Lock()
	start := s.ctxNext % len(ids)
	n := min(s.o.ContextsPerRound, len(ids))
	s.ctxNext = start + n
	s.ctxMu.Unlock()
	for i := range n {
		if ctx.Err() != nil || !s.c.Healthy() {
			return
		}
		id := ids[(start+i)%len(ids)]
		tc, err := s.c.StatusContext(ctx, id)
		if err != nil {
			var he *HTTPError
			if !errors.As(err, &he) || he.Status != http.StatusNotFound {
				s.log.Debug("mastodon: thread not read", "id", id, "err", err)
			}
			continue
		}
		var ms []bot.Mention
		// Descendants come in thread order: an answer to an answer follows it.
		in := map[string]bool{}
		for _, d := range tc.Descendants {
			if d.check() != nil || !(in[d.InReplyToID] || s.tracked(d.InReplyToID)) {
				continue
			}
			in[d.ID] = true
			if m, ok := s.consider(item{id: d.ID, status: d, followUp: true}, false); ok {
				ms = append(ms, m)
			}
		}
		if err := s.deliver(ctx, emit, ms); err != nil {
			s.log.Warn("mastodon: thread answers not stored", "id", id, "err", err)
			return
		}
	}
}

func isLetterOrDigit(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}
