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
		st, err := e.db.Stats(e.ctx, "care", time.Unix(0, 0))
		if err != nil {
			t.Fatal(err)
		}
		if st.Opened != 2 || st.Answered != 1 || st.ByState[bot.StateReplied] != 1 || st.ByState[bot.StateNew] != 1 {
			t.Errorf("care stats = %+v", st)
		}
		if all, err := e.db.Stats(e.ctx, "", time.Unix(0, 0)); err != nil || all.Opened != 3 {
			t.Errorf("all teams = %+v, %v", all, err)
		}
		if later, err := e.db.Stats(e.ctx, "care", time.Now().Add(24*time.Hour)); err != nil || later.Opened != 0 {
			t.Errorf("since tomorrow = %+v, %v", later, err)
		}
	})
}
