package store

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
)

func TestActionKeepsReasonAndMute(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		c := e.openCase(t, "care", "1")
		spec := &bot.MuteSpec{Kind: bot.MuteAuthor, Value: "user1", Period: "7d", Platform: "bluesky"}
		tests := []bot.Action{
			{CaseID: c.ID, Kind: bot.ActDismiss, Actor: "web:sam", Key: "d", Reason: bot.ReasonSpam, Text: "bot"},
			{CaseID: c.ID, Kind: bot.ActMute, Actor: "web:sam", Key: "m", Mute: spec},
			{CaseID: c.ID, Kind: bot.ActClaim, Actor: "web:sam", Key: "c"},
		}
		for _, want := range tests {
			t.Run(string(want.Kind), func(t *testing.T) {
				a, created, err := e.db.ClaimAction(e.ctx, want, nil)
				if err != nil || !created {
					t.Fatalf("claim: %v %v", created, err)
				}
				got, err := e.db.Action(e.ctx, a.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Reason != want.Reason || !reflectEqualMute(got.Mute, want.Mute) {
					t.Fatalf("read back reason %q mute %+v, want %q %+v", got.Reason, got.Mute, want.Reason, want.Mute)
				}
			})
		}
	})
}

func reflectEqualMute(a, b *bot.MuteSpec) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func TestMutes(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		now := e.clk.Now()
		add := func(m bot.Mute) bot.Mute {
			t.Helper()
			got, err := e.db.AddMute(e.ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		day := add(bot.Mute{Kind: bot.MuteTerm, Value: "giveaway", Until: now.Add(24 * time.Hour), By: "slack:U1", Reason: "promo wave"})
		forever := add(bot.Mute{Kind: bot.MuteAuthor, Value: "dealsbot", By: "web:sam"})
		add(bot.Mute{Kind: bot.MuteAuthor, Value: "old", Until: now.Add(-time.Minute), By: "web:sam"})

		active := func(at time.Time) []string {
			t.Helper()
			ms, err := e.db.ActiveMutes(e.ctx, at)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range ms {
				out = append(out, m.Value)
			}
			return out
		}
		if got := active(now); !slices.Equal(got, []string{"giveaway", "dealsbot"}) {
			t.Fatalf("active now: %v", got)
		}
		if got := active(now.Add(25 * time.Hour)); !slices.Equal(got, []string{"dealsbot"}) {
			t.Fatalf("active a day later: %v, want the timed mute expired", got)
		}
		if day.Created.IsZero() || day.ID == 0 || forever.Until.IsZero() == false {
			t.Fatalf("recorded mutes: %+v %+v", day, forever)
		}

		ended, err := e.db.EndMutes(e.ctx, 0, bot.MuteTerm, "giveaway", "web:kim")
		if err != nil || len(ended) != 1 || ended[0].EndedBy != "web:kim" || ended[0].EndedAt.IsZero() {
			t.Fatalf("unmute: %+v %v", ended, err)
		}
		if again, err := e.db.EndMutes(e.ctx, 0, bot.MuteTerm, "giveaway", "web:kim"); err != nil || len(again) != 0 {
			t.Fatalf("second unmute ended %+v, %v; want nothing", again, err)
		}
		if ended, err := e.db.EndMutes(e.ctx, forever.ID, "", "", "web:kim"); err != nil || len(ended) != 1 {
			t.Fatalf("unmute by id: %+v %v", ended, err)
		}
		if got := active(now); len(got) != 0 {
			t.Fatalf("active after unmuting: %v", got)
		}
		all, err := e.db.Mutes(e.ctx, 0)
		if err != nil || len(all) != 3 {
			t.Fatalf("history: %d mutes, %v; want all 3 kept", len(all), err)
		}
	})
}

