package store

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
)

func (e *env) openCase(t *testing.T, team, id string) bot.Case {
	t.Helper()
	return e.ingest(t, nil, routed(mention("bluesky", id, "user"+id, "@acme problem "+id), team))[0].Cases[0].Case
}

func TestUpdateCase(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		c := e.openCase(t, "care", "1")
		e.clk.Add(5 * time.Minute)
		got, err := e.db.UpdateCase(e.ctx, c.ID, func(cc *bot.Case) (bot.CaseChange, error) {
			cc.State = bot.StateClaimed
			cc.Assignee = "web:alice"
			cc.ID, cc.Rev, cc.FirstMentionID = 777, 99, 0 // the store's, not fn's
			return bot.CaseChange{
				Events: []bot.Event{
					{Kind: bot.EventClaimed, Actor: "web:alice"},
					{Kind: bot.EventNote, Text: "on it", At: time.Date(2026, 3, 1, 10, 4, 0, 0, time.UTC)},
				},
				Jobs: []bot.Job{
					{Kind: bot.JobCard, CaseID: c.ID, Surface: "slack"},
					{Kind: bot.JobNote, CaseID: c.ID, Surface: "slack", EventID: -1},
					{Kind: bot.JobNote, CaseID: c.ID, Surface: "slack", EventID: -2, Rev: 7},
				},
			}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := c
		want.State, want.Assignee, want.Rev, want.UpdatedAt = bot.StateClaimed, "web:alice", 2, e.clk.Now()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("updated =\n%+v\nwant\n%+v", got, want)
		}
		if stored := e.getCase(t, c.ID); !reflect.DeepEqual(stored, got) {
			t.Errorf("stored =\n%+v\nreturned\n%+v", stored, got)
		}
		_, evs, err := e.db.Thread(e.ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Thread is oldest first by time: the note was dated before the claim.
		if len(evs) != 3 || evs[0].Kind != bot.EventOpened || evs[1].Kind != bot.EventNote || evs[2].Kind != bot.EventClaimed {
			t.Fatalf("events = %+v", evs)
		}
		claimed, note := evs[2], evs[1]
		wantJobs := []bot.Job{
			{Kind: bot.JobCard, CaseID: c.ID, Surface: "slack", Rev: 2},
			{Kind: bot.JobNote, CaseID: c.ID, Surface: "slack", Rev: 2, EventID: claimed.ID},
			{Kind: bot.JobNote, CaseID: c.ID, Surface: "slack", Rev: 7, EventID: note.ID},
		}
		if jobs := plainJobs(e.jobs(t)); !reflect.DeepEqual(jobs, wantJobs) {
			t.Errorf("jobs =\n%v\nwant\n%v", jobs, wantJobs)
		}

		t.Run("fn error rolls back", func(t *testing.T) {
			boom := errors.New("boom")
			_, err := e.db.UpdateCase(e.ctx, c.ID, func(c *bot.Case) (bot.CaseChange, error) {
				c.State = bot.StateDismissed
				return bot.CaseChange{}, boom
			})
			if !errors.Is(err, boom) {
				t.Errorf("err = %v; want boom", err)
			}
			if got := e.getCase(t, c.ID); got.State != bot.StateClaimed || got.Rev != 2 {
				t.Errorf("after failed update = %+v", got)
			}
		})
		t.Run("bad event index rolls back", func(t *testing.T) {
			_, err := e.db.UpdateCase(e.ctx, c.ID, func(c *bot.Case) (bot.CaseChange, error) {
				return bot.CaseChange{Jobs: []bot.Job{{Kind: bot.JobNote, EventID: -1}}}, nil
			})
			if err == nil {
				t.Error("job naming a missing event: no error")
			}
			if got := e.getCase(t, c.ID); got.Rev != 2 {
				t.Errorf("rev after failed update = %d", got.Rev)
			}
		})
		t.Run("unknown state", func(t *testing.T) {
			_, err := e.db.UpdateCase(e.ctx, c.ID, func(c *bot.Case) (bot.CaseChange, error) {
				c.State = "limbo"
				return bot.CaseChange{}, nil
			})
			if err == nil {
				t.Error("unknown state: no error")
			}
		})
		t.Run("missing case", func(t *testing.T) {
			_, err := e.db.UpdateCase(e.ctx, 4242, func(c *bot.Case) (bot.CaseChange, error) { return bot.CaseChange{}, nil })
			if !errors.Is(err, bot.ErrNotFound) {
				t.Errorf("err = %v; want ErrNotFound", err)
			}
		})
	})
}

func TestUpdateCaseConcurrent(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		c := e.openCase(t, "care", "1")
		const n = 8
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, err := e.db.UpdateCase(e.ctx, c.ID, func(c *bot.Case) (bot.CaseChange, error) {
					c.Summary = fmt.Sprintf("edit %d", i)
					return bot.CaseChange{Events: []bot.Event{{Kind: bot.EventNote}}}, nil
				})
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if got := e.getCase(t, c.ID); got.Rev != 1+n {
			t.Errorf("rev = %d after %d concurrent updates; want %d (none lost)", got.Rev, n, 1+n)
		}
	})
}

