package slacksurface

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
)

func TestCardShowsLinkedIssues(t *testing.T) {
	c := sampleCard()
	c.Links = []bot.CaseLink{{Issue: bot.Issue{Tracker: "github", Repo: "lumio/app", Number: 412, URL: "https://github.com/lumio/app/issues/412"},
		State: bot.LinkReleased, Release: "4.2 <!channel>"}}
	blocks, _ := cardMessage(c, time.Now())
	b, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	if !strings.Contains(got, `:bug: \u003chttps://github.com/lumio/app/issues/412|lumio/app#412\u003e released in 4.2 \u0026lt;!channel\u0026gt;`) {
		t.Fatalf("card lacks the link line: %s", got)
	}
	if line := linksLine(nil); line != "" {
		t.Fatalf("no links: %q", line)
	}
}
