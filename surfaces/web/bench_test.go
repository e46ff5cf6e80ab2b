package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
)

// bigStore has n cases, so a page renders the full default 50 rows.
func bigStore(n int) *fakeStore {
	st := sampleStore()
	tmpl := st.cases[0]
	st.cases = st.cases[:0]
	for i := 1; i <= n; i++ {
		c := tmpl
		c.ID = int64(i)
		c.Team = testTeams[i%len(testTeams)].Name
		c.State = bot.CaseStates[i%len(bot.CaseStates)]
		c.DueAt = clock.Add(time.Duration(i-n/2) * time.Minute)
		c.Summary = fmt.Sprintf("Case %d: %s", i, tmpl.Summary)
		st.cases = append(st.cases, c)
	}
	return st
}

func benchServer(b *testing.B, st *fakeStore) http.Handler {
	s, err := New(Options{Store: st, Actions: &fakeActions{store: st}, Teams: testTeams, Now: fixedNow})
	if err != nil {
		b.Fatal(err)
	}
	return s.Handler()
}

func benchGet(b *testing.B, h http.Handler, target string) {
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		r := request(http.MethodGet, target, nil)
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}

func BenchmarkInboxPage(b *testing.B) { benchGet(b, benchServer(b, bigStore(500)), "/?state=all") }

func BenchmarkCasesAPI(b *testing.B) {
	benchGet(b, benchServer(b, bigStore(500)), "/api/cases?state=all")
}

func BenchmarkCasePage(b *testing.B) { benchGet(b, benchServer(b, sampleStore()), "/cases/1") }

func BenchmarkPublish100Subscribers(b *testing.B) {
	h := newHub()
	var chans []chan caseEvent
	for range 100 {
		ch, _ := h.subscribe()
		chans = append(chans, ch)
	}
	b.ReportAllocs()
	for b.Loop() {
		h.publish(caseEvent{ID: 1, Rev: 2, Team: "care", State: bot.StateNew})
		for _, ch := range chans {
			<-ch
		}
	}
}

func BenchmarkParseActionBody(b *testing.B) {
	body := `{"kind":"reply","text":"` + strings.Repeat("Thanks for your patience! ", 10) + `"}`
	c := bot.Case{ID: 1, Platform: "bluesky"}
	b.ReportAllocs()
	for b.Loop() {
		ab, err := parseActionBody(strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		if _, fe := actionRequest(ab, c, nil, "web:bench"); fe != nil {
			b.Fatal(fe)
		}
	}
}
