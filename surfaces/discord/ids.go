package discordsurface

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// A card's buttons and our modals carry a custom id (1–100 characters) that
// Discord hands back on the click: "es1:<what>:<case>:<rev>" and, for a
// Send button, ":<rank>:<hash>". The version prefix lets a later release
// read (or politely refuse) buttons on cards posted by an older one.
const idPrefix = "es1"

// Button and modal kinds in custom ids.
const (
	btnSend     = "send"
	btnEdit     = "edit"
	btnEscalate = "esc"
	btnAck      = "ack"
	btnDefect   = "defect"
	btnClaim    = "claim"
	btnDismiss  = "dismiss"
	btnRedraft  = "regen"
	btnReopen   = "reopen"

	modalEdit     = "m-edit"
	modalEscalate = "m-esc"
	modalDefect   = "m-defect"
	modalRedraft  = "m-regen"

	// inputText is the custom id of a modal's one text input.
	inputText = "text"
)

var knownKinds = map[string]bool{
	btnSend: true, btnEdit: true, btnEscalate: true, btnAck: true, btnDefect: true, btnClaim: true, btnDismiss: true, btnRedraft: true, btnReopen: true,
	modalEdit: true, modalEscalate: true, modalDefect: true, modalRedraft: true,
}

// click is what a button or modal carries: which case, the revision the
// card showed (so a click on a stale card is told apart), and for Send the
// suggestion's rank and a hash of its text (so a Send on a card whose
// drafts were redone since is caught before the wrong words go out).
type click struct {
	Kind string
	Case int64
	Rev  int64
	Rank int
	Hash string
}

func (c click) encode() string {
	s := idPrefix + ":" + c.Kind + ":" + strconv.FormatInt(c.Case, 10) + ":" + strconv.FormatInt(c.Rev, 10)
	if c.Rank > 0 {
		s += ":" + strconv.Itoa(c.Rank) + ":" + c.Hash
	}
	return s
}

// decodeClick parses a custom id. It is strict: the id came back from
// Discord, but only we ever wrote it.
func decodeClick(s string) (click, error) {
	if len(s) > maxCustomID {
		return click{}, fmt.Errorf("custom id of %d bytes: too long", len(s))
	}
	parts := strings.Split(s, ":")
	if len(parts) != 4 && len(parts) != 6 {
		return click{}, fmt.Errorf("custom id %q: want %s:kind:case:rev[:rank:hash]", s, idPrefix)
	}
	if parts[0] != idPrefix {
		return click{}, fmt.Errorf("custom id %q: not ours (or from another version)", s)
	}
	c := click{Kind: parts[1]}
	if !knownKinds[c.Kind] {
		return click{}, fmt.Errorf("custom id %q: unknown kind %q", s, c.Kind)
	}
	var err error
	if c.Case, err = strconv.ParseInt(parts[2], 10, 64); err != nil || c.Case <= 0 || parts[2] != strconv.FormatInt(c.Case, 10) {
		return click{}, fmt.Errorf("custom id %q: bad case id", s)
	}
	if c.Rev, err = strconv.ParseInt(parts[3], 10, 64); err != nil || c.Rev < 0 || parts[3] != strconv.FormatInt(c.Rev, 10) {
		return click{}, fmt.Errorf("custom id %q: bad revision", s)
	}
	if len(parts) == 6 {
		if c.Rank, err = strconv.Atoi(parts[4]); err != nil || c.Rank < 1 || c.Rank > 99 || parts[4] != strconv.Itoa(c.Rank) {
			return click{}, fmt.Errorf("custom id %q: bad suggestion rank", s)
		}
		c.Hash = parts[5]
		if len(c.Hash) != 16 {
			return click{}, fmt.Errorf("custom id %q: bad hash", s)
		}
		if _, err := hex.DecodeString(c.Hash); err != nil {
			return click{}, fmt.Errorf("custom id %q: bad hash", s)
		}
	}
	if (c.Kind == btnSend) != (c.Rank > 0) {
		return click{}, fmt.Errorf("custom id %q: a Send carries its draft, nothing else does", s)
	}
	return c, nil
}

// textHash identifies a suggestion's words without carrying them.
func textHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// ref is where a card lives: "channel/message", the form stored in
// card_refs. A card's thread has the card message's id.
func makeRef(channel, message string) string { return channel + "/" + message }

// splitRef parses a card reference.
func splitRef(ref string) (channel, message string, err error) {
	channel, message, ok := strings.Cut(ref, "/")
	if !ok || !snowflake(channel) || !snowflake(message) {
		return "", "", fmt.Errorf("card ref %q: want channel/message ids", ref)
	}
	return channel, message, nil
}
