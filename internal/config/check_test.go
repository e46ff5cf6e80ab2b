package config

import (
	"strings"
	"testing"
)

// checkValidate is every settings table's check: c validates when want is
// empty, else fails with an error containing want; either way the error
// never shows one of secrets.
func checkValidate(t *testing.T, c Config, want string, secrets ...string) {
	t.Helper()
	err := c.Validate()
	switch {
	case want == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
		t.Fatalf("error %v, want it to contain %q", err, want)
	}
	if err == nil {
		return
	}
	for _, s := range secrets {
		if strings.Contains(err.Error(), s) {
			t.Fatalf("error echoes a secret: %v", err)
		}
	}
}
