package bot_test

import (
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
)

// A deletion travels the whole pipeline: the card is redrawn on every
// surface without the quote, and the thread says the post was deleted.
func TestPipelineDeletion(t *testing.T) {
	f := newBot(t)
	ctx := t.Context()
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	post := bot.Mention{Platform: "bluesky", ExternalID: "d1", Text: "@lumio I was charged twice for Lumio+ this month", CreatedAt: at,
		URL: "https://bsky.app/profile/maya.bsky.social/post/d1", Author: bot.Author{Handle: "maya.bsky.social", Followers: 300}}
	res, err := f.bot.IngestBatch(ctx, []bot.Mention{post})
	if err != nil || res[0].Outcome != bot.OutcomeOpened {
		t.Fatalf("ingest = %+v, %v", res, err)
	}
	caseID := res[0].Cases[0].Case.ID
	f.runJobs(t)

	res, err = f.bot.IngestBatch(ctx, []bot.Mention{{Platform: "bluesky", ExternalID: "d1", Deleted: true},
		{Platform: "bluesky", ExternalID: "never-seen", Deleted: true}})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Outcome != bot.OutcomeDeleted || res[1].Outcome != bot.OutcomeIgnored {
		t.Fatalf("outcomes %s, %s; want deleted, ignored", res[0].Outcome, res[1].Outcome)
	}
	f.runJobs(t)

	f.sur.mu.Lock()
	defer f.sur.mu.Unlock()
	if f.sur.posts != 1 {
		t.Errorf("card posted %d times; want once, then updated", f.sur.posts)
	}
	for _, card := range f.sur.cards {
		if card.Case.ID != caseID {
			continue
		}
		if !card.First.Deleted || card.First.Text != "" || card.First.URL != "" || card.Case.Summary != bot.DeletedText {
			t.Errorf("card after deletion: first %+v, summary %q", card.First, card.Case.Summary)
		}
		if len(card.Suggestions) != 0 {
			t.Errorf("drafts answering a deleted post are still on the card: %+v", card.Suggestions)
		}
	}
	var deleted bool
	for _, ev := range f.sur.notes {
		deleted = deleted || ev.Kind == bot.EventDeleted
	}
	if !deleted {
		t.Errorf("notes %+v; want the deletion noted", f.sur.notes)
	}
}

// The customer's closing remark, classified by the built-in classifier,
// resolves a case that waited for them; a complaint reopens it.
func TestPipelineCustomerDone(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bot.CaseState
	}{
		{"thanks, that fixed it!", bot.StateResolved},
		{"merci, c'est réglé", bot.StateResolved},
		{"thanks but it's still broken", bot.StateNew},
		{"thanks for nothing", bot.StateNew},
		{"did you get my DM?", bot.StateNew},
	} {
		t.Run(tc.text, func(t *testing.T) {
			f := newBot(t)
			ctx := t.Context()
			at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
			maya := bot.Author{Handle: "maya.bsky.social", Followers: 300}
			res, err := f.bot.IngestBatch(ctx, []bot.Mention{{Platform: "bluesky", ExternalID: "c1",
				Text: "@lumio I was charged twice for Lumio+ this month", CreatedAt: at, Author: maya}})
			if err != nil {
				t.Fatal(err)
			}
			c := res[0].Cases[0].Case
			if _, err := f.db.UpdateCase(ctx, c.ID, func(c *bot.Case) (bot.CaseChange, error) {
				c.State, c.DueAt = bot.StateAwaitingCustomer, time.Time{}
				return bot.CaseChange{}, nil
			}); err != nil {
				t.Fatal(err)
			}
			res, err = f.bot.IngestBatch(ctx, []bot.Mention{{Platform: "bluesky", ExternalID: "c2", Text: tc.text,
				InReplyTo: "c1", CreatedAt: at.Add(time.Hour), Author: maya}})
			if err != nil {
				t.Fatal(err)
			}
			if got := res[0].Cases[0].Case.State; got != tc.want {
				t.Errorf("state after %q = %s; want %s", tc.text, got, tc.want)
			}
		})
	}
}
