package mastodon

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/earshothq/earshot/bot"
)

// DefaultMaxCharacters is Mastodon's default status limit, used until the
// instance says otherwise.
const DefaultMaxCharacters = 500

// urlLength is what a link counts for on Mastodon, whatever its length.
const urlLength = 23

// replyState is the Replier's memory: the instance's limits, and the keys
// of replies whose outcome was unknown, looked for before trying again.
type replyState struct {
	instMu sync.Mutex
	inst   *Instance
	instAt time.Time

	keysMu sync.Mutex
	keys   map[string]time.Time

	ctxMu   sync.Mutex
	ctxNext int
}

func (r *replyState) init() { r.keys = map[string]time.Time{} }

// instance is GET /api/v2/instance, kept for an hour.
func (s *Source) instance(ctx context.Context) (Instance, error) {
	s.instMu.Lock()
	defer s.instMu.Unlock()
	if s.inst != nil && s.o.Now().Sub(s.instAt) < time.Hour {
		return *s.inst, nil
	}
	in, err := s.c.Instance(ctx, false)
	if err != nil {
		if s.inst != nil {
			return *s.inst, nil // last known beats the default
		}
		return Instance{}, err
	}
	s.inst, s.instAt = &in, s.o.Now()
	return in, nil
}

// MaxCharacters is the instance's status limit and what a link counts for.
func (s *Source) MaxCharacters(ctx context.Context) (limit, perURL int) {
	limit, perURL = DefaultMaxCharacters, urlLength
	if in, err := s.instance(ctx); err == nil {
		if n := in.Configuration.Statuses.MaxCharacters; n > 0 {
			limit = n
		}
		if n := in.Configuration.Statuses.CharactersReservedPerURL; n > 0 {
			perURL = n
		}
	}
	return limit, perURL
}

// account is who we are, asked once.
func (s *Source) account(ctx context.Context) (Account, error) {
	if me := s.me.Load(); me != nil {
		return *me, nil
	}
	me, err := s.c.VerifyCredentials(ctx)
	if err != nil {
		return Account{}, err
	}
	s.me.Store(&me)
	return me, nil
}

// Reply posts text in answer to the status to: it mentions the author (so
// they are notified), mirrors the visibility of their post as it is now,
// fits the instance's limit as Mastodon counts it, and carries the
// action's Idempotency-Key, so a repeat within the hour is the same post.
//
// A refusal before anything was posted (rate limit, no connection, the
// lookup failing) is a *bot.RetryError. A bad request (too long, the post
// gone, the token refused) is permanent. When the outcome is unknown (a
// timeout, a 5xx after the request left) the reply is retried with the
// same key, after looking among our recent posts for it.
func (s *Source) Reply(ctx context.Context, to bot.Mention, text string) (bot.PostRef, error) {
	if to.ExternalID == "" || checkID("reply to", to.ExternalID) != nil {
		return bot.PostRef{}, bot.Permanent(fmt.Errorf("mastodon reply: the post's id %q is not a status id", clip(to.ExternalID)))
	}
	if strings.TrimSpace(text) == "" {
		return bot.PostRef{}, bot.Permanent(errors.New("mastodon reply: empty text"))
	}
	meta, _ := bot.ReplyMetaFrom(ctx)
	key := meta.IdempotencyKey
	if key == "" {
		key = randomKey()
	}
	if s.triedBefore(key) {
		if ref, found, err := s.FindReply(ctx, to, text); err == nil && found {
			s.forget(key)
			return ref, nil
		}
	}
	parent, err := s.c.GetStatus(ctx, to.ExternalID, false)
	if err != nil {
		return bot.PostRef{}, s.replyError("look up the post", err, false)
	}
	me, err := s.account(ctx)
	if err != nil {
		return bot.PostRef{}, s.replyError("look up our account", err, false)
	}
	body := Compose(parent, me, text)
	limit, perURL := s.MaxCharacters(ctx)
	if n := CountCharacters(body, perURL); n > limit {
		return bot.PostRef{}, bot.Permanent(fmt.Errorf("mastodon reply is %d characters as %s counts them (with the @mention), the limit is %d", n, s.c.Host(), limit))
	}
	st, err := s.c.PostStatus(ctx, NewStatus{
		Status:      body,
		InReplyToID: to.ExternalID,
		Visibility:  mirror(parent.Visibility),
		Language:    parent.Language,
	}, key)
	if err != nil {
		return bot.PostRef{}, s.replyError("post", err, true)
	}
	s.forget(key)
	s.emitted.Add(st.ID, struct{}{}) // answers to it are followed; not emitted again
	url := st.URL
	if url == "" {
		url = st.URI
	}
	s.log.Debug("mastodon: reply posted", "id", st.ID, "in_reply_to", to.ExternalID, "case", meta.CaseID)
	return bot.PostRef{ExternalID: st.ID, URL: url}, nil
}

// retryUnknown is how soon a reply with an unknown outcome is tried again:
// well inside the hour Mastodon keeps idempotency keys.
const retryUnknown = 30 * time.Second

