package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	goldenfile "github.com/earshothq/earshot/internal/testkit/golden"
)

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	goldenfile.Check(t, name, got)
}

// assetHash hides the asset version so a CSS tweak does not churn the goldens.
var assetHash = regexp.MustCompile(`\?v=[0-9a-f]{12}`)

func TestGoldenPages(t *testing.T) {
	tests := []struct {
		file, path string
	}{
		{"inbox.golden", "/"},
		{"inbox_care_all.golden", "/?team=care&state=all"},
		{"case.golden", "/cases/1"},
		{"case_empty.golden", "/cases/6"},
		{"login.golden", "/login?next=/cases/1"},
		{"row.golden", "/fragments/cases/2"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var ts *testServer
			if tt.file == "login.golden" {
				ts = newTestServer(t, func(o *Options) { o.Token = testToken })
			} else {
				ts = newTestServer(t, nil)
			}
			w := ts.get(tt.path)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			golden(t, tt.file, assetHash.ReplaceAll(w.Body.Bytes(), []byte("?v=ASSETS")))
		})
	}
}

var (
	inlineScript  = regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]`)
	handlerAttr   = regexp.MustCompile(`(?i)<[^>]*\son[a-z]+\s*=`)
	styleAttr     = regexp.MustCompile(`(?i)<[^>]*\sstyle\s*=`)
	externalAsset = regexp.MustCompile(`(?i)(src|href)="(https?:)?//[^"]*\.(js|css|woff2?)`)
)

// Pages must work under the CSP: no inline script, handlers or styles, and
// nothing loaded from elsewhere.
func TestPagesObeyCSP(t *testing.T) {
	ts := newTestServer(t, nil)
	for _, path := range []string{"/", "/cases/1", "/cases/3", "/nowhere"} {
		body := ts.get(path).Body.String()
		for name, re := range map[string]*regexp.Regexp{"inline script": inlineScript, "event handler": handlerAttr, "style attribute": styleAttr, "external asset": externalAsset} {
			if m := re.FindString(body); m != "" {
				t.Errorf("%s: %s: %q", path, name, m)
			}
		}
	}
}

func TestPublicTextIsEscaped(t *testing.T) {
	ts := newTestServer(t, nil)
	hostile(ts.store)
	for _, path := range []string{"/", "/cases/1", "/fragments/cases/1", "/fragments/cases/1/detail", "/?team=" + "care%22%3E%3Cscript%3Ealert(4)%3C%2Fscript%3E"} {
		t.Run(path, func(t *testing.T) {
			w := ts.get(path)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			body := w.Body.String()
			for _, bad := range []string{"<script>alert", "<img src=x", "<svg onload", `href="javascript:`, `"><script`, "ZgotmplZ"} {
				if strings.Contains(body, bad) {
					t.Errorf("unescaped %q in %s", bad, path)
				}
			}
			if !strings.Contains(body, "&lt;script&gt;alert(") {
				t.Errorf("escaped text missing: the hostile text should be shown, harmlessly")
			}
		})
	}
	// The JSON API returns the text as data; browsers never render it as HTML.
	w := ts.get("/api/cases/1")
	if strings.Contains(w.Body.String(), "<script>") {
		t.Errorf("JSON should escape < and > too: %s", w.Body.String()[:200])
	}
}

func TestInboxPage(t *testing.T) {
	ts := newTestServer(t, nil)
	t.Run("open tab, urgent first", func(t *testing.T) {
		body := ts.get("/").Body.String()
		order := rowOrder(body)
		// Overdue critical case 2 floats above newer ones; high case 1 next.
		if want := "2,1,6,5,3"; order != want {
			t.Errorf("rows %s, want %s", order, want)
		}
		for _, want := range []string{
			`class="tab active" aria-current="page">Open <span class="tab-count" data-state-count="open">5</span>`,
			`data-team-open="care">2</span>`,
			`data-team-open="legacy">1</span>`,
			`data-team-open="*">5</span>`,
			`<span class="due due-over" data-due="2026-03-02T14:50:00Z" title="due 2026-03-02 14:50 UTC">overdue 10m</span>`,
			`<span class="due due-soon" data-due="2026-03-02T15:12:00Z" title="due 2026-03-02 15:12 UTC">due in 12m</span>`,
			`<span class="pill st-escalated">Escalated</span>`,
			`<span class="pf pf-bluesky">Bluesky</span>`,
			`<span class="pf pf-other">forum</span>`,
			`<span class="chip u-critical">critical</span>`,
			`<span class="chip i-safety">safety</span>`,
			`<span class="reach">12.4k followers</span>`,
			`<span class="reach">95 followers</span>`,
			`<span class="reach">2.4M followers</span>`,
			`data-states="new,claimed,escalated,defect_filed,replied,awaiting_customer"`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("missing %s", want)
			}
		}
	})
	t.Run("team and state", func(t *testing.T) {
		body := ts.get("/?team=care&state=resolved").Body.String()
		if got := rowOrder(body); got != "4" {
			t.Errorf("rows %s, want 4", got)
		}
		if !strings.Contains(body, `class="team active"><span class="team-name">care</span>`) {
			t.Error("care is not the active team")
		}
		if !strings.Contains(body, `href="/?state=resolved&amp;team=care" class="tab active"`) {
			t.Error("resolved tab is not active")
		}
	})
	t.Run("older link pages by id", func(t *testing.T) {
		body := ts.get("/?state=all&limit=3").Body.String()
		// Closed cases sink below open ones within a page.
		if got := rowOrder(body); got != "6,5,7" {
			t.Errorf("rows %s", got)
		}
		if !strings.Contains(body, `href="/?before=5&amp;state=all" rel="next">Older →</a>`) {
			t.Errorf("no older link")
		}
		body = ts.get("/?state=all&before=5").Body.String()
		if got := rowOrder(body); got != "2,1,3,4" {
			t.Errorf("older rows %s", got)
		}
		if !strings.Contains(body, `href="/?state=all">← Newest</a>`) || strings.Contains(body, "Older →") {
			t.Errorf("last page links wrong")
		}
	})
	t.Run("empty", func(t *testing.T) {
		body := ts.get("/?team=nobody").Body.String()
		if !strings.Contains(body, `<div class="empty" id="empty">`) || !strings.Contains(body, "Inbox zero") {
			t.Error("no empty state")
		}
	})
	t.Run("bad filter", func(t *testing.T) {
		w := ts.get("/?state=bogus")
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "state: unknown state") {
			t.Errorf("status %d", w.Code)
		}
	})
}

var rowID = regexp.MustCompile(`<li class="case[^"]*" id="case-(\d+)"`)

