package store

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
)

func TestThreadPosts(t *testing.T) {
	eachDialect(t, func(t *testing.T, e *env) {
		open := e.ingest(t, nil, routed(mention("bluesky", "a1", "ana", "@acme help"), "care", "billing"))[0]
		e.ingest(t, nil, bot.Incoming{Mention: reply(mention("bluesky", "a2", "ana", "hello?"), "a1")})
		closed := e.ingest(t, nil, routed(mention("bluesky", "b1", "bo", "@acme broken"), "care"))[0].Cases[0].Case
		dismissed := e.ingest(t, nil, routed(mention("bluesky", "c1", "cy", "@acme spam"), "care"))[0].Cases[0].Case
		e.ingest(t, nil, routed(mention("mastodon", "m1", "di", "@acme on mastodon"), "care"))
		// A post stored without a case, and our reply on each kind of case.
		e.ingest(t, nil, bot.Incoming{Mention: mention("bluesky", "loose", "el", "sunset")})
		for _, r := range []struct {
			caseID int64
			id     string
		}{{open.Cases[0].Case.ID, "ours-open"}, {closed.ID, "ours-closed"}} {
			if err := e.db.SaveReply(e.ctx, r.caseID, "bluesky", bot.PostRef{ExternalID: r.id}); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			id    int64
			state bot.CaseState
		}{{closed.ID, bot.StateResolved}, {dismissed.ID, bot.StateDismissed}} {
			if _, err := e.db.UpdateCase(e.ctx, c.id, func(cc *bot.Case) (bot.CaseChange, error) {
				cc.State, cc.DueAt = c.state, time.Time{}
				return bot.CaseChange{}, nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			platform string
			want     []string
		}{
			// a1 is in two open cases and listed once.
			{"bluesky", []string{"a1", "a2", "ours-open"}},
			{"mastodon", []string{"m1"}},
			{"x", nil},
		} {
			got, err := e.db.ThreadPosts(e.ctx, tc.platform)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("ThreadPosts(%s) = %v; want %v", tc.platform, got, tc.want)
			}
		}
		// Reopened by the customer: its thread is followed again.
		e.ingest(t, nil, bot.Incoming{Mention: reply(mention("bluesky", "b2", "bo", "still broken"), "ours-closed"),
			SLA: map[string]time.Duration{"care": time.Hour}})
		got, _ := e.db.ThreadPosts(e.ctx, "bluesky")
		slices.Sort(got)
		if want := []string{"a1", "a2", "b1", "b2", "ours-closed", "ours-open"}; !slices.Equal(got, want) {
			t.Errorf("after a reopen = %v; want %v", got, want)
		}
	})
}

// seedCases stores n cases of 2 mentions and one reply each on bluesky, of
// which one in open is still open (the rest resolved), through the SQL a
// long-lived installation would have: opening them one by one through
// Ingest would take minutes.
func seedCases(tb testing.TB, e *env, n, open int) {
	tb.Helper()
	now := e.clk.Now().UnixMilli()
	err := e.db.be.withTx(e.ctx, func(tx *txn) error {
		for i := 1; i <= n; i++ {
			state := bot.StateResolved
			if i%open == 0 {
				state = bot.StateAwaitingCustomer
			}
			var m1, m2, cid int64
			for k, dst := range []*int64{&m1, &m2} {
				if err := tx.queryRow(e.ctx, `INSERT INTO mentions (platform, external_id, author_handle, text, created_at, stored_at)
					VALUES ('bluesky', ?, 'someone', 'a post', ?, ?) RETURNING id`, fmt.Sprintf("p%d-%d", i, k), now, now).Scan(dst); err != nil {
					return err
				}
			}
			if err := tx.queryRow(e.ctx, `INSERT INTO cases (team, state, platform, first_mention_id, opened_at, updated_at)
				VALUES ('care', ?, 'bluesky', ?, ?, ?) RETURNING id`, string(state), m1, now, now).Scan(&cid); err != nil {
				return err
			}
			for _, m := range []int64{m1, m2} {
				if _, err := tx.exec(e.ctx, `INSERT INTO case_mentions (case_id, mention_id) VALUES (?, ?)`, cid, m); err != nil {
					return err
				}
			}
			if _, err := tx.exec(e.ctx, `INSERT INTO replies (platform, external_id, case_id, stored_at) VALUES ('bluesky', ?, ?, ?)`,
				fmt.Sprintf("r%d", i), cid, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("seed %d cases: %v", n, err)
	}
	// Statistics, as autovacuum (PostgreSQL) or PRAGMA optimize would keep.
	if err := e.db.be.withTx(e.ctx, func(tx *txn) error {
		_, err := tx.exec(e.ctx, `ANALYZE`)
		return err
	}); err != nil {
		tb.Fatal(err)
	}
}

// plainThreadPosts is ThreadPosts as one plain join, the planners free to
// pick the order: the baseline BenchmarkThreadPosts compares against.
const plainThreadPosts = `SELECT m.external_id
	FROM cases c JOIN case_mentions cm ON cm.case_id = c.id JOIN mentions m ON m.id = cm.mention_id
	WHERE c.platform = ? AND c.state NOT IN ('resolved', 'dismissed') AND m.platform = ?
	UNION
	SELECT r.external_id FROM cases c JOIN replies r ON r.case_id = c.id
	WHERE c.platform = ? AND c.state NOT IN ('resolved', 'dismissed') AND r.platform = ?`

// BenchmarkThreadPosts reads the open threads among 100,000 cases (1,000
// open, 2 posts and a reply each: 3,000 ids), what every streaming source
// does once a minute; "plain-join" is the same read as one unforced join.
//
//	go test ./store -run XXX -bench ThreadPosts -benchtime 100x
func BenchmarkThreadPosts(b *testing.B) {
	for _, d := range []struct {
		name string
		open func(testing.TB, Options) *DB
	}{{"sqlite", MustOpenSQLite}, {"postgres", MustOpenPostgres}} {
		b.Run(d.name, func(b *testing.B) {
			clk := newClock()
			e := &env{db: d.open(b, testOptions(clk)), clk: clk, ctx: b.Context()}
			seedCases(b, e, 100_000, 100)
			// Warm every reader connection's cache alike for both reads.
			for range 8 {
				if _, err := e.db.ThreadPosts(e.ctx, "bluesky"); err != nil {
					b.Fatal(err)
				}
			}
			b.Run("ThreadPosts", func(b *testing.B) {
				for b.Loop() {
					ids, err := e.db.ThreadPosts(e.ctx, "bluesky")
					if err != nil {
						b.Fatal(err)
					}
					if len(ids) != 3000 {
						b.Fatalf("%d ids; want 3000", len(ids))
					}
				}
			})
			b.Run("plain-join", func(b *testing.B) {
				for b.Loop() {
					rs, err := e.db.be.reader().query(e.ctx, plainThreadPosts, "bluesky", "bluesky", "bluesky", "bluesky")
					if err != nil {
						b.Fatal(err)
					}
					var ids []string
					for rs.Next() {
						var id string
						if err := rs.Scan(&id); err != nil {
							b.Fatal(err)
						}
						ids = append(ids, id)
					}
					n := len(ids)
					rs.Close()
					if n != 3000 {
						b.Fatalf("%d ids; want 3000", n)
					}
				}
			})
		})
	}
}
