package store

import (
	"context"
	"fmt"
	"time"

	"github.com/earshothq/earshot/bot"
)

// dayOf names the day a poll counts towards, in the process's time zone
// (the operators' "today").
func dayOf(t time.Time) string { return t.Format("2006-01-02") }

// RecordSourcePoll adds one poll's outcome to the source's status line:
// the time, the mentions it brought (added to today's count, which starts
// again at zero on a new day), the error if it failed (kept until the
// next success clears it) and when it will poll next.
func (db *DB) RecordSourcePoll(ctx context.Context, p bot.SourcePoll) error {
	at := p.At.UnixMilli()
	var lastOK int64
	errText, errAt := p.Err, int64(0)
	if p.Err == "" {
		lastOK = at
	} else {
		errAt = at
	}
	var next int64
	if !p.Next.IsZero() {
		next = p.Next.UnixMilli()
	}
	err := db.be.withTx(ctx, func(tx *txn) error {
		_, err := tx.exec(ctx, `INSERT INTO source_status
			(name, platform, last_poll, last_ok, last_error, error_at, day, mentions_today, mentions_total, next_poll, note)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET
				platform = excluded.platform,
				last_poll = excluded.last_poll,
				last_ok = CASE WHEN excluded.last_ok > 0 THEN excluded.last_ok ELSE source_status.last_ok END,
				last_error = CASE WHEN excluded.last_ok > 0 THEN '' ELSE excluded.last_error END,
				error_at = CASE WHEN excluded.last_ok > 0 THEN source_status.error_at ELSE excluded.error_at END,
				mentions_today = CASE WHEN source_status.day = excluded.day
					THEN source_status.mentions_today + excluded.mentions_today ELSE excluded.mentions_today END,
				day = excluded.day,
				mentions_total = source_status.mentions_total + excluded.mentions_total,
				next_poll = excluded.next_poll,
				note = excluded.note`,
			p.Name, p.Platform, at, lastOK, errText, errAt, dayOf(p.At), p.Mentions, p.Mentions, next, p.Note)
		return err
	})
	if err != nil {
		return fmt.Errorf("record poll of %s: %w", p.Name, err)
	}
	return nil
}

// SourceStatuses lists every source's status line by name. Today's count
// reads zero when the last poll was on an earlier day.
func (db *DB) SourceStatuses(ctx context.Context) ([]bot.SourceStatus, error) {
	rows, err := db.be.reader().query(ctx, `SELECT name, platform, last_poll, last_ok, last_error, error_at,
		day, mentions_today, mentions_total, next_poll, note FROM source_status ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list source status: %w", err)
	}
	defer rows.Close()
	today := dayOf(db.now())
	var out []bot.SourceStatus
	for rows.Next() {
		var (
			s                             bot.SourceStatus
			lastPoll, lastOK, errAt, next int64
			day                           string
		)
		if err := rows.Scan(&s.Name, &s.Platform, &lastPoll, &lastOK, &s.LastError, &errAt,
			&day, &s.MentionsToday, &s.MentionsTotal, &next, &s.Note); err != nil {
			return nil, fmt.Errorf("read source status: %w", err)
		}
		if day != today {
			s.MentionsToday = 0
		}
		s.LastPoll, s.LastOK, s.ErrorAt, s.NextPoll = millis(lastPoll), millis(lastOK), millis(errAt), millis(next)
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list source status: %w", err)
	}
	return out, nil
}

// millis is a stored time, zero for 0.
func millis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}
