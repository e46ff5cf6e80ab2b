package discordfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"unicode/utf8"
)

// Ping is one notification Discord would send for a message.
type Ping struct {
	MessageID string
	// Kind is "everyone" (@everyone and @here), "user" or "role".
	Kind   string
	Target string // the user or role id; "" for everyone
}

// mentionRe finds what Discord parses as mentions in content. It ignores
// backslash escapes on purpose: the fake must catch a ping that only an
// escape prevents, because allowed_mentions is what has to prevent it.
var mentionRe = regexp.MustCompile(`@everyone|@here|<@!?(\d+)>|<@&(\d+)>`)

// allowed is Discord's allowed_mentions object.
type allowed struct {
	Parse *[]string `json:"parse"`
	Users []string  `json:"users"`
	Roles []string  `json:"roles"`
}

// checkAllowed says what is wrong with a message's allowed_mentions for
// text from the public: anything but {"parse": []}. Explicit lists of
// users and roles are allowed (an escalation pages chosen people and
// roles); Pings shows whom it reached.
func checkAllowed(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return "no allowed_mentions"
	}
	var a allowed
	if err := json.Unmarshal(raw, &a); err != nil {
		return "allowed_mentions is not an object: " + string(raw)
	}
	switch {
	case a.Parse == nil:
		return "allowed_mentions without parse: " + string(raw)
	case len(*a.Parse) > 0:
		return "allowed_mentions parses " + fmt.Sprint(*a.Parse)
	}
	return ""
}

// pingsOf computes the pings of content as Discord does. Without
// allowed_mentions a bot's channel message parses everything, and an
// interaction or webhook message parses users only.
func pingsOf(content string, raw json.RawMessage, channelMsg bool) []Ping {
	parse := []string{"users"}
	if channelMsg {
		parse = []string{"users", "roles", "everyone"}
	}
	var users, roles []string
	if len(raw) > 0 && string(raw) != "null" {
		var a allowed
		// "parse": null with no lists is read as no allowed_mentions at all:
		// the fake is conservative where Discord's documentation is silent.
		if json.Unmarshal(raw, &a) == nil && (a.Parse != nil || len(a.Users)+len(a.Roles) > 0) {
			parse = nil
			if a.Parse != nil {
				parse = *a.Parse
			}
			users, roles = a.Users, a.Roles
		}
	}
	var out []Ping
	for _, m := range mentionRe.FindAllStringSubmatch(content, -1) {
		switch {
		case m[1] != "":
			if slices.Contains(parse, "users") || slices.Contains(users, m[1]) {
				out = append(out, Ping{Kind: "user", Target: m[1]})
			}
		case m[2] != "":
			if slices.Contains(parse, "roles") || slices.Contains(roles, m[2]) {
				out = append(out, Ping{Kind: "role", Target: m[2]})
			}
		default:
			if slices.Contains(parse, "everyone") {
				out = append(out, Ping{Kind: "everyone"})
			}
		}
	}
	return out
}

// Discord's documented limits on a message.
const (
	maxContent     = 2000
	maxEmbeds      = 10
	maxEmbedTitle  = 256
	maxEmbedDesc   = 4096
	maxFields      = 25
	maxFieldName   = 256
	maxFieldValue  = 1024
	maxFooter      = 2048
	maxAuthorName  = 256
	maxEmbedsTotal = 6000
	maxRows        = 5
	maxRowButtons  = 5
	maxLabel       = 80
	maxCustomID    = 100
)

