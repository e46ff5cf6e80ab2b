package llm

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/prompts"
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/sources/replay"
)

var examples = flag.Bool("examples", false, "print before/after examples of built-in drafts for the sample mentions")

// sampleCase is one bundled sample mention that opens a case, as the
// pipeline sees it.
type sampleCase struct {
	m      bot.Mention
	labels bot.Labels
	faq    routing.FAQ
}

func sampleCases(t testing.TB) []sampleCase {
	t.Helper()
	rules := routing.Example()
	cl := bot.NewBuiltinClassifier()
	var out []sampleCase
	_, err := replay.Scan(bytes.NewReader(replay.Sample()), func(_ int, m bot.Mention) error {
		l := cl.Classify(m)
		in := bot.RoutingInput(m, l)
		if len(rules.Match(in).Teams) == 0 {
			return nil // not about us, or excluded: no case, no drafts
		}
		f, _ := rules.FAQ(in)
		out = append(out, sampleCase{m: m, labels: l, faq: f})
		return nil
	}, func(line int, err error) { t.Errorf("sample line %d: %v", line, err) })
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// builtinDrafts is the built-in fallback as bot.BuiltinSuggester runs it,
// plus the FAQ answer the rules file has for the post.
func builtinDrafts(t testing.TB, d *prompts.Drafter, b routing.Brand, sc sampleCase) []prompts.Draft {
	t.Helper()
	ds, err := d.Drafts(prompts.DraftInput{
		Brand: promptBrand(b), Platform: sc.m.Platform, Limit: bot.ReplyLimit(sc.m.Platform),
		Handle: sc.m.Author.Handle, Name: sc.m.Author.Name,
		Intent: string(sc.labels.Intent), Sentiment: string(sc.labels.Sentiment),
		Product: sc.labels.Product, Problem: sc.labels.Problem, FollowUp: false, Text: sc.m.Text, FAQ: sc.faq.Answer,
	})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// Every built-in draft for the sample fits its platform, and the drafts
// name what the customer said went wrong: the problem phrase when the
// classifier found one, else the product.
func TestBuiltinDraftsForTheSample(t *testing.T) {
	d, err := prompts.New()
	if err != nil {
		t.Fatal(err)
	}
	brand := routing.Example().Brand
	builtin, err := bot.NewBuiltinSuggester(func() routing.Brand { return brand })
	if err != nil {
		t.Fatal(err)
	}
	var drafted, drafts, withProblem, problemNamed, withProduct, productNamed, answers int
	shown := map[string]string{}
	for i, sc := range sampleCases(t) {
		// The bot's own adapter: what the fallback really returns.
		c := bot.Case{ID: int64(i + 1), Platform: sc.m.Platform, Customer: sc.m.Author, Labels: sc.labels}
		sugg, err := builtin.Suggest(context.Background(), c, bot.Team{}, []bot.Mention{sc.m})
		if err != nil {
			t.Fatal(err)
		}
		ds := builtinDrafts(t, d, brand, sc)
		if sc.labels.Intent == bot.IntentSpam {
			if len(sugg) != 0 || len(ds) != 0 {
				t.Errorf("spam %q got drafts", sc.m.Text)
			}
			continue
		}
		drafted++
		limit := bot.ReplyLimit(sc.m.Platform)
		for _, s := range sugg {
			if n := bot.Length(s.Text); n > limit {
				t.Errorf("%s draft of %d > %d: %s", sc.m.Platform, n, limit, s.Text)
			}
		}
		all := ""
		for _, x := range ds {
			drafts++
			if n := bot.Length(x.Text); n > limit {
				t.Errorf("%s draft of %d > %d: %s", sc.m.Platform, n, limit, x.Text)
			}
			if x.Approach == prompts.Answer {
				answers++
			}
			all += strings.ToLower(x.Text) + "\n"
		}
		switch {
		case sc.labels.Intent == bot.IntentSafety:
			// Person first: safety drafts name the product to stop using,
			// and do not repeat the incident back in public.
			withProduct++
			if strings.Contains(all, "stop using the "+strings.ToLower(sc.labels.Product)) {
				productNamed++
			} else {
				t.Errorf("safety drafts do not name the product %q:\n%s", sc.labels.Product, all)
			}
		case sc.labels.Problem != "" && !strings.ContainsAny(sc.labels.Problem, "@/"):
			withProblem++
			if strings.Contains(all, strings.ToLower(sc.labels.Problem)) {
				problemNamed++
			} else {
				t.Errorf("no draft names the problem %q of %q:\n%s", sc.labels.Problem, sc.m.Text, all)
			}
		case sc.labels.Product != "" && sc.labels.Intent != bot.IntentOther:
			withProduct++
			if strings.Contains(all, strings.ToLower(sc.labels.Product)) || sc.faq.Name != "" {
				productNamed++
			}
		}
		// One example per kind of case, for the README.
		kind := string(sc.labels.Intent)
		if sc.faq.Name != "" {
			kind = "faq"
		}
		if _, done := shown[kind]; !done {
			shown[kind] = fmt.Sprintf("%s · %s: %q\n→ %s (%s): %q", sc.m.Platform, kind, sc.m.Text, ds[0].Approach, sc.labels.Problem+sc.faq.Name, ds[0].Text)
		}
	}
	t.Logf("%d sample mentions drafted, %d drafts, all within their platform's limit; problem named in %d/%d, product in %d/%d; %d FAQ answers",
		drafted, drafts, problemNamed, withProblem, productNamed, withProduct, answers)
	if answers == 0 {
		t.Error("no sample mention got the example FAQ's answer")
	}
	if *examples {
		for _, kind := range []string{"complaint", "bug", "safety", "faq", "churn", "question", "praise"} {
			t.Log(shown[kind])
		}
	}
}
