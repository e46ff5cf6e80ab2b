package reddit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// DefaultAuthURL is where tokens come from; DefaultAPIURL where they are used.
const (
	DefaultAuthURL = "https://www.reddit.com"
	DefaultAPIURL  = "https://oauth.reddit.com"
)

// installedGrant is the app-only grant of apps without a secret.
const installedGrant = "https://oauth.reddit.com/grants/installed_client"

// refreshEarly renews a token this long before Reddit says it expires, so
// a request never carries one that lapses on the way.
const refreshEarly = 2 * time.Minute

// Credentials are the app's and, for posting, the account's.
type Credentials struct {
	ClientID string
	// Secret is empty for an installed app (app-only reading then).
	Secret string
	// Username and Password are the script app's owner (or a developer of
	// the app): with them earshot gets a user token that can post.
	Username, Password string
}

// CanPost reports whether a user token can be had.
func (c Credentials) CanPost() bool {
	return c.ClientID != "" && c.Secret != "" && c.Username != "" && c.Password != ""
}

// tokenURL is the token endpoint under base.
func tokenURL(base *url.URL) string {
	return base.JoinPath("/api/v1/access_token").String()
}

// appTokens reads as the app alone: client_credentials for a confidential
// app, installed_client for one without a secret. tokenClient carries the
// User-Agent; the token is cached and renewed before it expires.
func appTokens(c Credentials, authBase *url.URL, tokenClient *http.Client) oauth2.TokenSource {
	cc := clientcredentials.Config{
		ClientID: c.ClientID, ClientSecret: c.Secret,
		TokenURL:  tokenURL(authBase),
		AuthStyle: oauth2.AuthStyleInHeader,
	}
	if c.Secret == "" {
		cc.EndpointParams = url.Values{"grant_type": {installedGrant}, "device_id": {"DO_NOT_TRACK_THIS_DEVICE"}}
	}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, tokenClient)
	return oauth2.ReuseTokenSourceWithExpiry(nil, safeTokens{cc.TokenSource(ctx)}, refreshEarly)
}

// userTokens posts as the account (the "script" app's password grant).
// Reddit gives script apps no refresh token: a new one is asked for with
// the password when the last expires.
func userTokens(c Credentials, authBase *url.URL, tokenClient *http.Client) oauth2.TokenSource {
	conf := &oauth2.Config{
		ClientID: c.ClientID, ClientSecret: c.Secret,
		Endpoint: oauth2.Endpoint{TokenURL: tokenURL(authBase), AuthStyle: oauth2.AuthStyleInHeader},
	}
	src := passwordGrant{conf: conf, user: c.Username, pass: c.Password, client: tokenClient}
	return oauth2.ReuseTokenSourceWithExpiry(nil, safeTokens{src}, refreshEarly)
}

type passwordGrant struct {
	conf       *oauth2.Config
	user, pass string
	client     *http.Client
}

func (p passwordGrant) Token() (*oauth2.Token, error) {
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, p.client)
	return p.conf.PasswordCredentialsToken(ctx, p.user, p.pass)
}

// TokenError is a refused or failed token request. Status is the token
// endpoint's HTTP status (0 when it was not reached or answered 200 with
// an error); Code is Reddit's error ("invalid_grant", "401").
type TokenError struct {
	Status int
	Code   string
	Err    error
}

func (e *TokenError) Error() string {
	switch {
	case e.Code != "":
		return fmt.Sprintf("reddit token refused (HTTP %d, %q): check the client id, secret, username and password", e.Status, clip(e.Code))
	case e.Status != 0:
		return fmt.Sprintf("reddit token refused (HTTP %d)", e.Status)
	}
	return fmt.Sprintf("reddit token: %v", e.Err)
}

func (e *TokenError) Unwrap() error { return e.Err }

// Refused reports whether Reddit turned the credentials down (retrying
// will not help), as opposed to not being reached.
func (e *TokenError) Refused() bool {
	return e.Code != "" || (e.Status >= 400 && e.Status < 500 && e.Status != http.StatusTooManyRequests)
}

// safeTokens turns oauth2's errors into TokenErrors. oauth2 quotes the
// token endpoint's response body in its errors; Reddit's never holds our
// secrets, but a proxy's might, so only the status and code are kept.
type safeTokens struct{ src oauth2.TokenSource }

func (s safeTokens) Token() (*oauth2.Token, error) {
	t, err := s.src.Token()
	if err == nil {
		return t, nil
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		te := &TokenError{Code: re.ErrorCode, Err: errors.New("token endpoint refused")}
		if re.Response != nil {
			te.Status = re.Response.StatusCode
		}
		return nil, te
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return nil, &TokenError{Err: fmt.Errorf("%s token endpoint: %w", ue.Op, ue.Err)}
	}
	return nil, &TokenError{Err: errors.New(clip(err.Error()))}
}
