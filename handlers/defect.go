package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/classify"
	"github.com/earshothq/earshot/routing"
)

const (
	// keyTerms is how many key terms a case's report keeps for matching.
	keyTerms = 8
	// searchTerms is how many of them a tracker search needs, all at once:
	// fewer would match issues about something else.
	searchTerms = 3
	// minOverlap is how many key terms two reports must share to be the
	// same problem.
	minOverlap = 2
	// openLinks is how many recent open links a new report is compared with.
	openLinks = 500
	// everyPlusOne is how many reports of one issue each get a comment;
	// after that only every report count in plusOneMilestones does, so a
	// storm of reports is a count on the issue, not a thousand comments.
	everyPlusOne = 10

	planPrefix  = "plan:"  // the action is about to write to the tracker
	filedPrefix = "filed:" // the tracker took it; only the record is left
)

// Tracker files defects in an issue tracker (trackers/github). Every
// method may be retried: Filed and Commented find what an interrupted
// File or PlusOne wrote, by the case it names.
type Tracker interface {
	Name() string
	// Find returns open issues of repo about all of terms, best first.
	Find(ctx context.Context, repo string, terms []string) ([]bot.Issue, error)
	// Issue reads one issue and whether it is still open.
	Issue(ctx context.Context, repo string, number int) (bot.Issue, bool, error)
	File(ctx context.Context, repo string, labels []string, r bot.DefectReport) (bot.Issue, error)
	Filed(ctx context.Context, repo string, caseID int64, since time.Time) (bot.Issue, bool, error)
	PlusOne(ctx context.Context, issue bot.Issue, r bot.DefectReport) (string, error)
	Commented(ctx context.Context, issue bot.Issue, caseID int64, since time.Time) (string, bool, error)
}

// LinkStore keeps cases' links to issues (the store).
type LinkStore interface {
	CaseLinks(ctx context.Context, caseID int64) ([]bot.CaseLink, error)
	OpenLinks(ctx context.Context, tracker, repo string, limit int) ([]bot.CaseLink, error)
	IssueReports(ctx context.Context, issue bot.Issue) (int, error)
	// UpdateCaseLink changes a case and its link to link.Issue in one
	// transaction; fn sees the stored link, or link with a zero LinkedAt.
	UpdateCaseLink(ctx context.Context, caseID int64, link bot.CaseLink, fn func(c *bot.Case, l *bot.CaseLink) (bot.CaseChange, error)) (bot.Case, error)
	// RecordIssueEvent applies a tracker delivery once (dup when it was).
	RecordIssueEvent(ctx context.Context, ev bot.IssueEvent, next func(bot.CaseLink) (bot.CaseLink, []bot.Job)) (int, bool, error)
}

// DefectConfig is what filing defects and closing the loop need. With no
// Tracker (or no repository for the team) a defect is kept on the case.
type DefectConfig struct {
	Tracker Tracker
	Links   LinkStore
	// Where says where a team's defects go (the rules in force).
	Where func(team string) routing.Defects
	// Brand is the brand in force: its name and products for the report,
	// its voice for the follow-up.
	Brand func() routing.Brand
	// CaseURL is a case's address in the web inbox, for the issue; nil or
	// "" when earshot has no public address.
	CaseURL func(id int64) string
}

func (d DefectConfig) on() bool { return d.Tracker != nil && d.Links != nil && d.Where != nil }

// plusOneMilestones are the report counts past everyPlusOne that comment.
var plusOneMilestones = []int{20, 50, 100, 200, 500, 1000, 2000, 5000, 10000}

// commentsAt reports whether the reports-th report of an issue comments.
func commentsAt(reports int) bool {
	return reports <= everyPlusOne || slices.Contains(plusOneMilestones, reports)
}

// repoLocks serialise filing per repository within a process: two reports
// of a new problem at once would otherwise both find no issue and open two.
type repoLocks struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

func (r *repoLocks) lock(repo string) func() {
	r.mu.Lock()
	if r.locks == nil {
		r.locks = map[string]*sync.Mutex{}
	}
	l, ok := r.locks[repo]
	if !ok {
		l = &sync.Mutex{}
		r.locks[repo] = l
	}
	r.mu.Unlock()
	l.Lock()
	return l.Unlock
}

