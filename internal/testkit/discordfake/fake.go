// Package discordfake is a fake Discord for tests: the REST routes earshot
// uses (channel messages, threads from messages, interaction callbacks and
// their webhooks, application command bulk overwrite, guild roles), answered
// in Discord's documented formats (snowflake ids, {"code":…,"message":…}
// errors, 429 with retry_after), and a gateway over a real WebSocket (hello,
// identify, ready, resume, heartbeats, dispatches) that the real discordgo
// client connects to.
//
// Point discordgo at it with Transport: every request's scheme and host are
// rewritten to the fake, paths stay /api/v9/…, so discordgo's package-level
// endpoint variables are left alone. Every call is recorded, and every
// message checked: anything sent without allowed_mentions {"parse": []} is a
// Violation, and the pings Discord would have sent are computed as Discord
// computes them.
package discordfake

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults of a new Fake. The token only has the right shape.
const (
	Token     = "ODAwMDAwMDAwMDAwMDAwMDAx.fake.token"
	AppID     = "800000000000000001"
	BotUserID = AppID // a bot user's id is its application's
	GuildID   = "810000000000000001"
)

// Call is one REST request as the fake saw it.
type Call struct {
	Method string
	Path   string // without /api/v9
	Body   json.RawMessage
	Status int
}

// Message is a message the bot posted (and maybe edited), in a channel or
// a thread.
type Message struct {
	ID         string
	ChannelID  string
	Content    string
	Embeds     json.RawMessage
	Components json.RawMessage
	Flags      int
	Edits      int
	// AllowedMentions is the last allowed_mentions sent with it, raw.
	AllowedMentions json.RawMessage
}

// Thread is a thread started from one of the bot's messages.
type Thread struct {
	ID, ParentID, Name string
}

// Role is a guild role.
type Role struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Fake is a running fake Discord. Its zero value is not usable; call New.
type Fake struct {
	// URL is the server's base URL; REST is under URL+"/api/v9/".
	URL   string
	Token string

	srv  *httptest.Server
	now  func() time.Time
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey

	mu         sync.Mutex
	calls      []Call
	msgs       []*Message
	byID       map[string]*Message
	threads    map[string]*Thread // id (= the message it started from) → thread
	channels   map[string]bool    // text channels the bot can post in
	forbidden  map[string]int     // channel → error code answered with 403 (50001, 50013)
	forced     map[string]time.Duration
	perWindow  int
	window     time.Duration
	buckets    map[string]*bucket
	invalid    int // 401, 403 and 429 answers: Discord bans at 10,000 per 10 minutes
	violations []string
	pings      []Ping
	roles      map[string][]Role // guild → roles
	commands   map[string][]json.RawMessage
	overwrites int
	inter      map[string]*Interaction // by token
	seq        int64
	gw         gateway
}

type bucket struct {
	start time.Time
	used  int
}

// Option configures a Fake.
type Option func(*Fake)

// WithClock makes the fake read time from now (rate-limit windows).
func WithClock(now func() time.Time) Option { return func(f *Fake) { f.now = now } }

// WithRateLimit sets each channel's message budget: n messages per window
// (Discord's is about 5 per 5 s). Zero n turns the limit off.
func WithRateLimit(n int, window time.Duration) Option {
	return func(f *Fake) { f.perWindow, f.window = n, window }
}

// WithHeartbeatInterval sets the interval the gateway's hello asks for.
func WithHeartbeatInterval(d time.Duration) Option {
	return func(f *Fake) { f.gw.heartbeat = d }
}

// New starts a fake Discord. Close it when done.
func New(opts ...Option) *Fake {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		panic(err)
	}
	f := &Fake{
		Token:     Token,
		now:       time.Now,
		priv:      priv,
		pub:       pub,
		byID:      map[string]*Message{},
		threads:   map[string]*Thread{},
		channels:  map[string]bool{},
		forbidden: map[string]int{},
		forced:    map[string]time.Duration{},
		perWindow: 5,
		window:    5 * time.Second,
		buckets:   map[string]*bucket{},
		roles:     map[string][]Role{},
		commands:  map[string][]json.RawMessage{},
		inter:     map[string]*Interaction{},
		seq:       1_200_000_000_000_000_000,
	}
	f.gw.init()
	for _, o := range opts {
		o(f)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v9/", f.serveREST)
	mux.HandleFunc("GET /gw/", f.serveGateway)
	f.srv = httptest.NewServer(mux)
	f.URL = f.srv.URL
	return f
}

