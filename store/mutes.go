package store

import (
	"context"
	"fmt"
	"time"

	"github.com/earshothq/earshot/bot"
)

const muteColumns = `id, kind, value, platform, until, muted_by, reason, case_id, action_id, created, ended_at, ended_by`

func scanMute(r row) (bot.Mute, error) {
	var (
		m                bot.Mute
		kind             string
		until, ended     *int64
		caseID, actionID *int64
		created          int64
	)
	if err := r.Scan(&m.ID, &kind, &m.Value, &m.Platform, &until, &m.By, &m.Reason, &caseID, &actionID, &created, &ended, &m.EndedBy); err != nil {
		return bot.Mute{}, err
	}
	m.Kind = bot.MuteKind(kind)
	m.Until, m.EndedAt, m.Created = fromMS(until), fromMS(ended), fromMS(&created)
	if caseID != nil {
		m.CaseID = *caseID
	}
	if actionID != nil {
		m.ActionID = *actionID
	}
	return m, nil
}

// insertMute records m; a mute action retried after it was recorded
// (same ActionID) records nothing more.
func insertMute(ctx context.Context, tx *txn, m bot.Mute, now time.Time) (bot.Mute, error) {
	if m.Kind != bot.MuteAuthor && m.Kind != bot.MuteTerm || m.Value == "" || m.By == "" {
		return bot.Mute{}, fmt.Errorf("mute: kind %q, value %q and by %q are required", m.Kind, m.Value, m.By)
	}
	if m.Created.IsZero() {
		m.Created = now
	}
	m.Created, m.Until = roundMS(m.Created), roundMS(m.Until)
	err := tx.queryRow(ctx, `INSERT INTO mutes (kind, value, platform, until, muted_by, reason, case_id, action_id, created)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
		string(m.Kind), m.Value, m.Platform, ms(m.Until), m.By, m.Reason, nullInt(m.CaseID), nullInt(m.ActionID), m.Created.UnixMilli(),
	).Scan(&m.ID)
	if errNoRows(err) {
		return scanMute(tx.queryRow(ctx, `SELECT `+muteColumns+` FROM mutes WHERE action_id = ?`, m.ActionID))
	}
	if err != nil {
		return bot.Mute{}, fmt.Errorf("record mute of %s %q: %w", m.Kind, m.Value, err)
	}
	return m, nil
}

// AddMute records a mute that is not tied to a case (a term, an author
// muted from a command). Kind and Value must be normalized
// (bot.NormalizeMuteValue).
func (db *DB) AddMute(ctx context.Context, m bot.Mute) (bot.Mute, error) {
	var out bot.Mute
	err := db.be.withTx(ctx, func(tx *txn) error {
		var err error
		out, err = insertMute(ctx, tx, m, db.now())
		return err
	})
	if err != nil {
		return bot.Mute{}, fmt.Errorf("add mute: %w", err)
	}
	return out, nil
}

// ActiveMutes lists the mutes in force at at (not ended, not expired),
// oldest first.
func (db *DB) ActiveMutes(ctx context.Context, at time.Time) ([]bot.Mute, error) {
	return db.mutes(ctx, `WHERE ended_at IS NULL AND (until IS NULL OR until > ?) ORDER BY id`, at.UnixMilli())
}

// Mutes lists every mute, the newest first, up to limit (0: 200).
func (db *DB) Mutes(ctx context.Context, limit int) ([]bot.Mute, error) {
	if limit <= 0 {
		limit = 200
	}
	return db.mutes(ctx, `ORDER BY id DESC LIMIT ?`, limit)
}

func (db *DB) mutes(ctx context.Context, where string, args ...any) ([]bot.Mute, error) {
	rs, err := db.be.reader().query(ctx, `SELECT `+muteColumns+` FROM mutes `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("read mutes: %w", err)
	}
	defer rs.Close()
	var out []bot.Mute
	for rs.Next() {
		m, err := scanMute(rs)
		if err != nil {
			return nil, fmt.Errorf("read mutes: %w", err)
		}
		out = append(out, m)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("read mutes: %w", err)
	}
	return out, nil
}

// EndMutes ends the mutes in force of kind and value (normalized), or the
// one with id when id > 0, recording who unmuted; it returns the mutes it
// ended (none when nothing matching was in force).
func (db *DB) EndMutes(ctx context.Context, id int64, kind bot.MuteKind, value, by string) ([]bot.Mute, error) {
	var out []bot.Mute
	err := db.be.withTx(ctx, func(tx *txn) error {
		now := db.now()
		where, args := `kind = ? AND value = ?`, []any{string(kind), value}
		if id > 0 {
			where, args = `id = ?`, []any{id}
		}
		rs, err := tx.query(ctx, `UPDATE mutes SET ended_at = ?, ended_by = ?
			WHERE `+where+` AND ended_at IS NULL AND (until IS NULL OR until > ?) RETURNING `+muteColumns,
			append(append([]any{now.UnixMilli(), by}, args...), now.UnixMilli())...)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			m, err := scanMute(rs)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return rs.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("end mutes: %w", err)
	}
	return out, nil
}
