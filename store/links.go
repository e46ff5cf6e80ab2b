package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/earshothq/earshot/bot"
)

// deliveryRetention is how long a tracker delivery id is kept: GitHub
// redelivers for days at most, by hand or by the hook's own retries.
const deliveryRetention = 30 * 24 * time.Hour

const linkColumns = `case_id, tracker, repo, number, url, title, terms, via, notify, state, release_name, noted, linked_at`

func scanLink(r row) (bot.CaseLink, error) {
	var (
		l      bot.CaseLink
		terms  string
		linked int64
	)
	if err := r.Scan(&l.CaseID, &l.Tracker, &l.Repo, &l.Number, &l.URL, &l.Title, &terms, &l.Via, &l.Notify, &l.State,
		&l.Release, &l.Noted, &linked); err != nil {
		return bot.CaseLink{}, err
	}
	if err := json.Unmarshal([]byte(terms), &l.Terms); err != nil {
		return bot.CaseLink{}, fmt.Errorf("link of case %d to %s: terms: %w", l.CaseID, l.Ref(), err)
	}
	l.LinkedAt = fromMS(&linked)
	return l, nil
}

func scanLinks(rs rows, what string) ([]bot.CaseLink, error) {
	defer rs.Close()
	var out []bot.CaseLink
	for rs.Next() {
		l, err := scanLink(rs)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", what, err)
		}
		out = append(out, l)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	return out, nil
}

// CaseLinks returns the issues a case is linked to, oldest link first.
func (db *DB) CaseLinks(ctx context.Context, caseID int64) ([]bot.CaseLink, error) {
	rs, err := db.be.reader().query(ctx, `SELECT `+linkColumns+` FROM case_links WHERE case_id = ? ORDER BY linked_at, number`, caseID)
	if err != nil {
		return nil, fmt.Errorf("read links of case %d: %w", caseID, err)
	}
	return scanLinks(rs, fmt.Sprintf("links of case %d", caseID))
}

// OpenLinks returns the newest links, at most limit, to issues of one
// repository that are still open: the reports a new one may repeat.
func (db *DB) OpenLinks(ctx context.Context, tracker, repo string, limit int) ([]bot.CaseLink, error) {
	if limit <= 0 {
		limit = 500
	}
	rs, err := db.be.reader().query(ctx, `SELECT `+linkColumns+` FROM case_links WHERE tracker = ? AND repo = ? AND state = ?
		ORDER BY linked_at DESC LIMIT ?`, tracker, repo, bot.LinkOpen, limit)
	if err != nil {
		return nil, fmt.Errorf("read open links of %s %s: %w", tracker, repo, err)
	}
	return scanLinks(rs, fmt.Sprintf("open links of %s %s", tracker, repo))
}

// IssueReports counts the cases linked to an issue.
func (db *DB) IssueReports(ctx context.Context, issue bot.Issue) (int, error) {
	var n int
	err := db.be.reader().queryRow(ctx, `SELECT count(*) FROM case_links WHERE tracker = ? AND repo = ? AND number = ?`,
		issue.Tracker, issue.Repo, issue.Number).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count reports of %s: %w", issue.Ref(), err)
	}
	return n, nil
}

// UpdateCaseLink changes a case and its link to link.Issue in one
// transaction. fn sees both as they are now: the stored link, or link
// itself (with a zero LinkedAt) when the case is not linked to that issue
// yet. The store writes the case as UpdateCase does, then the link, then
// the change.
func (db *DB) UpdateCaseLink(ctx context.Context, caseID int64, link bot.CaseLink,
	fn func(c *bot.Case, l *bot.CaseLink) (bot.CaseChange, error)) (bot.Case, error) {
	if link.Tracker == "" || link.Repo == "" || link.Number <= 0 {
		return bot.Case{}, fmt.Errorf("link case %d: issue %q of %q has no tracker, repository or number", caseID, link.Ref(), link.Tracker)
	}
	var out bot.Case
	err := db.be.withTx(ctx, func(tx *txn) error {
		now := db.now()
		old, err := getCase(ctx, tx, caseID, tx.forUpdate)
		if err != nil {
			return err
		}
		l, err := scanLink(tx.queryRow(ctx, `SELECT `+linkColumns+` FROM case_links
			WHERE case_id = ? AND tracker = ? AND repo = ? AND number = ?`+tx.forUpdate, caseID, link.Tracker, link.Repo, link.Number))
		switch {
		case errNoRows(err):
			l = link
			l.LinkedAt = time.Time{}
		case err != nil:
			return fmt.Errorf("read link to %s: %w", link.Ref(), err)
		}
		c := old
		change, err := fn(&c, &l)
		if err != nil {
			return err
		}
		if !c.State.Valid() {
			return fmt.Errorf("unknown state %q", c.State)
		}
		c.ID, c.FirstMentionID, c.OpenedAt, c.Rev = old.ID, old.FirstMentionID, old.OpenedAt, old.Rev
		c.DueAt = roundMS(c.DueAt)
		bump(&c, now)
		if err := writeCase(ctx, tx, c); err != nil {
			return err
		}
		l.CaseID, l.Tracker, l.Repo, l.Number = caseID, link.Tracker, link.Repo, link.Number
		if err := writeLink(ctx, tx, l, now); err != nil {
			return err
		}
		if err := applyChange(ctx, tx, c, change, now); err != nil {
			return err
		}
		out = c
		return nil
	})
	if err != nil {
		return bot.Case{}, fmt.Errorf("update case %d and its link to %s: %w", caseID, link.Ref(), err)
	}
	return out, nil
}