// Close drops gateway connections and stops the server.
func (f *Fake) Close() {
	f.gw.closeAll()
	f.srv.Close()
}

// Transport sends every request to the fake, whatever host it names:
// give it to discordgo as Session.Client.Transport.
func (f *Fake) Transport() http.RoundTripper {
	u, _ := url.Parse(f.URL)
	return rewrite{host: u.Host}
}

type rewrite struct{ host string }

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host, req.Host = "http", r.host, r.host
	return http.DefaultTransport.RoundTrip(req)
}

// PublicKey is the application's public key (hex), for verifying the
// interactions the fake signs.
func (f *Fake) PublicKey() string { return fmt.Sprintf("%x", []byte(f.pub)) }

// AddChannel makes channel a text channel the bot can post in.
func (f *Fake) AddChannel(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.channels[id] = true
}

// ForbidChannel makes every request on channel answer 403 with code (50001
// Missing Access, 50013 Missing Permissions); 0 heals it.
func (f *Fake) ForbidChannel(channel string, code int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if code == 0 {
		delete(f.forbidden, channel)
		return
	}
	f.forbidden[channel] = code
}

// RateLimitNext makes the next message request on channel get a 429 with
// retry_after. It sends no X-RateLimit headers (a "shared" limit, like
// Discord's for some resources), so only the caller's own pacing can wait.
func (f *Fake) RateLimitNext(channel string, after time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.forced[channel] = after
}

// SetRoles sets a guild's roles (GET /guilds/{id}/roles and GUILD_CREATE).
func (f *Fake) SetRoles(guild string, roles ...Role) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.roles[guild] = slices.Clone(roles)
}

// DeleteMessage deletes one of the bot's messages, as a moderator might.
func (f *Fake) DeleteMessage(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.byID, id)
	delete(f.threads, id)
	f.msgs = slices.DeleteFunc(f.msgs, func(m *Message) bool { return m.ID == id })
}

// Calls returns the recorded REST calls whose "METHOD /path" starts with
// prefix ("" for all), oldest first.
func (f *Fake) Calls(prefix string) []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Call
	for _, c := range f.calls {
		if strings.HasPrefix(c.Method+" "+c.Path, prefix) {
			out = append(out, c)
		}
	}
	return out
}

// Messages returns the bot's messages in channel (a thread's id for its
// messages; "" for all), oldest first.
func (f *Fake) Messages(channel string) []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Message
	for _, m := range f.msgs {
		if channel == "" || m.ChannelID == channel {
			out = append(out, *m)
		}
	}
	return out
}

// Message returns one of the bot's messages by id.
func (f *Fake) Message(id string) (Message, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.byID[id]
	if !ok {
		return Message{}, false
	}
	return *m, true
}

// Threads returns the threads started, oldest first.
func (f *Fake) Threads() []Thread {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Thread
	for _, m := range f.msgs {
		if t, ok := f.threads[m.ID]; ok {
			out = append(out, *t)
		}
	}
	return out
}

// Commands returns the application commands last written for guild ("" for
// global ones), and how many bulk overwrites there were in all.
func (f *Fake) Commands(guild string) ([]json.RawMessage, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.commands[guild]), f.overwrites
}

// InvalidRequests counts 401, 403 and 429 answers: Discord's invalid
// request limit (10,000 per 10 minutes) counts the same.
func (f *Fake) InvalidRequests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.invalid
}

// Violations lists messages that could have pinged: sent without
// allowed_mentions {"parse": []} (or with a list of roles).
func (f *Fake) Violations() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.violations)
}

// Pings lists the notifications Discord would have sent for the messages
// the bot sent.
func (f *Fake) Pings() []Ping {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.pings)
}

// nextID returns a fresh snowflake; f.mu must be held.
func (f *Fake) nextID() string {
	f.seq++
	return strconv.FormatInt(f.seq, 10)
}