func rowOrder(body string) string {
	var out []string
	for _, m := range rowID.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return strings.Join(out, ",")
}

// An escalated case can be acknowledged from its page, and its thread
// says whom each step paged.
func TestEscalatedCasePage(t *testing.T) {
	ts := newTestServer(t, nil)
	body := ts.get("/cases/2").Body.String()
	for _, want := range []string{
		`data-kind="acknowledge"`,
		`<strong>earshot</strong> paged web:cto, slack:U0EXEC (step 1 of 2)</span><time`,
		`<li class="t-event ev-sla_breach">`,
		`recorded a missed SLA<span class="t-text">No first answer within the SLA (15m)`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("case 2 page lacks %s", want)
		}
	}
	if body := ts.get("/cases/1").Body.String(); strings.Contains(body, `data-kind="acknowledge"`) {
		t.Error("a case that is not escalated offers Acknowledge")
	}
}

func TestCasePage(t *testing.T) {
	ts := newTestServer(t, nil)
	body := ts.get("/cases/1").Body.String()
	for _, want := range []string{
		// the mention, quoted, with a safe link to the original
		`<p class="m-text" lang="en">My Kettle Pro arrived broken and support hasn&#39;t answered in 3 days.` + "\nReally disappointed.</p>",
		`<a class="m-link" href="https://bsky.app/profile/dana.bsky.social/post/3kabc" target="_blank" rel="noopener noreferrer">`,
		// each suggestion: Send, and Edit & send with the platform's limit
		`<input type="hidden" name="suggestion" value="3">`,
		`data-toggle="editor-2">Edit &amp; send</button>`,
		`<textarea name="text" rows="4" data-limit="300" aria-label="Edit reply 1">Thanks, Dana.`,
		// grapheme count: the emoji with its skin tone is one character
		`<span class="counter" aria-live="polite">67 / 300</span>`,
		// actions
		`data-kind="claim"`, `data-kind="escalate"`, `data-kind="defect"`, `data-kind="dismiss"`, `data-kind="resolve"`,
		`value="Kettle Pro: arrived broken"`,
		// details
		`<dt>Assignee</dt><dd>alice</dd>`,
		// actions log, newest first, with outcome
		`<span class="status status-failed">failed</span>`,
		`<span class="log-result">slack: channel_not_found</span>`,
		`<a class="log-result" href="https://bsky.app/profile/earshot.bsky.social/post/3kdef" target="_blank" rel="noopener noreferrer">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %s", want)
		}
	}
	// The thread interleaves by time and folds "follow-up" events into the posts.
	thread := body[strings.Index(body, `<ol class="thread">`):]
	thread = thread[:strings.Index(thread, "</ol>")]
	var seq []string
	for _, m := range regexp.MustCompile(`<li class="(t-mention[^"]*|t-event ev-[a-z_]+)"`).FindAllStringSubmatch(thread, -1) {
		seq = append(seq, m[1])
	}
	want := "t-event ev-opened,t-event ev-suggested,t-event ev-claimed,t-event ev-replied,t-mention ours,t-mention,t-event ev-note"
	if got := strings.Join(seq, ","); got != want {
		t.Errorf("thread\n got %s\nwant %s", got, want)
	}
	log := body[strings.Index(body, `<ul class="log">`):]
	bob, alice := strings.Index(log, `<strong>bob</strong>`), strings.Index(log, `<strong>alice</strong>`)
	if bob < 0 || alice < 0 || bob > alice {
		t.Error("actions log is not newest first")
	}

	if w := ts.get("/cases/99"); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "<!doctype html>") {
		t.Errorf("unknown case: %d", w.Code)
	}
	if w := ts.get("/cases/x"); w.Code != http.StatusNotFound {
		t.Errorf("bad id: %d", w.Code)
	}
}

