package meta

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultGraphURL and DefaultVersion are Meta's Graph API.
const (
	DefaultGraphURL = "https://graph.facebook.com"
	DefaultVersion  = "v21.0"
)

// maxResponse bounds what one Graph answer may weigh.
const maxResponse = 8 << 20

// Graph is a small Graph API client: one access token per call, sent in the
// Authorization header (never in the URL, which errors and logs repeat),
// with appsecret_proof when the app secret is known.
type Graph struct {
	base      *url.URL // https://graph.facebook.com/v21.0
	appSecret []byte
	hc        *http.Client
	now       func() time.Time
}

// NewGraph returns a client for base (DefaultGraphURL when empty) and
// version (DefaultVersion when empty).
func NewGraph(base, version, appSecret string, hc *http.Client, now func() time.Time) (*Graph, error) {
	if base == "" {
		base = DefaultGraphURL
	}
	if version == "" {
		version = DefaultVersion
	}
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("meta: graph URL %q is not an http(s) URL", base)
	}
	if !validVersion(version) {
		return nil, fmt.Errorf("meta: graph version %q is not like v21.0", version)
	}
	u = u.JoinPath(version)
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	if now == nil {
		now = time.Now
	}
	return &Graph{base: u, appSecret: []byte(appSecret), hc: hc, now: now}, nil
}

func validVersion(v string) bool {
	major, minor, ok := strings.Cut(strings.TrimPrefix(v, "v"), ".")
	if !ok || !strings.HasPrefix(v, "v") {
		return false
	}
	_, e1 := strconv.Atoi(major)
	_, e2 := strconv.Atoi(minor)
	return e1 == nil && e2 == nil && len(v) <= 8
}

// GraphError is the Graph API's error object.
type GraphError struct {
	Status    int    `json:"-"`
	Message   string `json:"message"`
	Type      string `json:"type"`
	Code      int    `json:"code"`
	Subcode   int    `json:"error_subcode"`
	FBTraceID string `json:"fbtrace_id"`
	// Usage is what the rate-limit headers said with the error.
	Usage Usage `json:"-"`
}

func (e *GraphError) Error() string {
	msg := e.Message
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	s := fmt.Sprintf("graph error %d", e.Code)
	if e.Subcode != 0 {
		s += fmt.Sprintf("/%d", e.Subcode)
	}
	return fmt.Sprintf("%s (HTTP %d, %s): %s", s, e.Status, e.Type, msg)
}

// RateLimited reports whether the error is one of Graph's throttling codes:
// 4 (app), 17 (user), 32 (page), 613 (custom), 80001-80014 (business use case).
func (e *GraphError) RateLimited() bool {
	switch {
	case e.Code == 4, e.Code == 17, e.Code == 32, e.Code == 613:
		return true
	case e.Code >= 80001 && e.Code <= 80014:
		return true
	}
	return e.Status == http.StatusTooManyRequests
}

// Usage is the highest percentage of a rate budget the Graph API reported
// in X-App-Usage, X-Page-Usage or X-Business-Use-Case-Usage, and the time
// it said access returns when it was spent.
type Usage struct {
	Percent int
	Regain  time.Duration
}

type usageFields struct {
	CallCount    int `json:"call_count"`
	TotalTime    int `json:"total_time"`
	TotalCPUTime int `json:"total_cputime"`
	Regain       int `json:"estimated_time_to_regain_access"` // minutes
}

func (f usageFields) max() int { return max(f.CallCount, f.TotalTime, f.TotalCPUTime) }

// ParseUsage reads the rate-limit headers; bad values count as absent.
func ParseUsage(h http.Header) Usage {
	var u Usage
	for _, name := range []string{"X-App-Usage", "X-Page-Usage", "X-Ad-Account-Usage"} {
		var f usageFields
		if v := h.Get(name); v != "" && json.Unmarshal([]byte(v), &f) == nil {
			u.Percent = max(u.Percent, f.max())
		}
	}
	if v := h.Get("X-Business-Use-Case-Usage"); v != "" {
		var m map[string][]usageFields
		if json.Unmarshal([]byte(v), &m) == nil {
			for _, fs := range m {
				for _, f := range fs {
					u.Percent = max(u.Percent, f.max())
					if f.Regain > 0 {
						u.Regain = max(u.Regain, time.Duration(min(f.Regain, 24*60))*time.Minute)
					}
				}
			}
		}
	}
	return u
}

