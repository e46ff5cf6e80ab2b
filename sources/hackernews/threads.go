package hackernews

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/earshothq/earshot/sources/poll"
)

// ThreadLister lists the posts of open cases on a platform (store.DB).
type ThreadLister interface {
	ThreadPosts(ctx context.Context, platform string) ([]string, error)
}

// Stories remembers which story each item belongs to. Algolia's comment
// hits say it (story_id); after a restart the thread feed asks the items
// endpoint for the few it does not know.
type Stories struct {
	mu sync.Mutex
	of map[string]string // item id → story id
}

// NewStories returns an empty memory.
func NewStories() *Stories { return &Stories{of: map[string]string{}} }

func (s *Stories) learn(h Hit) {
	if s == nil {
		return
	}
	story := ""
	switch {
	case h.isStory():
		story = h.ObjectID
	case h.StoryID != nil && *h.StoryID > 0:
		story = strconv.FormatInt(*h.StoryID, 10)
	default:
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.of) > 100_000 {
		clear(s.of) // a bound, not a cache policy: it refills from hits
	}
	s.of[h.ObjectID] = story
}

func (s *Stories) get(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.of[id]
	return v, ok
}

func (s *Stories) set(id, story string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.of[id] = story
}

// Limits of one thread poll: story tags per request (the query string
// stays short) and lookups of unknown items.
const (
	storiesPerRequest = 40
	maxRequests       = 5
	maxLookups        = 20
)

// ThreadOptions configure the feed that follows open cases' threads.
type ThreadOptions struct {
	Threads    ThreadLister
	Stories    *Stories
	APIURL     string
	HTTPClient *http.Client
	Interval   time.Duration
	Overlap    time.Duration
	Now        func() time.Time
}

// Threads reads new comments under the stories of open cases, keeping
// those that answer a post of a case (or a comment it emits), so a
// customer's follow-up joins their case.
type Threads struct {
	o ThreadOptions
	c *client
}

var (
	_ poll.Poller     = (*Threads)(nil)
	_ poll.Intervaler = (*Threads)(nil)
)

// NewThreads builds the thread feed. It makes no request.
func NewThreads(o ThreadOptions) (*Threads, error) {
	if o.Threads == nil {
		return nil, errors.New("hackernews: threads feed needs a thread lister")
	}
	if o.Stories == nil {
		o.Stories = NewStories()
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Overlap <= 0 {
		o.Overlap = DefaultOverlap
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	c, err := newClient(o.APIURL, o.HTTPClient, o.Now)
	if err != nil {
		return nil, err
	}
	return &Threads{o: o, c: c}, nil
}

// Name is "hackernews:threads".
func (t *Threads) Name() string { return "hackernews:threads" }

// Platform is "hackernews".
func (t *Threads) Platform() string { return Platform }

// Interval is the configured time between polls.
func (t *Threads) Interval() time.Duration { return t.o.Interval }

// Poll reads the comments made since the cursor under every tracked story.
func (t *Threads) Poll(ctx context.Context, saved string) (poll.Batch, error) {
	now := t.o.Now()
	c := cursor{Since: now.Unix()}
	if saved != "" {
		var err error
		if c, err = parseCursor(saved); err != nil {
			return poll.Batch{}, err
		}
	}
	posts, err := t.o.Threads.ThreadPosts(ctx, Platform)
	if err != nil {
		return poll.Batch{}, fmt.Errorf("hackernews: threads: %w", err)
	}
	tracked := map[string]bool{}
	var stories []string
	lookups := 0
	for _, id := range posts {
		tracked[id] = true
		story, ok := t.o.Stories.get(id)
		if !ok && lookups < maxLookups {
			lookups++
			if story, err = t.storyOf(ctx, id); err != nil {
				return poll.Batch{}, err
			}
			ok = story != ""
			t.o.Stories.set(id, story)
		}
		if ok && story != "" && !slices.Contains(stories, story) {
			stories = append(stories, story)
		}
	}
	if len(stories) == 0 {
		c.Since = max(c.Since, now.Unix()-int64(t.o.Overlap/time.Second))
		c.prune(c.Since - int64(t.o.Overlap/time.Second))
		return poll.Batch{Cursor: c.String()}, nil
	}
	from := c.Since - int64(t.o.Overlap/time.Second)
	var hits []Hit
	for i := 0; i < len(stories) && i/storiesPerRequest < maxRequests; i += storiesPerRequest {
		chunk := stories[i:min(i+storiesPerRequest, len(stories))]
		tags := make([]string, len(chunk))
		for j, s := range chunk {
			tags[j] = "story_" + s
		}
		p := url.Values{}
		p.Set("tags", "comment,("+strings.Join(tags, ",")+")")
		p.Set("numericFilters", fmt.Sprintf("created_at_i>=%d", from))
		p.Set("hitsPerPage", strconv.Itoa(paginationLimit))
		page, err := t.c.searchByDate(ctx, p)
		if err != nil {
			return poll.Batch{}, fmt.Errorf("%w (threads)", err)
		}
		hits = append(hits, page.Hits...)
	}
	// Oldest first, so a reply to a reply is kept after its parent is.
	slices.SortStableFunc(hits, func(a, b Hit) int { return int(a.CreatedAtI - b.CreatedAtI) })
	var keep []Hit
	for _, h := range hits {
		if h.ParentID == nil || !tracked[strconv.FormatInt(*h.ParentID, 10)] {
			continue
		}
		tracked[h.ObjectID] = true
		keep = append(keep, h)
	}
	slices.Reverse(keep) // take wants Algolia's order, newest first
	ms := c.take(keep, t.o.Stories)
	c.Until = now.Unix()
	c.endRound(now, t.o.Overlap)
	return poll.Batch{Mentions: ms, Cursor: c.String()}, nil
}

// storyOf asks the items endpoint which story an item belongs to; "" when
// it is gone.
func (t *Threads) storyOf(ctx context.Context, id string) (string, error) {
	if _, err := strconv.ParseUint(id, 10, 63); err != nil {
		return "", nil // not an HN item id (an old or imported post)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.c.base+"/api/v1/items/"+id, nil)
	if err != nil {
		return "", fmt.Errorf("hackernews: item %s: %w", id, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := t.c.hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("hackernews: item %s: %w", id, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return "", fmt.Errorf("hackernews: item %s: read answer: %w", id, err)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return "", nil
	case resp.StatusCode == http.StatusTooManyRequests:
		return "", poll.RateLimited(poll.ParseRetryAfter(resp.Header, t.o.Now()), fmt.Errorf("hackernews: item %s: HTTP 429", id))
	case resp.StatusCode != http.StatusOK:
		return "", fmt.Errorf("hackernews: item %s: HTTP %d: %s", id, resp.StatusCode, clip(strings.TrimSpace(string(body)), 120))
	}
	return decodeItemStory(id, body)
}

// decodeItemStory reads the story an /items/:id answer belongs to. The
// answer nests every child; only the top fields are read.
func decodeItemStory(id string, body []byte) (string, error) {
	var it struct {
		ID      json.Number `json:"id"`
		Type    string      `json:"type"`
		StoryID *int64      `json:"story_id"`
	}
	if err := json.Unmarshal(body, &it); err != nil {
		return "", fmt.Errorf("hackernews: item %s: decode: %w", id, err)
	}
	switch {
	case it.StoryID != nil && *it.StoryID > 0:
		return strconv.FormatInt(*it.StoryID, 10), nil
	case it.Type == "story" || it.Type == "poll":
		return id, nil
	}
	return "", nil
}
