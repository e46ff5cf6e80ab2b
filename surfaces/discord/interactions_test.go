package discordsurface

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/discordfake"
	"github.com/earshothq/earshot/routing"
)

// roleCard is the sample card of a team whose Discord role "Care" may act.
func roleCard() bot.Card {
	c := sampleCard()
	c.Team.Discord.Roles = []string{"Care"}
	return c
}

// lastRequest waits for an action request newer than the last delivered
// interaction and returns the newest: the surface answers an interaction
// first and asks the handlers after, so the request before it would
// otherwise be read.
func (e *env) lastRequest() bot.ActionRequest {
	e.t.Helper()
	e.mu.Lock()
	asked := e.asked
	e.mu.Unlock()
	var got bot.ActionRequest
	eventually(e.t, "an action request", func() bool {
		rs := e.actions.requests()
		if len(rs) <= asked {
			return false
		}
		got = rs[len(rs)-1]
		return true
	})
	return got
}

// waitRequests waits until the handlers were asked n times in all.
func (e *env) waitRequests(n int) []bot.ActionRequest {
	e.t.Helper()
	eventually(e.t, "action requests", func() bool { return len(e.actions.requests()) >= n })
	return e.actions.requests()
}

// shown is text as Discord shows it: escapes resolved.
func shown(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func TestButtonSendsAReply(t *testing.T) {
	e := newEnv(t, nil)
	e.connect()
	card := sampleCard()
	_, msg := e.post(card)
	id := click{Kind: btnSend, Case: 12, Rev: 3, Rank: 2, Hash: textHash(card.Suggestions[1].Text)}.encode()
	in := e.deliver(e.fake.ClickPayload(member(alice), msg, id), answered)
	if in.Responses[0].Type != 6 {
		t.Fatalf("answered with %d, want 6 (deferred update, no visible answer)", in.Responses[0].Type)
	}
	r := e.lastRequest()
	if r.Kind != bot.ActReply || r.Suggestion != 2 || r.Actor != "discord:"+alice || !r.Verified || r.Surface != Name || r.CaseID != 12 || r.Role != nil {
		t.Fatalf("request %+v", r)
	}
	// Clicked again: one action; the person is told privately.
	in = e.deliver(e.fake.ClickPayload(member(alice), msg, id), func(in discordfake.Interaction) bool { return len(in.Followups) > 0 })
	if f := in.Followups[0]; f.Flags&64 == 0 || !strings.Contains(shown(f.Content), "Already done") {
		t.Fatalf("second click answered %+v", f)
	}
}

func TestSendOfRedoneDraftsRefused(t *testing.T) {
	e := newEnv(t, nil)
	e.connect()
	card := sampleCard()
	_, msg := e.post(card)
	id := click{Kind: btnSend, Case: 12, Rev: 3, Rank: 1, Hash: textHash(card.Suggestions[0].Text)}.encode()
	card.Suggestions[0].Text = "A new draft the person never saw."
	e.setCard(card)
	in := e.deliver(e.fake.ClickPayload(member(alice), msg, id), func(in discordfake.Interaction) bool { return len(in.Followups) > 0 })
	if !strings.Contains(in.Followups[0].Content, "changed since this card was shown") || len(e.actions.requests()) != 0 {
		t.Fatalf("answer %q, requests %+v", in.Followups[0].Content, e.actions.requests())
	}
}

func TestClaimCarriesTheCardRevision(t *testing.T) {
	e := newEnv(t, nil)
	e.connect()
	_, msg := e.post(sampleCard())
	e.deliver(e.fake.ClickPayload(member(bob), msg, click{Kind: btnClaim, Case: 12, Rev: 3}.encode()), answered)
	if r := e.lastRequest(); r.Kind != bot.ActClaim || r.Target != "r3" || r.Actor != "discord:"+bob {
		t.Fatalf("request %+v", r)
	}
}

func TestEditButtonOpensFormAndSubmissionSends(t *testing.T) {
	e := newEnv(t, nil)
	e.connect()
	card := sampleCard()
	_, msg := e.post(card)
	in := e.deliver(e.fake.ClickPayload(member(alice), msg, click{Kind: btnEdit, Case: 12, Rev: 3}.encode()), answered)
	if in.Responses[0].Type != 9 || !strings.Contains(string(in.Responses[0].Data), `"max_length":300`) ||
		!strings.Contains(string(in.Responses[0].Data), "Sorry about your kettle") {
		t.Fatalf("form %d %s", in.Responses[0].Type, in.Responses[0].Data)
	}
	sub := e.fake.SubmitPayload(member(alice), "", msg, click{Kind: modalEdit, Case: 12, Rev: 3}.encode(), map[string]string{inputText: " Thanks Jane! #1 fan here "})
	in = e.deliver(sub, func(in discordfake.Interaction) bool { return in.Original != nil && in.Original.Edits > 0 })
	if in.Responses[0].Type != 5 || !strings.Contains(shown(in.Text()), "Reply on case #12 is under way") {
		t.Fatalf("submission answered %d, %q", in.Responses[0].Type, in.Text())
	}
	if r := e.lastRequest(); r.Kind != bot.ActReply || r.Text != "Thanks Jane! #1 fan here" || r.Suggestion != 0 {
		t.Fatalf("request %+v", r)
	}
}

func TestEscalateAndRegenerateForms(t *testing.T) {
	e := newEnv(t, nil)
	e.connect()
	_, msg := e.post(sampleCard())
	for _, tc := range []struct {
		kind, text string
		want       bot.ActionKind
	}{
		{modalEscalate, "She burned her hand", bot.ActEscalate},
		{modalRedraft, "shorter", bot.ActRegenerate},
		{modalDefect, "Kettle stops heating", bot.ActDefect},
	} {
		sub := e.fake.SubmitPayload(member(alice), "", msg, click{Kind: tc.kind, Case: 12, Rev: 3}.encode(), map[string]string{inputText: tc.text})
		e.deliver(sub, func(in discordfake.Interaction) bool { return in.Original != nil && in.Original.Edits > 0 })
		if r := e.lastRequest(); r.Kind != tc.want || r.Text != tc.text {
			t.Fatalf("%s: request %+v", tc.kind, r)
		}
	}
	// A defect without a title is refused at once.
	sub := e.fake.SubmitPayload(member(alice), "", msg, click{Kind: modalDefect, Case: 12, Rev: 3}.encode(), map[string]string{inputText: " "})
	in := e.deliver(sub, answered)
	if in.Responses[0].Type != 4 || !strings.Contains(string(in.Responses[0].Data), "Give the defect a title") {
		t.Fatalf("empty title answered %d %s", in.Responses[0].Type, in.Responses[0].Data)
	}
}

func TestReactionEscalates(t *testing.T) {
	e := newEnv(t, nil)
	e.connect()
	_, msg := e.post(sampleCard())
	if err := e.fake.React(member(alice), careChannel, msg, "🚨", ""); err != nil {
		t.Fatal(err)
	}
	if r := e.lastRequest(); r.Kind != bot.ActEscalate || r.Actor != "discord:"+alice || r.CaseID != 12 || !r.Verified {
		t.Fatalf("request %+v", r)
	}
	// The bot's own reactions and reactions on other messages do nothing.
	n := len(e.actions.requests())
	_ = e.fake.React(member(discordfake.BotUserID), careChannel, msg, "🚨", "")
	_ = e.fake.React(member(alice), careChannel, "799999999999999998", "👀", "")
	if err := e.fake.React(member(alice), careChannel, msg, "3\ufe0f\u20e3", ""); err != nil {
		t.Fatal(err)
	}
	rs := e.waitRequests(n + 1)
	if len(rs) != n+1 || rs[n].Kind != bot.ActReply || rs[n].Suggestion != 3 {
		t.Fatalf("requests %+v", rs[n:])
	}
}

func TestCustomEmojiReaction(t *testing.T) {
	e := newEnv(t, func(o *Options) {
		o.Reactions = func() map[string]routing.Reaction {
			return map[string]routing.Reaction{"earshot_claim": {Action: "claim"}}
		}
	})
	e.connect()
	_, msg := e.post(sampleCard())
	if err := e.fake.React(member(bob), careChannel, msg, "earshot_claim", "600000000000000001"); err != nil {
		t.Fatal(err)
	}
	if r := e.lastRequest(); r.Kind != bot.ActClaim || r.Actor != "discord:"+bob {
		t.Fatalf("request %+v", r)
	}
}

func TestSlashCommandFilesADefect(t *testing.T) {
	e := newEnv(t, nil)
	e.connect()
	e.post(sampleCard())
	in := e.fake.SlashPayload(member(alice), careChannel, "earshot", discordfake.CommandOption{Name: "defect", Type: 1, Options: []discordfake.CommandOption{
		{Name: "case", Type: 4, Value: 12}, {Name: "title", Type: 3, Value: "Kettle stops heating after two days"}}})
	got := e.deliver(in, func(in discordfake.Interaction) bool { return in.Original != nil && in.Original.Edits > 0 })
	if got.Responses[0].Type != 5 || !strings.Contains(string(got.Responses[0].Data), `"flags":64`) {
		t.Fatalf("first answer %d %s, want a private deferred one", got.Responses[0].Type, got.Responses[0].Data)
	}
	if !strings.Contains(shown(got.Text()), "Defect on case #12 is under way") {
		t.Fatalf("answer %q", got.Text())
	}
	if r := e.lastRequest(); r.Kind != bot.ActDefect || r.Text != "Kettle stops heating after two days" || r.CaseID != 12 || r.Actor != "discord:"+alice {
		t.Fatalf("request %+v", r)
	}
}

func TestSlashCommandInCardThreadImpliesTheCase(t *testing.T) {
	e := newEnv(t, nil)
	e.connect()
	card := sampleCard()
	ref, msg := e.post(card)
	if err := e.s.Note(t.Context(), card, ref, bot.Event{Kind: bot.EventOpened}); err != nil {
		t.Fatal(err)
	}
	e.s.threads.forget(msg) // as after a restart: the thread's parent is asked of Discord
	in := e.fake.SlashPayload(member(alice), msg, "earshot", discordfake.CommandOption{Name: "reply", Type: 1,
		Options: []discordfake.CommandOption{{Name: "text", Type: 3, Value: "#1 fan: thanks!"}}})
	e.deliver(in, func(in discordfake.Interaction) bool { return in.Original != nil && in.Original.Edits > 0 })
	if r := e.lastRequest(); r.Kind != bot.ActReply || r.CaseID != 12 || r.Text != "#1 fan: thanks!" {
		t.Fatalf("request %+v", r)
	}
	// Outside a card's thread the case must be named.
	in = e.fake.SlashPayload(member(alice), careChannel, "earshot", discordfake.CommandOption{Name: "claim", Type: 1})
	got := e.deliver(in, func(in discordfake.Interaction) bool { return in.Original != nil && in.Original.Edits > 0 })
	if !strings.Contains(got.Text(), "Which case?") {
		t.Fatalf("answer %q", got.Text())
	}
}

func TestSlashCommandAnswers(t *testing.T) {
	e := newEnv(t, nil)
	e.connect()
	for _, tc := range []struct {
		name string
		opt  discordfake.CommandOption
		want string
	}{
		{"help", discordfake.CommandOption{Name: "help", Type: 1}, "/earshot reply case:123 text:…"},
		{"route-test", discordfake.CommandOption{Name: "route-test", Type: 1, Options: []discordfake.CommandOption{{Name: "text", Type: 3, Value: "kettle ``` @everyone"}}}, "care ← kettles"},
		{"stats", discordfake.CommandOption{Name: "stats", Type: 1, Options: []discordfake.CommandOption{{Name: "team", Type: 3, Value: "care"}, {Name: "days", Type: 4, Value: 30}}}, "care: 4 cases in 30 days"},
		{"bad send", discordfake.CommandOption{Name: "send", Type: 1, Options: []discordfake.CommandOption{{Name: "draft", Type: 4, Value: 0}}}, "Send needs the number of a drafted reply"},
		{"no such case", discordfake.CommandOption{Name: "claim", Type: 1, Options: []discordfake.CommandOption{{Name: "case", Type: 4, Value: 404}}}, "Case #404 does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := e.fake.SlashPayload(member(alice), careChannel, "earshot", tc.opt)
			got := e.deliver(in, func(in discordfake.Interaction) bool {
				return len(in.Responses) > 0 && (in.Responses[0].Type == 4 || (in.Original != nil && in.Original.Edits > 0))
			})
			text := got.Text()
			if got.Responses[0].Type == 4 {
				var d struct {
					Content string `json:"content"`
					Flags   int    `json:"flags"`
				}
				_ = json.Unmarshal(got.Responses[0].Data, &d)
				text = d.Content
				if d.Flags&64 == 0 {
					t.Errorf("answer is not private: %s", got.Responses[0].Data)
				}
			}
			if !strings.Contains(shown(text), tc.want) {
				t.Fatalf("answer %q, want %q", text, tc.want)
			}
		})
	}
}

