package meta_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/sources/meta"
)

// seeds are the documented sample payloads in testdata.
func seeds(f *testing.F, glob string) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", glob))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds %s: %v", glob, err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzWebhookDecode(f *testing.F) {
	seeds(f, "webhook_*.json")
	f.Add([]byte(`{"object":"page","entry":[{"id":"1","changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"1_2","created_time":"2024-01-01T00:00:00+0000"}}]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, _ = meta.DecodeForTest(body, time.Unix(1700000000, 0))
	})
}

func FuzzGraphDecode(f *testing.F) {
	seeds(f, "graph_*.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		meta.GraphPagesForTest(body)
	})
}

func FuzzUsageHeaders(f *testing.F) {
	f.Add(`{"call_count":28,"total_time":25,"total_cputime":25}`, `{"112233":[{"type":"pages","call_count":100,"total_cputime":25,"total_time":25,"estimated_time_to_regain_access":19}]}`)
	f.Fuzz(func(t *testing.T, app, buc string) {
		h := http.Header{}
		h.Set("X-App-Usage", app)
		h.Set("X-Business-Use-Case-Usage", buc)
		u := meta.ParseUsage(h)
		if w := u.Wait(); w < 0 || w > 24*time.Hour {
			t.Fatalf("wait %s out of range", w)
		}
	})
}

func FuzzVerifySignature(f *testing.F) {
	body := []byte(`{"object":"page","entry":[]}`)
	f.Add("sha256="+"00", body)
	f.Add("sha256=46a7c1b6bfa8e7c0d0b5b1cfb2c2e4d5a5e4d1b1d1d2c3b4a5f6e7d8c9b0a1f2", body)
	f.Add("", body)
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		err := meta.VerifySignature("s3cr3t-app-secret", header, body)
		if err != nil && strings.Contains(err.Error(), "s3cr3t-app-secret") {
			t.Fatal("error repeats the secret")
		}
	})
}
