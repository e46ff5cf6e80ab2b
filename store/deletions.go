package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/earshothq/earshot/bot"
)

// tombstoneKeep is how long a deletion for a post never seen is remembered.
// Streams reorder a post and its deletion by seconds; a week covers a
// source catching up after an outage, and bounds the table: a firehose sees
// every deletion on its network, and a source passes on only those it
// cannot rule out.
const tombstoneKeep = 7 * 24 * time.Hour

// ingestTombstone redacts a deleted post wherever the store keeps its words:
// the mention's text and address, the thread lines quoting it, the case's
// summary when it opened the case, and the drafts, which may quote it. Each
// case holding it gets an event and a new revision, so its cards are redrawn
// without the quote. Nothing is deleted: the case, its actions and the
// author's name stay, so the history reads whole.
func ingestTombstone(ctx context.Context, tx *txn, m bot.Mention, now time.Time) (bot.IngestResult, error) {
	var (
		id      int64
		author  bot.Author
		labels  string
		deleted *int64
	)
	err := tx.queryRow(ctx, `SELECT id, author_id, author_handle, author_name, labels, deleted_at
		FROM mentions WHERE platform = ? AND external_id = ?`+tx.forUpdate, m.Platform, m.ExternalID,
	).Scan(&id, &author.ID, &author.Handle, &author.Name, &labels, &deleted)
	if errNoRows(err) {
		return rememberTombstone(ctx, tx, m, now)
	}
	if err != nil {
		return bot.IngestResult{}, fmt.Errorf("find deleted post %s: %w", m.Key(), err)
	}
	if deleted != nil {
		// Deleted before: already redacted, nothing to do again.
		return bot.IngestResult{MentionID: id, Outcome: bot.OutcomeDuplicate}, nil
	}
	if _, err := tx.exec(ctx, `UPDATE mentions SET text = '', url = '', labels = ?, deleted_at = ? WHERE id = ?`,
		redactLabels(labels), now.UnixMilli(), id); err != nil {
		return bot.IngestResult{}, fmt.Errorf("redact mention %d: %w", id, err)
	}
	res := bot.IngestResult{MentionID: id, Outcome: bot.OutcomeDeleted}
	cases, err := mentionCases(ctx, tx, id)
	if err != nil {
		return bot.IngestResult{}, err
	}
	for _, cid := range cases {
		t, err := redactInCase(ctx, tx, cid, id, author, now)
		if err != nil {
			return bot.IngestResult{}, err
		}
		res.Cases = append(res.Cases, t)
	}
	return res, nil
}