// defectPlan is what a defect action is about to do, noted on the action
// before the tracker is called, so a retry after a crash knows what to
// look for.
type defectPlan struct {
	Repo  string   `json:"repo"`
	Terms []string `json:"terms,omitempty"`
	// Issue is the open issue to "+1"; zero to open a new one.
	Issue bot.Issue `json:"issue,omitzero"`
}

// defectDone is what the tracker took.
type defectDone struct {
	Issue   bot.Issue `json:"issue"`
	Via     string    `json:"via"`
	Comment string    `json:"comment,omitempty"`
	Terms   []string  `json:"terms,omitempty"`
}

// defect files the customer's problem. With a tracker for the team it
// first looks for an open issue already tracking it — the cases earshot
// linked (shared key terms), then the tracker's search — and adds "+1 from
// another customer" there, or opens a new issue; the case is linked and
// goes to "defect filed", all in one step. Without one the defect is kept
// on the case, titled, for engineering to pick up from the inbox.
func (h *Handlers) defect(ctx context.Context, a bot.Action, c bot.Case) error {
	title := defectTitle(a, c)
	where := routing.Defects{}
	if h.defects.on() {
		where = h.defects.Where(c.Team)
	}
	if !where.Set() {
		text := "Defect recorded: " + title
		_, err := h.store.UpdateCase(ctx, c.ID, func(cc *bot.Case) (bot.CaseChange, error) {
			cc.State = bot.StateDefectFiled
			return h.change(a, bot.Event{Kind: bot.EventDefect, Text: text}, text), nil
		})
		if err != nil {
			return fmt.Errorf("file defect for case %d: %w", c.ID, err)
		}
		return nil
	}
	links, err := h.defects.Links.CaseLinks(ctx, c.ID)
	if err != nil {
		return fmt.Errorf("read links of case %d: %w", c.ID, err)
	}
	if len(links) > 0 {
		// A rule and a person both asked, or a second tab: the case is
		// tracked already.
		msg := "already linked to " + links[0].Ref()
		if err := h.store.FinishAction(ctx, a.ID, bot.ActionSkipped, msg, h.now()); err != nil {
			return fmt.Errorf("finish action %d: %w", a.ID, err)
		}
		return nil
	}
	rep, err := h.report(ctx, a, c)
	if err != nil {
		return err
	}
	repo := strings.ToLower(where.GitHub.Repo)
	defer h.repoMu.lock(repo)()
	plan := defectPlan{Repo: repo, Terms: h.keyTerms(rep.Text)}
	if plan.Issue, err = h.sameProblem(ctx, repo, plan.Terms); err != nil {
		return err
	}
	note, _ := json.Marshal(plan)
	if err := h.store.FinishAction(ctx, a.ID, bot.ActionSending, planPrefix+string(note), h.now()); err != nil {
		return fmt.Errorf("mark action %d sending: %w", a.ID, err)
	}
	return h.sendDefect(ctx, a, c, plan, rep, where)
}

// sendDefect writes the plan to the tracker and records it.
func (h *Handlers) sendDefect(ctx context.Context, a bot.Action, c bot.Case, plan defectPlan, rep bot.DefectReport, where routing.Defects) error {
	done := defectDone{Terms: plan.Terms}
	var err error
	if plan.Issue.Number > 0 {
		if rep.Reports, err = h.defects.Links.IssueReports(ctx, plan.Issue); err != nil {
			return fmt.Errorf("count reports of %s: %w", plan.Issue.Ref(), err)
		}
		rep.Reports++ // this one
		done.Issue, done.Via = plan.Issue, bot.ViaPlusOne
		if commentsAt(rep.Reports) {
			done.Comment, err = h.defects.Tracker.PlusOne(ctx, plan.Issue, rep)
		}
	} else {
		done.Via = bot.ViaFiled
		done.Issue, err = h.defects.Tracker.File(ctx, plan.Repo, where.GitHub.Labels, rep)
	}
	if err != nil {
		var retry *bot.RetryError
		if errors.As(err, &retry) {
			// Refused before anything was written (a rate limit): plan again
			// later, the issue may have changed meanwhile.
			if perr := h.store.FinishAction(ctx, a.ID, bot.ActionPending, err.Error(), h.now()); perr != nil {
				return fmt.Errorf("reset action %d: %w", a.ID, perr)
			}
			return err
		}
		// Anything else may have been written: the action stays "sending"
		// with its plan, and the retry looks for the marker first.
		return fmt.Errorf("file defect for case %d in %s: %w", c.ID, plan.Repo, err)
	}
	note, _ := json.Marshal(done)
	if err := h.store.FinishAction(ctx, a.ID, bot.ActionSending, filedPrefix+string(note), h.now()); err != nil {
		return fmt.Errorf("note that action %d filed %s: %w", a.ID, done.Issue.Ref(), err)
	}
	return h.recordDefect(ctx, a, c, done, plan.Terms, where.NotifyOn)
}