func TestFragments(t *testing.T) {
	ts := newTestServer(t, nil)
	w := ts.get("/fragments/cases/3")
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Body.String(), `<li class="case" id="case-3" data-id="3" data-rev="1" data-state="new" data-team="care">`) {
		t.Errorf("row fragment: %d %s", w.Code, w.Body)
	}
	w = ts.get("/fragments/cases/1/detail")
	body := w.Body.String()
	if w.Code != http.StatusOK || !strings.HasPrefix(body, `<div class="case-grid" id="case-live" data-rev="7">`) || strings.Contains(body, "<html") {
		t.Errorf("detail fragment: %d %.200s", w.Code, body)
	}
	for _, part := range []string{"head", "suggestions", "thread", "details", "panel", "log"} {
		if !strings.Contains(body, `data-live="`+part+`"`) {
			t.Errorf("detail fragment lacks %s", part)
		}
	}
	if w := ts.get("/fragments/cases/42"); w.Code != http.StatusNotFound || decode[errorBody](t, w.Body.Bytes()).Error == "" {
		t.Errorf("unknown fragment: %d %s", w.Code, w.Body)
	}
}

func TestStaticAssets(t *testing.T) {
	ts := newTestServer(t, nil)
	for path, ctype := range map[string]string{"/static/app.js": "text/javascript", "/static/app.css": "text/css", "/static/favicon.svg": "image/svg+xml"} {
		w := ts.get(path + "?v=" + ts.assetVer)
		if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), ctype) {
			t.Errorf("%s: %d %q", path, w.Code, w.Header().Get("Content-Type"))
		}
		if !strings.Contains(w.Header().Get("Cache-Control"), "immutable") {
			t.Errorf("%s: versioned asset not cached", path)
		}
	}
	if w := ts.get("/static/"); w.Code != http.StatusNotFound {
		t.Errorf("directory listing: %d", w.Code)
	}
	if w := ts.get("/static/nope.js"); w.Code != http.StatusNotFound {
		t.Errorf("missing asset: %d", w.Code)
	}
}
