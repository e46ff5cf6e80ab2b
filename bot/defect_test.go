package bot_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/store"
)

func TestCaseLinkNext(t *testing.T) {
	base := bot.CaseLink{Issue: bot.Issue{Tracker: "github", Repo: "lumio/app", Number: 412}, State: bot.LinkOpen, Notify: routing.NotifyClosed}
	onRelease := base
	onRelease.Notify = routing.NotifyReleased
	closed := func(reason string) bot.IssueEvent {
		return bot.IssueEvent{Kind: bot.IssueClosed, Repo: "lumio/app", Numbers: []int{412}, Reason: reason}
	}
	released := bot.IssueEvent{Kind: bot.IssueReleased, Repo: "lumio/app", Numbers: []int{7, 412}, Release: "4.2"}
	with := func(l bot.CaseLink, state, release, noted string) bot.CaseLink {
		l.State, l.Release, l.Noted = state, release, noted
		return l
	}
	cases := []struct {
		name   string
		link   bot.CaseLink
		ev     bot.IssueEvent
		state  string
		rel    string
		untold bool
	}{
		{"closed as completed", base, closed("completed"), bot.LinkFixed, "", true},
		{"closed without a reason", base, closed(""), bot.LinkFixed, "", true},
		{"closed as not planned", base, closed("not_planned"), bot.LinkNotPlanned, "", true},
		{"closed as duplicate", onRelease, closed("duplicate"), bot.LinkDuplicate, "", true},
		{"closed, waiting for the release", onRelease, closed("completed"), bot.LinkClosed, "", false},
		{"released after close", with(onRelease, bot.LinkClosed, "", ""), released, bot.LinkReleased, "4.2", true},
		{"released before close", onRelease, released, bot.LinkReleased, "4.2", true},
		{"release for a link told on close names it", with(base, bot.LinkFixed, "", bot.LinkFixed), released, bot.LinkFixed, "4.2", false},
		{"release of an open issue told on close", base, released, bot.LinkOpen, "", false},
		{"reopened", with(base, bot.LinkFixed, "", bot.LinkFixed), bot.IssueEvent{Kind: bot.IssueReopened, Repo: "lumio/app", Numbers: []int{412}}, bot.LinkOpen, "", false},
		{"closed again after told", with(base, bot.LinkOpen, "", bot.LinkFixed), closed("completed"), bot.LinkFixed, "", false},
		{"another issue", base, bot.IssueEvent{Kind: bot.IssueClosed, Repo: "lumio/app", Numbers: []int{413}}, bot.LinkOpen, "", false},
		{"another repo", base, bot.IssueEvent{Kind: bot.IssueClosed, Repo: "lumio/hub", Numbers: []int{412}}, bot.LinkOpen, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.link.Next(c.ev)
			if got.State != c.state || got.Release != c.rel || got.Untold() != c.untold {
				t.Errorf("Next = state %s release %q untold %v, want %s %q %v", got.State, got.Release, got.Untold(), c.state, c.rel, c.untold)
			}
		})
	}
}

const autoRules = `
brand: {name: Lumio}
teams: {care: {}, product: {}}
route:
  name: brand
  any: [lumio]
  team: care
  routes:
    - {name: crashes, any: [crash], team: product, file_defect: true}
`

// A case a file_defect route opens gets an auto-defect job; others do not,
// and nothing is planned when no handler takes the job.
func TestAutoDefectJobIsPlanned(t *testing.T) {
	ctx := t.Context()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "e.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	rules, err := routing.Parse("earshot.yaml", []byte(autoRules))
	if err != nil {
		t.Fatal(err)
	}
	sugg, err := bot.NewBuiltinSuggester(func() routing.Brand { return rules.Brand })
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var auto []int64
	b, err := bot.New(bot.Config{Store: db, Rules: rules, Classifier: bot.NewBuiltinClassifier(), Suggester: sugg,
		Jobs: map[bot.JobKind]bot.JobHandler{bot.JobAutoDefect: func(_ context.Context, j bot.Job) error {
			mu.Lock()
			defer mu.Unlock()
			auto = append(auto, j.CaseID)
			return nil
		}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := b.IngestBatch(ctx, []bot.Mention{
		{Platform: "bluesky", ExternalID: "c1", Text: "lumio app crash on start"},
		{Platform: "bluesky", ExternalID: "c2", Text: "lumio is lovely"},
	})
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{db: db, bot: b}
	f.runJobs(t)
	mu.Lock()
	defer mu.Unlock()
	if want := res[0].Cases[0].Case.ID; len(auto) != 1 || auto[0] != want {
		t.Fatalf("auto-defect jobs for cases %v, want [%d]", auto, want)
	}
}
