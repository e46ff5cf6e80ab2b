package store

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
)

// cardPlan is the pipeline's shape of plan: a card per touched case and a
// note for follow-ups.
func cardPlan(r bot.IngestResult) []bot.Job {
	var jobs []bot.Job
	for _, t := range r.Cases {
		jobs = append(jobs, bot.Job{Kind: bot.JobCard, CaseID: t.Case.ID, Surface: "web", Rev: t.Case.Rev})
		if !t.Opened {
			jobs = append(jobs, bot.Job{Kind: bot.JobNote, CaseID: t.Case.ID, Surface: "web", EventID: t.Event.ID})
		}
	}
	return jobs
}

func TestIngestDedupe(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		m := mention("bluesky", "p1", "ana.bsky.social", "@acme my order never arrived, third time asking")
		res := e.ingest(t, cardPlan, routed(m, "care"), routed(m, "care"))
		if res[0].Outcome != bot.OutcomeOpened || res[1].Outcome != bot.OutcomeDuplicate {
			t.Fatalf("outcomes in one batch = %s, %s; want opened, duplicate", res[0].Outcome, res[1].Outcome)
		}
		if res[1].MentionID != res[0].MentionID || len(res[1].Cases) != 0 {
			t.Errorf("duplicate = %+v; want the stored mention id %d and no cases", res[1], res[0].MentionID)
		}
		again := e.ingest(t, cardPlan, routed(m, "care"))
		if again[0].Outcome != bot.OutcomeDuplicate || again[0].MentionID != res[0].MentionID {
			t.Errorf("across batches = %+v; want duplicate of %d", again[0], res[0].MentionID)
		}
		// Same external id on another platform is another mention.
		other := m
		other.Platform = "mastodon"
		if r := e.ingest(t, nil, routed(other, "care")); r[0].Outcome != bot.OutcomeOpened {
			t.Errorf("same id on mastodon = %s; want opened", r[0].Outcome)
		}
		cs, err := e.db.Cases(e.ctx, bot.CaseFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 2 {
			t.Errorf("%d cases; want 2", len(cs))
		}
		if n := len(e.jobs(t)); n != 1 {
			t.Errorf("%d jobs; want 1 (card of the one bluesky case)", n)
		}
	})
}

func TestIngestOpensCase(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		m := mention("x", "1001", "bob", "Your app deleted my   playlists\nafter the update. "+strings.Repeat("Really annoyed about this. ", 10))
		in := routed(m, "care")
		in.SLA["care"] = 30 * time.Minute
		res := e.ingest(t, nil, in)
		r := res[0]
		if r.Outcome != bot.OutcomeOpened || len(r.Cases) != 1 || !r.Cases[0].Opened {
			t.Fatalf("result = %+v; want one opened case", r)
		}
		c := r.Cases[0].Case
		now := e.clk.Now()
		want := bot.Case{
			ID: c.ID, Team: "care", State: bot.StateNew, Platform: "x", Customer: m.Author,
			FirstMentionID: r.MentionID, Labels: in.Labels, Rules: []string{"complaints"},
			OpenedAt: now, UpdatedAt: now, DueAt: now.Add(30 * time.Minute), Rev: 1,
			Summary: c.Summary, URL: m.URL, Mentions: 1,
		}
		if !reflect.DeepEqual(c, want) {
			t.Errorf("case =\n%+v\nwant\n%+v", c, want)
		}
		if bot.Length(c.Summary) > summaryLen || !strings.HasPrefix(c.Summary, "Your app deleted my playlists after the update.") || !strings.HasSuffix(c.Summary, "…") {
			t.Errorf("summary = %q", c.Summary)
		}
		if got := e.getCase(t, c.ID); !reflect.DeepEqual(got, c) {
			t.Errorf("stored case =\n%+v\nreturned\n%+v", got, c)
		}
		ev := r.Cases[0].Event
		if ev.Kind != bot.EventOpened || ev.MentionID != r.MentionID || ev.CaseID != c.ID || ev.ID == 0 {
			t.Errorf("event = %+v", ev)
		}
		ms, evs, err := e.db.Thread(e.ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 || ms[0].ID != r.MentionID || ms[0].Text != m.Text || !ms[0].CreatedAt.Equal(m.CreatedAt) || ms[0].Author != m.Author {
			t.Errorf("thread mentions = %+v", ms)
		}
		if len(evs) != 1 || !reflect.DeepEqual(evs[0], ev) {
			t.Errorf("thread events = %+v; want [%+v]", evs, ev)
		}
		got, err := e.db.Mention(e.ctx, r.MentionID)
		if err != nil {
			t.Fatal(err)
		}
		m.ID = r.MentionID
		if !reflect.DeepEqual(got, m) {
			t.Errorf("mention =\n%+v\nwant\n%+v", got, m)
		}
		if _, err := e.db.Mention(e.ctx, 9999); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("missing mention: %v; want ErrNotFound", err)
		}
		if _, err := e.db.Case(e.ctx, 9999); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("missing case: %v; want ErrNotFound", err)
		}
		if _, _, err := e.db.Thread(e.ctx, 9999); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("missing thread: %v; want ErrNotFound", err)
		}
	})
}

