package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/earshothq/earshot/bot"
)

// Suggestions returns the case's drafted replies by rank.
func (db *DB) Suggestions(ctx context.Context, caseID int64) ([]bot.Suggestion, error) {
	rs, err := db.be.reader().query(ctx, `SELECT case_id, rank, text, approach, origin FROM suggestions
		WHERE case_id = ? ORDER BY rank`, caseID)
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
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("read suggestions of case %d: %w", caseID, err)
	}
	return out, nil
}

// SaveSuggestions replaces the case's suggestions and applies change in the
// same transaction. It bumps the case's Rev (and UpdatedAt): the card shows
// the suggestions, so its card job needs a revision no earlier card had.
// A zero Rank is the suggestion's 1-based position.
func (db *DB) SaveSuggestions(ctx context.Context, caseID int64, s []bot.Suggestion, change bot.CaseChange) error {
	err := db.be.withTx(ctx, func(tx *txn) error {
		now := db.now()
		c, err := getCase(ctx, tx, caseID, tx.forUpdate)
		if err != nil {
			return err
		}
		if err := replaceSuggestions(ctx, tx, caseID, s); err != nil {
			return err
		}
		bump(&c, now)
		if err := writeCase(ctx, tx, c); err != nil {
			return err
		}
		return applyChange(ctx, tx, c, change, now)
	})
	if err != nil {
		return fmt.Errorf("save suggestions of case %d: %w", caseID, err)
	}
	return nil
}

const actionColumns = `id, case_id, kind, actor, surface, suggestion, text, mention_id, key, status, result, at, done_at, reason, mute`

func scanAction(r row) (bot.Action, error) {
	var (
		a            bot.Action
		kind, status string
		key          sql.NullString
		at           int64
		done         *int64
		reason, mute string
	)
	if err := r.Scan(&a.ID, &a.CaseID, &kind, &a.Actor, &a.Surface, &a.Suggestion, &a.Text, &a.MentionID, &key, &status,
		&a.Result, &at, &done, &reason, &mute); err != nil {
		return bot.Action{}, err
	}
	a.Reason = bot.DismissReason(reason)
	if mute != "" {
		a.Mute = new(bot.MuteSpec)
		if err := json.Unmarshal([]byte(mute), a.Mute); err != nil {
			return bot.Action{}, fmt.Errorf("action %d mute: %w", a.ID, err)
		}
	}
	a.Kind = bot.ActionKind(kind)
	a.Status = bot.ActionStatus(status)
	a.Key = key.String
	a.At = fromMS(&at)
	a.DoneAt = fromMS(done)
	return a, nil
}

const insertAction = `INSERT INTO actions (case_id, kind, actor, surface, suggestion, text, mention_id, key, status, result, at, done_at, reason, mute)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`

// retiredKey is the key a failed action keeps once a new attempt takes its
// key; the "#" never appears in keys the handlers make.
func retiredKey(key string, id int64) string { return key + "#failed-" + strconv.FormatInt(id, 10) }

