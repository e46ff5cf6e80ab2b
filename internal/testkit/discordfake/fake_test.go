package discordfake

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// session is the real discordgo client pointed at the fake.
func client(t *testing.T, f *Fake) *discordgo.Session {
	t.Helper()
	s, err := discordgo.New("Bot " + f.Token)
	if err != nil {
		t.Fatal(err)
	}
	s.Client = &http.Client{Transport: f.Transport(), Timeout: 10 * time.Second}
	s.ShouldRetryOnRateLimit = false
	s.LogLevel = discordgo.LogError
	return s
}

func none() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

func TestMessagesAndMentions(t *testing.T) {
	f := New()
	defer f.Close()
	f.AddChannel("100")
	s := client(t, f)
	text := "hey @everyone and <@123> and <@&456>"

	// Without allowed_mentions a bot's message pings everything it names.
	if _, err := s.ChannelMessageSendComplex("100", &discordgo.MessageSend{Content: text}); err != nil {
		t.Fatal(err)
	}
	if got := len(f.Pings()); got != 3 {
		t.Fatalf("%d pings without allowed_mentions, want 3: %+v", got, f.Pings())
	}
	if len(f.Violations()) != 1 {
		t.Fatalf("violations %v, want one", f.Violations())
	}
	// A zero MessageAllowedMentions sends "parse": null, which is no
	// protection; with parse [] nothing pings.
	if _, err := s.ChannelMessageSendComplex("100", &discordgo.MessageSend{Content: text, AllowedMentions: &discordgo.MessageAllowedMentions{}}); err != nil {
		t.Fatal(err)
	}
	if len(f.Pings()) != 6 || len(f.Violations()) != 2 {
		t.Fatalf("pings %+v, violations %v after parse null", f.Pings(), f.Violations())
	}
	m, err := s.ChannelMessageSendComplex("100", &discordgo.MessageSend{Content: text, AllowedMentions: none()})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Pings()) != 6 || len(f.Violations()) != 2 {
		t.Fatalf("pings %+v, violations %v after a safe message", f.Pings(), f.Violations())
	}
	edit := "edited"
	if _, err := s.ChannelMessageEditComplex(&discordgo.MessageEdit{Channel: "100", ID: m.ID, Content: &edit,
		AllowedMentions: none()}); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.Message(m.ID); got.Content != "edited" || got.Edits != 1 {
		t.Fatalf("message after edit: %+v", got)
	}
	// A thread from the message, once.
	if _, err := s.MessageThreadStart("100", m.ID, "case #1", 10080); err != nil {
		t.Fatal(err)
	}
	_, err = s.MessageThreadStart("100", m.ID, "case #1", 10080)
	var re *discordgo.RESTError
	if !errors.As(err, &re) || re.Message == nil || re.Message.Code != codeThreadExists {
		t.Fatalf("second thread: %v", err)
	}
	if _, err := s.ChannelMessageSendComplex(m.ID, &discordgo.MessageSend{Content: "in the thread", AllowedMentions: none()}); err != nil {
		t.Fatal(err)
	}
	if got := f.Messages(m.ID); len(got) != 1 {
		t.Fatalf("thread messages %+v", got)
	}
	// Unknown channel: 404 with Discord's code.
	_, err = s.ChannelMessageSend("999", "x")
	if !errors.As(err, &re) || re.Response.StatusCode != 404 || re.Message.Code != codeUnknownChannel {
		t.Fatalf("unknown channel: %v", err)
	}
}

func TestRateLimit(t *testing.T) {
	f := New(WithRateLimit(2, time.Minute))
	defer f.Close()
	f.AddChannel("100")
	s := client(t, f)
	safe := none()
	for i := range 2 {
		if _, err := s.ChannelMessageSendComplex("100", &discordgo.MessageSend{Content: "x", AllowedMentions: safe}); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	f.RateLimitNext("200", 1500*time.Millisecond)
	f.AddChannel("200")
	_, err := s.ChannelMessageSendComplex("200", &discordgo.MessageSend{Content: "x", AllowedMentions: safe})
	var rl *discordgo.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter != 1500*time.Millisecond {
		t.Fatalf("forced 429: %v", err)
	}
	if f.InvalidRequests() != 1 {
		t.Fatalf("invalid requests %d, want 1", f.InvalidRequests())
	}
}

func TestGatewayIdentifyDispatchResume(t *testing.T) {
	f := New()
	defer f.Close()
	f.SetRoles(GuildID, Role{ID: "300", Name: "Care"})
	s := client(t, f)
	s.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessageReactions
	var mu sync.Mutex
	var got []string
	s.AddHandler(func(_ *discordgo.Session, r *discordgo.MessageReactionAdd) {
		mu.Lock()
		got = append(got, r.Emoji.Name)
		mu.Unlock()
	})
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := f.WaitGateway(ctx, func(st GatewayState) bool { return st.Identifies == 1 }); err != nil {
		t.Fatal(err)
	}
	if st := f.State(); st.Intents != int64(discordgo.IntentsGuilds|discordgo.IntentsGuildMessageReactions) {
		t.Fatalf("intents %d", st.Intents)
	}
	wait := func(n int) {
		t.Helper()
		for ctx.Err() == nil {
			mu.Lock()
			k := len(got)
			mu.Unlock()
			if k >= n {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("reactions seen: %v, want %d", got, n)
	}
	if err := f.React(Member{UserID: "77"}, "100", "999", "✅", ""); err != nil {
		t.Fatal(err)
	}
	wait(1)
	f.Drop()
	// Sent while the client is away: replayed when it resumes.
	if err := f.React(Member{UserID: "77"}, "100", "999", "🚨", ""); err != nil {
		t.Fatal(err)
	}
	if err := f.WaitGateway(ctx, func(st GatewayState) bool { return st.Resumes == 1 && st.Connected }); err != nil {
		t.Fatal(err)
	}
	wait(2)
	if st := f.State(); st.Identifies != 1 {
		t.Fatalf("identified %d times; a resume must not identify again", st.Identifies)
	}
	if r, err := s.State.Role(GuildID, "300"); err != nil || r.Name != "Care" {
		t.Fatalf("role from GUILD_CREATE: %+v, %v", r, err)
	}
}
