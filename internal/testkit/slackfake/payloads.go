package slackfake

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Signature is Slack's v0 request signature: "v0=" + hex(HMAC-SHA256(secret,
// "v0:{ts}:{body}")). It is computed here from the documented format, not
// with slack-go, so tests check the receiver against the format.
func Signature(secret string, ts int64, body []byte) string {
	h := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(h, "v0:%d:", ts)
	h.Write(body)
	return "v0=" + hex.EncodeToString(h.Sum(nil))
}

// Delivery is one request as Slack would send it to an app over HTTP.
type Delivery struct {
	Path        string // "/slack/events", "/slack/interactivity", "/slack/commands"
	ContentType string
	Body        []byte
	// At is the signing time; zero is now (the receiver checks it against
	// its real clock, within five minutes).
	At time.Time
	// Secret overrides the fake's signing secret (a forged request).
	Secret string
	// RetryNum marks a redelivery (X-Slack-Retry-Num).
	RetryNum int
}

// Request builds d as an *http.Request addressed to base+d.Path, usable
// with an http.Client or a handler's ServeHTTP.
func (f *Fake) Request(ctx context.Context, base string, d Delivery) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+d.Path, bytes.NewReader(d.Body))
	if err != nil {
		return nil, err
	}
	at := d.At
	if at.IsZero() {
		at = time.Now()
	}
	secret := d.Secret
	if secret == "" {
		secret = f.SigningSecret
	}
	req.Header.Set("Content-Type", d.ContentType)
	req.Header.Set("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(at.Unix(), 10))
	req.Header.Set("X-Slack-Signature", Signature(secret, at.Unix(), d.Body))
	if d.RetryNum > 0 {
		req.Header.Set("X-Slack-Retry-Num", strconv.Itoa(d.RetryNum))
		req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	return req, nil
}

// EventDelivery wraps an Events API callback for /slack/events.
func EventDelivery(event []byte) Delivery {
	return Delivery{Path: "/slack/events", ContentType: "application/json", Body: event}
}

// InteractionDelivery wraps an interactivity payload for
// /slack/interactivity: a form with the JSON in its "payload" field.
func InteractionDelivery(payload []byte) Delivery {
	body := url.Values{"payload": {string(payload)}}.Encode()
	return Delivery{Path: "/slack/interactivity", ContentType: "application/x-www-form-urlencoded", Body: []byte(body)}
}

// CommandDelivery wraps a slash command's fields for /slack/commands.
func CommandDelivery(cmd map[string]string) Delivery {
	v := url.Values{}
	for k, s := range cmd {
		v.Set(k, s)
	}
	return Delivery{Path: "/slack/commands", ContentType: "application/x-www-form-urlencoded", Body: []byte(v.Encode())}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("slackfake: %v", err)) // only plain maps are marshalled
	}
	return b
}

// callback wraps an inner event the way the Events API delivers it.
func callback(eventID string, inner map[string]any) []byte {
	return mustJSON(map[string]any{
		"token": "fake-verification-token", "team_id": TeamID, "api_app_id": AppID,
		"event": inner, "type": "event_callback", "event_id": eventID, "event_time": 1700000000,
		"authorizations":        []map[string]any{{"enterprise_id": nil, "team_id": TeamID, "user_id": BotUserID, "is_bot": true, "is_enterprise_install": false}},
		"is_ext_shared_channel": false, "event_context": "4-fake-" + eventID,
	})
}

// ReactionAdded is a reaction_added callback: user put :reaction: on the
// message channel/ts.
func ReactionAdded(eventID, user, reaction, channel, ts string) []byte {
	return callback(eventID, map[string]any{
		"type": "reaction_added", "user": user, "reaction": reaction, "item_user": BotUserID,
		"item":     map[string]any{"type": "message", "channel": channel, "ts": ts},
		"event_ts": "1700000100.000200",
	})
}

// AppMention is an app_mention callback: user wrote text (which should
// start with "<@BOT>") in channel, in the thread threadTS when set.
func AppMention(eventID, user, text, channel, ts, threadTS string) []byte {
	inner := map[string]any{
		"type": "app_mention", "user": user, "text": text, "ts": ts, "channel": channel,
		"event_ts": ts, "client_msg_id": "fake-" + eventID,
	}
	if threadTS != "" {
		inner["thread_ts"] = threadTS
	}
	return callback(eventID, inner)
}