func TestCasesFilterAndCounts(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		var ids []int64
		for i := range 7 {
			team := "care"
			if i%3 == 2 {
				team = "billing"
			}
			ids = append(ids, e.openCase(t, team, fmt.Sprint(i)).ID)
		}
		for _, id := range ids[:2] {
			if _, err := e.db.UpdateCase(e.ctx, id, func(c *bot.Case) (bot.CaseChange, error) {
				c.State = bot.StateResolved
				return bot.CaseChange{}, nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		idsOf := func(cs []bot.Case) []int64 {
			var out []int64
			for _, c := range cs {
				out = append(out, c.ID)
			}
			return out
		}
		rev := func(xs ...int64) []int64 { return xs }
		for _, tc := range []struct {
			name string
			f    bot.CaseFilter
			want []int64
		}{
			{"all newest first", bot.CaseFilter{}, rev(ids[6], ids[5], ids[4], ids[3], ids[2], ids[1], ids[0])},
			{"team", bot.CaseFilter{Team: "billing"}, rev(ids[5], ids[2])},
			{"states", bot.CaseFilter{States: []bot.CaseState{bot.StateResolved, bot.StateDismissed}}, rev(ids[1], ids[0])},
			{"team and state", bot.CaseFilter{Team: "care", States: []bot.CaseState{bot.StateNew}}, rev(ids[6], ids[4], ids[3])},
			{"first page", bot.CaseFilter{Limit: 3}, rev(ids[6], ids[5], ids[4])},
			{"next page", bot.CaseFilter{Limit: 3, BeforeID: ids[4]}, rev(ids[3], ids[2], ids[1])},
			{"last page", bot.CaseFilter{Limit: 3, BeforeID: ids[1]}, rev(ids[0])},
			{"unknown team", bot.CaseFilter{Team: "nobody"}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				cs, err := e.db.Cases(e.ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if got := idsOf(cs); !slices.Equal(got, tc.want) {
					t.Errorf("ids = %v; want %v", got, tc.want)
				}
			})
		}
		counts, err := e.db.CaseCounts(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]map[bot.CaseState]int{
			"care":    {bot.StateNew: 3, bot.StateResolved: 2},
			"billing": {bot.StateNew: 2},
		}
		if !reflect.DeepEqual(counts, want) {
			t.Errorf("counts = %v; want %v", counts, want)
		}
	})
}

func TestSuggestions(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		c := e.openCase(t, "care", "1")
		save := func(s []bot.Suggestion) {
			t.Helper()
			err := e.db.SaveSuggestions(e.ctx, c.ID, s, bot.CaseChange{
				Events: []bot.Event{{Kind: bot.EventSuggested, Text: fmt.Sprintf("%d drafts", len(s))}},
				Jobs:   []bot.Job{{Kind: bot.JobCard, CaseID: c.ID, Surface: "web"}},
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		save([]bot.Suggestion{
			{Text: "Sorry about that — could you DM us the order number?", Approach: "concise", Origin: "builtin"},
			{Text: "That's not the experience we want for you.", Approach: "warm", Origin: "builtin"},
			{Text: "We've reset the shipment; tracking follows.", Approach: "next step", Origin: "builtin"},
		})
		save([]bot.Suggestion{
			{Rank: 1, Text: "Replacement is on its way.", Origin: "gpt"},
			{Rank: 2, Text: "Refund issued.", Origin: "gpt"},
		})
		got, err := e.db.Suggestions(e.ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []bot.Suggestion{
			{CaseID: c.ID, Rank: 1, Text: "Replacement is on its way.", Origin: "gpt"},
			{CaseID: c.ID, Rank: 2, Text: "Refund issued.", Origin: "gpt"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("suggestions = %+v; want %+v", got, want)
		}
		// Each save is a revision, so each card job is a new job.
		wantJobs := []bot.Job{
			{Kind: bot.JobCard, CaseID: c.ID, Surface: "web", Rev: 2},
			{Kind: bot.JobCard, CaseID: c.ID, Surface: "web", Rev: 3},
		}
		if jobs := plainJobs(e.jobs(t)); !reflect.DeepEqual(jobs, wantJobs) {
			t.Errorf("jobs = %v; want %v", jobs, wantJobs)
		}
		if got := e.getCase(t, c.ID); got.Rev != 3 {
			t.Errorf("rev = %d; want 3", got.Rev)
		}
		if err := e.db.SaveSuggestions(e.ctx, 999, nil, bot.CaseChange{}); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("missing case: %v; want ErrNotFound", err)
		}
		if s, err := e.db.Suggestions(e.ctx, 999); err != nil || len(s) != 0 {
			t.Errorf("suggestions of a missing case = %v, %v", s, err)
		}
	})
}

func TestCardRefsAndCursors(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		c := e.openCase(t, "care", "1")
		for _, step := range []struct {
			surface, ref string
		}{
			{"slack", "C123/1712.0001"},
			{"discord", "998877"},
			{"slack", "C123/1712.0002"},
		} {
			if err := e.db.SaveCardRef(e.ctx, c.ID, step.surface, step.ref); err != nil {
				t.Fatal(err)
			}
		}
		for surface, want := range map[string]string{"slack": "C123/1712.0002", "discord": "998877", "web": ""} {
			if got, err := e.db.CardRef(e.ctx, c.ID, surface); err != nil || got != want {
				t.Errorf("CardRef(%s) = %q, %v; want %q", surface, got, err, want)
			}
		}
		if id, err := e.db.CaseByCardRef(e.ctx, "slack", "C123/1712.0002"); err != nil || id != c.ID {
			t.Errorf("CaseByCardRef = %d, %v; want case %d", id, err, c.ID)
		}
		if _, err := e.db.CaseByCardRef(e.ctx, "slack", "C123/1712.0001"); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("CaseByCardRef of a replaced ref: %v, want ErrNotFound", err)
		}
		if got, err := e.db.Cursor(e.ctx, "bluesky"); err != nil || got != "" {
			t.Errorf("unset cursor = %q, %v", got, err)
		}
		for _, cur := range []string{"1712000000:abc", "1712000500:def"} {
			if err := e.db.SaveCursor(e.ctx, "bluesky", cur); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := e.db.Cursor(e.ctx, "bluesky"); err != nil || got != "1712000500:def" {
			t.Errorf("cursor = %q, %v", got, err)
		}
	})
}
