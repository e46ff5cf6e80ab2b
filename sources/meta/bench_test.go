package meta_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/earshothq/earshot/bot"
	"github.com/earshothq/earshot/internal/testkit/metafake"
	"github.com/earshothq/earshot/sources/meta"
)

// BenchmarkWebhookDelivery is one signed delivery of 20 feed comments
// through the handler: signature, decoding, follow-up filter, emit.
func BenchmarkWebhookDelivery(b *testing.B) { benchDelivery(b, threads{"111_1"}) }

// BenchmarkWebhookDelivery100kFollowed is the same delivery with 100,000
// followed posts in the store (open cases and our replies): the list is
// read at most once a minute, not per delivery.
func BenchmarkWebhookDelivery100kFollowed(b *testing.B) {
	ids := threads{"111_1"}
	for i := range 100_000 {
		ids = append(ids, fmt.Sprintf("%d_%d", 200+i%1000, i))
	}
	benchDelivery(b, ids)
}

func benchDelivery(b *testing.B, followed threads) {
	src := meta.New(meta.Options{AppSecret: appSecret, Threads: followed})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = src.Run(ctx, func(context.Context, []bot.Mention) error { return nil }) }()
	var changes []metafake.Change
	for i := range 20 {
		changes = append(changes, metafake.FeedComment("add", "111_1", fmt.Sprintf("1_%d", i), "111_1", "9", "Ann", "my kettle leaks again, third time this month", t0))
	}
	body := metafake.Delivery("page", pageID, t0, changes...)
	sig := metafake.Signature(appSecret, body)
	for { // wait for Run to take emit
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, meta.Path, bytes.NewReader(body))
		req.Header.Set(meta.SignatureHeader, sig)
		src.ServeHTTP(rec, req)
		if rec.Code == 200 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, meta.Path, bytes.NewReader(body))
		req.Header.Set(meta.SignatureHeader, sig)
		src.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code, rec.Body.String())
		}
	}
	b.ReportMetric(float64(b.N*20)/b.Elapsed().Seconds(), "mentions/s")
}

// BenchmarkPagePoll is one poll of a page with 25 recent posts and 4
// new comments each, against the fake Graph API over loopback HTTP.
func BenchmarkPagePoll(b *testing.B) {
	fake := metafake.New()
	defer fake.Close()
	fake.AddPage(pageID, pageToken)
	for i := range 25 {
		post := fake.AddPost(pageID, "12", "Dee", "hello", t0.Add(-time.Duration(30-i)*time.Minute))
		for j := range 4 {
			fake.AddComment(post, "9", "Ann", "comment", t0.Add(-time.Duration(j)*time.Minute))
		}
	}
	g, err := meta.NewGraph(fake.URL, "", appSecret, fake.Client(), nil)
	if err != nil {
		b.Fatal(err)
	}
	p := meta.NewPagePoller(g, meta.Page{ID: pageID, Token: pageToken}, meta.PollOptions{Now: func() time.Time { return t0 }, Lookback: time.Hour})
	for b.Loop() {
		bt, err := p.Poll(context.Background(), "")
		if err != nil || len(bt.Mentions) != 125 {
			b.Fatal(len(bt.Mentions), err)
		}
	}
}
