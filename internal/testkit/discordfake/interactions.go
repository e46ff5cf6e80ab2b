package discordfake

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Member is a guild member who clicks, reacts and types commands.
type Member struct {
	UserID string
	Name   string
	Roles  []string // role ids
}

func (m Member) json() map[string]any {
	roles := m.Roles
	if roles == nil {
		roles = []string{}
	}
	return map[string]any{
		"user":        map[string]any{"id": m.UserID, "username": m.Name, "global_name": m.Name},
		"roles":       roles,
		"permissions": "2147483647",
		"joined_at":   "2026-01-02T03:04:05.000000+00:00",
	}
}

// Response is one callback to an interaction.
type Response struct {
	Type int
	Data json.RawMessage
	// After is how long after the interaction was created the callback came.
	After time.Duration
}

// Interaction is one interaction the fake delivered and what the app did
// with it: its callbacks, the message they made (edited by PATCH
// @original) and its followups.
type Interaction struct {
	ID, Token string
	Type      int
	Payload   json.RawMessage
	Created   time.Time
	Responses []Response
	Original  *Message
	Followups []Message
	// viaHTTP: delivered to an HTTP endpoint, which answers in its response
	// body; the fake does not see that answer.
	viaHTTP bool
}

// Text is what the person was shown last: the original response's content
// after its edits, else the last followup's.
func (i Interaction) Text() string {
	if n := len(i.Followups); n > 0 {
		return i.Followups[n-1].Content
	}
	if i.Original != nil {
		return i.Original.Content
	}
	return ""
}

// newInteraction builds an interaction payload as Discord sends it and
// registers it; f.mu must not be held.
func (f *Fake) newInteraction(typ int, m Member, channel string, message *Message, data any, viaHTTP bool) *Interaction {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := f.nextID()
	tok := "fake-interaction-token-" + id
	p := map[string]any{
		"id": id, "application_id": AppID, "type": typ, "token": tok, "version": 1,
		"guild_id": GuildID, "channel_id": channel, "member": m.json(), "data": data,
		"locale": "en-GB", "guild_locale": "en-US", "app_permissions": "442368",
	}
	if message != nil {
		p["message"] = message.json()
	}
	in := &Interaction{ID: id, Token: tok, Type: typ, Payload: mustJSON(p), Created: f.now(), viaHTTP: viaHTTP}
	f.inter[tok] = in
	return in
}

// ClickPayload is a button click (type 3) on the bot's message messageID.
func (f *Fake) ClickPayload(m Member, messageID, customID string) *Interaction {
	msg, _ := f.Message(messageID)
	if msg.ID == "" {
		msg = Message{ID: messageID}
	}
	return f.newInteraction(3, m, msg.ChannelID, &msg, map[string]any{"component_type": 2, "custom_id": customID}, false)
}

// SelectPayload is a choice in a string select menu (component type 3)
// on the bot's message messageID.
func (f *Fake) SelectPayload(m Member, messageID, customID string, values ...string) *Interaction {
	msg, _ := f.Message(messageID)
	if msg.ID == "" {
		msg = Message{ID: messageID}
	}
	if values == nil {
		values = []string{}
	}
	return f.newInteraction(3, m, msg.ChannelID, &msg, map[string]any{"component_type": 3, "custom_id": customID, "values": values}, false)
}

// CommandOption is one slash-command option: a subcommand holds Options, a value
// option holds Value.
type CommandOption struct {
	Name    string
	Type    int // 1 subcommand, 3 string, 4 integer
	Value   any
	Options []CommandOption
}

func optionsJSON(opts []CommandOption) []map[string]any {
	out := []map[string]any{}
	for _, o := range opts {
		m := map[string]any{"name": o.Name, "type": o.Type}
		if o.Type == 1 || o.Type == 2 {
			m["options"] = optionsJSON(o.Options)
		} else {
			m["value"] = o.Value
		}
		out = append(out, m)
	}
	return out
}

// SlashPayload is a chat-input command (type 2) typed in channel.
func (f *Fake) SlashPayload(m Member, channel, name string, opts ...CommandOption) *Interaction {
	data := map[string]any{"id": "900000000000000009", "name": name, "type": 1, "options": optionsJSON(opts)}
	return f.newInteraction(2, m, channel, nil, data, false)
}

