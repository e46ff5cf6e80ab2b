package slacksurface

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/earshothq/earshot/bot"
)

// Action ids of the card's buttons and callback ids of its modals. A Send
// button's action id ends with the suggestion's rank, so each is unique on
// the card.
const (
	actionPrefix   = "earshot."
	actionSend     = "earshot.send"
	actionEdit     = "earshot.edit"
	actionEscalate = "earshot.escalate"
	actionDefect   = "earshot.defect"
	actionClaim    = "earshot.claim"
	actionDismiss  = "earshot.dismiss" // a menu: its options carry the reason
	actionReopen   = "earshot.reopen"
	actionRedraft  = "earshot.regenerate"
	actionAck      = "earshot.ack"
	actionOpen     = "earshot.open" // link button: Slack still tells us of the click

	viewEdit     = "earshot.edit"
	viewEscalate = "earshot.escalate"
	viewDefect   = "earshot.defect"
	viewRedraft  = "earshot.regenerate"

	// Block and action ids of the modals' inputs.
	inputText = "text"
	inputPage = "page"
)

// ref is where a card lives: "channel/ts", the form stored in card_refs.
func makeRef(channel, ts string) string { return channel + "/" + ts }

// splitRef parses a card reference.
func splitRef(ref string) (channel, ts string, err error) {
	channel, ts, ok := strings.Cut(ref, "/")
	if !ok || channel == "" || ts == "" || strings.Contains(ts, "/") {
		return "", "", fmt.Errorf("card ref %q: want channel/ts", ref)
	}
	return channel, ts, nil
}

// click is what a card's button carries: which case, the revision the card
// showed (so a click on a stale card is told apart), the suggestion's rank
// and a hash of its text (so a Send on a card whose drafts were redone
// since is caught before the wrong words go out).
type click struct {
	Case int64
	Rev  int64
	Rank int
	Hash string
	// Channel and Platform are set in modal metadata: where to answer the
	// person, and which reply limit the text must meet.
	Channel  string
	Platform string
	// Reason is the Dismiss menu option's reason.
	Reason string
}

func (c click) encode() string {
	v := url.Values{}
	v.Set("c", strconv.FormatInt(c.Case, 10))
	v.Set("r", strconv.FormatInt(c.Rev, 10))
	if c.Rank > 0 {
		v.Set("s", strconv.Itoa(c.Rank))
	}
	if c.Hash != "" {
		v.Set("h", c.Hash)
	}
	if c.Channel != "" {
		v.Set("ch", c.Channel)
	}
	if c.Platform != "" {
		v.Set("p", c.Platform)
	}
	if c.Reason != "" {
		v.Set("w", c.Reason)
	}
	return v.Encode()
}

// decodeClick parses a button value or modal metadata. It is strict: the
// value came back from Slack, but only we ever wrote it.
func decodeClick(s string) (click, error) {
	if len(s) > maxButtonValue {
		return click{}, fmt.Errorf("button value of %d bytes: too long", len(s))
	}
	v, err := url.ParseQuery(s)
	if err != nil {
		return click{}, fmt.Errorf("button value %q: %w", clip(s, 80), err)
	}
	var c click
	if c.Case, err = strconv.ParseInt(v.Get("c"), 10, 64); err != nil || c.Case <= 0 {
		return click{}, fmt.Errorf("button value %q: bad case id", clip(s, 80))
	}
	if c.Rev, err = strconv.ParseInt(v.Get("r"), 10, 64); err != nil || c.Rev < 0 {
		return click{}, fmt.Errorf("button value %q: bad revision", clip(s, 80))
	}
	if r := v.Get("s"); r != "" {
		if c.Rank, err = strconv.Atoi(r); err != nil || c.Rank < 1 || c.Rank > 99 {
			return click{}, fmt.Errorf("button value %q: bad suggestion rank", clip(s, 80))
		}
	}
	c.Hash = v.Get("h")
	c.Channel = v.Get("ch")
	c.Platform = v.Get("p")
	c.Reason = v.Get("w")
	if c.Reason != "" && !bot.DismissReason(c.Reason).Valid() {
		return click{}, fmt.Errorf("button value %q: bad reason", clip(s, 80))
	}
	if len(c.Hash) > 64 || len(c.Channel) > 64 || len(c.Platform) > 64 {
		return click{}, fmt.Errorf("button value %q: field too long", clip(s, 80))
	}
	return c, nil
}

// textHash identifies a suggestion's words without carrying them.
func textHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}
