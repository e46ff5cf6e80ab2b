package store

import (
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
)

func TestStats(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		a := e.openCase(t, "care", "1")
		e.openCase(t, "care", "2")
		e.openCase(t, "billing", "3")
		if _, err := e.db.UpdateCase(e.ctx, a.ID, func(c *bot.Case) (bot.CaseChange, error) {
			c.State = bot.StateReplied
			return bot.CaseChange{Events: []bot.Event{{Kind: bot.EventReplied, Actor: "web:alice", Text: "hi"}}}, nil
		}); err != nil {
			t.Fatal(err)
		}
		// A breach recorded (twice: a reopened case can miss again) counts the case once.
		b := e.openCase(t, "care", "4")
		for range 2 {
			if _, err := e.db.UpdateCase(e.ctx, b.ID, func(c *bot.Case) (bot.CaseChange, error) {
				return bot.CaseChange{Events: []bot.Event{{Kind: bot.EventSLABreach, Text: "missed"}}}, nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		st, err := e.db.Stats(e.ctx, "care", time.Unix(0, 0))
		if err != nil {
			t.Fatal(err)
		}
		if st.Opened != 3 || st.Answered != 1 || st.Breached != 1 || st.ByState[bot.StateReplied] != 1 || st.ByState[bot.StateNew] != 2 {
			t.Errorf("care stats = %+v", st)
		}
		if all, err := e.db.Stats(e.ctx, "", time.Unix(0, 0)); err != nil || all.Opened != 4 {
			t.Errorf("all teams = %+v, %v", all, err)
		}
		if later, err := e.db.Stats(e.ctx, "care", time.Now().Add(24*time.Hour)); err != nil || later.Opened != 0 {
			t.Errorf("since tomorrow = %+v, %v", later, err)
		}
	})
}
