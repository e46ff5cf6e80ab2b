package web

import (
	"bytes"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/earshothq/earshot/bot"
)

func FuzzParseStates(f *testing.F) {
	for _, s := range []string{"", "open", "all", "new", "new,claimed", "awaiting_customer, escalated", "open,resolved", "new,new", "bogus", ",", "open,all", "NEW"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		sts, err := parseStates(raw)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "state: ") {
				t.Errorf("error %q does not name the field", err)
			}
			return
		}
		for i, st := range sts {
			if !st.Valid() {
				t.Errorf("invalid state %q from %q", st, raw)
			}
			if slices.Contains(sts[:i], st) {
				t.Errorf("duplicate state %q from %q", st, raw)
			}
		}
	})
}

func FuzzParseCaseQuery(f *testing.F) {
	for _, s := range []string{"", "team=care&state=open", "state=new,claimed&before=120&limit=25", "limit=0", "before=-1", "team=%00&state=all", "limit=99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		cf, err := parseCaseQuery(q, "open")
		if err != nil {
			if asFieldError(err).Field == "request" {
				t.Errorf("error %q names no field", err)
			}
			return
		}
		if cf.Limit < 1 || cf.Limit > maxLimit || cf.BeforeID < 0 {
			t.Errorf("filter out of range: %+v", cf)
		}
	})
}

func FuzzParseID(f *testing.F) {
	for _, s := range []string{"1", "42", "0", "-1", "+1", "9223372036854775807", "9223372036854775808", "1e3", " 1", "0x10", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		id, err := parseID(raw)
		if err == nil && id <= 0 {
			t.Errorf("parseID(%q) = %d", raw, id)
		}
	})
}

func FuzzParseActionBody(f *testing.F) {
	for _, s := range []string{
		`{"kind":"reply","suggestion":1}`,
		`{"kind":"reply","text":"Thanks for flagging this, we're on it."}`,
		`{"kind":"escalate","text":"Safety: kid burned"}`,
		`{"kind":"defect","text":"Kettle Pro: lid hinge snaps"}`,
		`{"kind":"claim"}`,
		`{"kind":"reply","suggestion":"1"}`,
		`{"kind":"reply","extra":true}`,
		`{"kind":"reply","text":"\ud800"}`,
		`[]`, `null`, `{"kind":"claim"} {}`, ``,
	} {
		f.Add([]byte(s), "bluesky")
	}
	f.Add([]byte(`{"kind":"reply","text":"`+strings.Repeat("é", 301)+`"}`), "x")
	sugg := []bot.Suggestion{{Rank: 1, Text: "a"}, {Rank: 2, Text: "b"}}
	f.Fuzz(func(t *testing.T, body []byte, platform string) {
		b, err := parseActionBody(bytes.NewReader(body))
		if err != nil {
			if asFieldError(err).Field == "" {
				t.Errorf("error %q names no field", err)
			}
			return
		}
		c := bot.Case{ID: 9, Platform: platform}
		req, fe := actionRequest(b, c, sugg, "web:fuzz")
		if fe != nil {
			if fe.Field == "" || fe.Msg == "" {
				t.Errorf("empty field error %+v", fe)
			}
			return
		}
		if !req.Kind.Valid() || req.CaseID != 9 || req.Actor != "web:fuzz" || req.Surface != "web" || req.Target != "" {
			t.Errorf("bad request %+v", req)
		}
		if req.Kind == bot.ActReply && (req.Suggestion == 0) == (req.Text == "") {
			t.Errorf("reply needs exactly one of suggestion or text: %+v", req)
		}
		if req.Kind == bot.ActReply && bot.Length(req.Text) > bot.ReplyLimit(platform) {
			t.Errorf("reply over the limit passed: %d", bot.Length(req.Text))
		}
		if req.Suggestion != 0 && req.Suggestion != 1 && req.Suggestion != 2 {
			t.Errorf("suggestion %d out of range passed", req.Suggestion)
		}
	})
}

func FuzzParseUserCookie(f *testing.F) {
	for _, s := range []string{"local", "alice", "Alice+Smith", "Zo%C3%AB", "%3Cscript%3E", "a%", strings.Repeat("x", 41), "web%3Aalice", "", "+", "j.doe-2_b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		name, err := parseUserCookie(raw)
		if err != nil {
			return
		}
		if n := utf8.RuneCountInString(name); n < 1 || n > maxUserName {
			t.Errorf("name %q has %d characters", name, n)
		}
		for _, c := range name {
			if !unicode.IsLetter(c) && !unicode.IsDigit(c) && !strings.ContainsRune(" .-_", c) {
				t.Errorf("name %q has %q", name, c)
			}
		}
		if name != strings.TrimSpace(name) {
			t.Errorf("name %q is not trimmed", name)
		}
		// What handleName stores reads back the same.
		if back, err := parseUserCookie(url.QueryEscape(name)); err != nil || back != name {
			t.Errorf("round trip of %q gave %q, %v", name, back, err)
		}
	})
}

func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "/cases/1", "/?team=care&state=open", "//evil.example", "/\\evil.example", "https://evil.example", "javascript:alert(1)", "/%2F%2Fevil", "", "/a\r\nLocation: x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if got != "/" && got != next {
			t.Errorf("safeNext(%q) = %q: rewrites instead of rejecting", next, got)
		}
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\r\n") {
			t.Errorf("safeNext(%q) = %q leaves the site", next, got)
		}
		u, err := url.Parse(got)
		if err != nil || u.Host != "" || u.Scheme != "" {
			t.Errorf("safeNext(%q) = %q parses to another host", next, got)
		}
	})
}