// Permission by role: a member holding the team's role (named in the
// rules, given by id in the member's roles) is vouched for; one without is
// refused with the reason, before a form is even opened, and the refusal
// goes through the handlers so it is recorded.
func TestPermissionByRole(t *testing.T) {
	e := newEnv(t, nil)
	e.connect()
	_, msg := e.post(roleCard())
	e.deliver(e.fake.ClickPayload(member(alice, careRole), msg, click{Kind: btnClaim, Case: 12, Rev: 3}.encode()), answered)
	if r := e.lastRequest(); r.Role == nil || !r.Role.Held {
		t.Fatalf("role holder's request %+v", r)
	}
	in := e.deliver(e.fake.ClickPayload(member(bob), msg, click{Kind: btnDismiss, Case: 12, Rev: 3}.encode()),
		func(in discordfake.Interaction) bool { return len(in.Followups) > 0 })
	r := e.lastRequest()
	if r.Role == nil || r.Role.Held || !strings.Contains(r.Role.Reason, `holds none of team "care"'s Discord roles (Care)`) {
		t.Fatalf("request without the role %+v", r)
	}
	if f := in.Followups[0]; f.Flags&64 == 0 || !strings.Contains(shown(f.Content), "⛔ You can't dismiss case #12") {
		t.Fatalf("refusal %+v", f)
	}
	// The form is not opened for someone who may not act.
	n := len(e.actions.requests())
	in = e.deliver(e.fake.ClickPayload(member(bob), msg, click{Kind: btnEscalate, Case: 12, Rev: 3}.encode()),
		func(in discordfake.Interaction) bool { return in.Original != nil && in.Original.Edits > 0 })
	if in.Responses[0].Type == 9 || !strings.Contains(shown(in.Text()), "You can't escalate case #12") || len(e.actions.requests()) != n+1 {
		t.Fatalf("form for a non-member: %d %q", in.Responses[0].Type, in.Text())
	}
	// A role given by id in the rules, and an id listed in members.
	card := roleCard()
	card.Team.Discord.Roles = []string{careRole}
	card.Team.Members = []string{"discord:" + dana}
	e.setCard(card)
	e.deliver(e.fake.ClickPayload(member(alice, careRole), msg, click{Kind: btnClaim, Case: 12, Rev: 4}.encode()), answered)
	if r := e.lastRequest(); r.Role == nil || !r.Role.Held {
		t.Fatalf("role by id: %+v", r)
	}
	e.deliver(e.fake.ClickPayload(member(dana), msg, click{Kind: btnClaim, Case: 12, Rev: 5}.encode()), answered)
	if r := e.lastRequest(); r.Role != nil || r.Actor != "discord:"+dana {
		t.Fatalf("listed member: %+v (the lists decide)", r)
	}
}