func TestIngestStoredAndOurs(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		unrouted := mention("reddit", "r1", "carol", "anyone tried acme's new blender?")
		ours := mention("reddit", "r2", "acme_support", "We're on it!")
		ours.Ours = true
		in := routed(ours, "care") // routing never gives ours a team; the store refuses anyway
		res := e.ingest(t, nil, bot.Incoming{Mention: unrouted}, in)
		for i, r := range res {
			if r.Outcome != bot.OutcomeStored || len(r.Cases) != 0 || r.MentionID == 0 {
				t.Errorf("result %d = %+v; want stored, no case", i, r)
			}
		}
		got, err := e.db.Mention(e.ctx, res[1].MentionID)
		if err != nil || !got.Ours {
			t.Errorf("our mention = %+v, %v; want Ours", got, err)
		}
	})
}

func TestIngestMultiTeam(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		m := mention("github", "acme/app#42", "dev1", "crash on startup since 2.3, stack trace attached")
		res := e.ingest(t, cardPlan, routed(m, "care", "engineering", "care"))
		r := res[0]
		if r.Outcome != bot.OutcomeOpened || len(r.Cases) != 2 {
			t.Fatalf("result = %+v; want two opened cases", r)
		}
		if r.Cases[0].Case.Team != "care" || r.Cases[1].Case.Team != "engineering" || r.Cases[0].Case.ID == r.Cases[1].Case.ID {
			t.Errorf("cases = %+v, %+v", r.Cases[0].Case, r.Cases[1].Case)
		}
		if n := len(e.jobs(t)); n != 2 {
			t.Errorf("%d jobs; want 2", n)
		}
		// A reply to the mention extends both conversations.
		f := e.ingest(t, cardPlan, bot.Incoming{Mention: reply(mention("github", "acme/app#42-c1", "dev1", "also on 2.4"), "acme/app#42")})
		if f[0].Outcome != bot.OutcomeExtended || len(f[0].Cases) != 2 {
			t.Errorf("follow-up = %+v; want it to extend both cases", f[0])
		}
	})
}

