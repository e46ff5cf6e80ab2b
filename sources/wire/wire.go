// Package wire is earshot's own JSON format for a mention: one line of a
// replay file, or the body of a signed webhook. It is strict about what it
// accepts so that a bad record is refused at the door, with an error naming
// the field and the value, instead of failing later inside the store.
package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/earshothq/earshot/bot"
)

// Limits of a mention's fields, in bytes.
const (
	MaxIDBytes   = 256
	MaxTextBytes = 40_000
	MaxURLBytes  = 4096
	maxLangBytes = 35 // the longest practical BCP 47 tag
	maxQuoted    = 64 // how much of an offending value an error repeats
)

var (
	platformRE = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
	// Loose BCP 47: platforms send "en", "pt-BR", "zh-Hant", sometimes "zh_TW".
	langRE = regexp.MustCompile(`^[A-Za-z]{2,8}([_-][A-Za-z0-9]{1,8})*$`)
)

// FieldError says which field of a mention is wrong and why.
type FieldError struct {
	Field string // JSON path: "id", "author.followers"
	Msg   string
}

func (e *FieldError) Error() string { return fmt.Sprintf("field %q: %s", e.Field, e.Msg) }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// record mirrors the JSON; pointers and raw messages tell "missing" from
// "empty" and keep numeric ids digit for digit.
type record struct {
	Platform  *string         `json:"platform"`
	ID        json.RawMessage `json:"id"`
	Text      *string         `json:"text"`
	URL       string          `json:"url"`
	Author    *author         `json:"author"`
	Lang      string          `json:"lang"`
	CreatedAt string          `json:"created_at"`
	InReplyTo json.RawMessage `json:"in_reply_to"`
}

type author struct {
	ID        json.RawMessage `json:"id"`
	Handle    string          `json:"handle"`
	Name      string          `json:"name"`
	Followers int64           `json:"followers"`
}

// Decode parses and validates one mention object. Unknown fields are
// ignored; a missing created_at leaves CreatedAt zero for the caller to fill.
func Decode(data []byte) (bot.Mention, error) {
	if err := checkUTF8(data); err != nil {
		return bot.Mention{}, err
	}
	return decodeObject(data)
}