func TestMuteActionRecordsOnce(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		c := e.openCase(t, "care", "1")
		a, _, err := e.db.ClaimAction(e.ctx, bot.Action{CaseID: c.ID, Kind: bot.ActMute, Actor: "web:sam", Key: "k"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		mute := &bot.Mute{Kind: bot.MuteAuthor, Value: "user1", By: "web:sam"}
		for i := range 2 { // a retried job applies the same change again: refused whole
			_, err := e.db.UpdateCase(e.ctx, c.ID, func(cc *bot.Case) (bot.CaseChange, error) {
				cc.State = bot.StateDismissed
				return bot.CaseChange{Mute: mute, Finish: &bot.ActionOutcome{ActionID: a.ID, Status: bot.ActionDone}}, nil
			})
			if i == 0 && err != nil {
				t.Fatal(err)
			}
			if i == 1 && !errors.Is(err, bot.ErrActionFinished) {
				t.Fatalf("second run: %v, want ErrActionFinished", err)
			}
		}
		ms, err := e.db.ActiveMutes(e.ctx, e.clk.Now())
		if err != nil || len(ms) != 1 || ms[0].CaseID != c.ID || ms[0].ActionID != a.ID {
			t.Fatalf("mutes %+v, %v; want one, of case %d and action %d", ms, err, c.ID, a.ID)
		}
	})
}

func TestCoupons(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		added, dups, err := e.db.AddCoupons(e.ctx, "sorry-10", []string{"A1", "A2", "A3"})
		if err != nil || added != 3 || len(dups) != 0 {
			t.Fatalf("add: %d %v %v", added, dups, err)
		}
		added, dups, err = e.db.AddCoupons(e.ctx, "vip", []string{"V1", "A2"})
		if err != nil || added != 1 || len(dups) != 1 || dups[0] != (CouponDuplicate{Code: "A2", Pool: "sorry-10"}) {
			t.Fatalf("add with a code of another pool: %d %v %v", added, dups, err)
		}
		c1, c2 := e.openCase(t, "care", "1"), e.openCase(t, "care", "2")
		code1, err := e.db.ReserveCoupon(e.ctx, "sorry-10", c1.ID)
		if err != nil || code1 != "A1" {
			t.Fatalf("first reservation: %q %v", code1, err)
		}
		if again, err := e.db.ReserveCoupon(e.ctx, "sorry-10", c1.ID); err != nil || again != code1 {
			t.Fatalf("the same case asked again got %q, %v; want %q", again, err, code1)
		}
		if code2, err := e.db.ReserveCoupon(e.ctx, "sorry-10", c2.ID); err != nil || code2 != "A2" {
			t.Fatalf("second case: %q %v", code2, err)
		}
		pools, err := e.db.CouponPools(e.ctx)
		want := []CouponPool{{Pool: "sorry-10", Total: 3, Given: 2}, {Pool: "vip", Total: 1, Given: 0}}
		if err != nil || !slices.Equal(pools, want) {
			t.Fatalf("pools %+v, %v; want %+v", pools, err, want)
		}
		if _, err := e.db.ReserveCoupon(e.ctx, "nope", c1.ID); !errors.Is(err, ErrPoolEmpty) {
			t.Fatalf("unknown pool: %v, want ErrPoolEmpty", err)
		}
	})
}

// Twenty cases ask a pool of ten at once: ten distinct codes, ten "empty",
// no code twice, on both dialects.
func TestCouponsConcurrentClaims(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		var codes []string
		for i := range 10 {
			codes = append(codes, fmt.Sprintf("SORRY-%02d", i))
		}
		if _, _, err := e.db.AddCoupons(e.ctx, "sorry-10", codes); err != nil {
			t.Fatal(err)
		}
		var cases []int64
		for i := range 20 {
			cases = append(cases, e.openCase(t, "care", fmt.Sprint(i)).ID)
		}
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			got   []string
			empty int
		)
		for _, id := range cases {
			wg.Add(1)
			go func() {
				defer wg.Done()
				code, err := e.db.ReserveCoupon(e.ctx, "sorry-10", id)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case errors.Is(err, ErrPoolEmpty):
					empty++
				case err != nil:
					t.Errorf("case %d: %v", id, err)
				default:
					got = append(got, code)
				}
			}()
		}
		wg.Wait()
		sort.Strings(got)
		if !slices.Equal(got, codes) || empty != 10 {
			t.Fatalf("got %d codes %v and %d empty; want each of the 10 codes once and 10 empty", len(got), got, empty)
		}
	})
}