// rememberTombstone keeps a deletion for a post not (yet) stored, and
// prunes the ones too old to matter.
func rememberTombstone(ctx context.Context, tx *txn, m bot.Mention, now time.Time) (bot.IngestResult, error) {
	if _, err := tx.exec(ctx, `INSERT INTO tombstones (platform, external_id, deleted_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, m.Platform, m.ExternalID, now.UnixMilli()); err != nil {
		return bot.IngestResult{}, fmt.Errorf("remember deletion of %s: %w", m.Key(), err)
	}
	if _, err := tx.exec(ctx, `DELETE FROM tombstones WHERE deleted_at < ?`, now.Add(-tombstoneKeep).UnixMilli()); err != nil {
		return bot.IngestResult{}, fmt.Errorf("prune old deletions: %w", err)
	}
	return bot.IngestResult{Outcome: bot.OutcomeIgnored}, nil
}

// takeTombstone consumes the remembered deletion of m, if any, returning
// when it was deleted.
func takeTombstone(ctx context.Context, tx *txn, m bot.Mention) (*int64, error) {
	var at int64
	err := tx.queryRow(ctx, `DELETE FROM tombstones WHERE platform = ? AND external_id = ? RETURNING deleted_at`,
		m.Platform, m.ExternalID).Scan(&at)
	if errNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look for a deletion of %s: %w", m.Key(), err)
	}
	return &at, nil
}

// storeDeleted stores a post whose deletion came first: redacted from the
// start, so its words never reach the database, and in no case: nobody can
// answer a post that is gone.
func storeDeleted(ctx context.Context, tx *txn, in bot.Incoming, deletedAt int64, now time.Time) (bot.IngestResult, error) {
	m := in.Mention
	l := in.Labels
	l.Problem = ""
	var id int64
	err := tx.queryRow(ctx, `INSERT INTO mentions (platform, external_id, url, author_id, author_handle, author_name,
		author_followers, text, lang, created_at, in_reply_to, ours, labels, stored_at, deleted_at)
		VALUES (?, ?, '', ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING RETURNING id`,
		m.Platform, m.ExternalID, m.Author.ID, m.Author.Handle, m.Author.Name,
		m.Author.Followers, m.Lang, ms(m.CreatedAt), m.InReplyTo, m.Ours, mustJSON(l), now.UnixMilli(), deletedAt,
	).Scan(&id)
	if errNoRows(err) {
		// Stored meanwhile (another replica's webhook): redact that one.
		m.Deleted = true
		return ingestTombstone(ctx, tx, m, now)
	}
	if err != nil {
		return bot.IngestResult{}, fmt.Errorf("store deleted mention: %w", err)
	}
	return bot.IngestResult{MentionID: id, Outcome: bot.OutcomeStored}, nil
}

// mentionCases lists the cases holding a mention.
func mentionCases(ctx context.Context, tx *txn, mentionID int64) ([]int64, error) {
	rs, err := tx.query(ctx, `SELECT case_id FROM case_mentions WHERE mention_id = ? ORDER BY case_id`, mentionID)
	if err != nil {
		return nil, fmt.Errorf("find cases of mention %d: %w", mentionID, err)
	}
	defer rs.Close()
	var ids []int64
	for rs.Next() {
		var id int64
		if err := rs.Scan(&id); err != nil {
			return nil, fmt.Errorf("find cases of mention %d: %w", mentionID, err)
		}
		ids = append(ids, id)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("find cases of mention %d: %w", mentionID, err)
	}
	return ids, nil
}

// redactInCase removes a deleted mention's words from one case and records
// the deletion in its thread.
func redactInCase(ctx context.Context, tx *txn, caseID, mentionID int64, author bot.Author, now time.Time) (bot.CaseTouch, error) {
	c, err := getCase(ctx, tx, caseID, tx.forUpdate)
	if err != nil {
		return bot.CaseTouch{}, err
	}
	if c.FirstMentionID == mentionID {
		c.Summary, c.URL, c.Labels.Problem = bot.DeletedText, "", ""
	}
	bump(&c, now)
	if err := writeCase(ctx, tx, c); err != nil {
		return bot.CaseTouch{}, err
	}
	if _, err := tx.exec(ctx, `UPDATE events SET text = '', url = '' WHERE case_id = ? AND mention_id = ?`,
		caseID, mentionID); err != nil {
		return bot.CaseTouch{}, fmt.Errorf("redact thread of case %d: %w", caseID, err)
	}
	// Drafts answer the post and may quote it; the pipeline redrafts from
	// what is left of the thread (bot.planJobs plans it for the event).
	if _, err := tx.exec(ctx, `DELETE FROM suggestions WHERE case_id = ?`, caseID); err != nil {
		return bot.CaseTouch{}, fmt.Errorf("drop drafts of case %d: %w", caseID, err)
	}
	if _, err := tx.exec(ctx, `DELETE FROM drafts WHERE case_id = ?`, caseID); err != nil {
		return bot.CaseTouch{}, fmt.Errorf("drop drafts of case %d: %w", caseID, err)
	}
	ev, err := insertEvent(ctx, tx, caseID, bot.Event{Kind: bot.EventDeleted, Actor: author.Display(), MentionID: mentionID}, now)
	if err != nil {
		return bot.CaseTouch{}, err
	}
	return bot.CaseTouch{Case: c, Event: ev}, nil
}

// redactLabels drops the words labels copied from the post (the problem
// phrase); a label that does not decode is replaced whole.
func redactLabels(stored string) string {
	var l bot.Labels
	if err := json.Unmarshal([]byte(stored), &l); err != nil {
		return "{}"
	}
	l.Problem = ""
	return mustJSON(l)
}
