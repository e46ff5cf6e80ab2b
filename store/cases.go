package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/earshothq/earshot/bot"
)

const caseColumns = `id, team, state, platform, customer, first_mention_id, labels, rules,
	assignee, opened_at, updated_at, due_at, rev, summary, url, mentions`

// scanCase reads one row of caseColumns.
func scanCase(r row) (bot.Case, error) {
	var (
		c                       bot.Case
		state                   string
		customer, labels, rules string
		opened, updated         int64
		due                     *int64
	)
	if err := r.Scan(&c.ID, &c.Team, &state, &c.Platform, &customer, &c.FirstMentionID, &labels, &rules,
		&c.Assignee, &opened, &updated, &due, &c.Rev, &c.Summary, &c.URL, &c.Mentions); err != nil {
		return bot.Case{}, err
	}
	c.State = bot.CaseState(state)
	c.OpenedAt = fromMS(&opened)
	c.UpdatedAt = fromMS(&updated)
	c.DueAt = fromMS(due)
	if err := json.Unmarshal([]byte(customer), &c.Customer); err != nil {
		return bot.Case{}, fmt.Errorf("case %d customer: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(labels), &c.Labels); err != nil {
		return bot.Case{}, fmt.Errorf("case %d labels: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(rules), &c.Rules); err != nil {
		return bot.Case{}, fmt.Errorf("case %d rules: %w", c.ID, err)
	}
	if len(c.Rules) == 0 {
		c.Rules = nil
	}
	return c, nil
}

// mustJSON encodes the store's own plain structs, which cannot fail.
func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("store: encode %T: %v", v, err))
	}
	return string(b)
}

