// Package slackfake is a fake Slack for tests and benchmarks: the Web API
// methods earshot uses, answered in Slack's documented formats (form or JSON
// bodies, {"ok":false,"error":"…"}, 429 with Retry-After), Socket Mode over
// a real WebSocket, and helpers that deliver signed events, interactions and
// slash commands to an HTTP handler the way Slack does.
//
// Point slack-go at it with slack.OptionAPIURL(fake.APIURL()). Every call is
// recorded, so a test can assert exactly what reached "Slack".
package slackfake

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Defaults of a new Fake. The tokens only have the right shape.
const (
	BotToken      = "xoxb-fake-bot-token"
	AppToken      = "xapp-fake-app-token"
	SigningSecret = "8f742231b10e8888abcd99yyyzzz85a5" // Slack's documented sample secret
	BotUserID     = "UBOTFAKE"
	BotID         = "BFAKE"
	TeamID        = "TFAKE"
	AppID         = "AFAKE"
)

// Call is one request to the Web API as the fake saw it.
type Call struct {
	Method string
	// Auth is how the token came: "form" (token field), "query" (a GET's
	// token parameter), "bearer" or "".
	Auth   string
	Form   url.Values      // form-encoded requests
	JSON   json.RawMessage // JSON requests
	Status int             // HTTP status answered
	Error  string          // Slack error code answered, "" when ok
}

// Message is a message the bot posted (and maybe updated).
type Message struct {
	Channel  string
	TS       string
	ThreadTS string
	Text     string
	Blocks   json.RawMessage
	Updates  int
	// Unfurl records what the bot asked for unfurling ("", "true", "false").
	UnfurlLinks, UnfurlMedia string
}

// Ephemeral is a message only one user sees.
type Ephemeral struct {
	Channel, User, ThreadTS, Text string
	Blocks                        json.RawMessage
}

// View is a modal opened with views.open.
type View struct {
	ID        string
	TriggerID string
	View      json.RawMessage
}

// Hook is an answer posted to a response_url.
type Hook struct {
	Path string
	Body json.RawMessage
}

// Fake is a running fake Slack. Its zero value is not usable; call New.
type Fake struct {
	// URL is the server's base URL; the Web API is under URL+"/api/".
	URL string

	BotToken, AppToken, SigningSecret string

	srv *httptest.Server
	now func() time.Time

	mu         sync.Mutex
	calls      []Call
	msgs       []*Message
	byRef      map[string]*Message // "channel/ts"
	ephemerals []Ephemeral
	views      []View
	hooks      []Hook
	seq        int64
	perSecond  rate.Limit
	burst      int
	limiters   map[string]*rate.Limiter
	forced     map[string]time.Duration // channel → a 429 on its next message
	failing    map[string]string        // channel → error code for every call
	names      map[string]string        // "#care" and "care" → "C…"
	triggers   map[string]bool          // issued trigger ids → used
	socket     socketState
}

// Option configures a Fake.
type Option func(*Fake)

// WithClock makes the fake read time from now (its rate limits and message
// timestamps); the default is time.Now.
func WithClock(now func() time.Time) Option { return func(f *Fake) { f.now = now } }

// WithRateLimit sets the per-channel message limit; the default is Slack's
// chat.postMessage guidance of one message a second with bursts of five.
// Zero perSecond turns the limit off.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(f *Fake) { f.perSecond, f.burst = rate.Limit(perSecond), burst }
}

// WithPingInterval sets how often the Socket Mode server pings its client
// (slack-go reconnects when pings stop for 30 s); default 5 s.
func WithPingInterval(d time.Duration) Option { return func(f *Fake) { f.socket.pingEvery = d } }

