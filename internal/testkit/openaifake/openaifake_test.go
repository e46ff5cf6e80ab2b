package openaifake

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

func client(baseURL, key string) *openai.Client {
	cfg := openai.DefaultConfig(key)
	cfg.BaseURL = baseURL
	return openai.NewClientWithConfig(cfg)
}

var schema = json.RawMessage(`{"type":"object","additionalProperties":false,"required":["a"],"properties":{"a":{"type":"string"}}}`)

func request() openai.ChatCompletionRequest {
	return openai.ChatCompletionRequest{
		Model: "llama3",
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: "You draft replies."},
			{Role: openai.ChatMessageRoleUser, Content: "Draft three."},
		},
		ResponseFormat: &openai.ChatCompletionResponseFormat{
			Type:       openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{Name: "drafts", Schema: schema, Strict: true},
		},
	}
}

func TestCompletionRoundTrip(t *testing.T) {
	out := Drafts("complaint", "Sorry, DM us?", "We're so sorry.", "Next: DM us.").JSON()
	s := New(t, Fixed(out))
	for _, base := range []string{s.URL, s.Root} {
		resp, err := client(base, "").CreateChatCompletion(context.Background(), request())
		if err != nil {
			t.Fatalf("base %s: %v", base, err)
		}
		if len(resp.Choices) != 1 || resp.Choices[0].Message.Content != out || resp.Model != "llama3" ||
			resp.Usage.TotalTokens != resp.Usage.PromptTokens+resp.Usage.CompletionTokens || resp.Usage.TotalTokens == 0 {
			t.Errorf("base %s: response %+v", base, resp)
		}
	}
	reqs := s.Requests()
	if s.Count() != 2 || len(reqs) != 2 {
		t.Fatalf("count %d, %d recorded; want 2", s.Count(), len(reqs))
	}
	r := reqs[0]
	if r.Path != "/v1/chat/completions" || reqs[1].Path != "/chat/completions" {
		t.Errorf("paths %q, %q", r.Path, reqs[1].Path)
	}
	if r.System() != "You draft replies." || r.User() != "Draft three." || r.ResponseFormat == nil ||
		r.ResponseFormat.Type != "json_schema" || r.ResponseFormat.JSONSchema.Name != "drafts" || !r.ResponseFormat.JSONSchema.Strict {
		t.Errorf("request recorded as %+v", r)
	}
	if h := r.Header.Get("Authorization"); h != "" {
		t.Errorf("an empty key sent Authorization %q", h)
	}
}

func TestAzurePathAndKeys(t *testing.T) {
	s := NewWithOptions(t, Fixed(`{"a":"b"}`), Options{APIKey: "sk-test"})
	cfg := openai.DefaultAzureConfig("sk-test", s.Root)
	cfg.APIVersion = "2024-10-21"
	if _, err := openai.NewClientWithConfig(cfg).CreateChatCompletion(context.Background(), request()); err != nil {
		t.Fatalf("azure: %v", err)
	}
	if got := s.Requests()[0].Path; got != "/openai/deployments/llama3/chat/completions" {
		t.Errorf("azure path %q", got)
	}
	if _, err := client(s.URL, "sk-test").CreateChatCompletion(context.Background(), request()); err != nil {
		t.Fatalf("bearer: %v", err)
	}
	_, err := client(s.URL, "sk-wrong").CreateChatCompletion(context.Background(), request())
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != http.StatusUnauthorized {
		t.Errorf("wrong key: %v, want a 401 APIError", err)
	}
}