func TestOfferGesture(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		c := e.openCase(t, "care", "1")
		if err := e.db.SaveSuggestions(e.ctx, c.ID, []bot.Suggestion{{Text: "one"}, {Text: "two"}}, bot.CaseChange{}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.db.AddCoupons(e.ctx, "sorry", []string{"X1"}); err != nil {
			t.Fatal(err)
		}
		offer := func(id int64) (string, bool) {
			t.Helper()
			var code string
			var empty bool
			err := e.db.OfferGesture(e.ctx, id, "sorry", func(_ *bot.Case, cd string, pe bool, _ []bot.Suggestion) (*bot.Suggestion, bot.CaseChange, error) {
				code, empty = cd, pe
				ev := bot.Event{Kind: bot.EventDelight, Text: "offered " + cd}
				if pe {
					return nil, bot.CaseChange{Events: []bot.Event{ev}}, nil
				}
				return &bot.Suggestion{Text: "10% off: " + cd, Approach: "delight"}, bot.CaseChange{Events: []bot.Event{ev}}, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return code, empty
		}
		before := e.getCase(t, c.ID).Rev
		if code, empty := offer(c.ID); code != "X1" || empty {
			t.Fatalf("offer: %q empty=%v", code, empty)
		}
		offer(c.ID) // offered again: the same code, still one gesture
		s, err := e.db.Suggestions(e.ctx, c.ID)
		if err != nil || len(s) != 3 || s[2].Rank != 3 || s[2].Text != "10% off: X1" || s[2].Approach != "delight" {
			t.Fatalf("suggestions %+v, %v", s, err)
		}
		if rev := e.getCase(t, c.ID).Rev; rev != before+2 {
			t.Fatalf("rev %d, want %d: the card must show the gesture", rev, before+2)
		}
		c2 := e.openCase(t, "care", "2")
		if code, empty := offer(c2.ID); code != "" || !empty {
			t.Fatalf("empty pool: %q empty=%v", code, empty)
		}
		_, evs, _ := e.db.Thread(e.ctx, c2.ID)
		if last := evs[len(evs)-1]; last.Kind != bot.EventDelight {
			t.Fatalf("empty pool: last event %+v, want the note", last)
		}
		// A builder that declines offers and reserves nothing.
		if _, _, err := e.db.AddCoupons(e.ctx, "sorry", []string{"X2"}); err != nil {
			t.Fatal(err)
		}
		err = e.db.OfferGesture(e.ctx, c2.ID, "sorry", func(*bot.Case, string, bool, []bot.Suggestion) (*bot.Suggestion, bot.CaseChange, error) {
			return nil, bot.CaseChange{}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if pools, _ := e.db.CouponPools(e.ctx); pools[0].Given != 1 {
			t.Fatalf("a declined offer kept its reservation: %+v", pools)
		}
	})
}

func TestCaseDigests(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		spam := e.openCase(t, "care", "1")
		kept := e.openCase(t, "care", "2")
		reopened := e.openCase(t, "care", "3")
		dismiss := func(c bot.Case, reason bot.DismissReason, state bot.CaseState) {
			t.Helper()
			a, _, err := e.db.ClaimAction(e.ctx, bot.Action{CaseID: c.ID, Kind: bot.ActDismiss, Actor: "web:sam", Key: fmt.Sprint(c.ID), Reason: reason, Text: "note"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.db.UpdateCase(e.ctx, c.ID, func(cc *bot.Case) (bot.CaseChange, error) {
				cc.State = state
				return bot.CaseChange{Finish: &bot.ActionOutcome{ActionID: a.ID, Status: bot.ActionDone}}, nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		dismiss(spam, bot.ReasonSpam, bot.StateDismissed)
		dismiss(reopened, bot.ReasonSpam, bot.StateNew) // dismissed, then reopened
		ds, err := e.db.CaseDigests(e.ctx, e.clk.Now().Add(-time.Hour), 0)
		if err != nil || len(ds) != 3 {
			t.Fatalf("digests %+v, %v", ds, err)
		}
		byID := map[int64]bot.CaseDigest{}
		for _, d := range ds {
			byID[d.ID] = d
		}
		if d := byID[spam.ID]; d.Dismissed != "spam" || d.Note != "note" || d.Author != "user1" || !strings.Contains(d.Text, "problem 1") || !slices.Equal(d.Rules, []string{"complaints"}) {
			t.Fatalf("spam digest %+v", d)
		}
		if byID[kept.ID].Dismissed != "" || byID[reopened.ID].Dismissed != "" {
			t.Fatalf("open cases counted as dismissed: %+v %+v", byID[kept.ID], byID[reopened.ID])
		}
		if ds, _ := e.db.CaseDigests(e.ctx, e.clk.Now().Add(time.Hour), 0); len(ds) != 0 {
			t.Fatalf("since the future: %d digests", len(ds))
		}
	})
}
