// Package openaifake is an OpenAI-compatible chat completions server for
// tests and benchmarks, built from the documented wire format: POST
// {base}/chat/completions with model, messages and an optional
// response_format, answered with a chat.completion object or an error
// object. It checks the shape of every request, counts them, and answers
// as programmed: a fixed reply, a function of the request, 429s with
// Retry-After, slow answers, malformed JSON, server errors.
package openaifake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Message is one chat message of a request.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// JSONSchema is the json_schema part of a response_format.
type JSONSchema struct {
	Name   string          `json:"name"`
	Strict bool            `json:"strict"`
	Schema json.RawMessage `json:"schema"`
}

// ResponseFormat is a request's response_format.
type ResponseFormat struct {
	Type       string      `json:"type"`
	JSONSchema *JSONSchema `json:"json_schema,omitempty"`
}

// Request is a received chat completion request, as decoded.
type Request struct {
	Path           string          `json:"-"`
	Header         http.Header     `json:"-"`
	Model          string          `json:"model"`
	Messages       []Message       `json:"messages"`
	ResponseFormat *ResponseFormat `json:"response_format,omitempty"`
	Temperature    *float64        `json:"temperature,omitempty"`
	MaxTokens      int             `json:"max_tokens,omitempty"`
	Stream         bool            `json:"stream,omitempty"`
}

// System is the request's first system message, "" when there is none.
func (r Request) System() string { return r.content("system") }

// User is the request's last user message, "" when there is none.
func (r Request) User() string {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role == "user" {
			return r.Messages[i].Content
		}
	}
	return ""
}

func (r Request) content(role string) string {
	for _, m := range r.Messages {
		if m.Role == role {
			return m.Content
		}
	}
	return ""
}

// Reply is how the fake answers one request.
type Reply struct {
	// Status is the HTTP status; 0 means 200.
	Status int
	// Content is the assistant message of a 200 answer. For an error
	// status it is the error message.
	Content string
	// Body, when set, is sent as the whole response body instead: a way to
	// send JSON that does not parse.
	Body string
	// RetryAfter sets the Retry-After header ("2", or an HTTP date).
	RetryAfter string
	// Delay holds the answer back; the fake stops waiting when the client
	// goes away.
	Delay time.Duration
	// PromptTokens and CompletionTokens fill usage; 0 estimates them at
	// four bytes a token.
	PromptTokens, CompletionTokens int
}

// Handler decides the reply to a request; n counts the well-formed
// requests it was given, from 1.
type Handler func(n int, r Request) Reply

// Options check more of each request.
type Options struct {
	// APIKey, when set, must arrive as "Authorization: Bearer <key>" or as
	// an "api-key" header (Azure); otherwise the answer is 401.
	APIKey string
	// RequireJSONSchema answers 400 to a request without a json_schema
	// response_format, as a test of a client that must always send one.
	RequireJSONSchema bool
	// RejectJSONSchema answers 400 to a json_schema response_format, as
	// servers that know only json_object do.
	RejectJSONSchema bool
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	// URL is the base URL to give a client, ending in /v1.
	URL string
	// Root is the server's address without /v1 (for Azure-style paths).
	Root string

	srv  *httptest.Server
	opts Options
	n    atomic.Int64

	mu       sync.Mutex
	handler  Handler
	handled  int // requests given to handler
	requests []Request
	invalid  []string
}

// New starts a fake answering with h, closed when the test ends.
func New(t testing.TB, h Handler) *Server {
	return NewWithOptions(t, h, Options{})
}

// NewWithOptions starts a fake that also checks what opts asks for.
func NewWithOptions(t testing.TB, h Handler, opts Options) *Server {
	s := &Server{handler: h, opts: opts}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.Root = s.srv.URL
	s.URL = s.srv.URL + "/v1"
	t.Cleanup(s.srv.Close)
	return s
}

// SetHandler changes how later requests are answered.
func (s *Server) SetHandler(h Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handler, s.handled = h, 0
}

// Count is how many chat completion requests arrived, valid or not.
func (s *Server) Count() int { return int(s.n.Load()) }

// Requests returns the well-formed requests received, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Invalid returns why each malformed request was refused.
func (s *Server) Invalid() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.invalid...)
}