func TestIngestFollowUps(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		first := mention("bluesky", "a", "dana", "@acme charged twice for one order")
		open := e.ingest(t, nil, routed(first, "billing"))[0].Cases[0].Case

		t.Run("to a customer mention", func(t *testing.T) {
			e.clk.Add(time.Minute)
			// A customer's answer rarely names the brand again: no teams.
			r := e.ingest(t, nil, bot.Incoming{Mention: reply(mention("bluesky", "b", "dana", "order 5521, still waiting"), "a")})[0]
			if r.Outcome != bot.OutcomeExtended || len(r.Cases) != 1 || r.Cases[0].Opened {
				t.Fatalf("result = %+v; want extended", r)
			}
			c := r.Cases[0].Case
			if c.ID != open.ID || c.Mentions != 2 || c.Rev != 2 || !c.UpdatedAt.Equal(e.clk.Now()) || c.State != bot.StateNew {
				t.Errorf("case = %+v", c)
			}
			if ev := r.Cases[0].Event; ev.Kind != bot.EventFollowUp || ev.MentionID != r.MentionID {
				t.Errorf("event = %+v; want follow_up", ev)
			}
			if got := e.getCase(t, c.ID); !reflect.DeepEqual(got, c) {
				t.Errorf("stored %+v; returned %+v", got, c)
			}
		})

		t.Run("chain in one batch", func(t *testing.T) {
			res := e.ingest(t, nil,
				bot.Incoming{Mention: reply(mention("bluesky", "c", "dana", "hello?"), "b")},
				bot.Incoming{Mention: reply(mention("bluesky", "d", "dana", "anyone?"), "c")},
			)
			for i, r := range res {
				if r.Outcome != bot.OutcomeExtended || r.Cases[0].Case.ID != open.ID {
					t.Errorf("result %d = %+v; want it to extend case %d", i, r, open.ID)
				}
			}
			if res[1].Cases[0].Case.Rev != res[0].Cases[0].Case.Rev+1 || res[1].Cases[0].Case.Mentions != 4 {
				t.Errorf("second touch = %+v; want rev+1 and 4 mentions", res[1].Cases[0].Case)
			}
		})

		t.Run("to our reply, then our post, then a reopen", func(t *testing.T) {
			if err := e.db.SaveReply(e.ctx, open.ID, "bluesky", bot.PostRef{ExternalID: "ours-1", URL: "https://bsky.example/acme/ours-1"}); err != nil {
				t.Fatal(err)
			}
			if err := e.db.SaveReply(e.ctx, open.ID, "bluesky", bot.PostRef{ExternalID: "ours-1"}); err != nil {
				t.Fatalf("saving a reply twice: %v", err)
			}
			c, err := e.db.UpdateCase(e.ctx, open.ID, func(c *bot.Case) (bot.CaseChange, error) {
				c.State, c.DueAt = bot.StateAwaitingCustomer, time.Time{}
				return bot.CaseChange{Events: []bot.Event{{Kind: bot.EventReplied, Actor: "web:alice"}}}, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// Our own post seen again through the source: noted, not counted, no reopen.
			ours := reply(mention("bluesky", "ours-2", "acme", "DM us your order number"), "d")
			ours.Ours = true
			r := e.ingest(t, nil, bot.Incoming{Mention: ours})[0]
			if r.Outcome != bot.OutcomeExtended || r.Cases[0].Event.Kind != bot.EventOurPost {
				t.Fatalf("our post = %+v; want extended with our_post", r)
			}
			if got := r.Cases[0].Case; got.State != bot.StateAwaitingCustomer || got.Mentions != c.Mentions || got.Rev != c.Rev+1 {
				t.Errorf("after our post = %+v", got)
			}
			// Someone else chiming in does not reopen it either.
			r = e.ingest(t, nil, bot.Incoming{Mention: reply(mention("bluesky", "e", "lurker", "same here"), "ours-1")})[0]
			if got := r.Cases[0].Case; r.Outcome != bot.OutcomeExtended || got.State != bot.StateAwaitingCustomer {
				t.Errorf("third party = %+v", r)
			}
			e.clk.Add(time.Hour)
			in := bot.Incoming{Mention: reply(mention("bluesky", "f", "dana", "sent it, order 5521"), "ours-1"),
				SLA: map[string]time.Duration{"billing": 45 * time.Minute}}
			r = e.ingest(t, nil, in)[0]
			got := r.Cases[0].Case
			if got.State != bot.StateNew || !got.DueAt.Equal(e.clk.Now().Add(45*time.Minute)) {
				t.Errorf("reopened case = %+v; want new, due in 45m", got)
			}
			_, evs, err := e.db.Thread(e.ctx, open.ID)
			if err != nil {
				t.Fatal(err)
			}
			var kinds []bot.EventKind
			for _, ev := range evs {
				kinds = append(kinds, ev.Kind)
			}
			want := []bot.EventKind{bot.EventOpened, bot.EventFollowUp, bot.EventFollowUp, bot.EventFollowUp,
				bot.EventReplied, bot.EventOurPost, bot.EventFollowUp, bot.EventFollowUp, bot.EventReopened}
			if !slices.Equal(kinds, want) {
				t.Errorf("thread events = %v; want %v", kinds, want)
			}
			ms, _, _ := e.db.Thread(e.ctx, open.ID)
			if len(ms) != 7 {
				t.Errorf("%d mentions in thread; want 7", len(ms))
			}
		})

		t.Run("reply to an unknown post with a team opens a case", func(t *testing.T) {
			r := e.ingest(t, nil, routed(reply(mention("bluesky", "g", "erin", "@acme why is this broken"), "someone-elses-post"), "care"))[0]
			if r.Outcome != bot.OutcomeOpened {
				t.Errorf("result = %+v; want opened", r)
			}
		})
	})
}

