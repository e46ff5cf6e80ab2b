package config

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/earshothq/earshot/sources/x"
)

// X is the EARSHOT_X_* settings: reading X with the app's bearer token
// (filtered stream, recent search as its fallback), replying as the brand's
// account with a user-context credential, within monthly caps of posts
// read and written (X bills each).
type X struct {
	// BearerToken is the app's bearer token; set, earshot reads X.
	BearerToken string `envconfig:"BEARER_TOKEN"`
	// Queries are X search queries (stream rules and recent searches),
	// separated by ";" or new lines, since a query may hold commas.
	Queries XQueries `envconfig:"QUERIES"`
	// Mode is auto (stream, and search while the stream is down), stream
	// (no search) or search (no stream: access levels without it); empty
	// is auto.
	Mode string `envconfig:"MODE" default:"auto"`
	// BackfillMinutes (0–5) asks for the posts missed while reconnecting,
	// where the access level allows it.
	BackfillMinutes int `envconfig:"BACKFILL_MINUTES" default:"0"`
	// Handle and UserID are the brand's account: its posts are ours, and
	// posts that mention or answer it are always caught.
	Handle string `envconfig:"HANDLE"`
	UserID string `envconfig:"USER_ID"`
	// UserToken is an OAuth 2.0 user access token (tweet.read tweet.write
	// users.read); or the four OAuth 1.0a values of the app's "Keys and
	// tokens" page, which do not expire. Either turns replies on.
	UserToken      string `envconfig:"USER_TOKEN"`
	ConsumerKey    string `envconfig:"CONSUMER_KEY"`
	ConsumerSecret string `envconfig:"CONSUMER_SECRET"`
	AccessToken    string `envconfig:"ACCESS_TOKEN"`
	AccessSecret   string `envconfig:"ACCESS_SECRET"`
	// MonthlyReadCap and MonthlyWriteCap stop reading (posting) for the
	// rest of the month (UTC) at that many posts; 0 is no cap.
	MonthlyReadCap  int64 `envconfig:"MONTHLY_READ_CAP" default:"10000"`
	MonthlyWriteCap int64 `envconfig:"MONTHLY_WRITE_CAP" default:"500"`
	// SearchInterval is the time between searches of each query.
	SearchInterval time.Duration `envconfig:"SEARCH_INTERVAL" default:"1m"`
	// DeletionCheck is how often the posts of open cases are looked up to
	// find deleted ones (each found post is a billed read); 0 is off.
	DeletionCheck time.Duration `envconfig:"DELETION_CHECK" default:"30m"`
	// APIURL points the client elsewhere (a test double).
	APIURL string `envconfig:"API_URL" default:"https://api.x.com"`
}

// XQueries are queries separated by ";" or new lines.
type XQueries []string

// Decode splits the value.
func (q *XQueries) Decode(v string) error {
	var out XQueries
	for _, s := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == '\n' }) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	*q = out
	return nil
}

// ReadOn reports whether earshot reads X.
func (c X) ReadOn() bool { return c.BearerToken != "" }

// ReplyOn reports whether earshot posts replies on X.
func (c X) ReplyOn() bool { return c.UserToken != "" || c.User().OAuth1() }

// User is the user-context credential.
func (c X) User() x.UserAuth {
	return x.UserAuth{ConsumerKey: c.ConsumerKey, ConsumerSecret: c.ConsumerSecret, AccessToken: c.AccessToken,
		AccessSecret: c.AccessSecret, BearerToken: c.UserToken}
}

var (
	xHandleRE = regexp.MustCompile(`^[A-Za-z0-9_]{1,15}$`)
	xIDRE     = regexp.MustCompile(`^[0-9]{1,20}$`)
)

