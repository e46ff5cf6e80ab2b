package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/earshothq/earshot/bot"
)

// ErrPoolEmpty is returned when a coupon pool has no code left to give.
var ErrPoolEmpty = errors.New("coupon pool is empty")

// CouponDuplicate is a code AddCoupons did not load because it is stored
// already, in Pool.
type CouponDuplicate struct {
	Code string `json:"code"`
	Pool string `json:"pool"`
}

// AddCoupons loads codes into pool in one transaction: all of them or, on
// an error, none. A code already stored (in this pool or another) is not
// loaded again and is reported; codes must be unique across pools, so a
// code is never handed out twice.
func (db *DB) AddCoupons(ctx context.Context, pool string, codes []string) (int, []CouponDuplicate, error) {
	var (
		added int
		dups  []CouponDuplicate
	)
	err := db.be.withTx(ctx, func(tx *txn) error {
		added, dups = 0, nil
		now := db.now().UnixMilli()
		for _, code := range codes {
			n, err := tx.exec(ctx, `INSERT INTO coupons (pool, code, added_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, pool, code, now)
			if err != nil {
				return fmt.Errorf("add code %q: %w", code, err)
			}
			if n == 1 {
				added++
				continue
			}
			var in string
			if err := tx.queryRow(ctx, `SELECT pool FROM coupons WHERE code = ?`, code).Scan(&in); err != nil {
				return fmt.Errorf("find stored code %q: %w", code, err)
			}
			dups = append(dups, CouponDuplicate{Code: code, Pool: in})
		}
		return nil
	})
	if err != nil {
		return 0, nil, fmt.Errorf("add coupons to pool %q: %w", pool, err)
	}
	return added, dups, nil
}

// CouponPool counts one pool's codes.
type CouponPool struct {
	Pool  string `json:"pool"`
	Total int    `json:"total"`
	Given int    `json:"given"`
}

// Left is how many codes the pool can still give.
func (p CouponPool) Left() int { return p.Total - p.Given }

// CouponPools counts every pool's codes, by name.
func (db *DB) CouponPools(ctx context.Context) ([]CouponPool, error) {
	rs, err := db.be.reader().query(ctx, `SELECT pool, count(*), count(case_id) FROM coupons GROUP BY pool ORDER BY pool`)
	if err != nil {
		return nil, fmt.Errorf("count coupons: %w", err)
	}
	defer rs.Close()
	var out []CouponPool
	for rs.Next() {
		var p CouponPool
		if err := rs.Scan(&p.Pool, &p.Total, &p.Given); err != nil {
			return nil, fmt.Errorf("count coupons: %w", err)
		}
		out = append(out, p)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("count coupons: %w", err)
	}
	return out, nil
}

// reserveCoupon gives case caseID a code from pool: the one it already
// holds, else the oldest free one. On PostgreSQL concurrent transactions
// skip the rows another has locked rather than wait for them and find them
// taken; on SQLite the transaction holds the database's write lock.
func reserveCoupon(ctx context.Context, tx *txn, pool string, caseID int64, now time.Time) (string, error) {
	var code string
	err := tx.queryRow(ctx, `SELECT code FROM coupons WHERE pool = ? AND case_id = ?`, pool, caseID).Scan(&code)
	if err == nil {
		return code, nil
	}
	if !errNoRows(err) {
		return "", fmt.Errorf("find the code of case %d in pool %q: %w", caseID, pool, err)
	}
	skip := ""
	if tx.forUpdate != "" {
		skip = tx.forUpdate + " SKIP LOCKED"
	}
	err = tx.queryRow(ctx, `UPDATE coupons SET case_id = ?, given_at = ?
		WHERE id = (SELECT id FROM coupons WHERE pool = ? AND case_id IS NULL ORDER BY id LIMIT 1`+skip+`)
		RETURNING code`, caseID, now.UnixMilli(), pool).Scan(&code)
	if errNoRows(err) {
		return "", fmt.Errorf("pool %q: %w", pool, ErrPoolEmpty)
	}
	if err != nil {
		return "", fmt.Errorf("reserve a code from pool %q for case %d: %w", pool, caseID, err)
	}
	return code, nil
}

// ReserveCoupon gives case caseID a code from pool, the same one however
// often it is asked; ErrPoolEmpty (wrapped) when none is left.
func (db *DB) ReserveCoupon(ctx context.Context, pool string, caseID int64) (string, error) {
	var code string
	err := db.be.withTx(ctx, func(tx *txn) error {
		if _, err := getCase(ctx, tx, caseID, tx.forUpdate); err != nil {
			return err
		}
		var err error
		code, err = reserveCoupon(ctx, tx, pool, caseID, db.now())
		return err
	})
	return code, err
}

// errNothingToOffer rolls an offer back when the gesture builder declines.
var errNothingToOffer = errors.New("nothing to offer")

// OfferGesture adds a delight suggestion to a case in one transaction: a
// code reserved from pool (when one is named), the suggestion replacing any
// earlier one of its approach at the end of the list, and build's change
// (events, jobs) applied. The case's revision is bumped, so its card shows
// the gesture.
//
// build gets the case, the code reserved for it ("" when no pool is named
// or the pool is empty: poolEmpty tells which) and its current suggestions,
// and returns the suggestion to add (nil for none) and the change that goes
// with it. A nil suggestion and an empty change offer nothing and reserve
// nothing. build runs inside the transaction: it must not call the store.
func (db *DB) OfferGesture(ctx context.Context, caseID int64, pool string,
	build func(c *bot.Case, code string, poolEmpty bool, have []bot.Suggestion) (*bot.Suggestion, bot.CaseChange, error)) error {
	err := db.be.withTx(ctx, func(tx *txn) error {
		now := db.now()
		c, err := getCase(ctx, tx, caseID, tx.forUpdate)
		if err != nil {
			return err
		}
		code, empty := "", false
		if pool != "" {
			code, err = reserveCoupon(ctx, tx, pool, caseID, now)
			if errors.Is(err, ErrPoolEmpty) {
				empty, err = true, nil
			}
			if err != nil {
				return err
			}
		}
		have, err := suggestionsTx(ctx, tx, caseID)
		if err != nil {
			return err
		}
		s, change, err := build(&c, code, empty, have)
		if err != nil {
			return err
		}
		if s == nil && len(change.Events) == 0 && len(change.Jobs) == 0 {
			return errNothingToOffer
		}
		if s != nil {
			if _, err := tx.exec(ctx, `DELETE FROM suggestions WHERE case_id = ? AND approach = ?`, caseID, s.Approach); err != nil {
				return fmt.Errorf("clear the earlier gesture: %w", err)
			}
			rank := 1
			for _, h := range have {
				if h.Approach != s.Approach {
					rank = max(rank, h.Rank+1)
				}
			}
			if _, err := tx.exec(ctx, `INSERT INTO suggestions (case_id, rank, text, approach, origin) VALUES (?, ?, ?, ?, ?)`,
				caseID, rank, s.Text, s.Approach, s.Origin); err != nil {
				return fmt.Errorf("write the gesture: %w", err)
			}
		}
		bump(&c, now)
		if err := writeCase(ctx, tx, c); err != nil {
			return err
		}
		return applyChange(ctx, tx, c, change, now)
	})
	if errors.Is(err, errNothingToOffer) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("offer a gesture on case %d: %w", caseID, err)
	}
	return nil
}

func suggestionsTx(ctx context.Context, tx *txn, caseID int64) ([]bot.Suggestion, error) {
	rs, err := tx.query(ctx, `SELECT case_id, rank, text, approach, origin FROM suggestions WHERE case_id = ? ORDER BY rank`, caseID)
	if err != nil {
		return nil, fmt.Errorf("read suggestions of case %d: %w", caseID, err)
	}
	defer rs.Close()
	var out []bot.Suggestion
	for rs.Next() {
		var s bot.Suggestion
		if err := rs.Scan(&s.CaseID, &s.Rank, &s.Text, &s.Approach, &s.Origin); err != nil {
			return nil, fmt.Errorf("read suggestions of case %d: %w", caseID, err)
		}
		out = append(out, s)
	}
	return out, rs.Err()
}