// resumeDefect finishes a defect action found mid-flight: what the tracker
// took is recorded; otherwise the marker tells whether the interrupted
// call got through, and it is made again only when it did not. A
// permanent failure fails the action, visibly, as Execute does.
func (h *Handlers) resumeDefect(ctx context.Context, a bot.Action, c bot.Case) error {
	err := h.resumeDefectOnce(ctx, a, c)
	if err != nil && bot.IsPermanent(err) {
		return h.fail(ctx, a, err.Error())
	}
	return err
}

func (h *Handlers) resumeDefectOnce(ctx context.Context, a bot.Action, c bot.Case) error {
	where := routing.Defects{}
	if h.defects.on() {
		where = h.defects.Where(c.Team)
	}
	if rest, ok := strings.CutPrefix(a.Result, filedPrefix); ok {
		var done defectDone
		if err := json.Unmarshal([]byte(rest), &done); err == nil && done.Issue.Number > 0 {
			return h.recordDefect(ctx, a, c, done, done.Terms, where.NotifyOn)
		}
	}
	rest, ok := strings.CutPrefix(a.Result, planPrefix)
	var plan defectPlan
	if !ok || json.Unmarshal([]byte(rest), &plan) != nil || plan.Repo == "" || !h.defects.on() {
		return h.fail(ctx, a, "interrupted while filing; the outcome is unknown, check the tracker before trying again")
	}
	defer h.repoMu.lock(plan.Repo)()
	if plan.Issue.Number > 0 {
		url, found, err := h.defects.Tracker.Commented(ctx, plan.Issue, c.ID, a.At)
		if err != nil {
			return fmt.Errorf("look for the +1 of case %d on %s: %w", c.ID, plan.Issue.Ref(), err)
		}
		if found {
			return h.recordDefect(ctx, a, c, defectDone{Issue: plan.Issue, Via: bot.ViaPlusOne, Comment: url}, plan.Terms, where.NotifyOn)
		}
	} else {
		is, found, err := h.defects.Tracker.Filed(ctx, plan.Repo, c.ID, a.At)
		if err != nil {
			return fmt.Errorf("look for the issue of case %d in %s: %w", c.ID, plan.Repo, err)
		}
		if found {
			return h.recordDefect(ctx, a, c, defectDone{Issue: is, Via: bot.ViaFiled}, plan.Terms, where.NotifyOn)
		}
	}
	rep, err := h.report(ctx, a, c)
	if err != nil {
		return err
	}
	if where.GitHub.Repo == "" {
		where.GitHub.Repo = plan.Repo
	}
	return h.sendDefect(ctx, a, c, plan, rep, where)
}

// recordDefect links the case to the issue, moves it to "defect filed" and
// tells the thread, with the action done, in one transaction.
func (h *Handlers) recordDefect(ctx context.Context, a bot.Action, c bot.Case, done defectDone, terms []string, notify string) error {
	if notify == "" {
		notify = routing.NotifyClosed
	}
	link := bot.CaseLink{Issue: done.Issue, Terms: terms, Via: done.Via, Notify: notify, State: bot.LinkOpen}
	text, url, quiet := "Filed "+done.Issue.Ref(), done.Issue.URL, false
	if done.Via == bot.ViaPlusOne {
		text = "Added \"+1 from another customer\" to " + done.Issue.Ref()
		if done.Comment != "" {
			url = done.Comment
		} else {
			text, quiet = "Linked to "+done.Issue.Ref(), true
		}
	}
	if done.Issue.Title != "" {
		text += ": " + done.Issue.Title
	}
	if quiet {
		text += " (counted among many reports; no comment added)"
	}
	_, err := h.defects.Links.UpdateCaseLink(ctx, c.ID, link, func(cc *bot.Case, l *bot.CaseLink) (bot.CaseChange, error) {
		cc.State = bot.StateDefectFiled
		return h.change(a, bot.Event{Kind: bot.EventDefect, Text: text, URL: url}, done.Issue.URL), nil
	})
	if err != nil {
		return fmt.Errorf("record defect %s of case %d: %w", done.Issue.Ref(), c.ID, err)
	}
	return nil
}

