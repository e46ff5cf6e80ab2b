package command

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/handlers"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Command
		err  string
	}{
		{in: "", want: Command{Verb: "help"}},
		{in: "HELP", want: Command{Verb: "help"}},
		{in: "reply #12 Thanks,\n  we're on it ", want: Command{Verb: "reply", CaseID: 12, Text: "Thanks,\n  we're on it"}},
		{in: "#12 dismiss", want: Command{Verb: "dismiss", CaseID: 12}},
		{in: "dismiss", want: Command{Verb: "dismiss"}},
		{in: "send #3 2", want: Command{Verb: "send", CaseID: 3, Rank: 2}},
		{in: "escalate #4", want: Command{Verb: "escalate", CaseID: 4}},
		{in: "defect #4 Lid cracks", want: Command{Verb: "defect", CaseID: 4, Text: "Lid cracks"}},
		{in: "acknowledge #5", want: Command{Verb: "ack", CaseID: 5}},
		{in: "redraft #5 shorter", want: Command{Verb: "regenerate", CaseID: 5, Text: "shorter"}},
		{in: "route-test my kettle broke", want: Command{Verb: "route-test", Text: "my kettle broke"}},
		{in: "stats", want: Command{Verb: "stats", Days: 7}},
		{in: "stats 30d care", want: Command{Verb: "stats", Team: "care", Days: 30}},
		{in: "frobnicate", err: `unknown command "frobnicate"`},
		{in: "send #3 0", err: "send needs the number"},
		{in: "claim #x", err: `"#x" is not a case number`},
		{in: "claim #1 now", err: "claim takes only a case number"},
		{in: "#3 stats", err: "stats does not take a case number"},
		{in: "reply #1", err: "reply needs the text"},
		{in: "stats 0d", err: "1 to 365 days"},
		{in: "regenerate #1 " + strings.Repeat("x", bot.MaxInstruction+1), err: "at most 500"},
		{in: strings.Repeat("x", MaxText+1), err: "keep it under"},
	} {
		t.Run(Clip(tc.in, 30), func(t *testing.T) {
			got, err := Parse(tc.in)
			if tc.err != "" {
				var ue *UsageError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Parse(%q) error %v, want a usage error with %q", tc.in, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Parse(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestBuild(t *testing.T) {
	// Structured options: text that starts with "#1" stays text.
	c, err := Build("reply", 0, "#1 fan here, thanks!")
	if err != nil || c.CaseID != 0 || c.Text != "#1 fan here, thanks!" || !c.NeedsCase() {
		t.Fatalf("Build reply = %+v, %v", c, err)
	}
	if c, err := Build("Redraft", 7, " shorter "); err != nil || c.Verb != "regenerate" || c.CaseID != 7 || c.Text != "shorter" {
		t.Fatalf("Build redraft = %+v, %v", c, err)
	}
	for _, bad := range []struct {
		verb string
		id   int64
		rest string
	}{{"stats", 3, ""}, {"claim", -1, ""}, {"nope", 1, ""}, {"send", 1, "x"}} {
		if _, err := Build(bad.verb, bad.id, bad.rest); err == nil {
			t.Errorf("Build(%q, %d, %q) succeeded", bad.verb, bad.id, bad.rest)
		}
	}
}

func TestRequest(t *testing.T) {
	c, err := Parse("send #3 2")
	if err != nil {
		t.Fatal(err)
	}
	r := c.Request("discord:42", "discord")
	if r.Kind != bot.ActReply || r.Suggestion != 2 || r.Text != "" || r.Actor != "discord:42" || r.Surface != "discord" || !r.Verified {
		t.Fatalf("request %+v", r)
	}
	if !(Command{Verb: "claim"}).NeedsCase() || (Command{Verb: "claim", CaseID: 1}).NeedsCase() || (Command{Verb: "stats"}).NeedsCase() {
		t.Fatal("NeedsCase is wrong")
	}
}

func TestOutcome(t *testing.T) {
	req := bot.ActionRequest{CaseID: 12, Kind: bot.ActClaim}
	for _, tc := range []struct {
		name string
		a    bot.Action
		err  error
		want Answer
	}{
		{"taken", bot.Action{Status: bot.ActionPending}, nil, Answer{Taken, "Acknowledge"}},
		{"refused", bot.Action{Status: bot.ActionDenied, Result: `discord:1 is not a member of team "care"`},
			fmt.Errorf("x: %w", bot.ErrForbidden), Answer{Refused, `You can't claim case #12: discord:1 is not a member of team "care".`}},
		{"invalid", bot.Action{}, &handlers.RequestError{Field: "text", Msg: "too long"}, Answer{Invalid, "Can't claim case #12: too long."}},
		{"no case", bot.Action{}, fmt.Errorf("case 12: %w", bot.ErrNotFound), Answer{NoCase, "Case #12 does not exist."}},
		{"duplicate", bot.Action{Status: bot.ActionSkipped, Result: "case 12 is already claimed"}, nil, Answer{Duplicate, "Already done: case 12 is already claimed."}},
		{"broken", bot.Action{}, errors.New("database is locked"), Answer{Broken, "Couldn't record claim on case #12; try again in a moment."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Outcome(req, tc.a, tc.err)
			if tc.want.Verdict == Taken {
				if got.Verdict != Taken || !strings.HasPrefix(got.Text, "Claim on case #12") {
					t.Fatalf("Outcome = %+v", got)
				}
				return
			}
			if got != tc.want {
				t.Fatalf("Outcome = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly", 7, "exactly"},
		{"kettles", 4, "ket…"},
		{"🫖🫖🫖", 2, "🫖…"},
		{"ab", 0, "…"},
	} {
		if got := Clip(tc.in, tc.n); got != tc.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "help", "reply #12 Thanks & sorry, we're on it", "#12 dismiss", "dismiss #12", "dismiss 12",
		"send #12 2", "send #12 0", "escalate #12", "escalate #12 Safety: burn\nsecond line", "defect #7 Lid cracks",
		"mute #3 author @spammer for 24h", "mute #3 term free shipping for 2w", "mute #3 term x for 400d", "mute author",
		"mute #12 forever coupon bot", `mute term "giveaway" 24h promo wave`, "unmute #12", "unmute author @x", "mutes",
		"dismiss #12 not about us, it's the band", "dismiss #12 duplicate of #10", "reopen #12 wrote by email", "mute #12 7y",
		"route-test my kettle broke", "stats", "stats care 30d", "stats 7d care", "stats 0d",
		"claim #9223372036854775807", "claim #9223372036854775808", "#-1 claim", "ack #1", "acknowledge #2", "resolve #5 done",
		"REPLY #1 Caps", "reply\t#1\ttabs", "#1 #2 reply x", "frobnicate", "regenerate #4 shorter, offer a refund",
		"reply #5 @everyone <@123> [bank](https://evil.example)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, err := Parse(text)
		if err != nil {
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("Parse(%q) error %T is not a usage error", text, err)
			}
			return
		}
		kind, ok := verbs[c.Verb]
		if !ok {
			t.Fatalf("Parse(%q) verb %q is not known", text, c.Verb)
		}
		if c.CaseID < 0 || (!TakesCase(c.Verb) && c.CaseID != 0) {
			t.Fatalf("Parse(%q) case %d for %s", text, c.CaseID, c.Verb)
		}
		switch c.Verb {
		case "reply", "route-test":
			if c.Text == "" || c.Text != strings.TrimSpace(c.Text) {
				t.Fatalf("Parse(%q) %s text %q", text, c.Verb, c.Text)
			}
		case "send":
			if c.Rank < 1 || c.Rank > 99 {
				t.Fatalf("Parse(%q) rank %d", text, c.Rank)
			}
		case "stats":
			if c.Days < 1 || c.Days > 365 {
				t.Fatalf("Parse(%q) days %d", text, c.Days)
			}
		case "dismiss":
			if c.Reason != "" && !c.Reason.Valid() {
				t.Fatalf("Parse(%q) reason %q", text, c.Reason)
			}
		case "mute":
			if c.Mute == nil {
				t.Fatalf("Parse(%q) mute without details", text)
			}
			if _, _, err := bot.ParsePeriod(c.Mute.Period); err != nil {
				t.Fatalf("Parse(%q) period %q: %v", text, c.Mute.Period, err)
			}
			if c.Mute.Kind != "" && strings.TrimSpace(c.Mute.Value) == "" {
				t.Fatalf("Parse(%q) %s without a value", text, c.Mute.Kind)
			}
		}
		if kind != "" {
			r := c.Request("discord:42", "discord")
			if !r.Kind.Valid() || !r.Verified || r.Actor != "discord:42" {
				t.Fatalf("request %+v from %q", r, text)
			}
		}
	})
}