// writeLink inserts or updates one link; a zero LinkedAt is now.
func writeLink(ctx context.Context, tx *txn, l bot.CaseLink, now time.Time) error {
	if l.LinkedAt.IsZero() {
		l.LinkedAt = now
	}
	if l.State == "" {
		l.State = bot.LinkOpen
	}
	terms := l.Terms
	if terms == nil {
		terms = []string{}
	}
	_, err := tx.exec(ctx, `INSERT INTO case_links (`+linkColumns+`, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (case_id, tracker, repo, number) DO UPDATE SET url = excluded.url, title = excluded.title,
		terms = excluded.terms, via = excluded.via, notify = excluded.notify, state = excluded.state,
		release_name = excluded.release_name, noted = excluded.noted, changed_at = excluded.changed_at`,
		l.CaseID, l.Tracker, l.Repo, l.Number, l.URL, l.Title, mustJSON(terms), l.Via, l.Notify, l.State, l.Release, l.Noted,
		l.LinkedAt.UnixMilli(), now.UnixMilli())
	if err != nil {
		return fmt.Errorf("write link of case %d to %s: %w", l.CaseID, l.Ref(), err)
	}
	return nil
}

// RecordIssueEvent applies one tracker delivery once. In one transaction
// it records the delivery id (a redelivery finds it and changes nothing:
// dup is true), moves every link to the issues ev names with next, and
// inserts the jobs next asks for; a job for a case with a zero Rev gets the
// case's revision, so a later delivery's job is not taken for this one's.
// It returns how many links changed.
func (db *DB) RecordIssueEvent(ctx context.Context, ev bot.IssueEvent,
	next func(l bot.CaseLink) (bot.CaseLink, []bot.Job)) (changed int, dup bool, err error) {
	if ev.Tracker == "" || ev.Delivery == "" {
		return 0, false, fmt.Errorf("record %s event: tracker %q or delivery %q empty", ev.Kind, ev.Tracker, ev.Delivery)
	}
	err = db.be.withTx(ctx, func(tx *txn) error {
		now := db.now()
		n, err := tx.exec(ctx, `INSERT INTO tracker_deliveries (tracker, id, kind, received_at) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, ev.Tracker, ev.Delivery, ev.Kind, now.UnixMilli())
		if err != nil {
			return fmt.Errorf("record delivery: %w", err)
		}
		if n == 0 {
			dup = true
			return nil
		}
		if _, err := tx.exec(ctx, `DELETE FROM tracker_deliveries WHERE received_at < ?`, now.Add(-deliveryRetention).UnixMilli()); err != nil {
			return fmt.Errorf("forget old deliveries: %w", err)
		}
		numbers := slices.Compact(slices.Sorted(slices.Values(ev.Numbers)))
		if len(numbers) == 0 || ev.Repo == "" {
			return nil
		}
		args := []any{ev.Tracker, ev.Repo}
		for _, num := range numbers {
			args = append(args, num)
		}
		rs, err := tx.query(ctx, `SELECT `+linkColumns+` FROM case_links WHERE tracker = ? AND repo = ? AND number IN (`+
			strings.TrimSuffix(strings.Repeat("?, ", len(numbers)), ", ")+`) ORDER BY case_id, number`+tx.forUpdate, args...)
		if err != nil {
			return fmt.Errorf("read links to %s: %w", ev.Repo, err)
		}
		links, err := scanLinks(rs, "links to "+ev.Repo)
		if err != nil {
			return err
		}
		var jobs []bot.Job
		for _, l := range links {
			after, js := next(l)
			if after.State != l.State || after.Release != l.Release || after.Noted != l.Noted {
				changed++
				if err := writeLink(ctx, tx, after, now); err != nil {
					return err
				}
			}
			for _, j := range js {
				if j.CaseID != 0 && j.Rev == 0 {
					if err := tx.queryRow(ctx, `SELECT rev FROM cases WHERE id = ?`, j.CaseID).Scan(&j.Rev); err != nil {
						return fmt.Errorf("read revision of case %d: %w", j.CaseID, err)
					}
				}
				jobs = append(jobs, j)
			}
		}
		_, err = insertJobs(ctx, tx, jobs)
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("record %s delivery %s: %w", ev.Tracker, ev.Delivery, err)
	}
	return changed, dup, nil
}

// replaceSuggestions puts s in place of the case's suggestions; a zero
// Rank is the suggestion's 1-based position.
func replaceSuggestions(ctx context.Context, tx *txn, caseID int64, s []bot.Suggestion) error {
	if _, err := tx.exec(ctx, `DELETE FROM suggestions WHERE case_id = ?`, caseID); err != nil {
		return fmt.Errorf("clear suggestions: %w", err)
	}
	for i, sg := range s {
		rank := sg.Rank
		if rank <= 0 {
			rank = i + 1
		}
		if _, err := tx.exec(ctx, `INSERT INTO suggestions (case_id, rank, text, approach, origin) VALUES (?, ?, ?, ?, ?)`,
			caseID, rank, sg.Text, sg.Approach, sg.Origin); err != nil {
			return fmt.Errorf("write suggestion %d: %w", rank, err)
		}
	}
	return nil
}
