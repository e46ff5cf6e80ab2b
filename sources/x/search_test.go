package x

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/xfake"
	"github.com/earshothq/earshot/sources/poll"
)

// drain polls until no page is left, as the scheduler does with More.
func drain(t *testing.T, s *Search, cursor string) ([]bot.Mention, string, int) {
	t.Helper()
	var all []bot.Mention
	polls := 0
	for {
		b, err := s.Poll(context.Background(), cursor)
		if err != nil {
			t.Fatal(err)
		}
		polls++
		all = append(all, b.Mentions...)
		if b.Cursor != "" {
			cursor = b.Cursor
		}
		if !b.More {
			return all, cursor, polls
		}
	}
}

func TestSearchPagesAndResumes(t *testing.T) {
	f := newFake(t)
	now := time.Now()
	var want []string
	for i := range 25 {
		p := f.Add(xfake.Post{Text: fmt.Sprintf("acme post %d", i), AuthorID: customer.ID, CreatedAt: now.Add(-10*time.Minute + time.Duration(i)*time.Second)})
		want = append(want, p.ID)
	}
	f.Add(xfake.Post{Text: "unrelated", AuthorID: customer.ID})
	f.Add(xfake.Post{Text: "acme, but an hour ago", AuthorID: customer.ID, CreatedAt: now.Add(-time.Hour)})
	s, err := NewSearch(SearchOptions{Client: appClient(t, f), Query: "acme", Account: us(f), MaxResults: 10})
	if err != nil {
		t.Fatal(err)
	}
	got, cursor, polls := drain(t, s, "")
	if len(got) != 25 || polls != 3 {
		t.Fatalf("%d mentions in %d polls", len(got), polls)
	}
	seen := map[string]bool{}
	for _, m := range got {
		seen[m.ExternalID] = true
	}
	for _, id := range want {
		if !seen[id] {
			t.Fatalf("missing %s", id)
		}
	}
	// A new poller with the saved cursor sees only what came after.
	later := f.Add(xfake.Post{Text: "acme later", AuthorID: customer.ID})
	s2, _ := NewSearch(SearchOptions{Client: appClient(t, f), Query: "acme", Account: us(f), MaxResults: 10})
	got, _, _ = drain(t, s2, cursor)
	if len(got) != 1 || got[0].ExternalID != later.ID {
		t.Fatalf("resumed: %+v", got)
	}
	q := f.Searches()[0]
	for _, w := range []string{"query=acme", "max_results=10", "since_id=", "expansions=author_id"} {
		if !strings.Contains(q, w) {
			t.Fatalf("search %q lacks %q", q, w)
		}
	}
}

func TestSearchCursorMidPagesResumes(t *testing.T) {
	f := newFake(t)
	for i := range 15 {
		f.Add(xfake.Post{Text: fmt.Sprintf("acme %d", i), AuthorID: customer.ID})
	}
	s, _ := NewSearch(SearchOptions{Client: appClient(t, f), Query: "acme", MaxResults: 10})
	b, err := s.Poll(context.Background(), "")
	if err != nil || !b.More || !strings.Contains(b.Cursor, "next=") || len(b.Mentions) != 10 {
		t.Fatalf("first page %+v %v", b, err)
	}
	// A restart between pages: a new poller goes on with the next page.
	s2, _ := NewSearch(SearchOptions{Client: appClient(t, f), Query: "acme", MaxResults: 10})
	b2, err := s2.Poll(context.Background(), b.Cursor)
	if err != nil || b2.More || len(b2.Mentions) != 5 || strings.Contains(b2.Cursor, "next=") {
		t.Fatalf("second page %+v %v", b2, err)
	}
	for _, m := range b2.Mentions {
		for _, n := range b.Mentions {
			if m.ExternalID == n.ExternalID {
				t.Fatalf("repeated %s", m.ExternalID)
			}
		}
	}
	// A broken cursor starts over, never stops the feed.
	if _, err := s2.Poll(context.Background(), "since=x;next=y"); err != nil {
		t.Fatal(err)
	}
}

func TestSearchRateLimits(t *testing.T) {
	f := newFake(t)
	f.Add(xfake.Post{Text: "acme", AuthorID: customer.ID})
	s, _ := NewSearch(SearchOptions{Client: appClient(t, f), Query: "acme"})
	f.Search429(1)
	_, err := s.Poll(context.Background(), "")
	if after, ok := poll.RetryAfter(err); !ok || after <= 0 || after > 5*time.Second {
		t.Fatalf("429: %v (%s)", err, after)
	}
	f.SearchBudget(1)
	b, err := s.Poll(context.Background(), "")
	if err != nil || b.Wait <= 0 || b.Wait > 15*time.Minute {
		t.Fatalf("spent budget: %+v %v", b, err)
	}
}

