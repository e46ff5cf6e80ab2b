// Package llm drafts replies with a language model on any OpenAI-compatible
// server (OpenAI, Azure OpenAI, Ollama, vLLM, llama.cpp) through go-openai.
// One call per case returns labels, a one-line summary and three replies
// as JSON checked against a schema; every reply is then checked on its own
// (length, links, mentions, signatures, secrets) and dropped with a reason
// when it fails. When the model is slow, down, over budget or unusable, the
// built-in drafter answers instead and the result says why: drafting is
// never in the way of a card, and a model's words are shown, never trusted.
// Nothing here sends anything; drafts go to a person.
package llm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/prompts"
	"github.com/earshothq/earshot/routing"
	lru "github.com/hashicorp/golang-lru/v2"
	openai "github.com/sashabaranov/go-openai"
	"golang.org/x/sync/singleflight"
)

// Builtin is the Origin of suggestions the built-in drafter wrote.
const Builtin = "builtin"

// Limits on what goes into a prompt: a long thread's oldest turns and a
// long post's tail add cost, not understanding.
const (
	maxTurns     = 12
	maxTurnBytes = 4000
)

// Drafter drafts suggestions with a model, falling back to the built-in
// drafter. It is safe for concurrent use.
type Drafter struct {
	cfg      Config
	client   *openai.Client
	prompts  *prompts.Drafter
	fallback bot.Suggester
	sem      chan struct{}
	budget   *budget
	cache    *lru.Cache[string, *answer]
	flight   singleflight.Group
	// jsonObject is set once the server refused json_schema: later calls
	// ask for json_object and rely on the prompt and the checks.
	jsonObject atomic.Bool

	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

var _ bot.Suggester = (*Drafter)(nil)

// New builds a drafter for cfg. fallback (the built-in suggester) answers
// whenever the model cannot.
func New(cfg Config, fallback bot.Suggester) (*Drafter, error) {
	if fallback == nil {
		return nil, errors.New("llm: a fallback suggester is required")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	p, err := prompts.New()
	if err != nil {
		return nil, fmt.Errorf("llm: %w", err)
	}
	cache, err := lru.New[string, *answer](cfg.CacheSize)
	if err != nil {
		return nil, fmt.Errorf("llm: cache of %d: %w", cfg.CacheSize, err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = cfg.MaxConcurrent
	d := &Drafter{
		cfg:      cfg,
		prompts:  p,
		fallback: fallback,
		sem:      make(chan struct{}, cfg.MaxConcurrent),
		cache:    cache,
		now:      time.Now,
		sleep:    sleep,
	}
	d.budget = newBudget(cfg.RequestsPerHour, cfg.TokensPerHour, func() time.Time { return d.now() })
	// No client timeout: each call's context carries the deadline.
	d.client = newClient(cfg, &http.Client{Transport: tr}, time.Now)
	return d, nil
}

// Model is the configured model's name, the Origin of its suggestions.
func (d *Drafter) Model() string { return d.cfg.Model }

// Usage is the current hour's use of the budget.
func (d *Drafter) Usage() Usage { return d.budget.usage() }

// Result is one drafting of a case.
type Result struct {
	Suggestions []bot.Suggestion
	// Origin is the model's name, or Builtin when the built-in drafter answered.
	Origin string
	// Labels and Summary are the model's reading of the case; Labels is
	// nil when the model did not answer.
	Labels  *bot.Labels
	Summary string
	// Note is what the card should say about these drafts: why the
	// built-in drafter answered, or which model drafts were dropped. Empty
	// when the model's three drafts are all there.
	Note string
	// Dropped lists the model's drafts that failed their checks.
	Dropped []Dropped
	// Cached: the model's answer came from the cache, no call was made.
	Cached bool
}

// Dropped is a model draft that did not reach the card.
type Dropped struct {
	Approach, Text, Reason string
}

// Suggest drafts replies for a case (bot.Suggester). The fallback's
// suggestions come back when the model cannot help; Config.OnNote hears why.
func (d *Drafter) Suggest(ctx context.Context, c bot.Case, team bot.Team, thread []bot.Mention) ([]bot.Suggestion, error) {
	r, err := d.Draft(ctx, c, team, thread)
	return r.Suggestions, err
}

// Draft is Suggest with everything learnt on the way.
func (d *Drafter) Draft(ctx context.Context, c bot.Case, team bot.Team, thread []bot.Mention) (Result, error) {
	return d.run(ctx, c, team, thread, "", false)
}

// Regenerate asks the model again for a case, past the cache, optionally
// with a team member's instruction ("shorter", "offer a refund"). The new
// answer replaces the cached one.
func (d *Drafter) Regenerate(ctx context.Context, c bot.Case, team bot.Team, thread []bot.Mention, instruction string) (Result, error) {
	return d.run(ctx, c, team, thread, instruction, true)
}

// job is one prepared drafting request.
type job struct {
	key          string
	system, user string
	check        *checker
}

func (d *Drafter) run(ctx context.Context, c bot.Case, team bot.Team, thread []bot.Mention, instruction string, fresh bool) (Result, error) {
	if c.Labels.Intent == bot.IntentSpam {
		// Nobody answers spam; the built-in drafter knows to draft nothing.
		return d.fallBack(ctx, c, team, thread, "")
	}
	j, err := d.prepare(c, thread, instruction)
	if err != nil {
		return d.fallBack(ctx, c, team, thread, "Built-in drafts: "+err.Error()+".")
	}
	a, cached, err := d.ask(ctx, j, fresh)
	if err != nil {
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
		return d.fallBack(ctx, c, team, thread, "Built-in drafts: "+d.reason(err)+".")
	}
	res := Result{Origin: d.cfg.Model, Labels: &a.Labels, Summary: a.Summary, Cached: cached}
	for _, r := range a.Replies {
		text, why := j.check.reply(r.Text)
		if why != "" {
			res.Dropped = append(res.Dropped, Dropped{Approach: r.Approach, Text: r.Text, Reason: why})
			continue
		}
		res.Suggestions = append(res.Suggestions, bot.Suggestion{CaseID: c.ID, Rank: len(res.Suggestions) + 1,
			Text: text, Approach: r.Approach, Origin: d.cfg.Model})
	}
	if len(res.Suggestions) == 0 {
		fb, err := d.fallBack(ctx, c, team, thread, "Built-in drafts: every model draft failed its checks ("+dropList(res.Dropped)+").")
		fb.Labels, fb.Summary, fb.Dropped, fb.Cached = res.Labels, res.Summary, res.Dropped, cached
		return fb, err
	}
	if len(res.Dropped) > 0 {
		res.Note = fmt.Sprintf("%d model draft(s) dropped: %s.", len(res.Dropped), dropList(res.Dropped))
		d.notify(ctx, c, res.Note)
	}
	return res, nil
}

func dropList(ds []Dropped) string {
	parts := make([]string, len(ds))
	for i, x := range ds {
		parts[i] = x.Approach + " " + x.Reason
	}
	return strings.Join(parts, "; ")
}

// reason says in a card's words why the model did not answer.
func (d *Drafter) reason(err error) string {
	var be *BudgetError
	var oe *OutputError
	var ce *CallError
	switch {
	case errors.As(err, &be):
		return be.Error()
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("the model did not answer within %s", d.cfg.Timeout)
	case errors.As(err, &oe):
		return "the model's answer was unusable (" + oe.Reason + ")"
	case errors.As(err, &ce):
		return ce.Error()
	}
	return "the model failed: " + shorten(oneLine(err.Error()), 160)
}

func (d *Drafter) fallBack(ctx context.Context, c bot.Case, team bot.Team, thread []bot.Mention, note string) (Result, error) {
	sugg, err := d.fallback.Suggest(ctx, c, team, thread)
	if err != nil {
		return Result{}, fmt.Errorf("built-in drafts for case %d: %w", c.ID, err)
	}
	if note != "" {
		d.notify(ctx, c, note)
	}
	return Result{Suggestions: sugg, Origin: Builtin, Note: note}, nil
}

func (d *Drafter) notify(ctx context.Context, c bot.Case, note string) {
	if d.cfg.OnNote != nil {
		d.cfg.OnNote(ctx, c, note)
	}
}

// ask returns the model's answer for j: from the cache unless fresh, else
// from one call shared by every case asking the same thing at once.
func (d *Drafter) ask(ctx context.Context, j *job, fresh bool) (*answer, bool, error) {
	if !fresh {
		if a, ok := d.cache.Get(j.key); ok {
			return a, true, nil
		}
	}
	fkey := j.key
	if fresh {
		fkey = "fresh:" + fkey
	}
	ch := d.flight.DoChan(fkey, func() (any, error) {
		// A call that finished between the lookup above and this flight
		// filled the cache: look again rather than call twice.
		if !fresh {
			if a, ok := d.cache.Get(j.key); ok {
				return a, nil
			}
		}
		// The call serves every case waiting on it, so no one case's
		// cancellation may end it; the timeout does.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.cfg.Timeout)
		defer cancel()
		a, err := d.complete(cctx, j)
		if err != nil {
			return nil, err
		}
		d.cache.Add(j.key, a)
		return a, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, false, r.Err
		}
		return r.Val.(*answer), false, nil
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
}

// complete makes the call: a slot, then the request with retries, then the
// answer parsed against the schema.
func (d *Drafter) complete(ctx context.Context, j *job) (*answer, error) {
	select {
	case d.sem <- struct{}{}:
		defer func() { <-d.sem }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	req := openai.ChatCompletionRequest{
		Model: d.cfg.Model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: j.system},
			{Role: openai.ChatMessageRoleUser, Content: j.user},
		},
		ResponseFormat: &openai.ChatCompletionResponseFormat{
			Type: openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{
				Name: "earshot_drafts", Schema: Schema(), Strict: true,
			},
		},
	}
	resp, err := d.call(ctx, req)
	if err != nil {
		return nil, err
	}
	if len(resp.Choices) == 0 {
		return nil, outputErr("no choices in the response")
	}
	msg := resp.Choices[0].Message
	if msg.Refusal != "" {
		return nil, outputErr("the model refused: %s", shorten(oneLine(msg.Refusal), 80))
	}
	return parseAnswer(msg.Content)
}

// prepare builds the prompts, the cache key and the checks for a case.
func (d *Drafter) prepare(c bot.Case, thread []bot.Mention, instruction string) (*job, error) {
	if len(thread) == 0 {
		return nil, errors.New("no conversation to answer")
	}
	var rules *routing.Rules
	if d.cfg.Rules != nil {
		rules = d.cfg.Rules()
	}
	var brand routing.Brand
	if rules != nil {
		brand = rules.Brand
	}
	last, ok := bot.LatestFrom(thread, c.Customer)
	if !ok {
		last = thread[len(thread)-1]
	}
	platform := strings.ToLower(c.Platform)
	limit := bot.ReplyLimit(platform)
	handle := prompts.CleanHandle(last.Author.Handle)
	if handle == "" {
		handle = prompts.CleanHandle(c.Customer.Handle)
	}
	prefix, modelLimit, name := "", limit, ""
	if prompts.UsesHandles(platform) {
		if handle != "" {
			prefix = "@" + handle + " "
		}
		// The model writes without the handle, for any handle up to the
		// reserve: one answer then serves every reposter alike.
		reserve := max(32, (bot.Length(prefix)+15)/16*16)
		modelLimit = max(limit-reserve, limit/2)
	} else {
		name = oneLine(last.Author.Name)
	}

	var faq routing.FAQ
	if rules != nil && c.Labels.Intent != bot.IntentSafety {
		faq, _ = rules.FAQ(bot.RoutingInput(last, c.Labels))
	}

	turns := thread
	if len(turns) > maxTurns {
		// The first post says what it is about; the latest say where it stands.
		turns = append([]bot.Mention{thread[0]}, thread[len(thread)-maxTurns+1:]...)
	}
	var conv []prompts.Turn
	var keyTurns []string
	for _, m := range turns {
		text := clip(m.Text, maxTurnBytes)
		t := prompts.Turn{Text: text, Ours: m.Ours}
		role := "customer"
		switch {
		case m.Ours:
			role = "us"
		case !c.Customer.Same(m.Author):
			t.Other, t.Author, role = true, m.Author.Handle, "other"
		}
		conv = append(conv, t)
		keyTurns = append(keyTurns, role+":"+normalise(text))
	}

	system, err := d.prompts.SystemPrompt(promptBrand(brand))
	if err != nil {
		return nil, err
	}
	user, err := d.prompts.UserPrompt(prompts.PromptInput{
		Platform: platform, Limit: modelLimit, Handle: handle, HandleAdded: prefix != "", Name: name,
		Labels: prompts.Labels{Sentiment: string(c.Labels.Sentiment), Intent: string(c.Labels.Intent),
			Urgency: string(c.Labels.Urgency), Product: c.Labels.Product, Problem: c.Labels.Problem},
		Conversation: conv, FAQ: faq.Answer, Instruction: instruction,
	})
	if err != nil {
		return nil, err
	}
	key := keyParts{system: system, model: d.cfg.Model, platform: platform, limit: modelLimit,
		intent: string(c.Labels.Intent), faq: faq.Name + "\x00" + faq.Answer, name: name, instruction: instruction, turns: keyTurns}.key()

	links := []string{brand.SupportURL}
	for _, u := range brand.Links {
		links = append(links, u)
	}
	links = append(links, linksIn(faq.Answer)...)
	check := newChecker(platform, limit, prefix, handle, brand.Handles, links, brand.SignOff, brand.Name)
	return &job{key: key, system: system, user: user, check: check}, nil
}

func promptBrand(b routing.Brand) prompts.Brand {
	return prompts.Brand{Name: b.Name, Tone: b.Tone, SignOff: b.SignOff, SupportURL: b.SupportURL, Hours: b.Hours,
		Phone: b.Phone, Links: b.Links, Do: b.Do, Dont: b.Dont}
}

// linksIn lists the https addresses in an FAQ answer.
func linksIn(s string) []string {
	var out []string
	for _, m := range schemeLink.FindAllString(s, -1) {
		out = append(out, trimLink(m))
	}
	return out
}

// clip cuts s to at most n bytes at a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + " …"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// DraftReplies drafts a case for the pipeline (bot.Drafter): a fresh
// request (a regeneration) asks the model again (Regenerate), otherwise it
// may answer from the cache (Draft). The card shows the Result's note, summary
// and labels beside the drafts.
func (d *Drafter) DraftReplies(ctx context.Context, c bot.Case, team bot.Team, thread []bot.Mention, req bot.DraftRequest) (bot.Drafts, error) {
	var (
		r           Result
		err         error
		instruction = req.Instruction
	)
	if req.Fresh || instruction != "" {
		r, err = d.Regenerate(ctx, c, team, thread, instruction)
	} else {
		r, err = d.Draft(ctx, c, team, thread)
	}
	if err != nil {
		return bot.Drafts{}, err
	}
	return bot.Drafts{Suggestions: r.Suggestions, Info: bot.DraftInfo{
		Origin: r.Origin, Note: r.Note, Summary: r.Summary, Reading: r.Labels, Instruction: instruction,
	}}, nil
}

var _ bot.Drafter = (*Drafter)(nil)