// New starts a fake Slack. Close it when done.
func New(opts ...Option) *Fake {
	f := &Fake{
		BotToken:      BotToken,
		AppToken:      AppToken,
		SigningSecret: SigningSecret,
		now:           time.Now,
		byRef:         map[string]*Message{},
		perSecond:     1,
		burst:         5,
		limiters:      map[string]*rate.Limiter{},
		forced:        map[string]time.Duration{},
		failing:       map[string]string{},
		names:         map[string]string{},
		triggers:      map[string]bool{},
	}
	f.socket.init()
	for _, o := range opts {
		o(f)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/{method}", f.serveAPI)
	mux.HandleFunc("GET /api/{method}", f.serveAPI) // slack-go reads some methods with GET and a query
	mux.HandleFunc("GET /link/", f.serveSocket)
	mux.HandleFunc("POST /hooks/{id...}", f.serveHook)
	f.srv = httptest.NewServer(mux)
	f.URL = f.srv.URL
	return f
}

// APIURL is the base URL to give slack-go (slack.OptionAPIURL).
func (f *Fake) APIURL() string { return f.URL + "/api/" }

// Close stops the server and drops Socket Mode connections.
func (f *Fake) Close() {
	f.socket.closeAll()
	f.srv.Close()
}

// AddChannel lets messages address channel id by name too ("#care").
func (f *Fake) AddChannel(id, name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name = strings.TrimPrefix(name, "#")
	f.names[name], f.names["#"+name] = id, id
}

// FailChannel makes every call on channel answer {"ok":false,"error":code}
// (channel_not_found, not_in_channel, is_archived…); "" heals it.
func (f *Fake) FailChannel(channel, code string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if code == "" {
		delete(f.failing, channel)
		return
	}
	f.failing[channel] = code
}

// RateLimitNext makes the next message to channel get a 429 with
// Retry-After of after (rounded up to whole seconds, as Slack sends it).
func (f *Fake) RateLimitNext(channel string, after time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.forced[channel] = after
}

// TriggerID issues a trigger id for an interaction payload; views.open
// accepts each once.
func (f *Fake) TriggerID() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	id := fmt.Sprintf("%d.%s.fake%d", f.seq, TeamID, f.seq)
	f.triggers[id] = false
	return id
}

// ResponseURL is a response_url for a payload; answers posted to it are
// kept in Hooks.
func (f *Fake) ResponseURL() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	return fmt.Sprintf("%s/hooks/commands/%s/%d/fake", f.URL, TeamID, f.seq)
}

// Calls returns the recorded calls of method ("" for all), oldest first.
func (f *Fake) Calls(method string) []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Call
	for _, c := range f.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Messages returns the bot's messages in channel ("" for all), oldest first.
func (f *Fake) Messages(channel string) []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Message
	for _, m := range f.msgs {
		if channel == "" || m.Channel == channel {
			out = append(out, *m)
		}
	}
	return out
}

// Thread returns the replies to the message channel/ts, oldest first.
func (f *Fake) Thread(channel, ts string) []Message {
	var out []Message
	for _, m := range f.Messages(channel) {
		if m.ThreadTS == ts {
			out = append(out, m)
		}
	}
	return out
}

// Ephemerals returns the ephemeral messages sent, oldest first.
func (f *Fake) Ephemerals() []Ephemeral {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.ephemerals)
}

// Views returns the modals opened, oldest first.
func (f *Fake) Views() []View {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.views)
}

// Hooks returns the answers posted to response_urls, oldest first.
func (f *Fake) Hooks() []Hook {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.hooks)
}

// result is one Web API answer.
type result struct {
	status     int
	retryAfter time.Duration
	body       map[string]any
}

func ok(fields map[string]any) result {
	if fields == nil {
		fields = map[string]any{}
	}
	fields["ok"] = true
	return result{status: http.StatusOK, body: fields}
}

// fail is Slack's way of refusing: HTTP 200 with ok false.
func fail(code string) result {
	return result{status: http.StatusOK, body: map[string]any{"ok": false, "error": code}}
}

// request is a decoded Web API request.
type request struct {
	form  url.Values
	json  map[string]json.RawMessage
	raw   json.RawMessage
	token string
	auth  string
}

// str reads a field from the form or the JSON body.
func (r request) str(name string) string {
	if r.json != nil {
		var s string
		if err := json.Unmarshal(r.json[name], &s); err == nil {
			return s
		}
		return string(r.json[name]) // objects and arrays, raw
	}
	return r.form.Get(name)
}

func (f *Fake) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := r.PathValue("method")
	req, err := decodeRequest(r)
	var res result
	if err != nil {
		res = fail("invalid_form_data")
	} else {
		res = f.call(method, req)
	}
	call := Call{Method: method, Auth: req.auth, Form: req.form, JSON: req.raw, Status: res.status}
	if e, ok := res.body["error"].(string); ok {
		call.Error = e
	}
	f.mu.Lock()
	f.calls = append(f.calls, call)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if res.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(res.retryAfter.Seconds()))))
	}
	w.WriteHeader(res.status)
	_ = json.NewEncoder(w).Encode(res.body)
}

