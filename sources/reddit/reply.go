package reddit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/sources/poll"
)

// Replier comments as the account: POST /api/comment with the user token.
type Replier struct{ r *Reddit }

var (
	_ bot.Replier     = (*Replier)(nil)
	_ bot.ReplyFinder = (*Replier)(nil)
)

// Replier is nil without the account's credentials: replies on Reddit are
// then assisted (posted by hand).
func (r *Reddit) Replier() *Replier {
	if r.user == nil {
		return nil
	}
	return &Replier{r: r}
}

func (p *Replier) Platform() string { return Platform }

// APIError is one error of the json envelope: [code, message, field].
type APIError struct {
	Code, Message, Field string
}

func (e APIError) Error() string {
	s := "reddit: " + e.Code
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Field != "" {
		s += " (" + e.Field + ")"
	}
	return s
}

// assistedCodes are refusals of this account in this place: a person may
// still answer by hand (another account, a moderator, a message).
var assistedCodes = map[string]string{
	"THREAD_LOCKED":                      "the thread is locked",
	"TOO_OLD":                            "the post is archived (too old to comment on)",
	"USER_BLOCKED":                       "the author blocked our account",
	"USER_BLOCKED_MESSAGE":               "the author blocked our account",
	"BANNED_FROM_SUBREDDIT":              "our account is banned from the subreddit",
	"SUBREDDIT_NOTALLOWED":               "the subreddit does not let our account comment",
	"SUBREDDIT_NOEXIST":                  "the subreddit is private or gone",
	"NOT_WHITELISTED_BY_USER_MESSAGE":    "the author only takes messages from people they approved",
	"DELETED_COMMENT":                    "the comment was deleted",
	"DELETED_LINK":                       "the post was deleted",
	"COMMENT_GUIDANCE_VALIDATION_FAILED": "the subreddit's comment rules refused the text",
}

type envelope struct {
	JSON struct {
		Errors [][]any `json:"errors"`
		Data   struct {
			Things []struct {
				Kind string          `json:"kind"`
				Data json.RawMessage `json:"data"`
			} `json:"things"`
		} `json:"data"`
	} `json:"json"`
}

// DecodeCommentResponse reads POST /api/comment's answer: the comment
// made, or the first error of the envelope.
func DecodeCommentResponse(body []byte) (Thing, error) {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return Thing{}, fmt.Errorf("reddit comment response: %w", err)
	}
	if len(env.JSON.Errors) > 0 {
		e := env.JSON.Errors[0]
		var ae APIError
		for i, v := range e {
			s, _ := v.(string)
			switch i {
			case 0:
				ae.Code = s
			case 1:
				ae.Message = s
			case 2:
				ae.Field = s
			}
		}
		if ae.Code == "" {
			ae.Code = "UNKNOWN"
		}
		return Thing{}, ae
	}
	for _, t := range env.JSON.Data.Things {
		if t.Kind != "t1" {
			continue
		}
		th, err := decodeThing("t1", t.Data)
		if err != nil {
			return Thing{}, fmt.Errorf("reddit comment response: %w", err)
		}
		return th, nil
	}
	return Thing{}, errors.New("reddit comment response: no comment and no error")
}

// Reply comments text under the post or comment to.
//
// Nothing-posted refusals are sorted: a rate limit (HTTP 429 or the
// RATELIMIT error) is a *bot.RetryError; a refusal of our account there
// (locked, archived, blocked, banned) is assisted; any other envelope
// error, or a 4xx, is permanent. A failure after the request left (a
// timeout, a 5xx, an unreadable answer) may have posted and is returned
// as is: FindReply looks for the comment after a crash.
func (p *Replier) Reply(ctx context.Context, to bot.Mention, text string) (bot.PostRef, error) {
	if !IsFullname(to.ExternalID) {
		return bot.PostRef{}, bot.Permanent(fmt.Errorf("reddit reply: %q is not a post or comment fullname", clip(to.ExternalID)))
	}
	if strings.TrimSpace(text) == "" {
		return bot.PostRef{}, bot.Permanent(errors.New("reddit reply: empty text"))
	}
	if n := bot.Length(text); n > bot.ReplyLimit(Platform) {
		return bot.PostRef{}, bot.Permanent(fmt.Errorf("reddit reply is %d characters, the limit is %d", n, bot.ReplyLimit(Platform)))
	}
	body, err := p.r.user.post(ctx, "/api/comment", url.Values{"thing_id": {to.ExternalID}, "text": {text}})
	if err != nil {
		return bot.PostRef{}, p.sort(err)
	}
	th, err := DecodeCommentResponse(body)
	var ae APIError
	switch {
	case errors.As(err, &ae):
		return bot.PostRef{}, p.refusal(ae)
	case err != nil:
		return bot.PostRef{}, fmt.Errorf("reddit reply (outcome unknown): %w", err)
	}
	p.r.tracked.add(th.Fullname())
	m := th.Mention(p.r.o.Username)
	meta, _ := bot.ReplyMetaFrom(ctx)
	p.r.log.Debug("reddit: reply posted", "id", m.ExternalID, "in_reply_to", to.ExternalID, "case", meta.CaseID)
	return bot.PostRef{ExternalID: m.ExternalID, URL: m.URL}, nil
}