// SubmitPayload is a modal submission (type 5) with its text inputs' values
// by custom id, from a modal opened on messageID ("" for none).
func (f *Fake) SubmitPayload(m Member, channel, messageID, customID string, values map[string]string) *Interaction {
	var rows []map[string]any
	for id, v := range values {
		rows = append(rows, map[string]any{"type": 1, "components": []map[string]any{{"type": 4, "custom_id": id, "value": v}}})
	}
	var msg *Message
	if messageID != "" {
		mm, _ := f.Message(messageID)
		msg = &mm
		if channel == "" {
			channel = mm.ChannelID
		}
	}
	return f.newInteraction(5, m, channel, msg, map[string]any{"custom_id": customID, "components": rows}, false)
}

// Deliver sends an interaction over the gateway (INTERACTION_CREATE).
func (f *Fake) Deliver(in *Interaction) error {
	return f.Dispatch("INTERACTION_CREATE", json.RawMessage(in.Payload))
}

// SignedRequest makes an HTTP request to an interactions endpoint carrying
// in, signed with the application's key as Discord signs. With a non-nil
// key it is signed with that one instead (a forgery).
func (f *Fake) SignedRequest(ctx context.Context, endpoint string, in *Interaction, key ed25519.PrivateKey) (*http.Request, error) {
	f.mu.Lock()
	in.viaHTTP = true
	f.mu.Unlock()
	return f.SignedBody(ctx, endpoint, in.Payload, key)
}

// SignedBody signs any body for an interactions endpoint (a PING, a
// malformed payload); key nil means the application's key.
func (f *Fake) SignedBody(ctx context.Context, endpoint string, body []byte, key ed25519.PrivateKey) (*http.Request, error) {
	if key == nil {
		key = f.priv
	}
	ts := strconv.FormatInt(f.now().Unix(), 10)
	sig := ed25519.Sign(key, append([]byte(ts), body...))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	req.Header.Set("X-Signature-Timestamp", ts)
	return req, nil
}

// React delivers MESSAGE_REACTION_ADD: m put emoji (a Unicode character, or
// a custom emoji's name with its id) on message in channel.
func (f *Fake) React(m Member, channel, message, emojiName, emojiID string) error {
	emoji := map[string]any{"id": nil, "name": emojiName}
	if emojiID != "" {
		emoji["id"] = emojiID
	}
	return f.Dispatch("MESSAGE_REACTION_ADD", map[string]any{
		"user_id": m.UserID, "channel_id": channel, "message_id": message, "guild_id": GuildID,
		"member": m.json(), "emoji": emoji, "message_author_id": BotUserID, "burst": false, "type": 0,
	})
}

// Interaction returns what became of an interaction so far.
func (f *Fake) Interaction(token string) (Interaction, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	in, ok := f.inter[token]
	if !ok {
		return Interaction{}, false
	}
	out := *in
	out.Responses = append([]Response(nil), in.Responses...)
	out.Followups = append([]Message(nil), in.Followups...)
	if in.Original != nil {
		o := *in.Original
		out.Original = &o
	}
	return out, true
}