// decodeRequest reads a form or JSON body and where the token came from;
// Slack accepts the token as a form field or a Bearer header.
func decodeRequest(r *http.Request) (request, error) {
	var req request
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		req.token, req.auth = strings.TrimPrefix(h, "Bearer "), "bearer"
	}
	if r.Method == http.MethodGet {
		req.form = r.URL.Query()
		if t := req.form.Get("token"); t != "" && req.token == "" {
			req.token, req.auth = t, "query"
		}
		return req, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		return req, err
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		if len(body) > 0 {
			if err := json.Unmarshal(body, &req.json); err != nil {
				return req, err
			}
		} else {
			req.json = map[string]json.RawMessage{}
		}
		req.raw = body
	default:
		if req.form, err = url.ParseQuery(string(body)); err != nil {
			return req, err
		}
		if t := req.form.Get("token"); t != "" && req.token == "" {
			req.token, req.auth = t, "form"
		}
	}
	return req, nil
}

func (f *Fake) call(method string, req request) result {
	switch method {
	case "apps.connections.open":
		return f.connectionsOpen(req)
	case "auth.test", "chat.postMessage", "chat.update", "chat.postEphemeral", "views.open", "chat.getPermalink":
	default:
		return fail("unknown_method")
	}
	switch req.token {
	case "":
		return fail("not_authed")
	case f.BotToken:
	default:
		return fail("invalid_auth")
	}
	switch method {
	case "auth.test":
		return ok(map[string]any{"url": "https://earshot-fake.slack.com/", "team": "earshot fake", "user": "earshot",
			"team_id": TeamID, "user_id": BotUserID, "bot_id": BotID})
	case "chat.postMessage":
		return f.postMessage(req)
	case "chat.update":
		return f.update(req)
	case "chat.postEphemeral":
		return f.postEphemeral(req)
	case "chat.getPermalink":
		return f.permalink(req)
	}
	return f.openView(req)
}

// resolve turns a channel name into its id; f.mu is held.
func (f *Fake) resolve(ch string) (string, string) {
	if id, ok := f.names[ch]; ok {
		ch = id
	}
	if ch == "" || strings.HasPrefix(ch, "#") {
		return "", "channel_not_found"
	}
	if code, ok := f.failing[ch]; ok {
		return "", code
	}
	if c := ch[0]; c != 'C' && c != 'G' && c != 'D' {
		return "", "channel_not_found"
	}
	return ch, ""
}

// limit applies the per-channel message limit; f.mu is held.
func (f *Fake) limit(ch string) (time.Duration, bool) {
	if d, ok := f.forced[ch]; ok {
		delete(f.forced, ch)
		return d, false
	}
	if f.perSecond == 0 {
		return 0, true
	}
	lim, ok := f.limiters[ch]
	if !ok {
		lim = rate.NewLimiter(f.perSecond, f.burst)
		f.limiters[ch] = lim
	}
	now := f.now()
	r := lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d, false
	}
	return 0, true
}

func rateLimited(after time.Duration) result {
	return result{status: http.StatusTooManyRequests, retryAfter: max(after, time.Second),
		body: map[string]any{"ok": false, "error": "ratelimited"}}
}

// nextTS makes a message timestamp: Slack's "seconds.micro", unique.
func (f *Fake) nextTS() string {
	f.seq++
	return fmt.Sprintf("%d.%06d", f.now().Unix(), f.seq%1_000_000)
}