func getCase(ctx context.Context, q querier, id int64, suffix string) (bot.Case, error) {
	c, err := scanCase(q.queryRow(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = ?`+suffix, id))
	if errNoRows(err) {
		return bot.Case{}, notFound("case", id)
	}
	if err != nil {
		return bot.Case{}, fmt.Errorf("read case %d: %w", id, err)
	}
	return c, nil
}

// Case returns one case.
func (db *DB) Case(ctx context.Context, id int64) (bot.Case, error) {
	return getCase(ctx, db.be.reader(), id, "")
}

// Cases lists cases newest first.
func (db *DB) Cases(ctx context.Context, f bot.CaseFilter) ([]bot.Case, error) {
	var (
		where []string
		args  []any
	)
	if f.Team != "" {
		where = append(where, "team = ?")
		args = append(args, f.Team)
	}
	if len(f.States) > 0 {
		ph := strings.TrimSuffix(strings.Repeat("?, ", len(f.States)), ", ")
		where = append(where, "state IN ("+ph+")")
		for _, s := range f.States {
			args = append(args, string(s))
		}
	}
	if f.BeforeID > 0 {
		where = append(where, "id < ?")
		args = append(args, f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 1000)
	q := `SELECT ` + caseColumns + ` FROM cases`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, limit)
	rs, err := db.be.reader().query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	defer rs.Close()
	var out []bot.Case
	for rs.Next() {
		c, err := scanCase(rs)
		if err != nil {
			return nil, fmt.Errorf("list cases: %w", err)
		}
		out = append(out, c)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	return out, nil
}

// CaseCounts counts cases per team and state.
func (db *DB) CaseCounts(ctx context.Context) (map[string]map[bot.CaseState]int, error) {
	rs, err := db.be.reader().query(ctx, `SELECT team, state, count(*) FROM cases GROUP BY team, state`)
	if err != nil {
		return nil, fmt.Errorf("count cases: %w", err)
	}
	defer rs.Close()
	out := map[string]map[bot.CaseState]int{}
	for rs.Next() {
		var (
			team, state string
			n           int
		)
		if err := rs.Scan(&team, &state, &n); err != nil {
			return nil, fmt.Errorf("count cases: %w", err)
		}
		if out[team] == nil {
			out[team] = map[bot.CaseState]int{}
		}
		out[team][bot.CaseState(state)] = n
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("count cases: %w", err)
	}
	return out, nil
}

const mentionColumns = `m.id, m.platform, m.external_id, m.url, m.author_id, m.author_handle, m.author_name,
	m.author_followers, m.text, m.lang, m.created_at, m.in_reply_to, m.ours, m.deleted_at`

func scanMention(r row) (bot.Mention, error) {
	var (
		m                bot.Mention
		created, deleted *int64
	)
	if err := r.Scan(&m.ID, &m.Platform, &m.ExternalID, &m.URL, &m.Author.ID, &m.Author.Handle, &m.Author.Name,
		&m.Author.Followers, &m.Text, &m.Lang, &created, &m.InReplyTo, &m.Ours, &deleted); err != nil {
		return bot.Mention{}, err
	}
	m.CreatedAt = fromMS(created)
	// A redacted post reads as a tombstone with its author: surfaces show
	// bot.DeletedText in its place.
	m.Deleted = deleted != nil
	return m, nil
}

// Mention returns one stored mention.
func (db *DB) Mention(ctx context.Context, id int64) (bot.Mention, error) {
	m, err := scanMention(db.be.reader().queryRow(ctx, `SELECT `+mentionColumns+` FROM mentions m WHERE m.id = ?`, id))
	if errNoRows(err) {
		return bot.Mention{}, notFound("mention", id)
	}
	if err != nil {
		return bot.Mention{}, fmt.Errorf("read mention %d: %w", id, err)
	}
	return m, nil
}

const eventColumns = `id, case_id, at, kind, actor, text, mention_id, action_id, url`

func scanEvent(r row) (bot.Event, error) {
	var (
		e               bot.Event
		at              int64
		kind            string
		mention, action *int64
	)
	if err := r.Scan(&e.ID, &e.CaseID, &at, &kind, &e.Actor, &e.Text, &mention, &action, &e.URL); err != nil {
		return bot.Event{}, err
	}
	e.At = fromMS(&at)
	e.Kind = bot.EventKind(kind)
	if mention != nil {
		e.MentionID = *mention
	}
	if action != nil {
		e.ActionID = *action
	}
	return e, nil
}

// Thread returns the case's mentions and events, each oldest first.
func (db *DB) Thread(ctx context.Context, caseID int64) ([]bot.Mention, []bot.Event, error) {
	q := db.be.reader()
	var exists int
	if err := q.queryRow(ctx, `SELECT 1 FROM cases WHERE id = ?`, caseID).Scan(&exists); err != nil {
		if errNoRows(err) {
			return nil, nil, notFound("case", caseID)
		}
		return nil, nil, fmt.Errorf("read thread of case %d: %w", caseID, err)
	}
	rs, err := q.query(ctx, `SELECT `+mentionColumns+` FROM case_mentions cm JOIN mentions m ON m.id = cm.mention_id
		WHERE cm.case_id = ? ORDER BY m.created_at, m.id`, caseID)
	if err != nil {
		return nil, nil, fmt.Errorf("read thread of case %d: %w", caseID, err)
	}
	var ms []bot.Mention
	for rs.Next() {
		m, err := scanMention(rs)
		if err != nil {
			rs.Close()
			return nil, nil, fmt.Errorf("read thread of case %d: %w", caseID, err)
		}
		ms = append(ms, m)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, nil, fmt.Errorf("read thread of case %d: %w", caseID, err)
	}
	rs, err = q.query(ctx, `SELECT `+eventColumns+` FROM events WHERE case_id = ? ORDER BY at, id`, caseID)
	if err != nil {
		return nil, nil, fmt.Errorf("read events of case %d: %w", caseID, err)
	}
	defer rs.Close()
	var es []bot.Event
	for rs.Next() {
		e, err := scanEvent(rs)
		if err != nil {
			return nil, nil, fmt.Errorf("read events of case %d: %w", caseID, err)
		}
		es = append(es, e)
	}
	if err := rs.Err(); err != nil {
		return nil, nil, fmt.Errorf("read events of case %d: %w", caseID, err)
	}
	return ms, es, nil
}

// insertEvent writes ev to caseID's thread; a zero At is now.
func insertEvent(ctx context.Context, tx *txn, caseID int64, ev bot.Event, now time.Time) (bot.Event, error) {
	ev.CaseID = caseID
	if ev.At.IsZero() {
		ev.At = now
	}
	ev.At = roundMS(ev.At)
	err := tx.queryRow(ctx, `INSERT INTO events (case_id, at, kind, actor, text, mention_id, action_id, url)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		caseID, ev.At.UnixMilli(), string(ev.Kind), ev.Actor, ev.Text, nullInt(ev.MentionID), nullInt(ev.ActionID), ev.URL,
	).Scan(&ev.ID)
	if err != nil {
		return bot.Event{}, fmt.Errorf("write %s event on case %d: %w", ev.Kind, caseID, err)
	}
	return ev, nil
}

// writeCase stores every field of c but its id and opening.
func writeCase(ctx context.Context, tx *txn, c bot.Case) error {
	n, err := tx.exec(ctx, `UPDATE cases SET team = ?, state = ?, platform = ?, customer = ?, labels = ?, rules = ?,
		assignee = ?, updated_at = ?, due_at = ?, rev = ?, summary = ?, url = ?, mentions = ? WHERE id = ?`,
		c.Team, string(c.State), c.Platform, mustJSON(c.Customer), mustJSON(c.Labels), mustJSON(rulesOrEmpty(c.Rules)),
		c.Assignee, c.UpdatedAt.UnixMilli(), ms(c.DueAt), c.Rev, c.Summary, c.URL, c.Mentions, c.ID)
	if err != nil {
		return fmt.Errorf("write case %d: %w", c.ID, err)
	}
	if n == 0 {
		return notFound("case", c.ID)
	}
	return nil
}

func rulesOrEmpty(r []string) []string {
	if r == nil {
		return []string{}
	}
	return r
}

// applyChange writes change's events and jobs for case c (already at its
// new revision), filling Rev and negative EventIDs as bot.CaseChange says.
func applyChange(ctx context.Context, tx *txn, c bot.Case, change bot.CaseChange, now time.Time) error {
	evs := make([]bot.Event, len(change.Events))
	for i, ev := range change.Events {
		var err error
		if evs[i], err = insertEvent(ctx, tx, c.ID, ev, now); err != nil {
			return err
		}
	}
	jobs := make([]bot.Job, len(change.Jobs))
	for i, j := range change.Jobs {
		if j.Rev == 0 {
			j.Rev = c.Rev
		}
		if j.CaseID == 0 && j.Kind != bot.JobAction {
			// Changes name jobs of "this case"; the store knows which.
			j.CaseID = c.ID
		}
		if j.EventID < 0 {
			k := int(-j.EventID) - 1
			if k >= len(evs) {
				return fmt.Errorf("case %d job %d (%s): event index %d but %d events", c.ID, i, j.Kind, j.EventID, len(evs))
			}
			j.EventID = evs[k].ID
		}
		jobs[i] = j
	}
	if f := change.Finish; f != nil {
		// Only an action still under way can finish: a second run of the same
		// action's job finds it finished and its whole change is undone.
		n, err := tx.exec(ctx, `UPDATE actions SET status = ?, result = ?, done_at = ? WHERE id = ? AND case_id = ? AND status IN (?, ?)`,
			string(f.Status), f.Result, now.UnixMilli(), f.ActionID, c.ID, string(bot.ActionPending), string(bot.ActionSending))
		if err != nil {
			return fmt.Errorf("finish action %d: %w", f.ActionID, err)
		}
		if n == 0 {
			var st string
			if err := tx.queryRow(ctx, `SELECT status FROM actions WHERE id = ? AND case_id = ?`, f.ActionID, c.ID).Scan(&st); err != nil {
				if errNoRows(err) {
					return notFound("action", f.ActionID)
				}
				return fmt.Errorf("read action %d: %w", f.ActionID, err)
			}
			return fmt.Errorf("action %d is already %s: %w", f.ActionID, st, bot.ErrActionFinished)
		}
	}
	if r := change.Reply; r != nil {
		if r.Platform == "" || r.Ref.ExternalID == "" {
			return fmt.Errorf("case %d: our post needs a platform and an id", c.ID)
		}
		if _, err := tx.exec(ctx, `INSERT INTO replies (platform, external_id, case_id, url, stored_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, r.Platform, r.Ref.ExternalID, c.ID, r.Ref.URL, now.UnixMilli()); err != nil {
			return fmt.Errorf("record our post %s:%s: %w", r.Platform, r.Ref.ExternalID, err)
		}
	}
	if d := change.Drafts; d != nil {
		if err := saveDraftInfo(ctx, tx, c.ID, *d, now); err != nil {
			return err
		}
	}
	if len(change.Suggestions) > 0 {
		if err := replaceSuggestions(ctx, tx, c.ID, change.Suggestions); err != nil {
			return err
		}
	}
	if err := insertChangeTimers(ctx, tx, c, evs, change.Timers); err != nil {
		return err
	}
	if m := change.Mute; m != nil {
		mu := *m
		mu.CaseID = c.ID
		if f := change.Finish; f != nil {
			mu.ActionID = f.ActionID
		}
		if _, err := insertMute(ctx, tx, mu, now); err != nil {
			return err
		}
	}
	_, err := insertJobs(ctx, tx, jobs)
	return err
}

// insertChangeTimers writes a change's timers, filling negative EventIDs
// as for its jobs.
func insertChangeTimers(ctx context.Context, tx *txn, c bot.Case, evs []bot.Event, ts []bot.Timer) error {
	for i := range ts {
		if j := &ts[i].Job; j.EventID < 0 {
			k := int(-j.EventID) - 1
			if k >= len(evs) {
				return fmt.Errorf("case %d timer %d (%s): event index %d but %d events", c.ID, i, j.Kind, j.EventID, len(evs))
			}
			j.EventID = evs[k].ID
		}
	}
	return insertTimers(ctx, tx, c.ID, ts)
}

// bump moves c to its next revision at now.
func bump(c *bot.Case, now time.Time) {
	c.Rev++
	c.UpdatedAt = now
}

// UpdateCase changes a case in one transaction: fn edits it and says what
// to add; the store bumps Rev and UpdatedAt. The id, first mention and
// opening time are the store's and cannot be changed by fn.
func (db *DB) UpdateCase(ctx context.Context, id int64, fn func(c *bot.Case) (bot.CaseChange, error)) (bot.Case, error) {
	var out bot.Case
	err := db.be.withTx(ctx, func(tx *txn) error {
		now := db.now()
		old, err := getCase(ctx, tx, id, tx.forUpdate)
		if err != nil {
			return err
		}
		c := old
		change, err := fn(&c)
		if err != nil {
			return err
		}
		if !c.State.Valid() {
			return fmt.Errorf("unknown state %q", c.State)
		}
		c.ID, c.FirstMentionID, c.OpenedAt, c.Rev = old.ID, old.FirstMentionID, old.OpenedAt, old.Rev
		c.DueAt = roundMS(c.DueAt)
		bump(&c, now)
		// A timer's job acts once: consuming its timer is part of the change.
		if change.FiredTimer != 0 {
			if err := consumeTimer(ctx, tx, c.ID, change.FiredTimer); err != nil {
				return err
			}
		}
		if err := dropStaleTimers(ctx, tx, old, c); err != nil {
			return err
		}
		if err := writeCase(ctx, tx, c); err != nil {
			return err
		}
		if err := applyChange(ctx, tx, c, change, now); err != nil {
			return err
		}
		out = c
		return nil
	})
	if err != nil {
		return bot.Case{}, fmt.Errorf("update case %d: %w", id, err)
	}
	return out, nil
}