// WaitInteraction polls until cond holds for the interaction.
func (f *Fake) WaitInteraction(ctx context.Context, token string, cond func(Interaction) bool) (Interaction, error) {
	for {
		in, ok := f.Interaction(token)
		if ok && cond(in) {
			return in, nil
		}
		select {
		case <-ctx.Done():
			return in, fmt.Errorf("interaction %s: %+v: %w", token, in, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// callback answers POST /interactions/{id}/{token}/callback.
func (f *Fake) callback(id, token string, body []byte) reply {
	f.mu.Lock()
	defer f.mu.Unlock()
	in, known := f.inter[token]
	if !known || in.ID != id {
		return fail(http.StatusNotFound, codeUnknownInteraction, "Unknown interaction")
	}
	if len(in.Responses) > 0 {
		return fail(http.StatusBadRequest, codeAlreadyAcked, "Interaction has already been acknowledged.")
	}
	var res struct {
		Type int             `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		return fail(http.StatusBadRequest, codeInvalidFormBody, "Invalid Form Body")
	}
	where := "interaction " + in.ID + " callback"
	switch res.Type {
	case 1:
	case 4, 7:
		var msg messageIn
		if err := json.Unmarshal(res.Data, &msg); err != nil {
			return fail(http.StatusBadRequest, codeInvalidFormBody, "Invalid Form Body: data")
		}
		if r, bad := checkMessage(msg, res.Type == 7); bad {
			return r
		}
		m := &Message{ID: f.nextID(), ChannelID: channelOf(in.Payload)}
		f.apply(m, msg, where, false)
		in.Original = m
	case 5, 6:
		in.Original = &Message{ID: f.nextID(), ChannelID: channelOf(in.Payload)}
		var d struct {
			Flags int `json:"flags"`
		}
		_ = json.Unmarshal(res.Data, &d)
		in.Original.Flags = d.Flags
	case 9:
		if r, bad := checkModal(res.Data); bad {
			return r
		}
	default:
		return fail(http.StatusBadRequest, codeInvalidFormBody, fmt.Sprintf("Invalid Form Body: type %d", res.Type))
	}
	in.Responses = append(in.Responses, Response{Type: res.Type, Data: res.Data, After: f.now().Sub(in.Created)})
	return reply{status: http.StatusNoContent}
}

func channelOf(payload json.RawMessage) string {
	var p struct {
		ChannelID string `json:"channel_id"`
	}
	_ = json.Unmarshal(payload, &p)
	return p.ChannelID
}

// webhook serves the interaction webhooks: PATCH …/messages/@original and
// POST followups.
func (f *Fake) webhook(method string, p []string, body []byte) reply {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p[1] != AppID {
		return fail(http.StatusNotFound, codeUnknownWebhook, "Unknown Webhook")
	}
	in, known := f.inter[p[2]]
	if !known || (len(in.Responses) == 0 && !in.viaHTTP) {
		return fail(http.StatusNotFound, codeUnknownWebhook, "Unknown Webhook")
	}
	var msg messageIn
	if err := json.Unmarshal(body, &msg); err != nil {
		return fail(http.StatusBadRequest, codeInvalidFormBody, "Invalid Form Body")
	}
	where := "interaction " + in.ID + " webhook " + method
	switch {
	case method == "PATCH" && len(p) == 5 && p[3] == "messages" && p[4] == "@original":
		if r, bad := checkMessage(msg, true); bad {
			return r
		}
		if in.Original == nil {
			in.Original = &Message{ID: f.nextID(), ChannelID: channelOf(in.Payload)}
		}
		f.apply(in.Original, msg, where, false)
		in.Original.Edits++
		return ok(in.Original.json())
	case method == "POST" && len(p) == 3:
		if r, bad := checkMessage(msg, false); bad {
			return r
		}
		m := &Message{ID: f.nextID(), ChannelID: channelOf(in.Payload)}
		f.apply(m, msg, where, false)
		in.Followups = append(in.Followups, *m)
		return ok(m.json())
	}
	return fail(http.StatusNotFound, 0, "404: Not Found")
}

// checkModal refuses a modal Discord would refuse.
func checkModal(raw json.RawMessage) (reply, bool) {
	var m struct {
		CustomID   string `json:"custom_id"`
		Title      string `json:"title"`
		Components []struct {
			Type       int `json:"type"`
			Components []struct {
				Type      int    `json:"type"`
				CustomID  string `json:"custom_id"`
				Label     string `json:"label"`
				Style     int    `json:"style"`
				Value     string `json:"value"`
				MaxLength int    `json:"max_length"`
				MinLength int    `json:"min_length"`
			} `json:"components"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return invalid("data: %v", err)
	}
	switch {
	case m.CustomID == "" || runes(m.CustomID) > maxCustomID:
		return invalid("data.custom_id: 1 to %d characters", maxCustomID)
	case m.Title == "" || runes(m.Title) > 45:
		return invalid("data.title: 1 to 45 characters")
	case len(m.Components) == 0 || len(m.Components) > 5:
		return invalid("data.components: 1 to 5 rows")
	}
	for i, row := range m.Components {
		if row.Type != 1 || len(row.Components) != 1 {
			return invalid("data.components.%d: a row holds one text input", i)
		}
		ti := row.Components[0]
		switch {
		case ti.Type != 4:
			return invalid("data.components.%d: type %d is not a text input", i, ti.Type)
		case ti.CustomID == "" || ti.Label == "" || runes(ti.Label) > 45:
			return invalid("data.components.%d: custom_id and a label of 1 to 45 characters", i)
		case ti.Style != 1 && ti.Style != 2:
			return invalid("data.components.%d.style: %d", i, ti.Style)
		case ti.MaxLength < 0 || ti.MaxLength > 4000:
			return invalid("data.components.%d.max_length: at most 4000", i)
		case ti.MaxLength > 0 && runes(ti.Value) > ti.MaxLength:
			return invalid("data.components.%d.value: longer than max_length", i)
		}
	}
	return reply{}, false
}