func TestSearchHandsOverToTheStream(t *testing.T) {
	f := newFake(t)
	now := time.Now()
	clock := func() time.Time { return now }
	h := NewHealth()
	s, _ := NewSearch(SearchOptions{Client: appClient(t, f), Query: "acme", Health: h, Now: clock})
	// Stream up since before: no search, the cursor follows the clock.
	h.Up(now.Add(-time.Hour))
	b, err := s.Poll(context.Background(), "")
	if err != nil || len(f.Searches()) != 0 || b.Cursor != IDAt(now.Add(-streamMargin)) {
		t.Fatalf("while streaming: %+v %v %v", b, err, f.Searches())
	}
	cursor := b.Cursor
	// The stream drops; posts meanwhile are searched from the cursor.
	h.Down(now, "test")
	now = now.Add(10 * time.Minute)
	gap := f.Add(xfake.Post{Text: "acme in the gap", AuthorID: customer.ID, CreatedAt: now.Add(-5 * time.Minute)})
	b, err = s.Poll(context.Background(), cursor)
	if err != nil || len(b.Mentions) != 1 || b.Mentions[0].ExternalID != gap.ID {
		t.Fatalf("while down: %+v %v", b, err)
	}
	cursor = b.Cursor
	// Back up: one more search closes the gap, then it idles.
	gap2 := f.Add(xfake.Post{Text: "acme just before it came back", AuthorID: customer.ID, CreatedAt: now.Add(-30 * time.Second)})
	h.Up(now)
	now = now.Add(2 * time.Minute)
	b, err = s.Poll(context.Background(), cursor)
	if err != nil || len(b.Mentions) != 1 || b.Mentions[0].ExternalID != gap2.ID {
		t.Fatalf("catching up: %+v %v", b, err)
	}
	n := len(f.Searches())
	now = now.Add(time.Minute)
	if _, err := s.Poll(context.Background(), b.Cursor); err != nil || len(f.Searches()) != n {
		t.Fatalf("idle again: %v, %d searches", err, len(f.Searches()))
	}
}

func TestDeletionsTombstones(t *testing.T) {
	f := newFake(t)
	a := f.Add(xfake.Post{Text: "a", AuthorID: customer.ID})
	b := f.Add(xfake.Post{Text: "b", AuthorID: customer.ID})
	c := f.Add(xfake.Post{Text: "c", AuthorID: customer.ID})
	f.Delete(b.ID)
	u := NewUsage(UsageOptions{})
	d, err := NewDeletions(DeletionsOptions{Client: appClient(t, f), Threads: threads{c.ID, a.ID, b.ID, "bad/id"}, Usage: u, Batch: 2})
	if err != nil {
		t.Fatal(err)
	}
	bt, err := d.Poll(context.Background(), "")
	if err != nil || len(bt.Mentions) != 1 || !bt.Mentions[0].Deleted || bt.Mentions[0].ExternalID != b.ID || bt.Cursor != b.ID {
		t.Fatalf("first batch %+v %v", bt, err)
	}
	bt, err = d.Poll(context.Background(), bt.Cursor)
	if err != nil || len(bt.Mentions) != 0 || bt.Cursor != "" {
		t.Fatalf("second batch %+v %v", bt, err)
	}
	if r, _ := u.Counts(); r != 2 {
		t.Fatalf("reads %d", r)
	}
}

func TestUsagePersistsAndRolls(t *testing.T) {
	now := time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	store := &memStore{m: map[string]string{}}
	u := NewUsage(UsageOptions{ReadCap: 10, WriteCap: 2, Store: store, Now: clock})
	u.AddReads(7)
	u.AddWrites(1)
	if err := u.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if store.m["x:usage:2026-11"] != "reads=7 writes=1" {
		t.Fatalf("stored %v", store.m)
	}
	// A restart (or another replica) adds to what is stored.
	u2 := NewUsage(UsageOptions{ReadCap: 10, WriteCap: 2, Store: store, Now: clock})
	if err := u2.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	u2.AddReads(3)
	if ok, until := u2.ReadAllowed(); ok || !until.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("at the cap: %v %v", ok, until)
	}
	if err := u2.Flush(context.Background()); err != nil || store.m["x:usage:2026-11"] != "reads=10 writes=1" {
		t.Fatalf("stored %v %v", store.m, err)
	}
	now = now.Add(2 * time.Hour) // December
	if ok, _ := u2.ReadAllowed(); !ok {
		t.Fatal("still capped in a new month")
	}
	if st := u2.Status(); st != "x 2026-12: read 0/10 (0%), wrote 0/2 (0%)" {
		t.Fatalf("status %q", st)
	}
	store.m["x:usage:2026-12"] = "reads=lots"
	if err := u2.Flush(context.Background()); err == nil || !strings.Contains(err.Error(), `"reads=lots"`) {
		t.Fatalf("bad stored counts: %v", err)
	}
}

func TestSearchNoteTellsStreamAndUsage(t *testing.T) {
	f := newFake(t)
	h := NewHealth()
	u := NewUsage(UsageOptions{ReadCap: 1000})
	s, _ := NewSearch(SearchOptions{Client: appClient(t, f), Query: "acme", Health: h, Usage: u})
	if got := s.Note(); !strings.Contains(got, "stream down (not connected yet); searching") || !strings.Contains(got, "read 0/1000 (0%)") {
		t.Fatalf("note before the stream: %q", got)
	}
	h.Up(time.Now())
	if got := s.Note(); !strings.HasPrefix(got, "stream connected; search stands by; x ") {
		t.Fatalf("note while streaming: %q", got)
	}
	plain, _ := NewSearch(SearchOptions{Client: appClient(t, f), Query: "acme"})
	if got := plain.Note(); strings.Contains(got, "stream") || !strings.Contains(got, "read 0") {
		t.Fatalf("note in search mode: %q", got)
	}
}
