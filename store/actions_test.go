package store

import (
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
)

func TestClaimAction(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		c := e.openCase(t, "care", "1")
		req := bot.ActionRequest{CaseID: c.ID, Kind: bot.ActReply, Actor: "slack:U1", Surface: "slack", Suggestion: 1}

		t.Run("concurrent claims of one key", func(t *testing.T) {
			const n = 8
			type outcome struct {
				a       bot.Action
				created bool
			}
			out := make([]outcome, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					a, created, err := e.db.ClaimAction(e.ctx, bot.Action{
						CaseID: c.ID, Kind: req.Kind, Actor: req.Actor, Surface: req.Surface,
						Suggestion: req.Suggestion, Key: req.Key(),
					}, []bot.Job{{Kind: bot.JobAction, CaseID: c.ID}})
					if err != nil {
						t.Error(err)
					}
					out[i] = outcome{a, created}
				})
			}
			wg.Wait()
			winners := 0
			for _, o := range out {
				if o.created {
					winners++
				}
				if o.a.ID != out[0].a.ID || o.a.Key != req.Key() || o.a.Status != bot.ActionPending {
					t.Errorf("claim returned %+v; want the one action", o.a)
				}
			}
			if winners != 1 {
				t.Fatalf("%d claims created the action; want exactly 1", winners)
			}
			want := []bot.Job{{Kind: bot.JobAction, CaseID: c.ID, ActionID: out[0].a.ID}}
			if jobs := plainJobs(e.jobs(t)); !reflect.DeepEqual(jobs, want) {
				t.Errorf("jobs = %v; want %v", jobs, want)
			}
		})

		t.Run("denied attempt is recorded", func(t *testing.T) {
			a, created, err := e.db.ClaimAction(e.ctx, bot.Action{
				CaseID: c.ID, Kind: bot.ActEscalate, Actor: "slack:U9", Surface: "slack", Result: "not a member of care",
			}, nil)
			if err != nil || !created || a.ID == 0 || a.Status != bot.ActionDenied || a.Key != "" {
				t.Errorf("denied = %+v, %v, %v", a, created, err)
			}
			// Another denied attempt is another record: no key, no uniqueness.
			if b, _, err := e.db.ClaimAction(e.ctx, bot.Action{CaseID: c.ID, Kind: bot.ActEscalate, Actor: "slack:U9"}, nil); err != nil || b.ID == a.ID {
				t.Errorf("second denied = %+v, %v", b, err)
			}
			if _, _, err := e.db.ClaimAction(e.ctx, bot.Action{CaseID: c.ID, Kind: bot.ActReply, Actor: "x"}, []bot.Job{{Kind: bot.JobAction}}); err == nil {
				t.Error("jobs without a key: no error")
			}
		})

		t.Run("finish and list", func(t *testing.T) {
			as, err := e.db.Actions(e.ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(as) != 3 || as[0].Kind != bot.ActReply || as[1].Status != bot.ActionDenied {
				t.Fatalf("actions = %+v", as)
			}
			done := e.clk.Now().Add(3 * time.Second)
			if err := e.db.FinishAction(e.ctx, as[0].ID, bot.ActionDone, "https://bsky.example/acme/post/1", done); err != nil {
				t.Fatal(err)
			}
			got, err := e.db.Action(e.ctx, as[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			want := as[0]
			want.Status, want.Result, want.DoneAt = bot.ActionDone, "https://bsky.example/acme/post/1", done
			if !reflect.DeepEqual(got, want) {
				t.Errorf("finished =\n%+v\nwant\n%+v", got, want)
			}
			// A later click on the same action gets the record, not a new claim.
			again, created, err := e.db.ClaimAction(e.ctx, bot.Action{CaseID: c.ID, Kind: bot.ActReply, Actor: "web:bob", Key: req.Key()},
				[]bot.Job{{Kind: bot.JobAction, CaseID: c.ID}})
			if err != nil || created || !reflect.DeepEqual(again, want) {
				t.Errorf("reclaim = %+v, %v, %v; want the finished action, false", again, created, err)
			}
			if err := e.db.FinishAction(e.ctx, 9999, bot.ActionFailed, "", time.Time{}); !errors.Is(err, bot.ErrNotFound) {
				t.Errorf("finish missing: %v; want ErrNotFound", err)
			}
			if _, err := e.db.Action(e.ctx, 9999); !errors.Is(err, bot.ErrNotFound) {
				t.Errorf("missing action: %v; want ErrNotFound", err)
			}
		})
	})
}
