package githubsearch

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	gh "github.com/google/go-github/v60/github"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/sources/poll"
)

// Defaults of the feeds.
const (
	// DefaultInterval keeps a few queries inside search's 30 requests a
	// minute, with the thread feed beside them.
	DefaultInterval = 60 * time.Second
	DefaultLookback = 10 * time.Minute
	// DefaultOverlap re-reads the last minutes: GitHub's search index lags
	// behind new issues.
	DefaultOverlap = 2 * time.Minute
	perPage        = 100
	// maxBodyRunes trims long issue bodies: the start says what it is
	// about, and the link leads to the rest.
	maxBodyRunes = 4000
	maxSeen      = 2000
)

// Deny says whether a repository's posts are left out ("owner/name").
type Deny func(fullName string) bool

// DenyList matches repositories by "owner/name" or a whole owner with
// "owner/*", in any case.
func DenyList(entries []string) Deny {
	set := map[string]bool{}
	for _, e := range entries {
		set[strings.ToLower(strings.TrimSpace(e))] = true
	}
	return func(full string) bool {
		full = strings.ToLower(full)
		owner, _, _ := strings.Cut(full, "/")
		return set[full] || set[owner+"/*"]
	}
}

// SearchOptions configure one query's feed.
type SearchOptions struct {
	Client *Client
	// Query is GitHub search syntax ("acme in:title,body", "\"acme app\"
	// is:issue"); the feed adds created:>= and sorts by creation.
	Query    string
	Deny     Deny
	Interval time.Duration
	Lookback time.Duration
	Overlap  time.Duration
}

// Search is one query's feed of new issues and pull requests.
type Search struct{ o SearchOptions }

var (
	_ poll.Poller     = (*Search)(nil)
	_ poll.Intervaler = (*Search)(nil)
)

// NewSearch builds a query's feed. It makes no request.
func NewSearch(o SearchOptions) (*Search, error) {
	if o.Client == nil {
		return nil, fmt.Errorf("github: search feed needs a client")
	}
	if strings.TrimSpace(o.Query) == "" {
		return nil, fmt.Errorf("github: empty search query")
	}
	if len(o.Query) > 200 {
		return nil, fmt.Errorf("github: search query %q is longer than 200 bytes (GitHub takes 256 with the date added)", clipStr(o.Query))
	}
	if o.Deny == nil {
		o.Deny = func(string) bool { return false }
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Lookback <= 0 {
		o.Lookback = DefaultLookback
	}
	if o.Overlap <= 0 {
		o.Overlap = DefaultOverlap
	}
	return &Search{o: o}, nil
}

// Name is "github:search:<query>".
func (s *Search) Name() string { return "github:search:" + s.o.Query }

// Platform is "github".
func (s *Search) Platform() string { return Platform }

// Interval is the configured time between polls.
func (s *Search) Interval() time.Duration { return s.o.Interval }

// cursor is the newest creation time seen and the ids seen in the
// overlap before it (id → unix seconds), so equal times and late-indexed
// issues are neither repeated nor lost. Page moves past a full page of
// already-seen issues.
type cursor struct {
	Since time.Time        `json:"since"`
	Seen  map[string]int64 `json:"seen,omitempty"`
	Page  int              `json:"page,omitempty"`
	// A discussion window being read page by page: its GraphQL cursor,
	// where the window starts, and the newest discussion seen in it.
	After string    `json:"after,omitempty"`
	From  time.Time `json:"from,omitzero"`
	Top   time.Time `json:"top,omitzero"`
}

func parseCursor(s string) (cursor, error) {
	var c cursor
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return cursor{}, fmt.Errorf("github: cursor %q is not a saved position: %w", clipStr(s), err)
	}
	if c.Since.IsZero() || c.Page < 0 {
		return cursor{}, fmt.Errorf("github: cursor %q is out of range", clipStr(s))
	}
	return c, nil
}

func (c cursor) String() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// see records m as seen and reports whether it is new.
func (c *cursor) see(m bot.Mention) bool {
	if _, dup := c.Seen[m.ExternalID]; dup {
		return false
	}
	if c.Seen == nil {
		c.Seen = map[string]int64{}
	}
	c.Seen[m.ExternalID] = m.CreatedAt.Unix()
	return true
}

