package slackfake

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzCheckBlocks feeds the fake's Block Kit validator real cards (the
// Slack surface's golden files) and variations; it must never panic, and a
// payload it accepts must be a JSON array of at most 50 blocks.
func FuzzCheckBlocks(f *testing.F) {
	f.Add(`[{"type":"header","text":{"type":"plain_text","text":"Hi"}}]`)
	f.Add(`[{"type":"section","text":{"type":"mrkdwn","text":"x","emoji":true}}]`)
	f.Add(`[{"type":"actions","elements":[{"type":"button","action_id":"a","text":{"type":"plain_text","text":"b"},"value":"v"}]}]`)
	f.Add(`[{"type":"input","label":{"type":"plain_text","text":"L"},"element":{"type":"plain_text_input","max_length":3001}}]`)
	f.Add(`{}`)
	golden, _ := filepath.Glob("../../../surfaces/slack/testdata/card*.golden.json")
	for _, p := range golden {
		var card struct {
			Blocks json.RawMessage `json:"blocks"`
		}
		if b, err := os.ReadFile(p); err == nil && json.Unmarshal(b, &card) == nil {
			f.Add(string(card.Blocks))
		}
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if checkBlocks([]byte(raw), maxMessageBlock, false) {
			var blocks []json.RawMessage
			if err := json.Unmarshal([]byte(raw), &blocks); err != nil || len(blocks) > maxMessageBlock {
				t.Fatalf("accepted %q", raw)
			}
		}
		checkBlocks([]byte(raw), maxViewBlocks, true)
		_ = checkView([]byte(raw))
		_ = checkMessage(raw, raw)
	})
}