// Without a gateway (HTTP interactions only) role names are asked of the
// REST API.
func TestRoleNamesFromREST(t *testing.T) {
	e := newEnv(t, nil)
	team := roleCard().Team
	m := member(alice, careRole)
	rc := e.s.roleCheck(t.Context(), discordfake.GuildID, memberOf(m), team)
	if rc == nil || !rc.Held {
		t.Fatalf("role check %+v", rc)
	}
	if n := len(e.fake.Calls("GET /guilds/" + discordfake.GuildID + "/roles")); n != 1 {
		t.Fatalf("%d role lookups", n)
	}
}

func TestGatewayResumes(t *testing.T) {
	e := newEnv(t, nil)
	e.connect()
	_, msg := e.post(sampleCard())
	if st := e.fake.State(); st.Intents != int64(Intents) {
		t.Fatalf("intents %d, want %d", st.Intents, Intents)
	}
	e.fake.Drop()
	// Sent while the connection is down: delivered once discordgo resumes.
	if err := e.fake.React(member(alice), careChannel, msg, "👀", ""); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := e.fake.WaitGateway(ctx, func(st discordfake.GatewayState) bool { return st.Resumes == 1 && st.Connected }); err != nil {
		t.Fatal(err)
	}
	if r := e.lastRequest(); r.Kind != bot.ActClaim {
		t.Fatalf("request after the resume %+v", r)
	}
	if st := e.fake.State(); st.Identifies != 1 {
		t.Fatalf("identified %d times: the session was not resumed", st.Identifies)
	}
}