// URLVerification is the challenge Slack sends when the events URL is set.
func URLVerification(challenge string) []byte {
	return mustJSON(map[string]any{"token": "fake-verification-token", "challenge": challenge, "type": "url_verification"})
}

// BlockAction is a block_actions payload: user clicked the button
// actionID (carrying value) on the message channel/messageTS.
func BlockAction(user, channel, messageTS, actionID, value, triggerID, responseURL string) []byte {
	return mustJSON(map[string]any{
		"type":       "block_actions",
		"user":       map[string]any{"id": user, "username": "someone", "name": "someone", "team_id": TeamID},
		"api_app_id": AppID, "token": "fake-verification-token",
		"container":    map[string]any{"type": "message", "message_ts": messageTS, "channel_id": channel, "is_ephemeral": false},
		"trigger_id":   triggerID,
		"team":         map[string]any{"id": TeamID, "domain": "earshot-fake"},
		"channel":      map[string]any{"id": channel, "name": "care"},
		"message":      map[string]any{"type": "message", "ts": messageTS, "user": BotUserID, "bot_id": BotID},
		"response_url": responseURL,
		"actions": []map[string]any{{
			"action_id": actionID, "block_id": "earshot.actions", "value": value, "type": "button",
			"text": map[string]any{"type": "plain_text", "text": "Button", "emoji": true}, "action_ts": "1700000200.000300",
		}},
	})
}

// SelectAction is a block_actions payload: user picked the option carrying
// value in the static_select menu actionID on the message channel/messageTS.
func SelectAction(user, channel, messageTS, actionID, value, triggerID, responseURL string) []byte {
	return mustJSON(map[string]any{
		"type":       "block_actions",
		"user":       map[string]any{"id": user, "username": "someone", "name": "someone", "team_id": TeamID},
		"api_app_id": AppID, "token": "fake-verification-token",
		"container":    map[string]any{"type": "message", "message_ts": messageTS, "channel_id": channel, "is_ephemeral": false},
		"trigger_id":   triggerID,
		"team":         map[string]any{"id": TeamID, "domain": "earshot-fake"},
		"channel":      map[string]any{"id": channel, "name": "care"},
		"message":      map[string]any{"type": "message", "ts": messageTS, "user": BotUserID, "bot_id": BotID},
		"response_url": responseURL,
		"actions": []map[string]any{{
			"action_id": actionID, "block_id": "earshot.actions", "type": "static_select",
			"selected_option": map[string]any{"text": map[string]any{"type": "plain_text", "text": "Option", "emoji": true}, "value": value},
			"placeholder":     map[string]any{"type": "plain_text", "text": "Pick", "emoji": true}, "action_ts": "1700000200.000400",
		}},
	})
}

// ViewSubmission is a view_submission payload: user submitted the modal
// callbackID with privateMetadata and state values (block id → action id →
// value object, e.g. {"type":"plain_text_input","value":"…"}).
func ViewSubmission(user, viewID, callbackID, privateMetadata string, values map[string]map[string]any) []byte {
	return mustJSON(map[string]any{
		"type":       "view_submission",
		"team":       map[string]any{"id": TeamID, "domain": "earshot-fake"},
		"user":       map[string]any{"id": user, "username": "someone", "name": "someone", "team_id": TeamID},
		"api_app_id": AppID, "token": "fake-verification-token", "trigger_id": "1.2.fake",
		"view": map[string]any{
			"id": viewID, "team_id": TeamID, "type": "modal", "callback_id": callbackID,
			"private_metadata": privateMetadata, "state": map[string]any{"values": values},
			"hash": "1700000300.fakehash", "root_view_id": viewID, "app_id": AppID, "bot_id": BotID,
			"title": map[string]any{"type": "plain_text", "text": "Form"}, "blocks": []any{},
		},
		"response_urls": []any{},
	})
}

// SlashCommand is a slash command's fields as Slack posts them.
func SlashCommand(user, channel, command, text, triggerID, responseURL string) map[string]string {
	return map[string]string{
		"token": "fake-verification-token", "team_id": TeamID, "team_domain": "earshot-fake",
		"channel_id": channel, "channel_name": "care", "user_id": user, "user_name": "someone",
		"command": command, "text": text, "response_url": responseURL, "trigger_id": triggerID,
		"api_app_id": AppID, "is_enterprise_install": "false",
	}
}
