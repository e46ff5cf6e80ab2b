package github

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"

	"github.com/earshothq/earshot/bot"
)

const (
	// maxPayload caps a delivery's body; GitHub's own cap is 25 MB, and the
	// events earshot hears are a few kilobytes.
	maxPayload = 5 << 20
	// maxRefs caps the issues one release may name.
	maxRefs = 200
)

// Recorder applies what a delivery says, once per delivery id (the
// handlers; the store records the id in the same transaction). dup
// reports a delivery already applied.
type Recorder interface {
	IssueEvent(ctx context.Context, ev bot.IssueEvent) (dup bool, err error)
}

// HookOptions configure a Hook.
type HookOptions struct {
	Logger *slog.Logger
	Now    func() time.Time
}

// Hook is the /hooks/github endpoint: it verifies X-Hub-Signature-256
// against the webhook secret (anything unverified is refused with 401 and
// nothing is stored), and hands "issues" closed and reopened and "release"
// published to the Recorder. It answers at once: the Recorder stores the
// delivery and queues durable jobs in one transaction.
type Hook struct {
	secret []byte
	rec    Recorder
	log    *slog.Logger
	now    func() time.Time
}

// NewHook builds the endpoint. A secret is required: without one
// go-github would accept unsigned deliveries.
func NewHook(secret string, rec Recorder, o HookOptions) (*Hook, error) {
	if secret == "" {
		return nil, errors.New("github hook: no webhook secret")
	}
	if rec == nil {
		return nil, errors.New("github hook: no recorder")
	}
	h := &Hook{secret: []byte(secret), rec: rec, log: o.Logger, now: o.Now}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	return h, nil
}

func (h *Hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		hookReply(w, http.StatusMethodNotAllowed, "POST only")
		return
	}
	// go-github falls back to the SHA-1 header; only SHA-256 is accepted.
	if r.Header.Get(gh.SHA256SignatureHeader) == "" {
		hookReply(w, http.StatusUnauthorized, "missing X-Hub-Signature-256")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxPayload)
	payload, err := gh.ValidatePayload(r, h.secret)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			hookReply(w, http.StatusRequestEntityTooLarge, "payload too large")
			return
		}
		h.log.Warn("github delivery refused", "delivery", clipLog(gh.DeliveryID(r)), "reason", "signature")
		hookReply(w, http.StatusUnauthorized, "signature does not match")
		return
	}
	delivery, kind := gh.DeliveryID(r), gh.WebHookType(r)
	if delivery == "" || len(delivery) > 100 {
		hookReply(w, http.StatusBadRequest, "missing or bad X-GitHub-Delivery")
		return
	}
	ev, ok, err := ParseEvent(kind, payload)
	switch {
	case err != nil:
		hookReply(w, http.StatusBadRequest, err.Error())
		return
	case kind == "ping":
		hookReply(w, http.StatusOK, "pong")
		return
	case !ok:
		hookReply(w, http.StatusAccepted, "ignored")
		return
	}
	ev.Delivery, ev.At = delivery, h.now()
	dup, err := h.rec.IssueEvent(r.Context(), ev)
	if err != nil {
		// GitHub shows the failure and the delivery can be redelivered.
		h.log.Error("github delivery not applied", "delivery", delivery, "event", kind, "error", err)
		hookReply(w, http.StatusInternalServerError, "not applied; redeliver")
		return
	}
	if dup {
		hookReply(w, http.StatusOK, "already applied")
		return
	}
	h.log.Info("github delivery applied", "delivery", delivery, "kind", ev.Kind, "repo", ev.Repo, "issues", ev.Numbers)
	hookReply(w, http.StatusAccepted, "applied")
}

func hookReply(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"status": msg})
}

func clipLog(s string) string { return clipRunes(s, 64) }

// ParseEvent reads a verified delivery. ok is false for events and actions
// earshot does not act on (ping among them); err is for a payload that is
// not what GitHub documents.
func ParseEvent(kind string, payload []byte) (ev bot.IssueEvent, ok bool, err error) {
	switch kind {
	case "ping":
		var p gh.PingEvent
		if err := json.Unmarshal(payload, &p); err != nil {
			return ev, false, fmt.Errorf("ping payload: %w", err)
		}
		return ev, false, nil
	case "issues":
		var p gh.IssuesEvent
		if err := json.Unmarshal(payload, &p); err != nil {
			return ev, false, fmt.Errorf("issues payload: %w", err)
		}
		repo, num := strings.ToLower(p.GetRepo().GetFullName()), p.GetIssue().GetNumber()
		if repo == "" || num <= 0 {
			return ev, false, errors.New("issues payload: no repository or issue number")
		}
		if p.GetIssue().IsPullRequest() {
			return ev, false, nil
		}
		ev = bot.IssueEvent{Tracker: Name, Repo: repo, Numbers: []int{num}}
		switch p.GetAction() {
		case "closed":
			ev.Kind, ev.Reason = bot.IssueClosed, p.GetIssue().GetStateReason()
		case "reopened":
			ev.Kind = bot.IssueReopened
		default:
			return bot.IssueEvent{}, false, nil
		}
		return ev, true, nil
	case "release":
		var p gh.ReleaseEvent
		if err := json.Unmarshal(payload, &p); err != nil {
			return ev, false, fmt.Errorf("release payload: %w", err)
		}
		rel := p.GetRelease()
		repo := strings.ToLower(p.GetRepo().GetFullName())
		if repo == "" {
			return ev, false, errors.New("release payload: no repository")
		}
		// A pre-release or a draft is not something customers can install.
		if p.GetAction() != "published" || rel.GetPrerelease() || rel.GetDraft() {
			return ev, false, nil
		}
		name := strings.TrimSpace(rel.GetName())
		if name == "" {
			name = strings.TrimSpace(rel.GetTagName())
		}
		nums := IssueRefs(repo, rel.GetName()+"\n"+rel.GetBody())
		if len(nums) == 0 {
			return ev, false, nil
		}
		return bot.IssueEvent{Tracker: Name, Kind: bot.IssueReleased, Repo: repo, Numbers: nums, Release: clipRunes(name, 100)}, true, nil
	}
	return ev, false, nil
}

// refPattern finds the ways a release names an issue of its repository:
// "#412", "lumio/app#412", and the issue's address.
var refPattern = regexp.MustCompile(`(?i)(?:^|[^\w/#&])#(\d{1,9})\b|\b([\w.-]+/[\w.-]+)#(\d{1,9})\b|https?://[^\s/]+/([\w.-]+/[\w.-]+)/issues/(\d{1,9})\b`)

// IssueRefs lists, once each and in order, the issues of repo that text
// names (at most maxRefs).
func IssueRefs(repo, text string) []int {
	repo = strings.ToLower(repo)
	var out []int
	for _, m := range refPattern.FindAllStringSubmatch(text, -1) {
		var num string
		switch {
		case m[1] != "":
			num = m[1]
		case m[3] != "" && strings.ToLower(m[2]) == repo:
			num = m[3]
		case m[5] != "" && strings.ToLower(m[4]) == repo:
			num = m[5]
		default:
			continue
		}
		n, err := strconv.Atoi(num)
		if err != nil || n <= 0 || slices.Contains(out, n) {
			continue
		}
		out = append(out, n)
		if len(out) == maxRefs {
			break
		}
	}
	return out
}