// xErrors checks the X settings, naming the variable and never echoing a
// token or secret.
func (c Config) xErrors() []string {
	s := c.X
	var errs []string
	secrets := []struct{ name, v string }{
		{"EARSHOT_X_BEARER_TOKEN", s.BearerToken}, {"EARSHOT_X_USER_TOKEN", s.UserToken},
		{"EARSHOT_X_CONSUMER_KEY", s.ConsumerKey}, {"EARSHOT_X_CONSUMER_SECRET", s.ConsumerSecret},
		{"EARSHOT_X_ACCESS_TOKEN", s.AccessToken}, {"EARSHOT_X_ACCESS_SECRET", s.AccessSecret},
	}
	for _, v := range secrets {
		if v.v != "" && (strings.ContainsAny(v.v, " \t\r\n") || strings.HasPrefix(v.v, "Bearer")) {
			errs = append(errs, v.name+" contains spaces or a \"Bearer\" prefix; give the value alone")
		}
	}
	set := 0
	var missing []string
	for _, v := range secrets[2:] {
		if v.v != "" {
			set++
		} else {
			missing = append(missing, v.name)
		}
	}
	if set > 0 && set < 4 {
		errs = append(errs, "OAuth 1.0a replies need all four of EARSHOT_X_CONSUMER_KEY, _CONSUMER_SECRET, _ACCESS_TOKEN and _ACCESS_SECRET; missing "+strings.Join(missing, ", "))
	}
	if set == 4 && s.UserToken != "" {
		errs = append(errs, "EARSHOT_X_USER_TOKEN and the OAuth 1.0a keys are both set; keep one")
	}
	on := s.ReadOn() || s.ReplyOn() || set > 0
	h := strings.TrimPrefix(s.Handle, "@")
	switch {
	case s.Handle != "" && !xHandleRE.MatchString(h):
		errs = append(errs, fmt.Sprintf("EARSHOT_X_HANDLE %q is not an X username (letters, digits and _, at most 15)", clipValue(s.Handle)))
	case on && s.Handle == "":
		errs = append(errs, "EARSHOT_X_HANDLE is required with X credentials: the brand account's username, like acmehelp")
	}
	if s.UserID != "" && !xIDRE.MatchString(s.UserID) {
		errs = append(errs, fmt.Sprintf("EARSHOT_X_USER_ID %q is not a numeric X user id", clipValue(s.UserID)))
	}
	if len(s.Queries) > 0 && !s.ReadOn() {
		errs = append(errs, "EARSHOT_X_QUERIES needs EARSHOT_X_BEARER_TOKEN (the app's bearer token)")
	}
	for i, q := range s.Queries {
		if err := x.CheckQuery(q); err != nil {
			errs = append(errs, fmt.Sprintf("EARSHOT_X_QUERIES: entry %d: %v", i+1, err))
		}
	}
	switch s.Mode {
	case "", "auto", "stream", "search":
	default:
		errs = append(errs, fmt.Sprintf("EARSHOT_X_MODE %q is not auto, stream or search", clipValue(s.Mode)))
	}
	if s.BackfillMinutes < 0 || s.BackfillMinutes > 5 {
		errs = append(errs, fmt.Sprintf("EARSHOT_X_BACKFILL_MINUTES %d is not between 0 and 5", s.BackfillMinutes))
	}
	if s.MonthlyReadCap < 0 {
		errs = append(errs, fmt.Sprintf("EARSHOT_X_MONTHLY_READ_CAP %d is negative (0 is no cap)", s.MonthlyReadCap))
	}
	if s.MonthlyWriteCap < 0 {
		errs = append(errs, fmt.Sprintf("EARSHOT_X_MONTHLY_WRITE_CAP %d is negative (0 is no cap)", s.MonthlyWriteCap))
	}
	if s.SearchInterval != 0 && (s.SearchInterval < 5*time.Second || s.SearchInterval > time.Hour) {
		errs = append(errs, fmt.Sprintf("EARSHOT_X_SEARCH_INTERVAL %s is not between 5s and 1h", s.SearchInterval))
	}
	if s.DeletionCheck != 0 && (s.DeletionCheck < time.Minute || s.DeletionCheck > 7*24*time.Hour) {
		errs = append(errs, fmt.Sprintf("EARSHOT_X_DELETION_CHECK %s is not 0 (off) or between 1m and 168h", s.DeletionCheck))
	}
	if _, err := x.ParseAPIURL(s.APIURL); s.APIURL != "" && err != nil {
		errs = append(errs, "EARSHOT_X_API_URL: "+strings.TrimPrefix(err.Error(), "x api url "))
	}
	if c.WebhookReplyURLs["x"] != "" && s.ReplyOn() {
		errs = append(errs, "EARSHOT_WEBHOOK_REPLY_URLS names x, which the X user credential already answers; remove one")
	}
	return errs
}