type embedIn struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	URL         string `json:"url"`
	Fields      []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"fields"`
	Footer *struct {
		Text string `json:"text"`
	} `json:"footer"`
	Author *struct {
		Name string `json:"name"`
	} `json:"author"`
}

type componentIn struct {
	Type       int           `json:"type"`
	Style      int           `json:"style"`
	Label      string        `json:"label"`
	CustomID   string        `json:"custom_id"`
	URL        string        `json:"url"`
	Components []componentIn `json:"components"`
	// A string select's (type 3).
	Placeholder string `json:"placeholder"`
	MinValues   *int   `json:"min_values"`
	MaxValues   int    `json:"max_values"`
	Options     []struct {
		Label string `json:"label"`
		Value string `json:"value"`
	} `json:"options"`
}

// checkSelect is Discord's rules for a string select menu: alone in its
// row, 1 to 25 options with labels and values of at most 100 characters,
// distinct values, a placeholder of at most 150.
func checkSelect(where string, row []componentIn, b componentIn) (reply, bool) {
	switch {
	case len(row) != 1:
		return invalid("%s: a select menu must be alone in its action row", where)
	case b.CustomID == "" || runes(b.CustomID) > maxCustomID:
		return invalid("%s.custom_id: 1 to %d characters", where, maxCustomID)
	case len(b.Options) == 0 || len(b.Options) > 25:
		return invalid("%s.options: 1 to 25 options", where)
	case runes(b.Placeholder) > 150:
		return invalid("%s.placeholder: at most 150 characters", where)
	case b.MinValues != nil && (*b.MinValues < 0 || *b.MinValues > 25):
		return invalid("%s.min_values: 0 to 25", where)
	case b.MaxValues < 0 || b.MaxValues > 25 || (b.MaxValues > 0 && b.MaxValues > len(b.Options)):
		return invalid("%s.max_values: 1 to 25, and no more than the options", where)
	}
	seen := map[string]bool{}
	for k, o := range b.Options {
		switch {
		case o.Label == "" || runes(o.Label) > 100:
			return invalid("%s.options.%d.label: 1 to 100 characters", where, k)
		case o.Value == "" || runes(o.Value) > 100:
			return invalid("%s.options.%d.value: 1 to 100 characters", where, k)
		case seen[o.Value]:
			return invalid("%s.options.%d.value: %q is used twice", where, k, o.Value)
		}
		seen[o.Value] = true
	}
	return reply{}, false
}

func invalid(format string, args ...any) (reply, bool) {
	return fail(http.StatusBadRequest, codeInvalidFormBody, "Invalid Form Body: "+fmt.Sprintf(format, args...)), true
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// checkMessage refuses what Discord refuses: over-long text, too many
// embeds or buttons, buttons without ids, duplicate ids. An edit may leave
// parts out.
func checkMessage(in messageIn, edit bool) (reply, bool) {
	if in.Content != nil && runes(*in.Content) > maxContent {
		return invalid("content: must be %d or fewer in length", maxContent)
	}
	var embeds []embedIn
	if len(in.Embeds) > 0 && string(in.Embeds) != "null" {
		if err := json.Unmarshal(in.Embeds, &embeds); err != nil {
			return invalid("embeds: %v", err)
		}
	}
	if len(embeds) > maxEmbeds {
		return invalid("embeds: at most %d", maxEmbeds)
	}
	total := 0
	for i, e := range embeds {
		total += runes(e.Title) + runes(e.Description)
		switch {
		case runes(e.Title) > maxEmbedTitle:
			return invalid("embeds.%d.title: too long", i)
		case runes(e.Description) > maxEmbedDesc:
			return invalid("embeds.%d.description: too long", i)
		case len(e.Fields) > maxFields:
			return invalid("embeds.%d.fields: at most %d", i, maxFields)
		}
		for j, fl := range e.Fields {
			total += runes(fl.Name) + runes(fl.Value)
			if fl.Name == "" || fl.Value == "" || runes(fl.Name) > maxFieldName || runes(fl.Value) > maxFieldValue {
				return invalid("embeds.%d.fields.%d: empty or too long", i, j)
			}
		}
		if e.Footer != nil {
			total += runes(e.Footer.Text)
			if runes(e.Footer.Text) > maxFooter {
				return invalid("embeds.%d.footer.text: too long", i)
			}
		}
		if e.Author != nil {
			total += runes(e.Author.Name)
			if runes(e.Author.Name) > maxAuthorName {
				return invalid("embeds.%d.author.name: too long", i)
			}
		}
	}
	if total > maxEmbedsTotal {
		return invalid("embeds: %d characters in all, at most %d", total, maxEmbedsTotal)
	}
	if !edit && (in.Content == nil || *in.Content == "") && len(embeds) == 0 && (len(in.Components) == 0 || string(in.Components) == "null") {
		return fail(http.StatusBadRequest, 50006, "Cannot send an empty message"), true
	}
	return checkComponents(in.Components)
}

func checkComponents(raw json.RawMessage) (reply, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return reply{}, false
	}
	var rows []componentIn
	if err := json.Unmarshal(raw, &rows); err != nil {
		return invalid("components: %v", err)
	}
	if len(rows) > maxRows {
		return invalid("components: at most %d rows", maxRows)
	}
	ids := map[string]bool{}
	for i, row := range rows {
		if row.Type != 1 || len(row.Components) == 0 || len(row.Components) > maxRowButtons {
			return invalid("components.%d: an action row holds 1 to %d buttons", i, maxRowButtons)
		}
		for j, b := range row.Components {
			where := fmt.Sprintf("components.%d.components.%d", i, j)
			if b.Type == 3 {
				if r, bad := checkSelect(where, row.Components, b); bad {
					return r, bad
				}
				if ids[b.CustomID] {
					return invalid("%s.custom_id: %q is used twice", where, b.CustomID)
				}
				ids[b.CustomID] = true
				continue
			}
			switch {
			case b.Type != 2:
				return invalid("%s: type %d is neither a button nor a string select", where, b.Type)
			case b.Label == "" || runes(b.Label) > maxLabel:
				return invalid("%s.label: 1 to %d characters", where, maxLabel)
			case b.Style == 5 && (b.URL == "" || b.CustomID != ""):
				return invalid("%s: a link button has a url and no custom_id", where)
			case b.Style != 5 && (b.CustomID == "" || runes(b.CustomID) > maxCustomID):
				return invalid("%s.custom_id: 1 to %d characters", where, maxCustomID)
			case b.Style < 1 || b.Style > 5:
				return invalid("%s.style: %d", where, b.Style)
			case b.CustomID != "" && ids[b.CustomID]:
				return invalid("%s.custom_id: %q is used twice", where, b.CustomID)
			}
			ids[b.CustomID] = b.CustomID != ""
		}
	}
	return reply{}, false
}