func TestRateLimitedThenAnswers(t *testing.T) {
	s := New(t, RateLimited(2, "3", Fixed(`{"a":"b"}`)))
	c := client(s.URL, "")
	for i := 1; i <= 2; i++ {
		_, err := c.CreateChatCompletion(context.Background(), request())
		var apiErr *openai.APIError
		if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != http.StatusTooManyRequests || apiErr.Type != "rate_limit_exceeded" {
			t.Fatalf("request %d: %v, want a 429 APIError", i, err)
		}
	}
	if _, err := c.CreateChatCompletion(context.Background(), request()); err != nil {
		t.Fatalf("third request: %v", err)
	}
	// go-openai keeps no headers on errors, so a client that honours
	// Retry-After must read it from the response itself.
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/chat/completions", strings.NewReader(`{"model":"m","messages":[{"role":"user","content":"x"}]}`))
	req.Header.Set("Content-Type", "application/json")
	s.SetHandler(RateLimited(1, "7", Fixed("x")))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "7" {
		t.Errorf("status %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

func TestSlowHonoursTheClientsDeadline(t *testing.T) {
	s := New(t, Slow(time.Minute, Fixed("late")))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := client(s.URL, "").CreateChatCompletion(ctx, request())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the deadline", err)
	}
}

func TestErrorsAndMalformed(t *testing.T) {
	s := New(t, Status(http.StatusServiceUnavailable, "overloaded"))
	_, err := client(s.URL, "").CreateChatCompletion(context.Background(), request())
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 503 || apiErr.Message != "overloaded" || apiErr.Type != "server_error" {
		t.Errorf("503: %v", err)
	}
	s.SetHandler(Malformed())
	if _, err := client(s.URL, "").CreateChatCompletion(context.Background(), request()); err == nil {
		t.Error("malformed body parsed")
	}
	s.SetHandler(Sequence(Reply{Status: 502, Body: "<html>Bad Gateway</html>"}, Reply{Content: "ok"}))
	_, err = client(s.URL, "").CreateChatCompletion(context.Background(), request())
	var reqErr *openai.RequestError
	if !errors.As(err, &reqErr) || reqErr.HTTPStatusCode != 502 {
		t.Errorf("html 502: %v, want a RequestError", err)
	}
	if resp, err := client(s.URL, "").CreateChatCompletion(context.Background(), request()); err != nil || resp.Choices[0].Message.Content != "ok" {
		t.Errorf("second in sequence: %v", err)
	}
}

func TestRefusesMalformedRequests(t *testing.T) {
	s := NewWithOptions(t, Fixed("x"), Options{RequireJSONSchema: true})
	bad := []func(*openai.ChatCompletionRequest){
		func(r *openai.ChatCompletionRequest) { r.Model = "" },
		func(r *openai.ChatCompletionRequest) { r.Messages = nil },
		func(r *openai.ChatCompletionRequest) { r.Messages[0].Role = "boss" },
		func(r *openai.ChatCompletionRequest) { r.ResponseFormat = nil },
		func(r *openai.ChatCompletionRequest) {
			r.ResponseFormat = &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
		},
		func(r *openai.ChatCompletionRequest) { r.ResponseFormat.JSONSchema.Name = "" },
		func(r *openai.ChatCompletionRequest) {
			r.ResponseFormat.JSONSchema.Schema = json.RawMessage(`{"type":"object"}`) // strict without additionalProperties
		},
	}
	for i, mutate := range bad {
		req := request()
		mutate(&req)
		_, err := client(s.URL, "").CreateChatCompletion(context.Background(), req)
		var apiErr *openai.APIError
		if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != http.StatusBadRequest {
			t.Errorf("case %d: %v, want 400", i, err)
		}
	}
	if n := len(s.Invalid()); n != len(bad) || len(s.Requests()) != 0 {
		t.Errorf("%d refused, %d recorded; want %d, 0: %q", n, len(s.Requests()), len(bad), s.Invalid())
	}

	r := NewWithOptions(t, Fixed("x"), Options{RejectJSONSchema: true})
	if _, err := client(r.URL, "").CreateChatCompletion(context.Background(), request()); err == nil || !strings.Contains(err.Error(), "json_schema") {
		t.Errorf("json_schema accepted by a server that rejects it: %v", err)
	}
}