// The HTTP interactions endpoint: a forged or stale signature is refused
// with 401 and nothing is done; Discord's PING is answered; a signed click
// is acted on.
func TestHTTPInteractions(t *testing.T) {
	e := newEnv(t, nil)
	srv := httptest.NewServer(e.s.Handler())
	defer srv.Close()
	_, msg := e.post(sampleCard())
	url := srv.URL + InteractionsPath
	do := func(req *http.Request) (int, string) {
		t.Helper()
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	_, forger, _ := ed25519.GenerateKey(nil)
	claim := click{Kind: btnClaim, Case: 12, Rev: 3}.encode()
	req, _ := e.fake.SignedRequest(t.Context(), url, e.fake.ClickPayload(member(alice), msg, claim), forger)
	if code, _ := do(req); code != http.StatusUnauthorized {
		t.Fatalf("forged signature: %d", code)
	}
	// A genuine signature over a replayed, six-minute-old request.
	old := e.fake.ClickPayload(member(alice), msg, claim)
	req, _ = e.fake.SignedRequest(t.Context(), url, old, nil)
	e.advance(6 * time.Minute)
	if code, _ := do(req); code != http.StatusUnauthorized {
		t.Fatalf("stale signature: %d", code)
	}
	// Body changed after signing.
	req, _ = e.fake.SignedRequest(t.Context(), url, e.fake.ClickPayload(member(alice), msg, claim), nil)
	body, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(bytes.NewReader(bytes.Replace(body, []byte(alice), []byte(bob), 1)))
	if code, _ := do(req); code != http.StatusUnauthorized {
		t.Fatalf("tampered body: %d", code)
	}
	if n := len(e.actions.requests()); n != 0 {
		t.Fatalf("%d actions from refused requests", n)
	}
	ping, _ := e.fake.SignedBody(t.Context(), url, []byte(`{"id":"1","application_id":"`+discordfake.AppID+`","type":1,"token":"t","version":1}`), nil)
	if code, body := do(ping); code != http.StatusOK || strings.TrimSpace(body) != `{"type":1}` {
		t.Fatalf("PING: %d %s", code, body)
	}
	req, _ = e.fake.SignedRequest(t.Context(), url, e.fake.ClickPayload(member(alice), msg, claim), nil)
	if code, body := do(req); code != http.StatusOK || !strings.Contains(body, `"type":6`) {
		t.Fatalf("signed click: %d %s", code, body)
	}
	if r := e.lastRequest(); r.Kind != bot.ActClaim || r.Actor != "discord:"+alice {
		t.Fatalf("request %+v", r)
	}
	get, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if code, _ := do(get); code != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %d", code)
	}
}