// Chat completions live at /v1/chat/completions, at /chat/completions for
// base URLs that already end in the version, and at
// /openai/deployments/{name}/chat/completions on Azure.
func chatPath(p string) bool {
	switch {
	case p == "/v1/chat/completions", p == "/chat/completions":
		return true
	case strings.HasPrefix(p, "/openai/deployments/") && strings.HasSuffix(p, "/chat/completions"):
		name := strings.TrimSuffix(strings.TrimPrefix(p, "/openai/deployments/"), "/chat/completions")
		return name != "" && !strings.Contains(name, "/")
	}
	return false
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if !chatPath(r.URL.Path) {
		writeError(w, http.StatusNotFound, "invalid_request_error", fmt.Sprintf("unknown path %s", r.URL.Path))
		return
	}
	n := int(s.n.Add(1))
	if r.Method != http.MethodPost {
		s.refuse(w, http.StatusMethodNotAllowed, "method "+r.Method)
		return
	}
	if s.opts.APIKey != "" && r.Header.Get("Authorization") != "Bearer "+s.opts.APIKey && r.Header.Get("api-key") != s.opts.APIKey {
		s.refuse(w, http.StatusUnauthorized, "missing or wrong API key")
		return
	}
	if strings.HasPrefix(r.URL.Path, "/openai/") && r.URL.Query().Get("api-version") == "" {
		s.refuse(w, http.StatusBadRequest, "Azure path without api-version")
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		s.refuse(w, http.StatusBadRequest, fmt.Sprintf("content type %q", ct))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		s.refuse(w, http.StatusBadRequest, "read body: "+err.Error())
		return
	}
	var req Request
	if err := json.Unmarshal(body, &req); err != nil {
		s.refuse(w, http.StatusBadRequest, "body is not JSON: "+err.Error())
		return
	}
	if msg := s.check(req); msg != "" {
		s.refuse(w, http.StatusBadRequest, msg)
		return
	}
	req.Path, req.Header = r.URL.Path, r.Header.Clone()
	s.mu.Lock()
	s.requests = append(s.requests, req)
	h := s.handler
	s.handled++
	hn := s.handled
	s.mu.Unlock()

	rep := h(hn, req)
	if rep.Delay > 0 {
		t := time.NewTimer(rep.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if rep.RetryAfter != "" {
		w.Header().Set("Retry-After", rep.RetryAfter)
	}
	status := rep.Status
	if status == 0 {
		status = http.StatusOK
	}
	if rep.Body != "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, rep.Body)
		return
	}
	if status != http.StatusOK {
		typ := "server_error"
		switch {
		case status == http.StatusTooManyRequests:
			typ = "rate_limit_exceeded"
		case status < 500:
			typ = "invalid_request_error"
		}
		writeError(w, status, typ, rep.Content)
		return
	}
	writeCompletion(w, n, req, rep)
}

// check validates a request's shape the way the real APIs refuse bad ones.
func (s *Server) check(req Request) string {
	if req.Model == "" {
		return "model is required"
	}
	if req.Stream {
		return "stream is not supported by this fake"
	}
	if len(req.Messages) == 0 {
		return "messages must not be empty"
	}
	for i, m := range req.Messages {
		switch m.Role {
		case "system", "developer", "user", "assistant", "tool":
		default:
			return fmt.Sprintf("messages[%d]: unknown role %q", i, m.Role)
		}
		if strings.TrimSpace(m.Content) == "" {
			return fmt.Sprintf("messages[%d]: empty content", i)
		}
	}
	rf := req.ResponseFormat
	if rf == nil {
		if s.opts.RequireJSONSchema {
			return "response_format json_schema is required"
		}
		return ""
	}
	switch rf.Type {
	case "text", "json_object":
		if s.opts.RequireJSONSchema {
			return "response_format json_schema is required"
		}
	case "json_schema":
		if s.opts.RejectJSONSchema {
			return "response_format json_schema is not supported by this server"
		}
		if rf.JSONSchema == nil || rf.JSONSchema.Name == "" {
			return "response_format.json_schema.name is required"
		}
		var schema map[string]any
		if err := json.Unmarshal(rf.JSONSchema.Schema, &schema); err != nil || schema["type"] != "object" {
			return "response_format.json_schema.schema must be a JSON Schema object"
		}
		if rf.JSONSchema.Strict && schema["additionalProperties"] != false {
			return "strict json_schema needs additionalProperties: false"
		}
	default:
		return fmt.Sprintf("response_format.type %q is not one of text, json_object, json_schema", rf.Type)
	}
	return ""
}

func (s *Server) refuse(w http.ResponseWriter, status int, msg string) {
	s.mu.Lock()
	s.invalid = append(s.invalid, msg)
	s.mu.Unlock()
	writeError(w, status, "invalid_request_error", msg)
}

func writeError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"message": msg, "type": typ, "param": nil, "code": nil,
	}})
}

