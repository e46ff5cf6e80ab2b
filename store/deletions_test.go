package store

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
)

func tombstone(platform, id string) bot.Incoming {
	return bot.Incoming{Mention: bot.Mention{Platform: platform, ExternalID: id, Deleted: true}}
}

// storedText reads everything the store keeps that could repeat a post:
// mention rows, case summaries and URLs, event lines, suggestions, drafts.
func (e *env) storedText(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT text || ' ' || url || ' ' || labels FROM mentions`,
		`SELECT summary || ' ' || url || ' ' || labels FROM cases`,
		`SELECT text || ' ' || url FROM events`,
		`SELECT text FROM suggestions`,
		`SELECT info FROM drafts`,
	} {
		rs, err := e.db.be.reader().query(e.ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for rs.Next() {
			var s string
			if err := rs.Scan(&s); err != nil {
				t.Fatal(err)
			}
			b.WriteString(s + "\n")
		}
		rs.Close()
	}
	return b.String()
}

func TestIngestDeletion(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		const secret = "my card number is 4111 and the blender exploded"
		first := mention("bluesky", "p1", "ana", "@acme "+secret)
		in := routed(first, "care", "safety")
		in.Labels.Problem = "the blender exploded"
		opened := e.ingest(t, nil, in)[0]
		follow := e.ingest(t, nil, bot.Incoming{Mention: reply(mention("bluesky", "p2", "ana", "also: order 778 arrived broken"), "p1")})[0]
		caseID := opened.Cases[0].Case.ID
		if err := e.db.SaveSuggestions(e.ctx, caseID, []bot.Suggestion{{Text: "Sorry the blender exploded, Ana"}}, bot.CaseChange{
			Drafts: &bot.DraftInfo{Origin: "model", Summary: "customer says " + secret},
		}); err != nil {
			t.Fatal(err)
		}
		before := e.getCase(t, caseID)
		e.clk.Add(time.Minute)

		res := e.ingest(t, cardPlan, tombstone("bluesky", "p1"))[0]
		if res.Outcome != bot.OutcomeDeleted || res.MentionID != opened.MentionID || len(res.Cases) != 2 {
			t.Fatalf("result = %+v; want deleted, touching both cases", res)
		}
		for _, touch := range res.Cases {
			c := touch.Case
			if c.Rev <= 1 || c.Summary != bot.DeletedText || c.URL != "" || c.Labels.Problem != "" {
				t.Errorf("case after deletion = %+v; want a new rev, the deleted summary, no url or problem", c)
			}
			if touch.Event.Kind != bot.EventDeleted || touch.Event.MentionID != opened.MentionID || touch.Event.Actor != first.Author.Display() || touch.Event.Text != "" {
				t.Errorf("event = %+v; want deleted, naming the author and mention only", touch.Event)
			}
			if got := e.getCase(t, c.ID); got.Rev != c.Rev {
				t.Errorf("stored rev %d; returned %d", got.Rev, c.Rev)
			}
		}
		if got := e.getCase(t, caseID); got.Rev != before.Rev+1 || got.State != before.State {
			t.Errorf("case = %+v; want rev %d and state kept", got, before.Rev+1)
		}
		if s := e.storedText(t); strings.Contains(s, "exploded") || strings.Contains(s, "4111") || strings.Contains(s, first.URL) {
			t.Errorf("the deleted post survives in the store:\n%s", s)
		}
		// The follow-up stays.
		if s := e.storedText(t); !strings.Contains(s, "order 778") {
			t.Errorf("the follow-up was redacted too:\n%s", s)
		}
		m, err := e.db.Mention(e.ctx, opened.MentionID)
		if err != nil {
			t.Fatal(err)
		}
		if !m.Deleted || m.Text != "" || m.URL != "" || m.Author.Handle != "ana" {
			t.Errorf("mention = %+v; want a tombstone that keeps its author", m)
		}
		ms, evs, err := e.db.Thread(e.ctx, caseID)
		if err != nil {
			t.Fatal(err)
		}
		if !ms[0].Deleted || ms[1].Deleted {
			t.Errorf("thread deleted flags = %v, %v; want true, false", ms[0].Deleted, ms[1].Deleted)
		}
		var kinds []bot.EventKind
		for _, ev := range evs {
			kinds = append(kinds, ev.Kind)
		}
		if want := []bot.EventKind{bot.EventOpened, bot.EventFollowUp, bot.EventDeleted}; !slices.Equal(kinds, want) {
			t.Errorf("events = %v; want %v", kinds, want)
		}
		if sugg, _ := e.db.Suggestions(e.ctx, caseID); len(sugg) != 0 {
			t.Errorf("suggestions kept: %+v", sugg)
		}
		if info, _ := e.db.DraftInfo(e.ctx, caseID); info.Summary != "" {
			t.Errorf("draft info kept: %+v", info)
		}
		// Two cards to redraw, two notes (cardPlan's shape of planJobs).
		if n := len(e.jobs(t)); n != 4 {
			t.Errorf("%d jobs; want 4", n)
		}

		t.Run("again is a duplicate", func(t *testing.T) {
			r := e.ingest(t, nil, tombstone("bluesky", "p1"))[0]
			if r.Outcome != bot.OutcomeDuplicate || len(r.Cases) != 0 {
				t.Errorf("second deletion = %+v; want duplicate", r)
			}
		})
		t.Run("re-delivery does not restore", func(t *testing.T) {
			r := e.ingest(t, nil, in)[0]
			if r.Outcome != bot.OutcomeDuplicate {
				t.Errorf("re-delivered post = %+v; want duplicate", r)
			}
			if m, _ := e.db.Mention(e.ctx, opened.MentionID); m.Text != "" || !m.Deleted {
				t.Errorf("mention after re-delivery = %+v", m)
			}
		})
		t.Run("a follow-up", func(t *testing.T) {
			r := e.ingest(t, nil, tombstone("bluesky", "p2"))[0]
			if r.Outcome != bot.OutcomeDeleted || len(r.Cases) != 2 { // it joined both cases
				t.Fatalf("result = %+v", r)
			}
			if s := e.storedText(t); strings.Contains(s, "778") {
				t.Errorf("follow-up survives:\n%s", s)
			}
			_, evs, _ := e.db.Thread(e.ctx, caseID)
			for _, ev := range evs {
				if ev.MentionID == follow.MentionID && ev.Kind == bot.EventFollowUp && (ev.Text != "" || ev.URL != "") {
					t.Errorf("follow-up line = %+v", ev)
				}
			}
		})
	})
}

func TestIngestDeletionBeforePost(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		r := e.ingest(t, cardPlan, tombstone("mastodon", "109"))[0]
		if r.Outcome != bot.OutcomeIgnored || r.MentionID != 0 || len(r.Cases) != 0 {
			t.Fatalf("tombstone first = %+v; want ignored", r)
		}
		if again := e.ingest(t, nil, tombstone("mastodon", "109"))[0]; again.Outcome != bot.OutcomeIgnored {
			t.Errorf("tombstone twice = %+v; want ignored", again)
		}
		post := mention("mastodon", "109", "bo", "@acme the app leaks my password")
		// The same id on another platform is another post.
		other := mention("bluesky", "109", "bo", "@acme bluesky post")
		res := e.ingest(t, cardPlan, routed(post, "care"), routed(other, "care"))
		if res[0].Outcome != bot.OutcomeStored || len(res[0].Cases) != 0 {
			t.Errorf("late post = %+v; want stored with no case", res[0])
		}
		if res[1].Outcome != bot.OutcomeOpened {
			t.Errorf("other platform = %+v; want opened", res[1])
		}
		m, err := e.db.Mention(e.ctx, res[0].MentionID)
		if err != nil {
			t.Fatal(err)
		}
		if !m.Deleted || m.Text != "" || m.URL != "" || m.Author.Handle != "bo" {
			t.Errorf("late post stored as %+v; want redacted", m)
		}
		if s := e.storedText(t); strings.Contains(s, "password") {
			t.Errorf("late post's text stored:\n%s", s)
		}
		if n := len(e.jobs(t)); n != 1 {
			t.Errorf("%d jobs; want 1 (the bluesky case's card)", n)
		}
		// Re-delivered again: still a duplicate, still redacted.
		if r := e.ingest(t, nil, routed(post, "care"))[0]; r.Outcome != bot.OutcomeDuplicate {
			t.Errorf("re-delivery = %+v", r)
		}
	})
}

func TestTombstonesArePruned(t *testing.T) {
	clk := newClock()
	e := &env{db: MustOpenSQLite(t, testOptions(clk)), clk: clk, ctx: t.Context()}
	e.ingest(t, nil, tombstone("bluesky", "old"))
	clk.Add(tombstoneKeep + time.Hour)
	e.ingest(t, nil, tombstone("bluesky", "new"))
	var n int
	if err := e.db.be.reader().queryRow(e.ctx, `SELECT count(*) FROM tombstones`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d tombstones; want 1 (the old one pruned)", n)
	}
	r := e.ingest(t, nil, routed(mention("bluesky", "old", "cy", "@acme hi"), "care"))[0]
	if r.Outcome != bot.OutcomeOpened {
		t.Errorf("post after its tombstone expired = %+v; want opened", r)
	}
}
