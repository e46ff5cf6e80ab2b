package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/earshothq/earshot/bot"
)

// DraftInfo returns what the last drafting of a case said; zero when none.
func (db *DB) DraftInfo(ctx context.Context, caseID int64) (bot.DraftInfo, error) {
	var raw string
	err := db.be.reader().queryRow(ctx, `SELECT info FROM drafts WHERE case_id = ?`, caseID).Scan(&raw)
	if errNoRows(err) {
		return bot.DraftInfo{}, nil
	}
	if err != nil {
		return bot.DraftInfo{}, fmt.Errorf("read draft info of case %d: %w", caseID, err)
	}
	var info bot.DraftInfo
	if err := json.Unmarshal([]byte(raw), &info); err != nil {
		return bot.DraftInfo{}, fmt.Errorf("decode draft info of case %d: %w", caseID, err)
	}
	return info, nil
}

// saveDraftInfo replaces the case's draft info inside tx.
func saveDraftInfo(ctx context.Context, tx *txn, caseID int64, info bot.DraftInfo, now time.Time) error {
	if info.At.IsZero() {
		info.At = now
	}
	info.At = roundMS(info.At)
	raw, err := json.Marshal(info)
	if err != nil {
		return fmt.Errorf("encode draft info of case %d: %w", caseID, err)
	}
	if _, err := tx.exec(ctx, `INSERT INTO drafts (case_id, info, at) VALUES (?, ?, ?)
		ON CONFLICT (case_id) DO UPDATE SET info = excluded.info, at = excluded.at`,
		caseID, string(raw), info.At.UnixMilli()); err != nil {
		return fmt.Errorf("write draft info of case %d: %w", caseID, err)
	}
	return nil
}