// replyError sorts a failure into retry, permanent or unknown.
func (s *Source) replyError(what string, err error, posting bool) error {
	err = fmt.Errorf("mastodon reply: %s: %w", what, err)
	var rl *RateLimitError
	var he *HTTPError
	switch {
	case errors.As(err, &rl):
		return &bot.RetryError{After: max(time.Second, rl.Until.Sub(s.o.Now())), Err: err}
	case errors.As(err, &he) && he.Status == http.StatusNotFound && !posting:
		return bot.Permanent(fmt.Errorf("mastodon reply: the post is gone (deleted, or not visible to us): %w", err))
	case errors.As(err, &he) && he.Status >= 400 && he.Status < 500:
		return bot.Permanent(err)
	case !posting || errors.Is(err, ErrNotSent):
		return &bot.RetryError{After: retryUnknown, Err: err}
	}
	// It may have been posted. The retry looks for it first and carries
	// the same key, which Mastodon answers with the first post.
	return &bot.RetryError{After: retryUnknown, Err: fmt.Errorf("%w (outcome unknown; the retry looks for it and reuses the Idempotency-Key)", err)}
}

func (s *Source) triedBefore(key string) bool {
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	_, ok := s.keys[key]
	s.keys[key] = s.o.Now()
	// Keys older than Mastodon keeps them are useless; drop them.
	for k, t := range s.keys {
		if s.o.Now().Sub(t) > time.Hour {
			delete(s.keys, k)
		}
	}
	return ok
}

func (s *Source) forget(key string) {
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	delete(s.keys, key)
}

// FindReply looks among our latest statuses for an answer to to with text:
// a reply posted before a crash is then recorded, not posted again.
func (s *Source) FindReply(ctx context.Context, to bot.Mention, text string) (bot.PostRef, bool, error) {
	me, err := s.account(ctx)
	if err != nil {
		return bot.PostRef{}, false, s.findError(err)
	}
	ss, err := s.c.AccountStatuses(ctx, me.ID, pageLimit)
	if err != nil {
		return bot.PostRef{}, false, s.findError(err)
	}
	want := comparable(text)
	for _, st := range ss {
		if st.InReplyToID != to.ExternalID || comparable(HTMLText(st.Content)) != want {
			continue
		}
		s.emitted.Add(st.ID, struct{}{})
		url := st.URL
		if url == "" {
			url = st.URI
		}
		return bot.PostRef{ExternalID: st.ID, URL: url}, true, nil
	}
	return bot.PostRef{}, false, nil
}

func (s *Source) findError(err error) error {
	var rl *RateLimitError
	if errors.As(err, &rl) {
		return &bot.RetryError{After: max(time.Second, rl.Until.Sub(s.o.Now())), Err: fmt.Errorf("mastodon: find reply: %w", err)}
	}
	return fmt.Errorf("mastodon: find reply: %w", err)
}

// comparable is a reply's text with mentions and spacing dropped: Mastodon
// shows a mention of user@host as @user, and paragraphs as markup.
func comparable(text string) string {
	var b strings.Builder
	for w := range strings.FieldsSeq(text) {
		if strings.HasPrefix(w, "@") {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

// mirror is the visibility of a reply to a post with v: the same, so a
// followers-only or direct conversation stays as private as the customer
// made it. An unknown value (a newer server's) gets direct: the customer
// is mentioned and sees it, nobody else does.
func mirror(v string) string {
	switch v {
	case "public", "unlisted", "private", "direct":
		return v
	}
	return "direct"
}

// Compose is the text of a reply to parent: text, after an @mention of its
// author unless text mentions them already or the post is our own.
func Compose(parent Status, me Account, text string) string {
	acct := parent.Account.Acct
	if acct == "" || (me.ID != "" && parent.Account.ID == me.ID) || mentionsAcct(text, acct) {
		return text
	}
	return "@" + acct + " " + text
}

var mentionRE = regexp.MustCompile(`@([A-Za-z0-9_]+(?:[.-]+[A-Za-z0-9_]+)*)(@[\p{L}\p{N}_]+(?:[.-]+[\p{L}\p{N}_]+)*)?`)

// mentionsAcct reports whether text mentions acct (user or user@host).
func mentionsAcct(text, acct string) bool {
	for _, loc := range mentionRE.FindAllStringIndex(text, -1) {
		if !mentionStart(text, loc[0]) {
			continue
		}
		if strings.EqualFold(text[loc[0]+1:loc[1]], acct) {
			return true
		}
	}
	return false
}

// mentionStart is Mastodon's rule: a mention does not follow a word
// character, '=' or '/' (an e-mail address or a URL is not one).
func mentionStart(text string, i int) bool {
	if i == 0 {
		return true
	}
	c := text[i-1]
	return !(c == '=' || c == '/' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80)
}

var urlRE = regexp.MustCompile(`https?://[^\s<>"]+`)

// CountCharacters counts text as Mastodon's length validator does: in
// grapheme clusters, every link as perURL characters however long, and a
// mention of user@host as @user.
func CountCharacters(text string, perURL int) int {
	var b strings.Builder
	last := 0
	for _, loc := range urlRE.FindAllStringIndex(text, -1) {
		end := loc[1]
		// Trailing punctuation ends a sentence, not the link.
		for end > loc[0] && strings.ContainsRune(".,:;!?)'\"]}", rune(text[end-1])) {
			end--
		}
		b.WriteString(countMentions(text[last:loc[0]]))
		b.WriteString(strings.Repeat("x", perURL))
		last = end
	}
	b.WriteString(countMentions(text[last:]))
	return bot.Length(b.String())
}

func countMentions(text string) string {
	return mentionRE.ReplaceAllStringFunc(text, func(m string) string {
		user, _, _ := strings.Cut(m[1:], "@")
		return "@" + user
	})
}

func randomKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "earshot-" + hex.EncodeToString(b[:])
}
