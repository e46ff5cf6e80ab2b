package mastodonfake

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, f *Fake, path string, v any) http.Header {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.URL()+path, nil)
	req.Header.Set("Authorization", "Bearer "+Token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %s", path, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
	return res.Header
}

func TestPaginationAndLink(t *testing.T) {
	f := New(t)
	var ids []string
	for range 5 {
		ids = append(ids, f.Post(Post{Acct: "ana", Text: "@lumio hi"}).ID)
	}
	var ns []Notification
	h := get(t, f, "/api/v1/notifications?types[]=mention&limit=2", &ns)
	if len(ns) != 2 || ns[0].Status.ID != ids[4] || ns[1].Status.ID != ids[3] {
		t.Fatalf("newest page: %+v", ns)
	}
	link := h.Get("Link")
	next, prev, _ := strings.Cut(link, ", ")
	if !strings.Contains(next, "max_id="+ns[1].ID) || !strings.HasSuffix(next, `; rel="next"`) ||
		!strings.Contains(prev, "min_id="+ns[0].ID) || !strings.HasSuffix(prev, `; rel="prev"`) {
		t.Errorf("Link %s", link)
	}
	var older []Notification
	get(t, f, "/api/v1/notifications?limit=2&max_id="+ns[1].ID, &older)
	if len(older) != 2 || older[0].Status.ID != ids[2] {
		t.Errorf("next page: %+v", older)
	}
	var after []Status
	get(t, f, "/api/v1/timelines/home?limit=2&min_id="+ids[0], &after)
	if len(after) != 0 {
		t.Errorf("home holds others' posts: %+v", after)
	}
	var since []Notification
	get(t, f, "/api/v1/notifications?since_id="+ns[1].ID, &since)
	if len(since) != 1 || since[0].ID != ns[0].ID {
		t.Errorf("since_id: %+v", since)
	}
	var first []Notification
	get(t, f, "/api/v1/notifications?limit=2&min_id=0", &first)
	if len(first) != 2 || first[0].Status.ID != ids[1] || first[1].Status.ID != ids[0] {
		t.Errorf("min_id gives the oldest, newest first: %+v", first)
	}
}

func TestFormatAndIdempotency(t *testing.T) {
	f := New(t)
	s := f.Post(Post{Acct: "ana@social.example", Text: "@lumio see https://example.com/a/really/long/path/to/somewhere #Lumio\nthanks & bye\n\nps"})
	want := `<p><span class="h-card" translate="no"><a href="https://mastodon.example/@lumio" class="u-url mention">@<span>lumio</span></a></span> see ` +
		`<a href="https://example.com/a/really/long/path/to/somewhere" target="_blank" rel="nofollow noopener" translate="no"><span class="invisible">https://</span>` +
		`<span class="ellipsis">example.com/a/really/long/path</span><span class="invisible">/to/somewhere</span></a> ` +
		`<a href="https://mastodon.example/tags/lumio" class="mention hashtag" rel="tag">#<span>Lumio</span></a><br />thanks &amp; bye</p><p>ps</p>`
	if s.Content != want {
		t.Errorf("content\n got %s\nwant %s", s.Content, want)
	}
	if len(s.Mentions) != 1 || s.Mentions[0].Acct != "lumio" || len(s.Tags) != 1 || s.Tags[0].Name != "lumio" {
		t.Errorf("mentions %+v tags %+v", s.Mentions, s.Tags)
	}
	post := func() string {
		req, _ := http.NewRequest(http.MethodPost, f.URL()+"/api/v1/statuses", strings.NewReader(`{"status":"@ana@social.example hi","in_reply_to_id":"`+s.ID+`"}`))
		req.Header.Set("Authorization", "Bearer "+Token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", "k1")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out Status
		_ = json.NewDecoder(res.Body).Decode(&out)
		return out.ID
	}
	if a, b := post(), post(); a == "" || a != b || len(f.PostedBy("lumio")) != 1 {
		t.Errorf("two posts with one key: %s %s", a, b)
	}
}

func TestStreamFrames(t *testing.T) {
	f := New(t)
	req, _ := http.NewRequest(http.MethodGet, f.URL()+"/api/v1/streaming/hashtag?tag=lumio&access_token="+Token, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %s", ct)
	}
	for f.Streams() == 0 {
		time.Sleep(time.Millisecond)
	}
	s := f.Post(Post{Acct: "bo", Text: "#lumio rocks"})
	f.Delete(s.ID)
	r := bufio.NewReader(res.Body)
	var lines []string
	for len(lines) < 6 {
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if l = strings.TrimSuffix(l, "\n"); l != ":)" && l != ":thump" {
			lines = append(lines, l)
		}
	}
	if lines[0] != "event: update" || !strings.HasPrefix(lines[1], `data: {"id":"`+s.ID+`"`) || lines[2] != "" ||
		lines[3] != "event: delete" || lines[4] != "data: "+s.ID || lines[5] != "" {
		t.Errorf("frames %q", lines)
	}
}