func (f *Fake) postMessage(req request) result {
	text, blocks := req.str("text"), req.str("blocks")
	if text == "" && blocks == "" {
		return fail("no_text")
	}
	if code := checkMessage(text, blocks); code != "" {
		return fail(code)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	ch, code := f.resolve(req.str("channel"))
	if code != "" {
		return fail(code)
	}
	thread := req.str("thread_ts")
	if _, ok := f.byRef[ch+"/"+thread]; thread != "" && !ok {
		thread = "" // Slack posts a reply to a deleted message un-threaded
	}
	if d, ok := f.limit(ch); !ok {
		return rateLimited(d)
	}
	m := &Message{Channel: ch, TS: f.nextTS(), ThreadTS: thread, Text: text, Blocks: rawOrNil(blocks),
		UnfurlLinks: req.str("unfurl_links"), UnfurlMedia: req.str("unfurl_media")}
	f.msgs = append(f.msgs, m)
	f.byRef[ch+"/"+m.TS] = m
	return ok(map[string]any{"channel": ch, "ts": m.TS, "message": f.messageJSON(m)})
}

func (f *Fake) update(req request) result {
	text, blocks := req.str("text"), req.str("blocks")
	if code := checkMessage(text, blocks); code != "" {
		return fail(code)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	ch, code := f.resolve(req.str("channel"))
	if code != "" {
		return fail(code)
	}
	m, found := f.byRef[ch+"/"+req.str("ts")]
	if !found {
		return fail("message_not_found")
	}
	if d, ok := f.limit(ch); !ok {
		return rateLimited(d)
	}
	if text != "" {
		m.Text = text
	}
	if blocks != "" {
		m.Blocks = rawOrNil(blocks)
	}
	m.Updates++
	return ok(map[string]any{"channel": ch, "ts": m.TS, "text": m.Text, "message": f.messageJSON(m)})
}

func (f *Fake) postEphemeral(req request) result {
	text, blocks := req.str("text"), req.str("blocks")
	if text == "" && blocks == "" {
		return fail("no_text")
	}
	if code := checkMessage(text, blocks); code != "" {
		return fail(code)
	}
	user := req.str("user")
	if user == "" {
		return fail("user_not_in_channel")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	ch, code := f.resolve(req.str("channel"))
	if code != "" {
		return fail(code)
	}
	f.ephemerals = append(f.ephemerals, Ephemeral{Channel: ch, User: user, ThreadTS: req.str("thread_ts"), Text: text, Blocks: rawOrNil(blocks)})
	return ok(map[string]any{"message_ts": f.nextTS()})
}

func (f *Fake) openView(req request) result {
	trigger, view := req.str("trigger_id"), req.json["view"]
	if req.json == nil || trigger == "" || len(view) == 0 {
		return fail("invalid_arguments")
	}
	if code := checkView(view); code != "" {
		return fail(code)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	used, issued := f.triggers[trigger]
	switch {
	case !issued:
		return fail("invalid_trigger_id")
	case used:
		return fail("exchanged_trigger_id")
	}
	f.triggers[trigger] = true
	f.seq++
	id := fmt.Sprintf("V%06d", f.seq)
	f.views = append(f.views, View{ID: id, TriggerID: trigger, View: view})
	var v map[string]any
	_ = json.Unmarshal(view, &v)
	v["id"], v["team_id"], v["app_id"], v["bot_id"] = id, TeamID, AppID, BotID
	v["state"] = map[string]any{"values": map[string]any{}}
	v["hash"] = fmt.Sprintf("%d.fakehash", f.now().Unix())
	return ok(map[string]any{"view": v})
}

// permalink answers chat.getPermalink (channel, message_ts) as Slack does:
// {"ok":true,"channel":"C…","permalink":"https://…/archives/C…/p1700000000000100"}.
func (f *Fake) permalink(req request) result {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch, code := f.resolve(req.str("channel"))
	if code != "" {
		return fail(code)
	}
	ts := req.str("message_ts")
	if _, found := f.byRef[ch+"/"+ts]; !found {
		return fail("message_not_found")
	}
	return ok(map[string]any{"channel": ch, "permalink": PermalinkBase + ch + "/p" + strings.ReplaceAll(ts, ".", "")})
}

// PermalinkBase starts every permalink the fake gives out.
const PermalinkBase = "https://earshot-fake.slack.com/archives/"

func (f *Fake) messageJSON(m *Message) map[string]any {
	out := map[string]any{"type": "message", "text": m.Text, "ts": m.TS, "user": BotUserID, "bot_id": BotID}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
	}
	if len(m.Blocks) > 0 {
		out["blocks"] = m.Blocks
	}
	return out
}

func (f *Fake) serveHook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || !json.Valid(body) {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.hooks = append(f.hooks, Hook{Path: r.URL.Path, Body: body})
	f.mu.Unlock()
	_, _ = io.WriteString(w, "ok")
}

func rawOrNil(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	return json.RawMessage(s)
}