// Interactions from other servers, and from direct messages, are refused.
func TestOtherServersAndDMsRefused(t *testing.T) {
	e := newEnv(t, nil)
	for name, raw := range map[string]string{
		"other server": `{"id":"1","application_id":"` + discordfake.AppID + `","type":3,"token":"t","version":1,"guild_id":"999999999999999999","channel_id":"` + careChannel + `","member":{"user":{"id":"` + alice + `"},"roles":[]},"data":{"component_type":2,"custom_id":"es1:claim:12:3"}}`,
		"dm":           `{"id":"1","application_id":"` + discordfake.AppID + `","type":2,"token":"t","version":1,"channel_id":"5","user":{"id":"` + alice + `"},"data":{"id":"9","name":"earshot","type":1,"options":[]}}`,
	} {
		in := decodeInteraction(t, raw)
		a := e.s.handle(in)
		if a.work != nil || a.resp.Type != 4 || a.resp.Data.Flags&64 == 0 {
			t.Fatalf("%s: answered %+v", name, a.resp)
		}
	}
	if n := len(e.actions.requests()); n != 0 {
		t.Fatalf("%d actions", n)
	}
}

func TestRefusedCallbackDropsTheWork(t *testing.T) {
	e := newEnv(t, nil)
	e.connect()
	_, msg := e.post(sampleCard())
	in := e.fake.ClickPayload(member(alice), msg, click{Kind: btnClaim, Case: 12, Rev: 3}.encode())
	// Answered already (as by another replica): Discord refuses a second
	// answer, and nothing is done behind the person's back.
	req, _ := http.NewRequest(http.MethodPost, e.fake.URL+"/api/v9/interactions/"+in.ID+"/"+in.Token+"/callback", strings.NewReader(`{"type":6}`))
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusNoContent {
		t.Fatalf("first answer: %v %v", res, err)
	}
	if err := e.fake.Deliver(in); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the second answer to be refused", func() bool {
		return len(e.fake.Calls("POST /interactions/"+in.ID)) == 2
	})
	e.s.work.Wait()
	if n := len(e.actions.requests()); n != 0 {
		t.Fatalf("%d actions after an unanswerable interaction", n)
	}
}

func decodeInteraction(t *testing.T, raw string) *discordgo.Interaction {
	t.Helper()
	var i discordgo.Interaction
	if err := json.Unmarshal([]byte(raw), &i); err != nil {
		t.Fatal(err)
	}
	return &i
}

func memberOf(m discordfake.Member) *discordgo.Member {
	return &discordgo.Member{User: &discordgo.User{ID: m.UserID}, Roles: m.Roles}
}