func (c *cursor) prune(from time.Time) {
	for id, ts := range c.Seen {
		if ts < from.Unix() {
			delete(c.Seen, id)
		}
	}
	if len(c.Seen) > maxSeen {
		ids := slices.Collect(maps.Keys(c.Seen))
		slices.SortFunc(ids, func(a, b string) int { return int(c.Seen[a] - c.Seen[b]) })
		for _, id := range ids[:len(ids)-maxSeen] {
			delete(c.Seen, id)
		}
	}
}

// Poll reads the issues created since the cursor, oldest first, a page
// at a time.
func (s *Search) Poll(ctx context.Context, saved string) (poll.Batch, error) {
	now := s.o.Client.now()
	c := cursor{Since: now.Add(-s.o.Lookback).UTC().Truncate(time.Second)}
	if saved != "" {
		var err error
		if c, err = parseCursor(saved); err != nil {
			return poll.Batch{}, err
		}
	}
	login, err := s.o.Client.Login(ctx)
	if err != nil {
		return poll.Batch{}, err
	}
	from := c.Since.Add(-s.o.Overlap).UTC()
	q := s.o.Query + " created:>=" + from.Format(time.RFC3339)
	res, resp, err := s.o.Client.gh.Search.Issues(ctx, q, &gh.SearchOptions{
		Sort: "created", Order: "asc", ListOptions: gh.ListOptions{PerPage: perPage, Page: c.Page + 1},
	})
	if err != nil {
		return poll.Batch{}, fmt.Errorf("github: search %q: %w", s.o.Query, s.o.Client.pollError(err))
	}
	var ms []bot.Mention
	fresh := 0
	for _, is := range res.Issues {
		m, full, err := issueMention(is, login)
		if err != nil {
			return poll.Batch{}, fmt.Errorf("github: search %q: %w", s.o.Query, err)
		}
		if !c.see(m) {
			continue
		}
		fresh++
		if m.CreatedAt.After(c.Since) {
			c.Since = m.CreatedAt
		}
		if !s.o.Deny(full) {
			ms = append(ms, m)
		}
	}
	full := len(res.Issues) == perPage && res.GetTotal() > (c.Page+1)*perPage
	switch {
	case full && fresh == 0:
		c.Page++ // a whole page already seen: look further
	default:
		c.Page = 0
	}
	if !full {
		c.Since = maxTime(c.Since, now.Add(-s.o.Overlap).UTC().Truncate(time.Second))
	}
	c.prune(c.Since.Add(-s.o.Overlap))
	return poll.Batch{Mentions: ms, Cursor: c.String(), More: full, Wait: s.o.Client.budgetWait(resp)}, nil
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// issueMention turns a search result into a mention, with the repository's
// "owner/name".
func issueMention(is *gh.Issue, login string) (bot.Mention, string, error) {
	owner, repo, err := repoFromAPIURL(is.GetRepositoryURL())
	if err != nil {
		return bot.Mention{}, "", err
	}
	if is.GetNumber() <= 0 || is.CreatedAt == nil {
		return bot.Mention{}, "", fmt.Errorf("issue %q of %s/%s has no number or creation time", is.GetHTMLURL(), owner, repo)
	}
	ref := Ref{Owner: owner, Repo: repo, Number: is.GetNumber()}
	text := strings.TrimSpace(is.GetTitle())
	if body := trimBody(is.GetBody()); body != "" {
		text += "\n\n" + body
	}
	u := is.GetUser()
	return bot.Mention{
		Platform:   Platform,
		ExternalID: ref.String(),
		URL:        is.GetHTMLURL(),
		Author:     author(u),
		Text:       text,
		CreatedAt:  is.CreatedAt.Time.UTC(),
		Ours:       login != "" && strings.EqualFold(u.GetLogin(), login),
	}, ref.FullName(), nil
}

func author(u *gh.User) bot.Author {
	a := bot.Author{Handle: u.GetLogin(), Name: u.GetName()}
	if u.GetID() != 0 {
		a.ID = strconv.FormatInt(u.GetID(), 10)
	}
	return a
}

// trimBody keeps the start of a long body, cut at a line or word end.
func trimBody(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if utf8.RuneCountInString(s) <= maxBodyRunes {
		return s
	}
	cut := 0
	for i := range s {
		if cut == maxBodyRunes {
			s = s[:i]
			break
		}
		cut++
	}
	if i := strings.LastIndexAny(s, "\n "); i > len(s)*3/4 {
		s = s[:i]
	}
	return strings.TrimSpace(s) + " …"
}
