package llm

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// maxAttempts is how often one drafting call is tried: the first time and
// two retries, all within the timeout.
const maxAttempts = 3

// newClient builds the go-openai client for cfg. Its HTTP client reports
// Retry-After to the call that asked, because go-openai's errors carry the
// status but not the headers.
func newClient(cfg Config, doer openai.HTTPDoer, now func() time.Time) *openai.Client {
	var oc openai.ClientConfig
	if cfg.AzureAPIVersion != "" {
		oc = openai.DefaultAzureConfig(cfg.APIKey, strings.TrimRight(cfg.BaseURL, "/"))
		oc.APIVersion = cfg.AzureAPIVersion
		// The deployment is named exactly as configured.
		oc.AzureModelMapperFunc = func(model string) string { return model }
	} else {
		oc = openai.DefaultConfig(cfg.APIKey)
		oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	}
	oc.HTTPClient = hintDoer{next: doer, now: now}
	return openai.NewClientWithConfig(oc)
}

type hintKey struct{}

// hint carries what the HTTP layer saw back to the retry loop.
type hint struct {
	status     int
	retryAfter time.Duration
}

type hintDoer struct {
	next openai.HTTPDoer
	now  func() time.Time
}

func (d hintDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.next.Do(req)
	if err == nil {
		if h, ok := req.Context().Value(hintKey{}).(*hint); ok {
			h.status = resp.StatusCode
			h.retryAfter = retryAfter(resp.Header, d.now())
		}
	}
	return resp, err
}

// maxRetryAfter caps a server's request to wait: beyond it the timeout
// decides anyway.
const maxRetryAfter = 10 * time.Minute

// retryAfter reads retry-after-ms (OpenAI) or Retry-After in seconds or as
// an HTTP date; 0 when absent or unreadable.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 {
			return min(time.Duration(ms*float64(time.Millisecond)), maxRetryAfter)
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return min(time.Duration(s*float64(time.Second)), maxRetryAfter)
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), maxRetryAfter)
	}
	return 0
}

// CallError is a call the model server refused or failed, after retries
// where they made sense.
type CallError struct {
	Status   int // HTTP status; 0 when the server was not reached
	Attempts int
	// RetryAfter is the wait the server last asked for, when it asked for
	// more than the time left.
	RetryAfter time.Duration
	Err        error
}

func (e *CallError) Error() string {
	switch {
	case e.RetryAfter > 0:
		return fmt.Sprintf("model server busy (%d), asks to wait %s, longer than the time left", e.Status, e.RetryAfter.Round(time.Second))
	case e.Status != 0:
		return fmt.Sprintf("model server answered %d after %d attempt(s): %s", e.Status, e.Attempts, shorten(apiMessage(e.Err), 120))
	}
	return fmt.Sprintf("model server not reached after %d attempt(s): %v", e.Attempts, e.Err)
}

func (e *CallError) Unwrap() error { return e.Err }

func apiMessage(err error) string {
	var api *openai.APIError
	if errors.As(err, &api) && api.Message != "" {
		return oneLine(api.Message)
	}
	var req *openai.RequestError
	if errors.As(err, &req) {
		return http.StatusText(req.HTTPStatusCode)
	}
	return oneLine(err.Error())
}

// statusOf is the HTTP status of a failed call, 0 when there was none.
func statusOf(err error, h *hint) int {
	var api *openai.APIError
	if errors.As(err, &api) && api.HTTPStatusCode != 0 {
		return api.HTTPStatusCode
	}
	var req *openai.RequestError
	if errors.As(err, &req) && req.HTTPStatusCode != 0 {
		return req.HTTPStatusCode
	}
	if h.status >= 400 {
		return h.status
	}
	return 0
}

// retryable: rate limits, server errors and transport failures are worth
// another try; a request the server refuses (400, 401, 404) is not, and
// neither is a 200 whose body did not decode.
func retryable(status int, h *hint) bool {
	switch {
	case status == http.StatusTooManyRequests, status == http.StatusRequestTimeout, status >= 500:
		return true
	case status != 0:
		return false
	}
	return h.status == 0 // never reached a server: connection refused, reset
}

// schemaRefused reports a 400 about response_format: servers that know
// only json_object mode. The system prompt describes the JSON either way.
func schemaRefused(status int, err error) bool {
	if status != http.StatusBadRequest {
		return false
	}
	msg := strings.ToLower(apiMessage(err))
	return strings.Contains(msg, "response_format") || strings.Contains(msg, "json_schema")
}

func backoff(attempt int) time.Duration {
	base := 500 * time.Millisecond << (attempt - 1)
	return base + time.Duration(rand.Int64N(int64(base/4)+1))
}

// call sends req, retrying within ctx's deadline. Every attempt is a
// request against the hourly budget.
func (d *Drafter) call(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error) {
	var last error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		if err := d.budget.take(); err != nil {
			return openai.ChatCompletionResponse{}, err
		}
		if d.jsonObject.Load() {
			req.ResponseFormat = &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
		}
		h := &hint{}
		resp, err := d.client.CreateChatCompletion(context.WithValue(ctx, hintKey{}, h), req)
		if err == nil {
			d.budget.spend(tokensOf(resp, req))
			return resp, nil
		}
		if ctx.Err() != nil {
			return resp, ctx.Err()
		}
		if h.status >= 200 && h.status < 300 {
			// The server answered but not with a completion object.
			return resp, outputErr("the response was not a chat completion: %s", shorten(oneLine(err.Error()), 80))
		}
		status := statusOf(err, h)
		if schemaRefused(status, err) && !d.jsonObject.Swap(true) {
			continue
		}
		last = &CallError{Status: status, Attempts: attempt, Err: err}
		if !retryable(status, h) || attempt == maxAttempts {
			break
		}
		wait := h.retryAfter
		if wait <= 0 {
			wait = backoff(attempt)
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			if h.retryAfter > 0 {
				return resp, &CallError{Status: status, Attempts: attempt, RetryAfter: h.retryAfter, Err: err}
			}
			break
		}
		if err := d.sleep(ctx, wait); err != nil {
			return resp, err
		}
	}
	return openai.ChatCompletionResponse{}, last
}

// tokensOf is the usage the server reported, or an estimate of four bytes
// a token for servers that report none.
func tokensOf(resp openai.ChatCompletionResponse, req openai.ChatCompletionRequest) int {
	if resp.Usage.TotalTokens > 0 {
		return resp.Usage.TotalTokens
	}
	n := 0
	for _, m := range req.Messages {
		n += len(m.Content)
	}
	for _, c := range resp.Choices {
		n += len(c.Message.Content)
	}
	return n/4 + 1
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