func TestIngestReopenStates(t *testing.T) {
	for _, tc := range []struct {
		state  bot.CaseState
		reopen bool
	}{
		{bot.StateAwaitingCustomer, true},
		{bot.StateReplied, true},
		{bot.StateResolved, true},
		{bot.StateClaimed, false},
		{bot.StateEscalated, false},
		{bot.StateDismissed, false},
	} {
		t.Run(string(tc.state), func(t *testing.T) {
			clk := newClock()
			e := &env{db: MustOpenSQLite(t, testOptions(clk)), clk: clk, ctx: t.Context()}
			c := e.ingest(t, nil, routed(mention("x", "1", "fay", "@acme refund?"), "care"))[0].Cases[0].Case
			if _, err := e.db.UpdateCase(e.ctx, c.ID, func(c *bot.Case) (bot.CaseChange, error) {
				c.State, c.DueAt = tc.state, time.Time{}
				return bot.CaseChange{}, nil
			}); err != nil {
				t.Fatal(err)
			}
			in := bot.Incoming{Mention: reply(mention("x", "2", "FAY", "still nothing"), "1"), SLA: map[string]time.Duration{"care": time.Hour}}
			in.Mention.Author.ID = "" // handles compare case-insensitively when ids are missing
			got := e.ingest(t, nil, in)[0].Cases[0].Case
			if reopened := got.State == bot.StateNew; reopened != tc.reopen {
				t.Errorf("state after customer wrote = %s; reopen want %v", got.State, tc.reopen)
			}
			if tc.reopen && got.DueAt.IsZero() {
				t.Error("reopened case has no due time")
			}
		})
	}
}

func TestIngestJobsOnce(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		twice := func(r bot.IngestResult) []bot.Job {
			// Plans may repeat a job; the store inserts it once.
			return append(cardPlan(r), cardPlan(r)...)
		}
		batch := []bot.Incoming{
			routed(mention("mastodon", "m1", "gus", "acme support never answers"), "care"),
			bot.Incoming{Mention: reply(mention("mastodon", "m2", "gus", "hello??"), "m1")},
			bot.Incoming{Mention: mention("mastodon", "m3", "hal", "unrelated")},
		}
		e.ingest(t, twice, batch...)
		first := plainJobs(e.jobs(t))
		if len(first) != 3 { // card rev1, card rev2, note
			t.Fatalf("jobs = %v; want 3", first)
		}
		// A crash after commit and a replay of the same batch: nothing new.
		res := e.ingest(t, twice, batch...)
		for i, r := range res {
			if r.Outcome != bot.OutcomeDuplicate {
				t.Errorf("replayed %d = %s; want duplicate", i, r.Outcome)
			}
		}
		// Even a planner that re-plans the same jobs cannot double them.
		caseID := first[0].CaseID
		if _, err := e.db.UpdateCase(e.ctx, caseID, func(c *bot.Case) (bot.CaseChange, error) {
			return bot.CaseChange{Jobs: []bot.Job{first[0], first[1]}}, nil
		}); err != nil {
			t.Fatal(err)
		}
		if again := plainJobs(e.jobs(t)); !reflect.DeepEqual(again, first) {
			t.Errorf("jobs after replay = %v; want %v", again, first)
		}
		if n, err := e.db.PendingJobs(e.ctx); err != nil || n != 3 {
			t.Errorf("PendingJobs = %d, %v; want 3", n, err)
		}
	})
}

func TestIngestRollsBack(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		good := routed(mention("x", "ok", "ivy", "@acme hi"), "care")
		bad := bot.Incoming{Mention: bot.Mention{Platform: "x"}} // no id
		if _, err := e.db.Ingest(e.ctx, []bot.Incoming{good, bad}, cardPlan); err == nil {
			t.Fatal("batch with a mention without id: no error")
		}
		if r := e.ingest(t, nil, good); r[0].Outcome != bot.OutcomeOpened {
			t.Errorf("after rollback the good mention is %s; want opened (nothing kept)", r[0].Outcome)
		}
		if n := len(e.jobs(t)); n != 0 {
			t.Errorf("%d jobs survived the rollback", n)
		}
	})
}

func TestSummarize(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		n              int
	}{
		{"short", "hello there", "hello there", 140},
		{"whitespace", "  hello \n\t there ", "hello there", 140},
		{"word boundary", "the quick brown fox jumps", "the quick brown…", 18},
		{"no boundary", "abcdefghijklmnopqrstuvwxyz", "abcdefghi…", 10},
		{"graphemes", "👍🏽👍🏽👍🏽👍🏽👍🏽", "👍🏽👍🏽👍🏽…", 4},
		{"punctuation", "stop, now. please wait for me", "stop, now…", 12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := summarize(tc.in, tc.n); got != tc.want {
				t.Errorf("summarize(%q, %d) = %q; want %q", tc.in, tc.n, got, tc.want)
			}
		})
	}
}
