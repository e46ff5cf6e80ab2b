package redditfake

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func token(t *testing.T, f *Fake) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.URL()+"/api/v1/access_token", strings.NewReader("grant_type=client_credentials"))
	req.SetBasicAuth(ClientID, Secret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || tok.AccessToken == "" || tok.ExpiresIn != 3600 {
		t.Fatalf("token %+v %v", tok, err)
	}
	return tok.AccessToken
}

type page struct {
	Data struct {
		After, Before *string
		Children      []struct {
			Data struct{ Name, Title string }
		}
	}
}

func get(t *testing.T, f *Fake, tok, path string, q url.Values) (page, *http.Response) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.URL()+path+"?"+q.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var p page
	if res.StatusCode == 200 {
		if err := json.NewDecoder(res.Body).Decode(&p); err != nil {
			t.Fatal(err)
		}
	}
	return p, res
}

func TestPaginationAndBudget(t *testing.T) {
	f := New(t)
	tok := token(t, f)
	var names []string
	for range 5 {
		names = append(names, f.Post("acme", "ann", "a & b", "").Fullname())
	}
	p, res := get(t, f, tok, "/r/acme/new", url.Values{"limit": {"2"}})
	if len(p.Data.Children) != 2 || p.Data.Children[0].Data.Name != names[4] || *p.Data.After != names[3] || p.Data.Before != nil {
		t.Fatalf("first page %+v", p)
	}
	if res.Header.Get("X-Ratelimit-Remaining") != "99.0" || res.Header.Get("X-Ratelimit-Used") != "1" {
		t.Errorf("headers %v", res.Header)
	}
	if p.Data.Children[0].Data.Title != "a &amp; b" {
		t.Errorf("without raw_json the title is %q", p.Data.Children[0].Data.Title)
	}
	p, _ = get(t, f, tok, "/r/acme/new", url.Values{"limit": {"2"}, "after": {names[3]}, "raw_json": {"1"}})
	if len(p.Data.Children) != 2 || p.Data.Children[0].Data.Name != names[2] || *p.Data.Before != names[2] || p.Data.Children[0].Data.Title != "a & b" {
		t.Fatalf("second page %+v", p)
	}
	p, _ = get(t, f, tok, "/r/acme/new", url.Values{"limit": {"2"}, "after": {names[1]}})
	if len(p.Data.Children) != 1 || p.Data.After != nil {
		t.Fatalf("last page %+v", p)
	}
	p, _ = get(t, f, tok, "/r/acme/new", url.Values{"before": {names[2]}})
	if len(p.Data.Children) != 2 || p.Data.Children[1].Data.Name != names[3] {
		t.Fatalf("before %+v", p)
	}
	f.SetBudget(0, 42)
	if _, res := get(t, f, tok, "/r/acme/new", nil); res.StatusCode != 429 || res.Header.Get("X-Ratelimit-Reset") != "42" {
		t.Fatalf("spent budget: %s", res.Status)
	}
	if _, res := get(t, f, "nope", "/r/acme/new", nil); res.StatusCode != 401 {
		t.Fatalf("bad token: %s", res.Status)
	}
}
