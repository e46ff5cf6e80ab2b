package bot_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/store"
)

// stormSurface is a recordingSurface that groups storms.
type stormSurface struct {
	recordingSurface
	smu    sync.Mutex
	storms []bot.StormCard
	refs   []string
}

func (s *stormSurface) Name() string { return "storm" }

func (s *stormSurface) ShowStorm(_ context.Context, c bot.StormCard, ref string) (string, error) {
	s.smu.Lock()
	defer s.smu.Unlock()
	if ref == "" {
		ref = fmt.Sprintf("storm-card-%d", len(s.storms))
	}
	s.storms = append(s.storms, c)
	s.refs = append(s.refs, ref)
	return ref, nil
}

func (s *stormSurface) last() (bot.StormCard, int, []string) {
	s.smu.Lock()
	defer s.smu.Unlock()
	if len(s.storms) == 0 {
		return bot.StormCard{}, 0, nil
	}
	return s.storms[len(s.storms)-1], len(s.storms), append([]string(nil), s.refs...)
}

const stormRules = `
teams:
  care: {}
storm:
  threshold: 5
  window: 1m
  update_every: 50ms
  quiet: 300ms
route:
  name: brand
  query: lumio
  team: care
`

func TestStormGroupsCardsAndEnds(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rules, err := routing.Parse("storm.yaml", []byte(stormRules))
	if err != nil {
		t.Fatal(err)
	}
	sugg, err := bot.NewBuiltinSuggester(func() routing.Brand { return rules.Brand })
	if err != nil {
		t.Fatal(err)
	}
	sur := &stormSurface{}
	// The clock stands still while the storm arrives, however slowly the
	// jobs run (-race), and moves on when the test says the storm is over.
	clock := &testClock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	b, err := bot.New(bot.Config{Store: db, Rules: rules, Classifier: bot.NewBuiltinClassifier(), Suggester: sugg, Surfaces: []bot.Surface{sur}, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{db: db, bot: b}

	const n = 100
	ms := make([]bot.Mention, n)
	for i := range ms {
		ms[i] = bot.Mention{Platform: "bluesky", ExternalID: fmt.Sprint("s", i), CreatedAt: time.Now(),
			Author: bot.Author{Handle: fmt.Sprintf("user%d", i%7), Followers: 10}, Text: fmt.Sprintf("lumio is down again <!channel> %d", i)}
	}
	if _, err := b.IngestBatch(t.Context(), ms); err != nil {
		t.Fatal(err)
	}
	f.runJobs(t)

	sur.mu.Lock()
	own := sur.posts
	sur.mu.Unlock()
	if own != 5 {
		t.Errorf("%d cards of their own, want the threshold (5)", own)
	}
	clock.Add(time.Minute)
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, _, _ := sur.last()
		if c.Over && c.Count == n-5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("storm card never showed all %d cases as over: last %+v", n-5, c)
		}
		time.Sleep(20 * time.Millisecond)
	}
	c, calls, refs := sur.last()
	if calls >= n-5 {
		t.Errorf("%d storm card renders for %d cases: grouping saved nothing", calls, n-5)
	}
	for _, r := range refs {
		if r != refs[0] {
			t.Fatalf("storm card posted more than once: refs %v", refs)
		}
	}
	if len(c.Authors) == 0 || c.Authors[0].Cases < (n-5)/7 || len(c.Samples) != 5 {
		t.Errorf("storm card: authors %+v, %d samples", c.Authors, len(c.Samples))
	}
	if c.Team.Name != "care" || !strings.Contains(c.Samples[4].First.Text, "lumio") {
		t.Errorf("storm card team %q, last sample %q", c.Team.Name, c.Samples[4].First.Text)
	}
	// Every case still exists, with its own card or the storm's mark.
	grouped := 0
	for i := 1; i <= n; i++ {
		ref, err := db.CardRef(t.Context(), int64(i), "storm")
		if err != nil || ref == "" {
			t.Fatalf("case %d: ref %q, %v", i, ref, err)
		}
		if bot.IsStormRef(ref) {
			grouped++
		}
	}
	if grouped != n-5 {
		t.Errorf("%d cases grouped, want %d", grouped, n-5)
	}

	// After the storm, a new case gets its own card again.
	if _, err := b.IngestBatch(t.Context(), []bot.Mention{{Platform: "bluesky", ExternalID: "after", CreatedAt: time.Now(),
		Author: bot.Author{Handle: "late"}, Text: "lumio question"}}); err != nil {
		t.Fatal(err)
	}
	f.runJobs(t)
	sur.mu.Lock()
	defer sur.mu.Unlock()
	if sur.posts != 6 {
		t.Errorf("%d own cards after the storm, want 6", sur.posts)
	}
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