// ClaimAction records an action attempt. With a.Key set, the first call for
// a key inserts the action (status pending unless given) and jobs, with
// ActionID filled in where zero, and returns it with true; later calls
// insert nothing and return the stored action with false. With a.Key empty
// the attempt is only recorded (status denied unless given); jobs are then
// refused, since an unclaimed action must not run.
func (db *DB) ClaimAction(ctx context.Context, a bot.Action, jobs []bot.Job) (bot.Action, bool, error) {
	if a.Key == "" && len(jobs) > 0 {
		return bot.Action{}, false, fmt.Errorf("claim %s on case %d: jobs without an idempotency key", a.Kind, a.CaseID)
	}
	created := false
	err := db.be.withTx(ctx, func(tx *txn) error {
		if a.At.IsZero() {
			a.At = db.now()
		}
		a.At = roundMS(a.At)
		a.DoneAt = roundMS(a.DoneAt)
		if a.Status == "" {
			a.Status = bot.ActionPending
			if a.Key == "" {
				a.Status = bot.ActionDenied
			}
		}
		var key any
		if a.Key != "" {
			key = a.Key
		}
		mute := ""
		if a.Mute != nil {
			mute = mustJSON(a.Mute)
		}
		args := []any{a.CaseID, string(a.Kind), a.Actor, a.Surface, a.Suggestion, a.Text, a.MentionID, key, string(a.Status), a.Result,
			a.At.UnixMilli(), ms(a.DoneAt), string(a.Reason), mute}
		err := tx.queryRow(ctx, insertAction, args...).Scan(&a.ID)
		if errNoRows(err) && a.Key != "" {
			key := a.Key
			prev, err := scanAction(tx.queryRow(ctx, `SELECT `+actionColumns+` FROM actions WHERE key = ?`+tx.forUpdate, key))
			if err != nil {
				return fmt.Errorf("read action with key %q: %w", key, err)
			}
			if prev.Status != bot.ActionFailed {
				a = prev
				return nil
			}
			// A failed action is known not to have happened: the earlier
			// attempt keeps its record under a retired key and this one
			// takes the key.
			if _, err := tx.exec(ctx, `UPDATE actions SET key = ? WHERE id = ?`, retiredKey(key, prev.ID), prev.ID); err != nil {
				return fmt.Errorf("retire failed action %d: %w", prev.ID, err)
			}
			if err := tx.queryRow(ctx, insertAction, args...).Scan(&a.ID); err != nil {
				return fmt.Errorf("record action: %w", err)
			}
		} else if err != nil {
			return fmt.Errorf("record action: %w", err)
		}
		created = true
		for i := range jobs {
			if jobs[i].ActionID == 0 {
				jobs[i].ActionID = a.ID
			}
		}
		_, err = insertJobs(ctx, tx, jobs)
		return err
	})
	if err != nil {
		return bot.Action{}, false, fmt.Errorf("claim %s on case %d: %w", a.Kind, a.CaseID, err)
	}
	return a, created, nil
}

// Action returns one action record.
func (db *DB) Action(ctx context.Context, id int64) (bot.Action, error) {
	a, err := scanAction(db.be.reader().queryRow(ctx, `SELECT `+actionColumns+` FROM actions WHERE id = ?`, id))
	if errNoRows(err) {
		return bot.Action{}, notFound("action", id)
	}
	if err != nil {
		return bot.Action{}, fmt.Errorf("read action %d: %w", id, err)
	}
	return a, nil
}

// Actions returns every attempt on a case, oldest first.
func (db *DB) Actions(ctx context.Context, caseID int64) ([]bot.Action, error) {
	rs, err := db.be.reader().query(ctx, `SELECT `+actionColumns+` FROM actions WHERE case_id = ? ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("read actions of case %d: %w", caseID, err)
	}
	defer rs.Close()
	var out []bot.Action
	for rs.Next() {
		a, err := scanAction(rs)
		if err != nil {
			return nil, fmt.Errorf("read actions of case %d: %w", caseID, err)
		}
		out = append(out, a)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("read actions of case %d: %w", caseID, err)
	}
	return out, nil
}

// FinishAction records an action's outcome.
func (db *DB) FinishAction(ctx context.Context, id int64, status bot.ActionStatus, result string, at time.Time) error {
	err := db.be.withTx(ctx, func(tx *txn) error {
		if at.IsZero() {
			at = db.now()
		}
		n, err := tx.exec(ctx, `UPDATE actions SET status = ?, result = ?, done_at = ? WHERE id = ?`,
			string(status), result, at.UnixMilli(), id)
		if err != nil {
			return err
		}
		if n == 0 {
			return notFound("action", id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("finish action %d: %w", id, err)
	}
	return nil
}

// StartSending moves a pending action to "sending" and reports whether this
// call did: of two runs of one action's job (a retry racing a slow first
// run), only the one that moved it may talk to the platform.
func (db *DB) StartSending(ctx context.Context, id int64, at time.Time) (bool, error) {
	if at.IsZero() {
		at = db.now()
	}
	var n int64
	err := db.be.withTx(ctx, func(tx *txn) error {
		var err error
		n, err = tx.exec(ctx, `UPDATE actions SET status = ?, result = '', done_at = ? WHERE id = ? AND status = ?`,
			string(bot.ActionSending), at.UnixMilli(), id, string(bot.ActionPending))
		return err
	})
	if err != nil {
		return false, fmt.Errorf("start sending action %d: %w", id, err)
	}
	return n == 1, nil
}

// SaveReply records a post we made from a case, so answers to it join the
// case. Saving the same post again changes nothing.
func (db *DB) SaveReply(ctx context.Context, caseID int64, platform string, ref bot.PostRef) error {
	if platform == "" || ref.ExternalID == "" {
		return fmt.Errorf("save reply on case %d: platform %q or post id %q empty", caseID, platform, ref.ExternalID)
	}
	err := db.be.withTx(ctx, func(tx *txn) error {
		_, err := tx.exec(ctx, `INSERT INTO replies (platform, external_id, case_id, url, stored_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, platform, ref.ExternalID, caseID, ref.URL, db.now().UnixMilli())
		return err
	})
	if err != nil {
		return fmt.Errorf("save reply %s:%s on case %d: %w", platform, ref.ExternalID, caseID, err)
	}
	return nil
}

