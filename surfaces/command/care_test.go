package command

import (
	"strings"
	"testing"

	"github.com/earshothq/earshot/bot"
)

func TestParseCareCommands(t *testing.T) {
	mute := func(kind bot.MuteKind, value, period string) *bot.MuteSpec {
		return &bot.MuteSpec{Kind: kind, Value: value, Period: period}
	}
	tests := []struct {
		text   string
		want   Command
		errHas string
	}{
		{"dismiss #12", Command{Verb: "dismiss", CaseID: 12}, ""},
		{"dismiss #12 spam", Command{Verb: "dismiss", CaseID: 12, Reason: bot.ReasonSpam}, ""},
		{"dismiss #12 Not about us, it's the band", Command{Verb: "dismiss", CaseID: 12, Reason: bot.ReasonNotAboutUs, Text: ", it's the band"}, ""},
		{"dismiss #12 not-about-us", Command{Verb: "dismiss", CaseID: 12, Reason: bot.ReasonNotAboutUs}, ""},
		{"#12 dismiss duplicate of #10", Command{Verb: "dismiss", CaseID: 12, Reason: bot.ReasonDuplicate, Text: "of #10"}, ""},
		{"dismiss #12 because", Command{}, "dismiss takes a reason first"},
		{"reopen #12", Command{Verb: "reopen", CaseID: 12}, ""},
		{"reopen #12 customer wrote by email", Command{Verb: "reopen", CaseID: 12, Text: "customer wrote by email"}, ""},
		{"mute #12", Command{Verb: "mute", CaseID: 12, Mute: mute("", "", "")}, ""},
		{"mute #12 7d", Command{Verb: "mute", CaseID: 12, Mute: mute("", "", "1w")}, ""},
		{"mute #12 forever coupon bot", Command{Verb: "mute", CaseID: 12, Mute: mute("", "", "forever"), Text: "coupon bot"}, ""},
		{"mute #12 for 24h", Command{Verb: "mute", CaseID: 12, Mute: mute("", "", "1d")}, ""},
		{"mute #12 spam account", Command{Verb: "mute", CaseID: 12, Mute: mute("", "", ""), Text: "spam account"}, ""},
		{"mute #3 author @spammer for 24h", Command{Verb: "mute", CaseID: 3, Mute: mute(bot.MuteAuthor, "@spammer", "1d")}, ""},
		{"mute #3 term free shipping for 2w", Command{Verb: "mute", CaseID: 3, Mute: mute(bot.MuteTerm, "free shipping", "2w")}, ""},
		{`mute term "giveaway" 24h promo wave`, Command{Verb: "mute", Mute: mute(bot.MuteTerm, "giveaway", "1d"), Text: "promo wave"}, ""},
		{`mute term "free lamp"`, Command{Verb: "mute", Mute: mute(bot.MuteTerm, "free lamp", "")}, ""},
		{"mute term giveaway 30d", Command{Verb: "mute", Mute: mute(bot.MuteTerm, "giveaway", "30d")}, ""},
		{"mute author @dealsbot forever", Command{Verb: "mute", Mute: mute(bot.MuteAuthor, "@dealsbot", "forever")}, ""},
		{"mute #12 7y", Command{}, `period "7y"`},
		{"mute #12 400d", Command{}, "longer than a year"},
		{"mute #12 for ever", Command{}, `"ever" is not a period`},
		{`mute term "giveaway`, Command{}, "closing quote"},
		{"mute author", Command{}, "mute author needs the author"},
		{"unmute #12", Command{Verb: "unmute", CaseID: 12}, ""},
		{"unmute author @dealsbot", Command{Verb: "unmute", Mute: mute(bot.MuteAuthor, "@dealsbot", "")}, ""},
		{`unmute term "free lamp"`, Command{Verb: "unmute", Mute: mute(bot.MuteTerm, "free lamp", "")}, ""},
		{"unmute #12 author @x", Command{}, "not both"},
		{"unmute please", Command{}, "unmute takes a case"},
		{"mutes", Command{Verb: "mutes"}, ""},
		{"mutes all", Command{}, "mutes takes nothing more"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, err := Parse(tt.text)
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("Parse(%q) = %+v, %v; want an error with %q", tt.text, got, err, tt.errHas)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.text, err)
			}
			if (got.Mute == nil) != (tt.want.Mute == nil) || (got.Mute != nil && *got.Mute != *tt.want.Mute) {
				t.Fatalf("mute %+v, want %+v", got.Mute, tt.want.Mute)
			}
			got.Mute, tt.want.Mute = nil, nil
			if got != tt.want {
				t.Fatalf("Parse(%q) = %+v, want %+v", tt.text, got, tt.want)
			}
		})
	}
}