// Wait is how long to hold off before the next call: the time Graph named,
// else a pause that grows as the budget nears 100%.
func (u Usage) Wait() time.Duration {
	switch {
	case u.Regain > 0:
		return u.Regain
	case u.Percent >= 100:
		return 15 * time.Minute
	case u.Percent >= 90:
		return 5 * time.Minute
	}
	return 0
}

// call is one Graph request's outcome.
type call struct {
	Usage Usage
}

// Get fetches path (relative to the versioned base) with query q into out.
func (g *Graph) Get(ctx context.Context, token, path string, q url.Values, out any) (call, error) {
	u := g.base.JoinPath(path)
	u.RawQuery = q.Encode()
	return g.do(ctx, http.MethodGet, token, u, nil, out)
}

// GetURL follows a paging.next link, which must point at the same Graph
// host: the token is never sent elsewhere.
func (g *Graph) GetURL(ctx context.Context, token, next string, out any) (call, error) {
	u, err := url.Parse(next)
	if err != nil || u.Host != g.base.Host || u.Scheme != g.base.Scheme {
		return call{}, errors.New("meta: paging link does not point at the Graph API")
	}
	q := u.Query()
	q.Del("access_token") // ours goes in the header
	q.Del("appsecret_proof")
	u.RawQuery = q.Encode()
	return g.do(ctx, http.MethodGet, token, u, nil, out)
}

// Post sends body as JSON to path.
func (g *Graph) Post(ctx context.Context, token, path string, body any, out any) (call, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return call{}, fmt.Errorf("meta: encode request: %w", err)
	}
	return g.do(ctx, http.MethodPost, token, g.base.JoinPath(path), b, out)
}

func (g *Graph) do(ctx context.Context, method, token string, u *url.URL, body []byte, out any) (call, error) {
	if len(g.appSecret) > 0 && token != "" {
		q := u.Query()
		q.Set("appsecret_proof", AppSecretProof(string(g.appSecret), token))
		u.RawQuery = q.Encode()
	}
	// Errors name the method and path only: the query may carry the proof.
	where := method + " " + u.Path
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return call{}, fmt.Errorf("meta: %s: %w", where, err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := g.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the whole URL
		}
		return call{}, fmt.Errorf("meta: %s: %w", where, err)
	}
	defer resp.Body.Close()
	c := call{Usage: ParseUsage(resp.Header)}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return c, fmt.Errorf("meta: %s: read answer: %w", where, err)
	}
	if len(raw) > maxResponse {
		return c, fmt.Errorf("meta: %s: answer larger than %d bytes", where, maxResponse)
	}
	if resp.StatusCode >= 300 {
		ge := decodeError(raw)
		ge.Status, ge.Usage = resp.StatusCode, c.Usage
		return c, fmt.Errorf("meta: %s: %w", where, ge)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return c, fmt.Errorf("meta: %s: decode answer: %w", where, err)
		}
	}
	return c, nil
}

// decodeError reads {"error":{...}}; anything else becomes a GraphError
// carrying the start of the body.
func decodeError(raw []byte) *GraphError {
	var env struct {
		Error *GraphError `json:"error"`
	}
	if json.Unmarshal(raw, &env) == nil && env.Error != nil {
		return env.Error
	}
	msg := strings.TrimSpace(string(raw))
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return &GraphError{Message: msg, Type: "http"}
}

// AppSecretProof is hex(HMAC-SHA256(app secret, access token)), which Graph
// asks for when the app requires it.
func AppSecretProof(appSecret, token string) string {
	h := hmac.New(sha256.New, []byte(appSecret))
	h.Write([]byte(token))
	return hex.EncodeToString(h.Sum(nil))
}

// graphTime parses Graph's "2024-05-01T10:00:00+0000" (and RFC 3339).
func graphTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04:05-0700", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q is not like 2024-05-01T10:00:00+0000", clip(s))
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// asGraphError returns the GraphError in err, if any.
func asGraphError(err error) (*GraphError, bool) {
	var ge *GraphError
	ok := errors.As(err, &ge)
	return ge, ok
}
