package web

import (
	"strings"
	"testing"

	"github.com/earshothq/earshot/bot"
)

// A post its author deleted reads back from the store redacted: the case
// page says so, and neither the post nor its thread line shows its words.
func TestCasePageDeletedPost(t *testing.T) {
	ts := newTestServer(t, nil)
	st := ts.store
	st.mu.Lock()
	first := &st.mentions[1][0]
	first.Text, first.URL, first.Deleted = "", "", true
	follow := &st.mentions[1][2]
	follow.Text, follow.URL, follow.Deleted = "", "", true
	st.cases[0].Summary, st.cases[0].URL, st.cases[0].Labels.Problem = bot.DeletedText, "", ""
	st.events[1] = append(st.events[1], bot.Event{ID: 8, CaseID: 1, At: st.events[1][6].At, Kind: bot.EventDeleted,
		Actor: "Dana (@dana.bsky.social)", MentionID: 103})
	st.mu.Unlock()

	body := ts.get("/cases/1").Body.String()
	for _, gone := range []string{"arrived broken", "Order #4411", "dana.bsky.social/post/3kabc"} {
		if strings.Contains(body, gone) {
			t.Errorf("the deleted post's %q is still shown", gone)
		}
	}
	if n := strings.Count(body, bot.DeletedText); n < 2 {
		t.Errorf("%q shown %d times; want it for both deleted posts", bot.DeletedText, n)
	}
	if !strings.Contains(body, `<li class="t-event ev-deleted">`) || !strings.Contains(body, "deleted a post; earshot no longer keeps its text") {
		t.Error("the thread does not say a post was deleted")
	}
}