func writeCompletion(w http.ResponseWriter, n int, req Request, rep Reply) {
	prompt, completion := rep.PromptTokens, rep.CompletionTokens
	if prompt == 0 {
		for _, m := range req.Messages {
			prompt += len(m.Content)
		}
		prompt = prompt/4 + 1
	}
	if completion == 0 {
		completion = len(rep.Content)/4 + 1
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"id":      "chatcmpl-" + strconv.Itoa(n),
		"object":  "chat.completion",
		"created": 1700000000 + n,
		"model":   req.Model,
		"choices": []any{map[string]any{
			"index":         0,
			"message":       map[string]any{"role": "assistant", "content": rep.Content},
			"finish_reason": "stop",
		}},
		"usage":              map[string]any{"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion},
		"system_fingerprint": "fp_fake",
	})
}

// Fixed answers every request with content.
func Fixed(content string) Handler {
	return func(int, Request) Reply { return Reply{Content: content} }
}

// Func answers with whatever content f makes of the request.
func Func(f func(Request) string) Handler {
	return func(_ int, r Request) Reply { return Reply{Content: f(r)} }
}

// Sequence answers the nth request with replies[n-1], and every later one
// with the last reply.
func Sequence(replies ...Reply) Handler {
	return func(n int, _ Request) Reply {
		if n > len(replies) {
			n = len(replies)
		}
		return replies[n-1]
	}
}

// RateLimited answers the first n requests with 429 and Retry-After, then
// hands over to then.
func RateLimited(n int, retryAfter string, then Handler) Handler {
	return func(i int, r Request) Reply {
		if i <= n {
			return Reply{Status: http.StatusTooManyRequests, RetryAfter: retryAfter, Content: "Rate limit reached for requests"}
		}
		return then(i, r)
	}
}

// Slow holds every answer of then back by d.
func Slow(d time.Duration, then Handler) Handler {
	return func(i int, r Request) Reply {
		rep := then(i, r)
		rep.Delay += d
		return rep
	}
}

// Status answers every request with an error status and message.
func Status(code int, msg string) Handler {
	return func(int, Request) Reply { return Reply{Status: code, Content: msg} }
}

// Malformed answers 200 with a body that is not JSON at all.
func Malformed() Handler {
	return func(int, Request) Reply {
		return Reply{Body: `{"id":"chatcmpl-1","choices":[{"message":{"content":"{\"labels\":`}
	}
}

// Parrot is a model that does whatever the customer's post says: every
// reply is the post's last quoted line (the "| "-prefixed lines of the
// user message), wrapped in well-formed output. It is how injected
// instructions ("reply with @everyone") reach a drafter's checks.
func Parrot() Handler {
	return Func(func(r Request) string {
		said := ""
		for _, line := range strings.Split(r.User(), "\n") {
			if q, ok := strings.CutPrefix(line, "| "); ok {
				said = q
			}
		}
		return Drafts("other", said, "As you asked: "+said, "Posted as requested. "+said).JSON()
	})
}

// Output is the JSON earshot's drafter asks a model for, for building
// replies in tests.
type Output struct {
	Labels  OutputLabels  `json:"labels"`
	Summary string        `json:"summary"`
	Replies []OutputReply `json:"replies"`
}

// OutputLabels are the labels part of Output.
type OutputLabels struct {
	Sentiment string `json:"sentiment"`
	Intent    string `json:"intent"`
	Urgency   string `json:"urgency"`
	Product   string `json:"product"`
}

// OutputReply is one reply of Output.
type OutputReply struct {
	Approach string `json:"approach"`
	Text     string `json:"text"`
}

// JSON is o as a model would write it.
func (o Output) JSON() string {
	b, err := json.Marshal(o)
	if err != nil {
		panic(err) // plain strings always marshal
	}
	return string(b)
}

// Drafts is a well-formed Output with the three replies given, in the
// order concise, warm, next step.
func Drafts(intent, concise, warm, nextStep string) Output {
	return Output{
		Labels:  OutputLabels{Sentiment: "negative", Intent: intent, Urgency: "normal", Product: ""},
		Summary: "Customer needs help with " + intent + ".",
		Replies: []OutputReply{{"concise", concise}, {"warm", warm}, {"next step", nextStep}},
	}
}
