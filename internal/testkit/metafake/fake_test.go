package metafake

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, f *Fake, path, token string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := f.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

func TestPagingAndErrors(t *testing.T) {
	f := New()
	defer f.Close()
	f.PageSize = 2
	f.AddPage("1", "tok")
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 3 {
		f.AddPost("1", "9", "Ann", "hi", at.Add(time.Duration(i)*time.Minute))
	}
	var page struct {
		Data   []map[string]any `json:"data"`
		Paging struct {
			Next string `json:"next"`
		} `json:"paging"`
	}
	if code := get(t, f, "/"+Version+"/1/feed", "tok", &page); code != 200 || len(page.Data) != 2 || page.Paging.Next == "" {
		t.Fatalf("first page %d %+v", code, page)
	}
	if !strings.Contains(page.Paging.Next, "access_token=") {
		t.Error("the next link lacks the access_token Graph puts in it")
	}
	var e struct {
		Error struct {
			Message   string `json:"message"`
			Type      string `json:"type"`
			Code      int    `json:"code"`
			FBTraceID string `json:"fbtrace_id"`
		} `json:"error"`
	}
	if code := get(t, f, strings.TrimPrefix(page.Paging.Next, f.URL), "tok", &e); code != 400 || e.Error.Code != 100 {
		t.Errorf("following next with its access_token: %d %+v, want refused", code, e)
	}
	if code := get(t, f, "/"+Version+"/1/feed", "wrong", &e); code != 400 || e.Error.Code != 190 || e.Error.Type != "OAuthException" || e.Error.FBTraceID == "" {
		t.Errorf("bad token: %d %+v", code, e)
	}
	f.FailNext("/feed", Fail{Code: 4, Message: "Application request limit reached"})
	if code := get(t, f, "/"+Version+"/1/feed", "tok", &e); code != 400 || e.Error.Code != 4 {
		t.Errorf("queued failure: %d %+v", code, e)
	}
}

func TestSignature(t *testing.T) {
	// The example from Meta's docs' algorithm: HMAC-SHA256 over the raw body.
	got := Signature("secret", []byte("{}"))
	if !strings.HasPrefix(got, "sha256=") || len(got) != len("sha256=")+64 {
		t.Errorf("signature %q", got)
	}
}
