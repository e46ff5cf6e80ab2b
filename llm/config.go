package llm

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/routing"
)

// DefaultBaseURL is OpenAI's API, used when only a key is configured.
const DefaultBaseURL = "https://api.openai.com/v1"

// Defaults for the zero values of Config.
const (
	DefaultTimeout       = 20 * time.Second
	DefaultMaxConcurrent = 4
	DefaultCacheSize     = 1024
)

// Config says which model server drafts replies and how much of it earshot
// may use. The envconfig tags give the EARSHOT_LLM_* names when the struct
// is read with the prefix "EARSHOT_LLM".
type Config struct {
	// BaseURL of an OpenAI-compatible API, including the version path:
	// https://api.openai.com/v1, http://localhost:11434/v1 (Ollama),
	// http://localhost:8000/v1 (vLLM), http://127.0.0.1:8080/v1
	// (llama.cpp). For Azure OpenAI give the resource's address and set
	// AzureAPIVersion; Model is then the deployment name.
	BaseURL string `envconfig:"BASE_URL"`
	// APIKey is sent as a bearer token (as api-key on Azure); local servers
	// need none.
	APIKey string `envconfig:"API_KEY"`
	// Model names the model (the deployment on Azure). Required.
	Model string `envconfig:"MODEL"`
	// AzureAPIVersion switches to Azure's deployment URLs
	// (/openai/deployments/{Model}/chat/completions?api-version=...).
	// Structured outputs need 2024-08-01-preview or later.
	AzureAPIVersion string `envconfig:"AZURE_API_VERSION"`
	// Timeout bounds one case's drafting, queue and retries included;
	// after it the built-in drafts are used. Default 20s.
	Timeout time.Duration `envconfig:"TIMEOUT" default:"20s"`
	// MaxConcurrent calls to the server at once. Default 4.
	MaxConcurrent int `envconfig:"MAX_CONCURRENT" default:"4"`
	// RequestsPerHour and TokensPerHour cap use per clock hour; 0 is no cap.
	// Retries count as requests.
	RequestsPerHour int `envconfig:"REQUESTS_PER_HOUR"`
	TokensPerHour   int `envconfig:"TOKENS_PER_HOUR"`
	// CacheSize is how many answers are kept, keyed by the normalised
	// conversation, so a storm of identical posts costs one call. Default 1024.
	CacheSize int `envconfig:"CACHE_SIZE" default:"1024"`

	// Rules gives the rules in force (brand voice, links, FAQ); it is read
	// for every case, so a reload applies at once. Nil means no brand.
	Rules func() *routing.Rules `ignored:"true"`
	// OnNote, when set, hears what the card should say about a case's
	// drafts: why the built-in drafter answered, or which model drafts were
	// dropped and why.
	OnNote func(ctx context.Context, c bot.Case, note string) `ignored:"true"`
}

// Enabled reports whether a model server is configured at all.
func (c Config) Enabled() bool {
	return strings.TrimSpace(c.BaseURL) != "" || strings.TrimSpace(c.APIKey) != ""
}

// withDefaults fills the zero values.
func (c Config) withDefaults() Config {
	if strings.TrimSpace(c.BaseURL) == "" {
		c.BaseURL = DefaultBaseURL
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxConcurrent == 0 {
		c.MaxConcurrent = DefaultMaxConcurrent
	}
	if c.CacheSize == 0 {
		c.CacheSize = DefaultCacheSize
	}
	return c
}

// Validate names every setting that cannot work. It never prints the key.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []string
	if strings.TrimSpace(c.Model) == "" {
		errs = append(errs, "EARSHOT_LLM_MODEL is required when a model server is configured")
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		// The URL may carry credentials; name the variable, not the value.
		errs = append(errs, "EARSHOT_LLM_BASE_URL is not an http(s) URL without credentials")
	}
	if c.Timeout < 0 {
		errs = append(errs, fmt.Sprintf("EARSHOT_LLM_TIMEOUT %s is negative", c.Timeout))
	}
	for _, n := range []struct {
		name string
		v    int
	}{{"EARSHOT_LLM_MAX_CONCURRENT", c.MaxConcurrent}, {"EARSHOT_LLM_REQUESTS_PER_HOUR", c.RequestsPerHour},
		{"EARSHOT_LLM_TOKENS_PER_HOUR", c.TokensPerHour}, {"EARSHOT_LLM_CACHE_SIZE", c.CacheSize}} {
		if n.v < 0 {
			errs = append(errs, fmt.Sprintf("%s %d is negative", n.name, n.v))
		}
	}
	if len(errs) > 0 {
		return errors.New("llm config: " + strings.Join(errs, "; "))
	}
	return nil
}