// sameProblem finds an open issue already tracking the problem of terms:
// first a case earshot linked whose report shares enough key terms (and
// whose issue is still open), then the tracker's search on the most
// telling terms. Zero when there is none.
func (h *Handlers) sameProblem(ctx context.Context, repo string, terms []string) (bot.Issue, error) {
	if len(terms) < minOverlap {
		return bot.Issue{}, nil // too little to tell one problem from another
	}
	links, err := h.defects.Links.OpenLinks(ctx, h.defects.Tracker.Name(), repo, openLinks)
	if err != nil {
		return bot.Issue{}, fmt.Errorf("read open links of %s: %w", repo, err)
	}
	best, bestN := bot.Issue{}, 0
	checked := map[int]bool{}
	for _, l := range links { // newest first: on a tie the newest wins
		n := classify.Overlap(terms, l.Terms)
		if n < minOverlap || 2*n < min(len(terms), len(l.Terms)) || n <= bestN || checked[l.Number] {
			continue
		}
		checked[l.Number] = true
		is, open, err := h.defects.Tracker.Issue(ctx, repo, l.Number)
		if bot.IsPermanent(err) {
			continue // deleted or moved: not where this report goes
		}
		if err != nil {
			return bot.Issue{}, fmt.Errorf("read %s: %w", l.Ref(), err)
		}
		if open {
			best, bestN = is, n
		}
	}
	if best.Number > 0 {
		return best, nil
	}
	found, err := h.defects.Tracker.Find(ctx, repo, terms[:min(searchTerms, len(terms))])
	if err != nil {
		return bot.Issue{}, fmt.Errorf("search %s: %w", repo, err)
	}
	if len(found) > 0 {
		return found[0], nil
	}
	return bot.Issue{}, nil
}

// report is what the tracker is told: the customer's words (every post of
// theirs in the thread), where and who, the product details found, and
// the case.
func (h *Handlers) report(ctx context.Context, a bot.Action, c bot.Case) (bot.DefectReport, error) {
	ms, _, err := h.store.Thread(ctx, c.ID)
	if err != nil {
		return bot.DefectReport{}, fmt.Errorf("load thread of case %d: %w", c.ID, err)
	}
	var texts []string
	var first bot.Mention
	for _, m := range ms {
		if m.Ours || !c.Customer.Same(m.Author) {
			continue
		}
		if first.ID == 0 {
			first = m
		}
		texts = append(texts, m.Text)
	}
	if first.ID == 0 && len(ms) > 0 {
		first = ms[0]
		texts = []string{first.Text}
	}
	text := strings.Join(texts, "\n\n")
	rep := bot.DefectReport{
		CaseID: c.ID, Title: defectTitle(a, c), Text: text, URL: first.URL, Platform: c.Platform,
		Author: first.Author.Handle, Followers: first.Author.Followers,
		Details: classify.ProductDetails(text, h.products()),
	}
	if rep.Details.Product == "" && c.Labels.Product != "" {
		rep.Details.Product = c.Labels.Product
	}
	if h.defects.CaseURL != nil {
		rep.CaseURL = h.defects.CaseURL(c.ID)
	}
	return rep, nil
}

// products are the names the report looks for: the brand's products, then
// the brand (longest named wins).
func (h *Handlers) products() []string {
	if h.defects.Brand == nil {
		return nil
	}
	b := h.defects.Brand()
	out := append([]string{}, b.Products...)
	if b.Name != "" {
		out = append(out, b.Name)
	}
	return out
}

// keyTerms are text's key terms without the brand's and products' names,
// which every report shares.
func (h *Handlers) keyTerms(text string) []string {
	return classify.KeyTerms(text, h.products(), keyTerms)
}

// defectTitle is the person's title, or what classification found, or the
// start of what the customer said.
func defectTitle(a bot.Action, c bot.Case) string {
	if t := strings.TrimSpace(a.Text); t != "" {
		return t
	}
	t := strings.TrimSpace(c.Labels.Problem)
	if t == "" {
		t = strings.Join(strings.Fields(c.Summary), " ")
	}
	if p := c.Labels.Product; p != "" && t != "" && !strings.Contains(strings.ToLower(t), strings.ToLower(p)) {
		t = p + ": " + t
	}
	return t
}