// sort classes a transport or HTTP failure.
func (p *Replier) sort(err error) error {
	err = fmt.Errorf("reddit reply: %w", err)
	var he *HTTPError
	var te *TokenError
	if after, ok := poll.RetryAfter(err); ok {
		return &bot.RetryError{After: max(after, time.Second), Err: err}
	}
	switch {
	case errors.As(err, &te) && te.Refused():
		return bot.Permanent(err)
	case errors.Is(err, errNotSent):
		return &bot.RetryError{After: 30 * time.Second, Err: err}
	case errors.As(err, &he) && he.Status == http.StatusForbidden:
		return bot.Assisted("Reddit refused our account here (HTTP 403: banned, private or quarantined)", err)
	case errors.As(err, &he) && he.Status >= 400 && he.Status < 500:
		return bot.Permanent(err)
	}
	return err // may have posted
}

// refusal classes an error of the json envelope: nothing was posted.
func (p *Replier) refusal(ae APIError) error {
	err := fmt.Errorf("reddit reply: %w", ae)
	if ae.Code == "RATELIMIT" {
		after := ParseRateLimitMessage(ae.Message)
		if after == 0 {
			after = time.Minute
		}
		return &bot.RetryError{After: after, Err: err}
	}
	if reason, ok := assistedCodes[ae.Code]; ok {
		return bot.Assisted(reason, err)
	}
	return bot.Permanent(err)
}

var tryAgain = regexp.MustCompile(`(?i)try again in (\d+) (second|minute|hour)s?`)

// ParseRateLimitMessage reads the wait out of a RATELIMIT message ("you
// are doing that too much. try again in 9 minutes."), 0 when it names
// none. A minute more is added for "minutes": Reddit rounds down.
func ParseRateLimitMessage(msg string) time.Duration {
	m := tryAgain.FindStringSubmatch(msg)
	if m == nil {
		return 0
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n < 0 || n > 24*60 {
		return 0
	}
	switch strings.ToLower(m[2]) {
	case "second":
		return time.Duration(n+1) * time.Second
	case "minute":
		return time.Duration(n+1) * time.Minute
	}
	return time.Duration(min(n, 24)) * time.Hour
}

// FindReply looks among the account's newest comments for text under to:
// a reply posted before a crash is recorded, not repeated.
func (p *Replier) FindReply(ctx context.Context, to bot.Mention, text string) (bot.PostRef, bool, error) {
	user := strings.TrimPrefix(strings.TrimPrefix(p.r.o.Username, "/u/"), "u/")
	l, err := p.r.user.listing(ctx, "/user/"+url.PathEscape(user)+"/comments", url.Values{"limit": {"25"}, "sort": {"new"}})
	if err != nil {
		if after, ok := poll.RetryAfter(err); ok {
			return bot.PostRef{}, false, &bot.RetryError{After: max(after, time.Second), Err: err}
		}
		return bot.PostRef{}, false, fmt.Errorf("reddit find reply: %w", err)
	}
	want := strings.TrimSpace(text)
	for _, t := range l.Children {
		if t.Kind != "t1" || t.ParentID != to.ExternalID {
			continue
		}
		if strings.TrimSpace(t.Body) != want && strings.TrimSpace(htmlUnescape(t.Body)) != want {
			continue
		}
		p.r.tracked.add(t.Fullname())
		m := t.Mention(p.r.o.Username)
		return bot.PostRef{ExternalID: m.ExternalID, URL: m.URL}, true, nil
	}
	return bot.PostRef{}, false, nil
}

func htmlUnescape(s string) string { return html.UnescapeString(s) }