// CardRef returns the case's card reference on a surface, "" when none.
func (db *DB) CardRef(ctx context.Context, caseID int64, surface string) (string, error) {
	var ref string
	err := db.be.reader().queryRow(ctx, `SELECT ref FROM card_refs WHERE case_id = ? AND surface = ?`, caseID, surface).Scan(&ref)
	if errNoRows(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s card of case %d: %w", surface, caseID, err)
	}
	return ref, nil
}

// CaseByCardRef finds the case whose card on surface is ref: a reaction or a
// thread reply names the message, not the case. ErrNotFound when none is.
func (db *DB) CaseByCardRef(ctx context.Context, surface, ref string) (int64, error) {
	var id int64
	err := db.be.reader().queryRow(ctx, `SELECT case_id FROM card_refs WHERE surface = ? AND ref = ? ORDER BY case_id LIMIT 1`, surface, ref).Scan(&id)
	if errNoRows(err) {
		return 0, fmt.Errorf("%s card %q: %w", surface, ref, bot.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("find the case of %s card %q: %w", surface, ref, err)
	}
	return id, nil
}

// SaveCardRef sets the case's card reference on a surface.
func (db *DB) SaveCardRef(ctx context.Context, caseID int64, surface, ref string) error {
	err := db.be.withTx(ctx, func(tx *txn) error {
		_, err := tx.exec(ctx, `INSERT INTO card_refs (case_id, surface, ref, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (case_id, surface) DO UPDATE SET ref = excluded.ref, updated_at = excluded.updated_at`,
			caseID, surface, ref, db.now().UnixMilli())
		return err
	})
	if err != nil {
		return fmt.Errorf("save %s card of case %d: %w", surface, caseID, err)
	}
	return nil
}

// Cursor returns a source's saved position, "" when none.
func (db *DB) Cursor(ctx context.Context, source string) (string, error) {
	var c string
	err := db.be.reader().queryRow(ctx, `SELECT cursor FROM cursors WHERE source = ?`, source).Scan(&c)
	if errNoRows(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read cursor of %s: %w", source, err)
	}
	return c, nil
}

// SaveCursor stores a source's position.
func (db *DB) SaveCursor(ctx context.Context, source, cursor string) error {
	err := db.be.withTx(ctx, func(tx *txn) error {
		_, err := tx.exec(ctx, `INSERT INTO cursors (source, cursor, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
			source, cursor, db.now().UnixMilli())
		return err
	})
	if err != nil {
		return fmt.Errorf("save cursor of %s: %w", source, err)
	}
	return nil
}
