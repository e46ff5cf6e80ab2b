package bot_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/routing"
	"github.com/earshothq/earshot/store"
)

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		forever bool
		err     string
	}{
		{"", bot.DefaultMutePeriod, false, ""},
		{"24h", 24 * time.Hour, false, ""},
		{"7d", 7 * 24 * time.Hour, false, ""},
		{"30D", 30 * 24 * time.Hour, false, ""},
		{"2w", 14 * 24 * time.Hour, false, ""},
		{"45m", 45 * time.Minute, false, ""},
		{" forever ", 0, true, ""},
		{"permanent", 0, true, ""},
		{"0d", 0, false, `period "0d"`},
		{"-1d", 0, false, `period "-1d"`},
		{"7", 0, false, `period "7"`},
		{"7 days", 0, false, `period "7 days"`},
		{"1y", 0, false, `period "1y"`},
		{"400d", 0, false, `longer than a year`},
		{"+5d", 0, false, `period "+5d"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, forever, err := bot.ParsePeriod(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParsePeriod(%q) = %v, %v, %v; want error containing %q", tt.in, d, forever, err, tt.err)
				}
				return
			}
			if err != nil || d != tt.want || forever != tt.forever {
				t.Fatalf("ParsePeriod(%q) = %v, %v, %v; want %v, %v", tt.in, d, forever, err, tt.want, tt.forever)
			}
		})
	}
}

// FuzzParsePeriod: whatever is typed, ParsePeriod answers without
// panicking, accepts only positive periods up to a year, and what it
// accepts reads back the same after FormatPeriod.
func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"", "24h", "7d", "30d", "2w", "forever", "0d", "9999999999999999999d", "١d", "7ｄ", "1h30m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, forever, err := bot.ParsePeriod(s)
		if err != nil {
			if d != 0 || forever {
				t.Fatalf("error with a value: %v %v", d, forever)
			}
			return
		}
		if forever {
			return
		}
		if d <= 0 || d > 366*24*time.Hour {
			t.Fatalf("ParsePeriod(%q) = %v", s, d)
		}
		back, fv, err := bot.ParsePeriod(bot.FormatPeriod(d))
		if err != nil || fv || back != d {
			t.Fatalf("round trip of %q: %v → %q → %v %v %v", s, d, bot.FormatPeriod(d), back, fv, err)
		}
	})
}

func TestParseDismissReason(t *testing.T) {
	tests := []struct {
		in   string
		want bot.DismissReason
		ok   bool
	}{
		{"spam", bot.ReasonSpam, true},
		{"Not about us", bot.ReasonNotAboutUs, true},
		{"not-about-us", bot.ReasonNotAboutUs, true},
		{"off-topic", bot.ReasonNotAboutUs, true},
		{"dup", bot.ReasonDuplicate, true},
		{"", bot.ReasonOther, true},
		{"rude", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := bot.ParseDismissReason(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Fatalf("ParseDismissReason(%q) = %q, %v", tt.in, got, err)
			}
			if err != nil && !strings.Contains(err.Error(), "spam, not_about_us, duplicate, other") {
				t.Fatalf("error %q should list the reasons", err)
			}
		})
	}
}

func TestNormalizeMuteValue(t *testing.T) {
	tests := []struct {
		kind     bot.MuteKind
		in, want string
		ok       bool
	}{
		{bot.MuteAuthor, "@DealsBot", "dealsbot", true},
		{bot.MuteAuthor, "two words", "", false},
		{bot.MuteAuthor, " @ ", "", false},
		{bot.MuteTerm, `"Free  Giveaway"`, "free giveaway", true},
		{bot.MuteTerm, "  ", "", false},
		{"place", "x", "", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind)+" "+tt.in, func(t *testing.T) {
			got, err := bot.NormalizeMuteValue(tt.kind, tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Fatalf("got %q, %v", got, err)
			}
		})
	}
}

func TestMuteSetCheck(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	set, err := bot.NewMuteSet([]bot.Mute{
		{ID: 1, Kind: bot.MuteAuthor, Value: "dealsbot", Until: now.Add(time.Hour)},
		{ID: 2, Kind: bot.MuteAuthor, Value: "kev", Platform: "x"},
		{ID: 3, Kind: bot.MuteTerm, Value: "giveaway"},
		{ID: 4, Kind: bot.MuteTerm, Value: "promo code*", Until: now.Add(-time.Minute)}, // expired
		{ID: 5, Kind: bot.MuteTerm, Value: "free lamp"},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		m        bot.Mention
		at       time.Time
		wantMute int64
	}{
		{"author, any platform", bot.Mention{Platform: "bluesky", Author: bot.Author{Handle: "@DealsBot"}, Text: "lumio"}, now, 1},
		{"author expired", bot.Mention{Platform: "bluesky", Author: bot.Author{Handle: "dealsbot"}, Text: "lumio"}, now.Add(2 * time.Hour), 0},
		{"author on its platform", bot.Mention{Platform: "x", Author: bot.Author{Handle: "kev"}, Text: "lumio"}, now, 2},
		{"same handle elsewhere", bot.Mention{Platform: "reddit", Author: bot.Author{Handle: "kev"}, Text: "lumio"}, now, 0},
		{"term as a word", bot.Mention{Text: "Lumio GIVEAWAY! retweet to win"}, now, 3},
		{"term inside a word", bot.Mention{Text: "lumio giveaways"}, now, 0},
		{"phrase", bot.Mention{Text: "a free  lamp from lumio"}, now, 5},
		{"expired prefix", bot.Mention{Text: "lumio promo codes here"}, now, 0},
		{"nothing", bot.Mention{Author: bot.Author{Handle: "maya"}, Text: "my lumio lamp flickers"}, now, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mu, ok := set.Check(tt.m, tt.at)
			if ok != (tt.wantMute != 0) || mu.ID != tt.wantMute {
				t.Fatalf("Check = %+v, %v; want mute %d", mu, ok, tt.wantMute)
			}
		})
	}
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const muteRules = `
teams: {care: {}}
route: {name: brand, any: [lumio], team: care}
`

// A mute silences by time without a reload: once its period is over the
// author's mentions open cases again. A reload picks up new mutes.
func TestMutesExpireByTheClock(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	stored := []bot.Mute{{ID: 1, Kind: bot.MuteAuthor, Value: "dealsbot", Until: clk.Now().Add(24 * time.Hour), By: "web:sam"}}
	var mu sync.Mutex
	load := func(_ context.Context, at time.Time) ([]bot.Mute, error) {
		mu.Lock()
		defer mu.Unlock()
		var out []bot.Mute
		for _, m := range stored {
			if m.Active(at) {
				out = append(out, m)
			}
		}
		return out, nil
	}
	mutes := bot.NewMutes(load, clk.Now, nil)
	if err := mutes.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	rules, err := routing.Parse("r.yaml", []byte(muteRules))
	if err != nil {
		t.Fatal(err)
	}
	d := bot.Decider{Rules: rules, Classifier: bot.NewBuiltinClassifier(), Mutes: mutes}
	deals := bot.Mention{Platform: "x", ExternalID: "1", Author: bot.Author{Handle: "dealsbot"}, Text: "lumio lamps 50% off today"}

	in := d.Decide(deals)
	if len(in.Teams) != 0 || in.Excluded != `muted author "dealsbot" until 2026-11-24 10:00 UTC` {
		t.Fatalf("muted author: teams %v, excluded %q", in.Teams, in.Excluded)
	}
	clk.Add(24*time.Hour + time.Second)
	if in := d.Decide(deals); len(in.Teams) != 1 || in.Excluded != "" {
		t.Fatalf("after the period: teams %v, excluded %q; want routed again", in.Teams, in.Excluded)
	}

	mu.Lock()
	stored = append(stored, bot.Mute{ID: 2, Kind: bot.MuteTerm, Value: "50% off", By: "web:sam"})
	mu.Unlock()
	if in := d.Decide(deals); len(in.Teams) != 1 {
		t.Fatalf("a mute added elsewhere applied before a reload: %+v", in)
	}
	if err := mutes.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	if in := d.Decide(deals); len(in.Teams) != 0 || !strings.Contains(in.Excluded, `muted term "50% off" until unmuted`) {
		t.Fatalf("after reload: teams %v, excluded %q", in.Teams, in.Excluded)
	}
	if got := mutes.Active(); len(got) != 1 || got[0].ID != 2 {
		t.Fatalf("active %+v, want only the term (the author's mute expired)", got)
	}
}

// A muted customer is never silenced mid-conversation: their answer in a
// case still joins it; only new conversations are kept out.
func TestMutedAuthorsFollowUpStillJoinsItsCase(t *testing.T) {
	ctx := t.Context()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "e.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	rules, err := routing.Parse("r.yaml", []byte(muteRules))
	if err != nil {
		t.Fatal(err)
	}
	mutes := bot.NewMutes(db.ActiveMutes, time.Now, nil)
	sugg, _ := bot.NewBuiltinSuggester(func() routing.Brand { return rules.Brand })
	b, err := bot.New(bot.Config{Store: db, Rules: rules, Classifier: bot.NewBuiltinClassifier(), Suggester: sugg, Mutes: mutes})
	if err != nil {
		t.Fatal(err)
	}
	first := bot.Mention{Platform: "x", ExternalID: "1", Author: bot.Author{Handle: "kev"}, Text: "lumio charged me twice"}
	res, err := b.IngestBatch(ctx, []bot.Mention{first})
	if err != nil || res[0].Outcome != bot.OutcomeOpened {
		t.Fatalf("first: %+v %v", res, err)
	}
	if _, err := db.AddMute(ctx, bot.Mute{Kind: bot.MuteAuthor, Value: "kev", By: "web:sam"}); err != nil {
		t.Fatal(err)
	}
	if err := mutes.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	follow := bot.Mention{Platform: "x", ExternalID: "2", InReplyTo: "1", Author: bot.Author{Handle: "kev"}, Text: "lumio still nothing"}
	fresh := bot.Mention{Platform: "x", ExternalID: "3", Author: bot.Author{Handle: "kev"}, Text: "lumio is the worst"}
	res, err = b.IngestBatch(ctx, []bot.Mention{follow, fresh})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Outcome != bot.OutcomeExtended {
		t.Errorf("follow-up: %s, want extended", res[0].Outcome)
	}
	if res[1].Outcome != bot.OutcomeStored || len(res[1].Cases) != 0 {
		t.Errorf("new mention from a muted author: %s %d cases, want stored, no case", res[1].Outcome, len(res[1].Cases))
	}
	if m, err := db.Mention(ctx, res[1].MentionID); err != nil || m.Text != fresh.Text {
		t.Errorf("the muted mention is not stored: %+v %v", m, err)
	}
}

// BenchmarkDecideMuted is the Decider's cost with 1,000 muted authors and
// 200 muted terms, against none (BenchmarkDecideNoMutes).
func BenchmarkDecideMuted(b *testing.B) {
	var ms []bot.Mute
	for i := range 1000 {
		ms = append(ms, bot.Mute{ID: int64(i), Kind: bot.MuteAuthor, Value: fmt.Sprintf("spammer%d", i)})
	}
	for i := range 200 {
		ms = append(ms, bot.Mute{ID: int64(2000 + i), Kind: bot.MuteTerm, Value: fmt.Sprintf("promo%d", i)})
	}
	mutes := bot.NewMutes(func(context.Context, time.Time) ([]bot.Mute, error) { return ms, nil }, time.Now, nil)
	if err := mutes.Reload(context.Background()); err != nil {
		b.Fatal(err)
	}
	benchDecide(b, mutes)
}

func BenchmarkDecideNoMutes(b *testing.B) { benchDecide(b, nil) }

func benchDecide(b *testing.B, mutes bot.MuteChecker) {
	d := bot.Decider{Rules: routing.Example(), Classifier: bot.NewBuiltinClassifier(), Mutes: mutes}
	m := bot.Mention{Platform: "x", ExternalID: "1", Author: bot.Author{Handle: "maya"},
		Text: "@lumio my Lumio Glow lamp keeps flickering since the update, any fix? Third time asking."}
	b.ReportAllocs()
	for b.Loop() {
		if in := d.Decide(m); len(in.Teams) == 0 {
			b.Fatal("not routed")
		}
	}
}
