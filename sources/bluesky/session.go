package bluesky

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/earshothq/earshot/bot"
)

// loginPause is how long a refused login blocks the next: Bluesky allows
// few logins a day, and a wrong password retried by every job would use
// them up (and could lock the account).
const loginPause = 10 * time.Minute

// session holds the account's tokens. It logs in once (createSession) and
// then refreshes (refreshSession) as the access token nears its expiry;
// it logs in again only when the refresh token itself is refused. The
// password and the tokens never leave it: not in errors, not in logs.
type session struct {
	x        *xrpc
	pds      string
	handle   string
	password string
	log      *slog.Logger

	mu        sync.Mutex
	access    string
	refresh   string
	did       string
	accessExp time.Time
	blocked   time.Time // no login before then
	blockErr  error
}

type sessionAnswer struct {
	AccessJwt  string `json:"accessJwt"`
	RefreshJwt string `json:"refreshJwt"`
	Handle     string `json:"handle"`
	Did        string `json:"did"`
}

// token returns a fresh access token and the account's DID.
func (s *session) token(ctx context.Context) (string, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.x.now()
	if s.access != "" && now.Before(s.accessExp.Add(-time.Minute)) {
		return s.access, s.did, nil
	}
	if s.refresh != "" {
		var a sessionAnswer
		err := s.x.post(ctx, s.pds, "com.atproto.server.refreshSession", nil, s.refresh, &a)
		if err == nil {
			if err := s.adopt(a); err != nil {
				return "", "", err
			}
			s.log.Info("bluesky session refreshed", "handle", s.handle)
			return s.access, s.did, nil
		}
		if e, ok := isXRPC(err); !ok || !e.expired() {
			return "", "", &bot.RetryError{After: retryAfterErr(err), Err: fmt.Errorf("refresh bluesky session: %w", err)}
		}
		s.log.Warn("bluesky refresh token refused; logging in again", "handle", s.handle, "error", err)
		s.access, s.refresh = "", ""
	}
	if now.Before(s.blocked) {
		return "", "", s.blockErr
	}
	var a sessionAnswer
	err := s.x.post(ctx, s.pds, "com.atproto.server.createSession",
		map[string]string{"identifier": s.handle, "password": s.password}, "", &a)
	if err != nil {
		e, ok := isXRPC(err)
		switch {
		case ok && e.Status == http.StatusTooManyRequests:
			return "", "", &bot.RetryError{After: e.RetryAfter, Err: fmt.Errorf("log in to bluesky as %s: %w", s.handle, err)}
		case ok && e.Status/100 == 4:
			s.blocked = now.Add(loginPause)
			s.blockErr = bot.Permanent(fmt.Errorf("log in to bluesky as %s refused (%s); check EARSHOT_BLUESKY_HANDLE and EARSHOT_BLUESKY_APP_PASSWORD; no new attempt before %s",
				s.handle, e.Name, s.blocked.Format(time.TimeOnly)))
			return "", "", s.blockErr
		}
		return "", "", &bot.RetryError{After: 30 * time.Second, Err: fmt.Errorf("log in to bluesky as %s: %w", s.handle, err)}
	}
	if err := s.adopt(a); err != nil {
		return "", "", err
	}
	s.log.Info("bluesky session created", "handle", s.handle, "did", s.did)
	return s.access, s.did, nil
}

// adopt keeps a session answer; s.mu is held.
func (s *session) adopt(a sessionAnswer) error {
	if a.AccessJwt == "" || a.RefreshJwt == "" || !strings.HasPrefix(a.Did, "did:") {
		return errors.New("bluesky session answer lacks tokens or a DID")
	}
	s.access, s.refresh, s.did = a.AccessJwt, a.RefreshJwt, a.Did
	s.accessExp = jwtExpiry(a.AccessJwt, s.x.now())
	return nil
}

// expired drops an access token the server called expired, so the next
// token call refreshes even if the clocks disagree.
func (s *session) expired(access string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.access == access {
		s.accessExp = time.Time{}
	}
}

// do calls fn with a fresh token, refreshing and calling once more when the
// server says the token expired: it refused before doing anything.
func (s *session) do(ctx context.Context, fn func(access, did string) error) error {
	for attempt := 0; ; attempt++ {
		access, did, err := s.token(ctx)
		if err != nil {
			return err
		}
		err = fn(access, did)
		if e, ok := isXRPC(err); ok && e.expired() && attempt == 0 {
			s.expired(access)
			continue
		}
		return err
	}
}

// jwtExpiry reads a JWT's exp claim without checking the signature (it is
// only a hint of when to refresh); unreadable, it is taken as an hour.
func jwtExpiry(tok string, now time.Time) time.Time {
	parts := strings.Split(tok, ".")
	if len(parts) == 3 {
		if raw, err := base64.RawURLEncoding.DecodeString(parts[1]); err == nil {
			var c struct {
				Exp int64 `json:"exp"`
			}
			if json.Unmarshal(raw, &c) == nil && c.Exp > 0 {
				return time.Unix(c.Exp, 0)
			}
		}
	}
	return now.Add(time.Hour)
}

func retryAfterErr(err error) time.Duration {
	if e, ok := isXRPC(err); ok && e.RetryAfter > 0 {
		return e.RetryAfter
	}
	return 30 * time.Second
}
