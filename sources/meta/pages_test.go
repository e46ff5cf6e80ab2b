package meta

import (
	"testing"

	"github.com/earshothq/earshot/bot"
)

func TestPageOf(t *testing.T) {
	p := newPages([]Page{{ID: "111", Token: "a"}, {ID: "222", Token: "b"}}, nil)
	for _, tc := range []struct {
		m    bot.Mention
		want string
	}{
		{bot.Mention{ExternalID: "222_5"}, "222"},
		{bot.Mention{ExternalID: "5_6", InReplyTo: "111_5"}, "111"},
		{bot.Mention{ExternalID: "5_6", InReplyTo: "5_7", URL: "https://www.facebook.com/222_5?comment_id=6"}, "222"},
		{bot.Mention{ExternalID: "5_6", InReplyTo: "5_7", URL: "https://www.facebook.com/222/posts/5?comment_id=6"}, "222"},
		{bot.Mention{ExternalID: "5_6", InReplyTo: "5_7"}, ""},
	} {
		got, ok := p.pageOf(tc.m)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("pageOf(%+v) = %q %v, want %q", tc.m, got, ok, tc.want)
		}
	}
}
