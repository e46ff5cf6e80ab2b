package discordfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// apiError is Discord's error body.
type apiError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// Discord's JSON error codes the fake answers.
const (
	codeUnknownChannel     = 10003
	codeUnknownMessage     = 10008
	codeUnknownWebhook     = 10015
	codeUnknownInteraction = 10062
	codeMissingAccess      = 50001
	codeInvalidFormBody    = 50035
	codeAlreadyAcked       = 40060
	codeThreadExists       = 160004
)

type reply struct {
	status int
	body   any
	header http.Header
}

func ok(v any) reply { return reply{status: http.StatusOK, body: v} }

func fail(status, code int, msg string) reply {
	return reply{status: status, body: apiError{Code: code, Message: msg}}
}

// serveREST routes /api/v9/… and records the call.
func (f *Fake) serveREST(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	path := strings.TrimPrefix(r.URL.Path, "/api/v9")
	parts := strings.Split(strings.Trim(path, "/"), "/")
	var res reply
	webhook := parts[0] == "webhooks" || parts[0] == "interactions"
	switch {
	case !webhook && r.Header.Get("Authorization") != "Bot "+f.Token:
		res = fail(http.StatusUnauthorized, 0, "401: Unauthorized")
	case len(body) > 0 && !json.Valid(body):
		res = fail(http.StatusBadRequest, codeInvalidFormBody, "The request body contains invalid JSON.")
	default:
		res = f.route(r.Method, parts, body)
	}
	f.mu.Lock()
	f.calls = append(f.calls, Call{Method: r.Method, Path: path, Body: append(json.RawMessage(nil), body...), Status: res.status})
	if res.status == http.StatusUnauthorized || res.status == http.StatusForbidden || res.status == http.StatusTooManyRequests {
		f.invalid++
	}
	f.mu.Unlock()
	for k, vs := range res.header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if res.status == http.StatusNoContent {
		w.WriteHeader(res.status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(res.status)
	_ = json.NewEncoder(w).Encode(res.body)
}

func (f *Fake) route(method string, p []string, body []byte) reply {
	n := len(p)
	switch {
	case method == "GET" && n == 1 && p[0] == "gateway", method == "GET" && n == 2 && p[0] == "gateway" && p[1] == "bot":
		return ok(map[string]any{"url": "ws" + strings.TrimPrefix(f.URL, "http") + "/gw",
			"shards": 1, "session_start_limit": map[string]int{"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}})
	case method == "GET" && n == 2 && p[0] == "users" && p[1] == "@me":
		return ok(map[string]any{"id": BotUserID, "username": "earshot", "bot": true})
	case p[0] == "channels" && n >= 2:
		return f.channelRoute(method, p, body)
	case p[0] == "guilds" && n == 3 && p[2] == "roles" && method == "GET":
		f.mu.Lock()
		defer f.mu.Unlock()
		roles, known := f.roles[p[1]]
		if !known {
			return fail(http.StatusNotFound, 10004, "Unknown Guild")
		}
		return ok(roles)
	case p[0] == "applications" && method == "PUT" && (n == 3 || n == 5) && p[n-1] == "commands":
		return f.overwriteCommands(p, body)
	case p[0] == "interactions" && n == 4 && p[3] == "callback" && method == "POST":
		return f.callback(p[1], p[2], body)
	case p[0] == "webhooks" && n >= 3:
		return f.webhook(method, p, body)
	}
	return fail(http.StatusNotFound, 0, "404: Not Found")
}

// channelRoute serves /channels/{id}[/messages[/{id}[/threads]]].
func (f *Fake) channelRoute(method string, p []string, body []byte) reply {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := p[1]
	thread, isThread := f.threads[ch]
	if !f.channels[ch] && !isThread {
		return fail(http.StatusNotFound, codeUnknownChannel, "Unknown Channel")
	}
	if code := f.forbidden[ch]; code != 0 {
		return fail(http.StatusForbidden, code, "Missing Access")
	}
	if isThread && f.forbidden[thread.ParentID] != 0 {
		return fail(http.StatusForbidden, f.forbidden[thread.ParentID], "Missing Access")
	}
	n := len(p)
	switch {
	case method == "GET" && n == 2:
		if isThread {
			return ok(map[string]any{"id": ch, "type": 11, "guild_id": GuildID, "parent_id": thread.ParentID, "name": thread.Name})
		}
		return ok(map[string]any{"id": ch, "type": 0, "guild_id": GuildID, "name": "channel-" + ch})
	case method == "POST" && n == 3 && p[2] == "messages":
		if res, limited := f.limit(ch); limited {
			return res
		}
		var in messageIn
		if err := json.Unmarshal(body, &in); err != nil {
			return fail(http.StatusBadRequest, codeInvalidFormBody, "Invalid Form Body")
		}
		if r, bad := checkMessage(in, false); bad {
			return r
		}
		m := &Message{ID: f.nextID(), ChannelID: ch}
		f.apply(m, in, "POST /channels/"+ch+"/messages", true)
		f.msgs = append(f.msgs, m)
		f.byID[m.ID] = m
		return ok(m.json())
	case method == "PATCH" && n == 4 && p[2] == "messages":
		m, known := f.byID[p[3]]
		if !known || m.ChannelID != ch {
			return fail(http.StatusNotFound, codeUnknownMessage, "Unknown Message")
		}
		if res, limited := f.limit(ch + "/edit"); limited {
			return res
		}
		var in messageIn
		if err := json.Unmarshal(body, &in); err != nil {
			return fail(http.StatusBadRequest, codeInvalidFormBody, "Invalid Form Body")
		}
		if r, bad := checkMessage(in, true); bad {
			return r
		}
		f.apply(m, in, "PATCH /channels/"+ch+"/messages/"+m.ID, true)
		m.Edits++
		return ok(m.json())
	case method == "POST" && n == 5 && p[2] == "messages" && p[4] == "threads":
		m, known := f.byID[p[3]]
		if !known || m.ChannelID != ch {
			return fail(http.StatusNotFound, codeUnknownMessage, "Unknown Message")
		}
		if _, exists := f.threads[m.ID]; exists {
			return fail(http.StatusBadRequest, codeThreadExists, "A thread has already been created for this message")
		}
		var in struct {
			Name string `json:"name"`
		}
		_ = json.Unmarshal(body, &in)
		if in.Name == "" || len([]rune(in.Name)) > 100 {
			return fail(http.StatusBadRequest, codeInvalidFormBody, "Invalid Form Body: name")
		}
		f.threads[m.ID] = &Thread{ID: m.ID, ParentID: ch, Name: in.Name}
		return reply{status: http.StatusCreated, body: map[string]any{"id": m.ID, "type": 11, "guild_id": GuildID, "parent_id": ch, "name": in.Name}}
	}
	return fail(http.StatusNotFound, 0, "404: Not Found")
}

// limit applies the per-channel budget; f.mu must be held.
func (f *Fake) limit(key string) (reply, bool) {
	ch, _, _ := strings.Cut(key, "/")
	if d, forced := f.forced[ch]; forced {
		delete(f.forced, ch)
		return rateLimited(d, false), true
	}
	if f.perWindow <= 0 {
		return reply{}, false
	}
	now := f.now()
	b := f.buckets[key]
	if b == nil || now.Sub(b.start) >= f.window {
		b = &bucket{start: now}
		f.buckets[key] = b
	}
	reset := b.start.Add(f.window)
	h := http.Header{}
	h.Set("X-RateLimit-Limit", strconv.Itoa(f.perWindow))
	h.Set("X-RateLimit-Bucket", "fake-"+key)
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(reset.UnixMilli())/1000, 'f', 3, 64))
	h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(reset.Sub(now).Seconds(), 'f', 3, 64))
	if b.used >= f.perWindow {
		r := rateLimited(reset.Sub(now), true)
		for k, v := range h {
			r.header[k] = v
		}
		r.header.Set("X-RateLimit-Remaining", "0")
		return r, true
	}
	b.used++
	h.Set("X-RateLimit-Remaining", strconv.Itoa(f.perWindow-b.used))
	return reply{header: h}, false
}

func rateLimited(after time.Duration, user bool) reply {
	secs := after.Seconds()
	h := http.Header{}
	h.Set("Retry-After", strconv.Itoa(int(secs+0.999)))
	if user {
		h.Set("X-RateLimit-Scope", "user")
	} else {
		h.Set("X-RateLimit-Scope", "shared")
	}
	return reply{status: http.StatusTooManyRequests, header: h,
		body: map[string]any{"message": "You are being rate limited.", "retry_after": secs, "global": false}}
}

// messageIn is the part of a message body the fake reads.
type messageIn struct {
	Content         *string         `json:"content"`
	Embeds          json.RawMessage `json:"embeds"`
	Components      json.RawMessage `json:"components"`
	Flags           int             `json:"flags"`
	AllowedMentions json.RawMessage `json:"allowed_mentions"`
}

// apply stores what a create or edit sends and checks its mentions; f.mu
// must be held. channelMsg: a bot's channel message (mentions parse by
// default) rather than an interaction or webhook one (users only).
func (f *Fake) apply(m *Message, in messageIn, where string, channelMsg bool) {
	if in.Content != nil {
		m.Content = *in.Content
	}
	if len(in.Embeds) > 0 && string(in.Embeds) != "null" {
		m.Embeds = in.Embeds
	}
	if len(in.Components) > 0 && string(in.Components) != "null" {
		m.Components = in.Components
	}
	if in.Flags != 0 {
		m.Flags = in.Flags
	}
	m.AllowedMentions = in.AllowedMentions
	if v := checkAllowed(in.AllowedMentions); v != "" {
		f.violations = append(f.violations, where+": "+v)
	}
	if in.Content != nil {
		for _, p := range pingsOf(*in.Content, in.AllowedMentions, channelMsg) {
			p.MessageID = m.ID
			f.pings = append(f.pings, p)
		}
	}
}

func (m *Message) json() map[string]any {
	out := map[string]any{
		"id": m.ID, "channel_id": m.ChannelID, "content": m.Content, "type": 0, "flags": m.Flags,
		"author":    map[string]any{"id": BotUserID, "username": "earshot", "bot": true},
		"timestamp": time.Now().UTC().Format(time.RFC3339),
	}
	if len(m.Embeds) > 0 {
		out["embeds"] = m.Embeds
	}
	if len(m.Components) > 0 {
		out["components"] = m.Components
	}
	return out
}

func (f *Fake) overwriteCommands(p []string, body []byte) reply {
	var cmds []json.RawMessage
	if err := json.Unmarshal(body, &cmds); err != nil {
		return fail(http.StatusBadRequest, codeInvalidFormBody, "Invalid Form Body")
	}
	if p[1] != AppID {
		return fail(http.StatusForbidden, codeMissingAccess, "Missing Access")
	}
	guild := ""
	if len(p) == 5 {
		guild = p[3]
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.overwrites++
	f.commands[guild] = cmds
	out := make([]map[string]any, 0, len(cmds))
	for _, c := range cmds {
		var m map[string]any
		if err := json.Unmarshal(c, &m); err != nil {
			return fail(http.StatusBadRequest, codeInvalidFormBody, "Invalid Form Body")
		}
		name, _ := m["name"].(string)
		if name == "" || len(name) > 32 || strings.ToLower(name) != name {
			return fail(http.StatusBadRequest, codeInvalidFormBody, fmt.Sprintf("Invalid Form Body: name %q", name))
		}
		m["id"], m["application_id"], m["version"] = f.nextID(), AppID, "1"
		if guild != "" {
			m["guild_id"] = guild
		}
		out = append(out, m)
	}
	return ok(out)
}
