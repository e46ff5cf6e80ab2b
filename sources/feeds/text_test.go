package feeds

import "testing"

func TestStripHTML(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Report offers Prediction of Automotive <b>Slack</b> Market by Top key players", "Report offers Prediction of Automotive Slack Market by Top key players"},
		{"Automotive <b>Slack</b> Market reports ... senior&nbsp;...", "Automotive Slack Market reports ... senior ..."},
		{"AT&amp;T &lt;3 R&D", "AT&T <3 R&D"},
		{"<p>One</p><p>Two<br>Three</p>", "One Two Three"},
		{"<script>alert(1)</script>Safe <style>b{}</style>text", "Safe text"},
		{"  plain\n\ttext  ", "plain text"},
		{"caf\u00e9 \u2014 ok", "caf\u00e9 \u2014 ok"},
		{"<img src=x onerror=alert(1)>", ""},
		{"bad \xff utf8", "bad utf8"},
	}
	for _, tc := range tests {
		if got := StripHTML(tc.in); got != tc.want {
			t.Errorf("StripHTML(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestClip(t *testing.T) {
	if got := clip("héllo world", 6); got != "hé…" {
		t.Errorf("clip = %q", got)
	}
	if got := clip("short", 10); got != "short" {
		t.Errorf("clip = %q", got)
	}
}