// DecodeBody parses a body holding one mention object or an array of them.
// It is all or nothing: the first invalid element fails the whole body, and
// the error names its index ("mention[3]: field \"id\": missing").
func DecodeBody(data []byte) ([]bot.Mention, error) {
	if err := checkUTF8(data); err != nil {
		return nil, err
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '[' {
		m, err := decodeObject(data)
		if err != nil {
			return nil, err
		}
		return []bot.Mention{m}, nil
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(data, &raws); err != nil {
		return nil, jsonErr(err)
	}
	if len(raws) == 0 {
		return nil, errors.New("empty array: no mentions")
	}
	ms := make([]bot.Mention, len(raws))
	for i, raw := range raws {
		m, err := decodeObject(raw)
		if err != nil {
			return nil, fmt.Errorf("mention[%d]: %w", i, err)
		}
		ms[i] = m
	}
	return ms, nil
}

func decodeObject(data []byte) (bot.Mention, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return bot.Mention{}, errors.New("empty input: want a JSON object")
	}
	if trimmed[0] != '{' {
		return bot.Mention{}, fmt.Errorf("not a JSON object: starts with %q", truncate(string(trimmed), 16))
	}
	var r record
	if err := json.Unmarshal(data, &r); err != nil {
		return bot.Mention{}, jsonErr(err)
	}
	m, err := r.mention()
	if err != nil {
		return bot.Mention{}, err // never half a mention
	}
	return m, nil
}

func (r *record) mention() (bot.Mention, error) {
	var m bot.Mention
	switch {
	case r.Platform == nil:
		return m, fieldErr("platform", "missing")
	case !platformRE.MatchString(*r.Platform):
		p := *r.Platform
		if canon := strings.ToLower(strings.TrimSpace(p)); canon != p && platformRE.MatchString(canon) {
			return m, fieldErr("platform", "%q is not canonical: write %q", truncate(p, maxQuoted), canon)
		}
		return m, fieldErr("platform", "%q is not a lowercase token like \"bluesky\" (a-z, 0-9, _ or -, at most 32)", truncate(p, maxQuoted))
	}
	m.Platform = *r.Platform

	var err error
	if m.ExternalID, err = externalID("id", r.ID, true); err != nil {
		return m, err
	}

	switch {
	case r.Text == nil:
		return m, fieldErr("text", "missing")
	case strings.TrimSpace(*r.Text) == "":
		return m, fieldErr("text", "empty")
	case len(*r.Text) > MaxTextBytes:
		return m, fieldErr("text", "%d bytes, limit %d", len(*r.Text), MaxTextBytes)
	}
	m.Text = *r.Text

	if r.URL != "" {
		if err := checkURL(r.URL); err != nil {
			return m, err
		}
		m.URL = r.URL
	}

	if a := r.Author; a != nil {
		if m.Author.ID, err = externalID("author.id", a.ID, false); err != nil {
			return m, err
		}
		if a.Followers < 0 {
			return m, fieldErr("author.followers", "%d is negative", a.Followers)
		}
		if int64(int(a.Followers)) != a.Followers {
			return m, fieldErr("author.followers", "%d is too large", a.Followers)
		}
		m.Author.Handle, m.Author.Name, m.Author.Followers = a.Handle, a.Name, int(a.Followers)
	}

	if r.Lang != "" {
		if len(r.Lang) > maxLangBytes || !langRE.MatchString(r.Lang) {
			return m, fieldErr("lang", "%q is not a language tag like \"en\" or \"pt-BR\"", truncate(r.Lang, maxQuoted))
		}
		m.Lang = r.Lang
	}

	if r.CreatedAt != "" {
		t, err := time.Parse(time.RFC3339Nano, r.CreatedAt)
		if err != nil {
			return m, fieldErr("created_at", "%q is not an RFC 3339 time", truncate(r.CreatedAt, maxQuoted))
		}
		t = t.UTC()
		// An offset can carry year 0 or 9999 out of the range RFC 3339 (and
		// every encoder downstream) can write.
		if y := t.Year(); y < 1 || y > 9999 {
			return m, fieldErr("created_at", "%q is out of range in UTC", r.CreatedAt)
		}
		m.CreatedAt = t
	}

	if m.InReplyTo, err = externalID("in_reply_to", r.InReplyTo, false); err != nil {
		return m, err
	}
	if m.InReplyTo == m.ExternalID {
		return m, fieldErr("in_reply_to", "%q is the mention's own id", truncate(m.InReplyTo, maxQuoted))
	}

	// PostgreSQL refuses NUL in text, and a batch that fails in the store is
	// worse than one mention refused here.
	for _, f := range []struct{ name, v string }{
		{"id", m.ExternalID}, {"text", m.Text}, {"author.id", m.Author.ID},
		{"author.handle", m.Author.Handle}, {"author.name", m.Author.Name}, {"in_reply_to", m.InReplyTo},
	} {
		if strings.IndexByte(f.v, 0) >= 0 {
			return m, fieldErr(f.name, "contains a NUL character")
		}
	}
	return m, nil
}

// externalID reads an id that may be a JSON string or a JSON integer; an
// integer keeps its exact digits, so ids beyond 2^53 survive. Missing, null
// and "" give "" unless the field is required.
func externalID(field string, raw json.RawMessage, required bool) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		if required {
			return "", fieldErr(field, "missing")
		}
		return "", nil
	}
	var id string
	switch c := raw[0]; {
	case c == '"':
		// The outer decode has validated the string; without escapes its
		// bytes are the id and a second decode is wasted work.
		if bytes.IndexByte(raw, '\\') < 0 {
			id = string(raw[1 : len(raw)-1])
		} else if err := json.Unmarshal(raw, &id); err != nil {
			return "", fieldErr(field, "%v", err)
		}
		if id == "" && !required {
			return "", nil
		}
		if strings.TrimSpace(id) == "" {
			return "", fieldErr(field, "empty")
		}
	case c >= '0' && c <= '9':
		for _, d := range raw {
			if d < '0' || d > '9' {
				return "", fieldErr(field, "%s is not an integer", truncate(string(raw), maxQuoted))
			}
		}
		id = string(raw)
	case c == '-':
		return "", fieldErr(field, "%s is negative", truncate(string(raw), maxQuoted))
	default:
		return "", fieldErr(field, "got JSON %s, want a string or an integer", jsonKind(c))
	}
	if len(id) > MaxIDBytes {
		return "", fieldErr(field, "%d bytes, limit %d", len(id), MaxIDBytes)
	}
	return id, nil
}

func checkURL(s string) error {
	if len(s) > MaxURLBytes {
		return fieldErr("url", "%d bytes, limit %d", len(s), MaxURLBytes)
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return fieldErr("url", "%q does not parse", truncate(s, maxQuoted))
	case u.Scheme != "http" && u.Scheme != "https":
		return fieldErr("url", "%q is not an absolute http(s) URL", truncate(s, maxQuoted))
	case u.Host == "" || u.Hostname() == "":
		return fieldErr("url", "%q has no host", truncate(s, maxQuoted))
	case u.User != nil:
		// "https://lumio.example@evil.example" reads as ours and is not.
		return fieldErr("url", "%q carries user info", truncate(s, maxQuoted))
	}
	return nil
}

// checkUTF8 runs on the raw bytes because encoding/json would quietly turn
// invalid sequences into U+FFFD and the text would no longer be the author's.
func checkUTF8(data []byte) error {
	if utf8.Valid(data) {
		return nil
	}
	off := 0
	for off < len(data) {
		r, n := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		off += n
	}
	return fmt.Errorf("invalid UTF-8 at byte %d", off)
}

// jsonErr turns encoding/json's errors into ones a sender can act on.
func jsonErr(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("invalid JSON at byte %d: %w", syn.Offset, err)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return fmt.Errorf("got JSON %s, want %s", typ.Value, goKind(typ.Type.Kind().String()))
		}
		return fieldErr(field, "got JSON %s, want %s", typ.Value, goKind(typ.Type.Kind().String()))
	}
	return fmt.Errorf("invalid JSON: %w", err)
}

func goKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "int64", "int":
		return "an integer"
	case "struct", "map":
		return "an object"
	case "slice":
		return "an array"
	}
	return k
}

func jsonKind(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	}
	return "value"
}

// truncate keeps error messages short when the offending value is long,
// cutting on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
