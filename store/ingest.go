package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/rivo/uniseg"

	"github.com/earshothq/earshot/bot"
)

// summaryLen is how many characters of the first mention a case keeps for lists.
const summaryLen = 140

// Ingest stores a batch in one transaction. For each mention in order: a
// repeat of a stored (platform, id) is OutcomeDuplicate and changes nothing;
// a reply to a post in one or more cases (a customer's mention or one of our
// replies) joins those cases, reopening them when the customer writes again
// on a case that waited for them or was closed as resolved; otherwise each
// routed team gets a new case. Then plan's jobs for every result are
// inserted in the same transaction, so a crash and a replay of the batch
// store each mention, and insert each job, once.
func (db *DB) Ingest(ctx context.Context, batch []bot.Incoming, plan bot.JobPlan) ([]bot.IngestResult, error) {
	if len(batch) == 0 {
		return nil, nil
	}
	var out []bot.IngestResult
	err := db.be.withTx(ctx, func(tx *txn) error {
		now := db.now()
		out = make([]bot.IngestResult, len(batch))
		var jobs []bot.Job
		for i, in := range batch {
			r, err := ingestOne(ctx, tx, in, now)
			if err != nil {
				return fmt.Errorf("mention %d of %d (%s): %w", i+1, len(batch), in.Mention.Key(), err)
			}
			out[i] = r
			if plan != nil {
				jobs = append(jobs, plan(r)...)
			}
		}
		_, err := insertJobs(ctx, tx, jobs)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("ingest %d mentions: %w", len(batch), err)
	}
	return out, nil
}

func ingestOne(ctx context.Context, tx *txn, in bot.Incoming, now time.Time) (bot.IngestResult, error) {
	m := in.Mention
	if m.Platform == "" || m.ExternalID == "" {
		return bot.IngestResult{}, fmt.Errorf("mention without platform or id")
	}
	if m.Deleted {
		return ingestTombstone(ctx, tx, m, now)
	}
	// A deletion may have come first: the post is then stored redacted,
	// and opens or extends nothing (deletions.go).
	deletedAt, err := takeTombstone(ctx, tx, m)
	if err != nil {
		return bot.IngestResult{}, err
	}
	if deletedAt != nil {
		return storeDeleted(ctx, tx, in, *deletedAt, now)
	}
	var id int64
	err = tx.queryRow(ctx, `INSERT INTO mentions (platform, external_id, url, author_id, author_handle, author_name,
		author_followers, text, lang, created_at, in_reply_to, ours, labels, stored_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING RETURNING id`,
		m.Platform, m.ExternalID, m.URL, m.Author.ID, m.Author.Handle, m.Author.Name,
		m.Author.Followers, m.Text, m.Lang, ms(m.CreatedAt), m.InReplyTo, m.Ours, mustJSON(in.Labels), now.UnixMilli(),
	).Scan(&id)
	if errNoRows(err) {
		if err := tx.queryRow(ctx, `SELECT id FROM mentions WHERE platform = ? AND external_id = ?`,
			m.Platform, m.ExternalID).Scan(&id); err != nil {
			return bot.IngestResult{}, fmt.Errorf("find stored duplicate: %w", err)
		}
		return bot.IngestResult{MentionID: id, Outcome: bot.OutcomeDuplicate}, nil
	}
	if err != nil {
		return bot.IngestResult{}, fmt.Errorf("store mention: %w", err)
	}
	m.ID = id
	res := bot.IngestResult{MentionID: id, Outcome: bot.OutcomeStored}

	if m.InReplyTo != "" {
		parents, err := threadCases(ctx, tx, m.Platform, m.InReplyTo)
		if err != nil {
			return bot.IngestResult{}, err
		}
		if len(parents) > 0 {
			for _, cid := range parents {
				t, err := extendCase(ctx, tx, cid, m, in.Labels.Done, in.ClockFor, now)
				if err != nil {
					return bot.IngestResult{}, err
				}
				res.Cases = append(res.Cases, t)
			}
			res.Outcome = bot.OutcomeExtended
			return res, nil
		}
	}
	if m.Ours {
		return res, nil // our own posts never open a case
	}
	seen := map[string]bool{}
	for _, team := range in.Teams {
		if team == "" || seen[team] {
			continue
		}
		seen[team] = true
		t, err := openCase(ctx, tx, m, in, team, now)
		if err != nil {
			return bot.IngestResult{}, err
		}
		res.Cases = append(res.Cases, t)
	}
	if len(res.Cases) > 0 {
		res.Outcome = bot.OutcomeOpened
	}
	return res, nil
}

// threadCases finds the cases a reply to (platform, parent) belongs to: the
// cases holding that mention, and the case we posted it from.
func threadCases(ctx context.Context, tx *txn, platform, parent string) ([]int64, error) {
	rs, err := tx.query(ctx, `SELECT cm.case_id FROM mentions p JOIN case_mentions cm ON cm.mention_id = p.id
		WHERE p.platform = ? AND p.external_id = ?
		UNION
		SELECT case_id FROM replies WHERE platform = ? AND external_id = ?
		ORDER BY 1`, platform, parent, platform, parent)
	if err != nil {
		return nil, fmt.Errorf("find thread of %s:%s: %w", platform, parent, err)
	}
	defer rs.Close()
	var ids []int64
	for rs.Next() {
		var id int64
		if err := rs.Scan(&id); err != nil {
			return nil, fmt.Errorf("find thread of %s:%s: %w", platform, parent, err)
		}
		ids = append(ids, id)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("find thread of %s:%s: %w", platform, parent, err)
	}
	return ids, nil
}

// reopens are the states a customer's new message puts back in the queue.
func reopens(s bot.CaseState) bool {
	return s == bot.StateAwaitingCustomer || s == bot.StateReplied || s == bot.StateResolved
}

func extendCase(ctx context.Context, tx *txn, caseID int64, m bot.Mention, done string, clock func(team string) bot.SLAClock, now time.Time) (bot.CaseTouch, error) {
	c, err := getCase(ctx, tx, caseID, tx.forUpdate)
	if err != nil {
		return bot.CaseTouch{}, err
	}
	old := c
	if _, err := tx.exec(ctx, `INSERT INTO case_mentions (case_id, mention_id) VALUES (?, ?) ON CONFLICT DO NOTHING`,
		caseID, m.ID); err != nil {
		return bot.CaseTouch{}, fmt.Errorf("add mention %d to case %d: %w", m.ID, caseID, err)
	}
	kind := bot.EventFollowUp
	if m.Ours {
		kind = bot.EventOurPost
	}
	ev, err := insertEvent(ctx, tx, caseID, mentionEvent(kind, m), now)
	if err != nil {
		return bot.CaseTouch{}, err
	}
	bump(&c, now)
	var also []bot.Event
	if !m.Ours {
		// Case.Mentions counts the customer's side of the conversation.
		c.Mentions++
		if done != "" && waitsForCustomer(c.State) && c.Customer.Same(m.Author) {
			// The customer closed the conversation themselves (done.go).
			if also, err = customerDone(ctx, tx, old, &c, done, now); err != nil {
				return bot.CaseTouch{}, err
			}
		} else if reopens(c.State) && c.Customer.Same(m.Author) {
			// The clock restarts: a new due time, and timers for it.
			var timers []bot.Timer
			c.State = bot.StateNew
			c.DueAt, timers = bot.SLATimers(clock(c.Team), now)
			if _, err := insertEvent(ctx, tx, caseID, bot.Event{Kind: bot.EventReopened, MentionID: m.ID}, now); err != nil {
				return bot.CaseTouch{}, err
			}
			if err := dropStaleTimers(ctx, tx, old, c); err != nil {
				return bot.CaseTouch{}, err
			}
			if err := insertTimers(ctx, tx, caseID, timers); err != nil {
				return bot.CaseTouch{}, err
			}
		}
	}
	if err := writeCase(ctx, tx, c); err != nil {
		return bot.CaseTouch{}, err
	}
	return bot.CaseTouch{Case: c, Event: ev, Also: also}, nil
}

func openCase(ctx context.Context, tx *txn, m bot.Mention, in bot.Incoming, team string, now time.Time) (bot.CaseTouch, error) {
	dueAt, timers := bot.SLATimers(in.ClockFor(team), now)
	c := bot.Case{
		Team:           team,
		State:          bot.StateNew,
		Platform:       m.Platform,
		Customer:       m.Author,
		FirstMentionID: m.ID,
		Labels:         in.LabelsFor(team),
		Rules:          in.Rules,
		OpenedAt:       now,
		UpdatedAt:      now,
		DueAt:          dueAt,
		Rev:            1,
		Summary:        summarize(m.Text, summaryLen),
		URL:            m.URL,
		Mentions:       1,
	}
	if len(c.Rules) == 0 {
		c.Rules = nil
	}
	err := tx.queryRow(ctx, `INSERT INTO cases (team, state, platform, customer, first_mention_id, labels, rules,
		assignee, opened_at, updated_at, due_at, rev, summary, url, mentions)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.Team, string(c.State), c.Platform, mustJSON(c.Customer), c.FirstMentionID, mustJSON(c.Labels), mustJSON(rulesOrEmpty(c.Rules)),
		c.Assignee, c.OpenedAt.UnixMilli(), c.UpdatedAt.UnixMilli(), ms(c.DueAt), c.Rev, c.Summary, c.URL, c.Mentions,
	).Scan(&c.ID)
	if err != nil {
		return bot.CaseTouch{}, fmt.Errorf("open case for team %q: %w", team, err)
	}
	if _, err := tx.exec(ctx, `INSERT INTO case_mentions (case_id, mention_id) VALUES (?, ?)`, c.ID, m.ID); err != nil {
		return bot.CaseTouch{}, fmt.Errorf("add mention %d to case %d: %w", m.ID, c.ID, err)
	}
	if err := insertTimers(ctx, tx, c.ID, timers); err != nil {
		return bot.CaseTouch{}, err
	}
	ev, err := insertEvent(ctx, tx, c.ID, mentionEvent(bot.EventOpened, m), now)
	if err != nil {
		return bot.CaseTouch{}, err
	}
	return bot.CaseTouch{Case: c, Opened: true, Event: ev}, nil
}

// mentionEvent is the thread line for a mention: who wrote, what (short), where.
func mentionEvent(kind bot.EventKind, m bot.Mention) bot.Event {
	return bot.Event{
		Kind:      kind,
		Actor:     m.Author.Display(),
		Text:      summarize(m.Text, summaryLen),
		MentionID: m.ID,
		URL:       m.URL,
	}
}

// summarize collapses whitespace and shortens s to at most n characters
// (grapheme clusters), cutting at a word boundary when there is one in the
// second half, and marking the cut with an ellipsis.
func summarize(s string, n int) string {
	s = strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
	if uniseg.GraphemeClusterCount(s) <= n {
		return s
	}
	var (
		b        strings.Builder
		count    int
		lastWord = -1 // byte length of b at the last space
		g        = uniseg.NewGraphemes(s)
	)
	for g.Next() && count < n-1 {
		c := g.Str()
		if c == " " {
			lastWord = b.Len()
		}
		b.WriteString(c)
		count++
	}
	out := b.String()
	if lastWord > len(out)/2 {
		out = out[:lastWord]
	}
	return strings.TrimRight(out, " ,;:.-") + "…"
}
