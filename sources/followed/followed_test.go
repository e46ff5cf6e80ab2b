package followed

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

type lister struct {
	ids   []string
	err   error
	calls int
}

func (l *lister) ThreadPosts(_ context.Context, platform string) ([]string, error) {
	l.calls++
	if platform != "x" {
		return nil, errors.New("wrong platform " + platform)
	}
	return l.ids, l.err
}

func TestSet(t *testing.T) {
	s := New(2)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	l := &lister{ids: []string{"b", "a"}}
	ctx := context.Background()

	if s.Has("a") || s.Has("") {
		t.Fatal("an empty set has ids")
	}
	if err := s.RefreshIfOlder(ctx, time.Minute, l, "x"); err != nil || !s.Has("a") || !s.Has("b") || l.calls != 1 {
		t.Fatalf("first read: %v, %d calls", err, l.calls)
	}
	now = now.Add(30 * time.Second)
	if err := s.RefreshIfOlder(ctx, time.Minute, l, "x"); err != nil || l.calls != 1 {
		t.Fatalf("a fresh list was read again: %d calls", l.calls)
	}
	// Added ids are followed at once, and the oldest fall out past the size.
	s.Add("r1")
	s.Add("r2")
	s.Add("r3")
	if !s.Has("r3") || !s.Has("r2") || s.Has("r1") {
		t.Fatal("recent ids")
	}
	// A failed read keeps the previous list.
	now = now.Add(time.Minute)
	l.err = errors.New("db down")
	if err := s.RefreshIfOlder(ctx, time.Minute, l, "x"); err == nil || !s.Has("a") || l.calls != 2 {
		t.Fatalf("failed read: %v, has a=%v", err, s.Has("a"))
	}
	l.ids, l.err = []string{"c"}, nil
	if err := s.Refresh(ctx, l, "x"); err != nil || s.Has("a") || !s.Has("c") {
		t.Fatal("the new list did not replace the old")
	}
	if got := s.Stored(); !slices.Equal(got, []string{"c"}) || s.Len() != 3 {
		t.Fatalf("stored %v, len %d", got, s.Len())
	}
	if err := s.Refresh(ctx, nil, "x"); err != nil {
		t.Fatal("no lister is no error")
	}
}

func TestSetConcurrent(t *testing.T) {
	s := New(0)
	l := &lister{ids: []string{"a"}}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 200 {
				if i%2 == 0 {
					s.Add(string(rune('a' + j%26)))
				} else {
					_ = s.Has("a")
				}
			}
		})
	}
	wg.Go(func() { s.SetStored(l.ids) })
	wg.Wait()
	if !s.Has("a") {
		t.Fatal("lost an id")
	}
}

// BenchmarkHas is the per-post check a webhook delivery or a stream makes.
func BenchmarkHas(b *testing.B) {
	s := New(0)
	ids := make([]string, 100_000)
	for i := range ids {
		ids[i] = "post-" + string(rune('a'+i%26)) + time.Duration(i).String()
	}
	s.SetStored(ids)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_ = s.Has(ids[i%len(ids)])
		i++
	}
}
