package slackfake

import (
	"encoding/json"
	"unicode/utf16"
)

// Block Kit limits the fake enforces, from Slack's reference: a payload
// that real Slack would refuse is refused here too, so tests catch it.
const (
	maxMessageText  = 40000
	maxMessageBlock = 50
	maxViewBlocks   = 100
)

// length counts characters the way Slack's limits do (UTF-16 code units
// counted here, which is never fewer than Slack counts).
func length(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

type textObj struct {
	Type  string `json:"type"`
	Text  string `json:"text"`
	Emoji *bool  `json:"emoji"`
}

type element struct {
	Type         string   `json:"type"`
	ActionID     string   `json:"action_id"`
	Text         *textObj `json:"text"`
	Value        *string  `json:"value"`
	URL          string   `json:"url"`
	MaxLength    int      `json:"max_length"`
	InitialValue string   `json:"initial_value"`
	Placeholder  *textObj `json:"placeholder"`
	Options      []option `json:"options"`
}

type option struct {
	Text  *textObj `json:"text"`
	Value string   `json:"value"`
}

type block struct {
	Type      string            `json:"type"`
	BlockID   string            `json:"block_id"`
	Text      *textObj          `json:"text"`
	Fields    []textObj         `json:"fields"`
	Accessory *element          `json:"accessory"`
	Elements  []json.RawMessage `json:"elements"`
	Label     *textObj          `json:"label"`
	Hint      *textObj          `json:"hint"`
	Element   *element          `json:"element"`
}

// checkText validates a text object against a length limit.
func checkText(t *textObj, limit int, plainOnly bool) bool {
	if t == nil || t.Text == "" || length(t.Text) > limit {
		return false
	}
	switch t.Type {
	case "plain_text":
		return true
	case "mrkdwn":
		return !plainOnly && t.Emoji == nil
	}
	return false
}

func checkElement(e *element, ids map[string]bool, inModal bool) bool {
	if e == nil {
		return false
	}
	if e.ActionID != "" {
		if len(e.ActionID) > 255 || ids[e.ActionID] {
			return false
		}
		ids[e.ActionID] = true
	}
	switch e.Type {
	case "button":
		if !checkText(e.Text, 75, true) || length(e.URL) > 3000 {
			return false
		}
		return e.Value == nil || length(*e.Value) <= 2000
	case "plain_text_input":
		if !inModal || e.MaxLength > 3000 || e.MaxLength < 0 {
			return false
		}
		limit := 3000
		if e.MaxLength > 0 {
			limit = e.MaxLength
		}
		return length(e.InitialValue) <= limit && (e.Placeholder == nil || checkText(e.Placeholder, 150, true))
	case "static_select", "multi_static_select", "overflow":
		// Options as Slack documents them: 1 to 100, plain text up to 75
		// characters, values up to 150 (overflow menus take 2 to 5).
		if len(e.Options) == 0 || len(e.Options) > 100 {
			return false
		}
		for _, o := range e.Options {
			if !checkText(o.Text, 75, true) || o.Value == "" || length(o.Value) > 150 {
				return false
			}
		}
		return e.Placeholder == nil || checkText(e.Placeholder, 150, true)
	case "multi_users_select", "users_select", "conversations_select", "datepicker", "image":
		return e.Placeholder == nil || checkText(e.Placeholder, 150, true)
	}
	return false
}

// checkBlocks validates a blocks array as Slack would; it reports whether
// Slack would take it.
func checkBlocks(raw []byte, limit int, inModal bool) bool {
	var blocks []block
	if err := json.Unmarshal(raw, &blocks); err != nil || len(blocks) > limit {
		return false
	}
	blockIDs, actionIDs := map[string]bool{}, map[string]bool{}
	for _, b := range blocks {
		if b.BlockID != "" {
			if len(b.BlockID) > 255 || blockIDs[b.BlockID] {
				return false
			}
			blockIDs[b.BlockID] = true
		}
		switch b.Type {
		case "header":
			if !checkText(b.Text, 150, true) {
				return false
			}
		case "section":
			if b.Text == nil && len(b.Fields) == 0 {
				return false
			}
			if b.Text != nil && !checkText(b.Text, 3000, false) {
				return false
			}
			if len(b.Fields) > 10 {
				return false
			}
			for i := range b.Fields {
				if !checkText(&b.Fields[i], 2000, false) {
					return false
				}
			}
			if b.Accessory != nil && !checkElement(b.Accessory, actionIDs, inModal) {
				return false
			}
		case "context":
			if len(b.Elements) == 0 || len(b.Elements) > 10 {
				return false
			}
			for _, raw := range b.Elements {
				var t textObj
				if err := json.Unmarshal(raw, &t); err != nil {
					return false
				}
				if t.Type != "image" && !checkText(&t, 3000, false) {
					return false
				}
			}
		case "actions":
			if len(b.Elements) == 0 || len(b.Elements) > 25 {
				return false
			}
			for _, raw := range b.Elements {
				var e element
				if err := json.Unmarshal(raw, &e); err != nil || !checkElement(&e, actionIDs, inModal) {
					return false
				}
			}
		case "input":
			if !inModal || !checkText(b.Label, 2000, true) || (b.Hint != nil && !checkText(b.Hint, 2000, true)) {
				return false
			}
			if !checkElement(b.Element, actionIDs, inModal) {
				return false
			}
		case "divider", "rich_text", "image":
		default:
			return false
		}
	}
	return true
}

// checkMessage returns the error code Slack gives a bad message, or "".
func checkMessage(text, blocks string) string {
	if length(text) > maxMessageText {
		return "msg_too_long"
	}
	if blocks != "" && !checkBlocks([]byte(blocks), maxMessageBlock, false) {
		return "invalid_blocks"
	}
	return ""
}

// checkView returns the error code Slack gives a bad modal, or "".
func checkView(raw json.RawMessage) string {
	var v struct {
		Type            string          `json:"type"`
		Title           *textObj        `json:"title"`
		Submit          *textObj        `json:"submit"`
		Close           *textObj        `json:"close"`
		CallbackID      string          `json:"callback_id"`
		PrivateMetadata string          `json:"private_metadata"`
		Blocks          json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(raw, &v); err != nil || v.Type != "modal" {
		return "invalid_arguments"
	}
	if !checkText(v.Title, 24, true) || (v.Submit != nil && !checkText(v.Submit, 24, true)) || (v.Close != nil && !checkText(v.Close, 24, true)) {
		return "invalid_arguments"
	}
	if len(v.CallbackID) > 255 || length(v.PrivateMetadata) > 3000 {
		return "invalid_arguments"
	}
	if !checkBlocks(v.Blocks, maxViewBlocks, true) {
		return "invalid_arguments"
	}
	return ""
}
