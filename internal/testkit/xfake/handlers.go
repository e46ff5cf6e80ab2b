package xfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// stream is GET /2/tweets/search/stream: one JSON object per line, "\r\n"
// keep-alives, one connection per app (a new one closes the old).
func (f *Fake) stream(w http.ResponseWriter, r *http.Request) {
	if !f.appAuth(w, r) {
		return
	}
	f.mu.Lock()
	ref := f.streamRef
	f.connQuery = append(f.connQuery, r.URL.RawQuery)
	if ref == nil && f.backfillNo && r.URL.Query().Has("backfill_minutes") {
		ref = &refusal{http.StatusBadRequest, `{"errors":[{"parameters":{"backfill_minutes":["1"]},"message":"The query parameter [backfill_minutes] is not one of [expansions,tweet.fields,user.fields]"}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.x.com/2/problems/invalid-request"}`}
	}
	if ref != nil {
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if ref.status == http.StatusTooManyRequests {
			w.Header().Set("x-rate-limit-limit", "50")
			w.Header().Set("x-rate-limit-remaining", "0")
			w.Header().Set("x-rate-limit-reset", strconv.FormatInt(time.Now().Add(2*time.Second).Unix(), 10))
		}
		w.WriteHeader(ref.status)
		_, _ = w.Write([]byte(ref.body))
		return
	}
	if f.closeConn != nil {
		close(f.closeConn) // only one connection per app
	}
	mine := make(chan struct{})
	f.closeConn = mine
	f.connCount++
	every := f.keepAlive
	f.mu.Unlock()
	fl, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	fl.Flush()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		f.mu.Lock()
		stalled := f.stall
		f.mu.Unlock()
		var lines chan string
		if !stalled {
			lines = f.lines
		}
		select {
		case <-r.Context().Done():
			return
		case <-mine:
			return
		case <-f.drop:
			f.mu.Lock()
			if f.closeConn == mine {
				f.closeConn = nil
			}
			f.mu.Unlock()
			return
		case <-tick.C:
			if !stalled {
				if _, err := w.Write([]byte("\r\n")); err != nil {
					return
				}
				fl.Flush()
			}
		case line := <-lines:
			if _, err := w.Write([]byte(line + "\r\n")); err != nil {
				f.lines <- line // not delivered: the next connection sends it
				return
			}
			fl.Flush()
		}
	}
}

func (f *Fake) listRules(w http.ResponseWriter, r *http.Request) {
	if !f.appAuth(w, r) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	data := []map[string]string{}
	for _, ru := range f.rules {
		data = append(data, map[string]string{"id": ru.ID, "value": ru.Value, "tag": ru.Tag})
	}
	meta := map[string]any{"sent": time.Now().UTC().Format(time.RFC3339), "result_count": len(data)}
	writeJSON(w, http.StatusOK, map[string]any{"data": data, "meta": meta})
}

func (f *Fake) changeRules(w http.ResponseWriter, r *http.Request) {
	if !f.appAuth(w, r) {
		return
	}
	var req struct {
		Add []struct {
			Value string `json:"value"`
			Tag   string `json:"tag"`
		} `json:"add"`
		Delete *struct {
			IDs []string `json:"ids"`
		} `json:"delete"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || (req.Add == nil && req.Delete == nil) {
		problem(w, http.StatusBadRequest, "https://api.x.com/2/problems/invalid-request", "Invalid Request", "One or more parameters to your request was invalid.", "")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now().UTC().Format(time.RFC3339)
	if req.Delete != nil {
		n := 0
		for _, id := range req.Delete.IDs {
			i := slices.IndexFunc(f.rules, func(ru rule) bool { return ru.ID == id })
			if i >= 0 {
				f.rules = slices.Delete(f.rules, i, i+1)
				n++
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"meta": map[string]any{"sent": now,
			"summary": map[string]int{"deleted": n, "not_deleted": len(req.Delete.IDs) - n}}})
		return
	}
	var data []map[string]string
	var errs []map[string]any
	for _, a := range req.Add {
		switch {
		case strings.TrimSpace(a.Value) == "" || len([]rune(a.Value)) > 1024 || strings.Count(a.Value, "(") != strings.Count(a.Value, ")"):
			errs = append(errs, map[string]any{"value": a.Value, "title": "Invalid Rule", "type": "https://api.x.com/2/problems/invalid-rules",
				"details": []string{"Rules must contain a non-negation term"}})
			continue
		case slices.ContainsFunc(f.rules, func(ru rule) bool { return ru.Value == a.Value }):
			errs = append(errs, map[string]any{"value": a.Value, "id": "1", "title": "DuplicateRule", "type": "https://api.x.com/2/problems/duplicate-rules"})
			continue
		}
		f.ruleSeq++
		ru := rule{ID: strconv.Itoa(1_500_000_000_000_000_000 + f.ruleSeq), Value: a.Value, Tag: a.Tag}
		f.rules = append(f.rules, ru)
		data = append(data, map[string]string{"id": ru.ID, "value": ru.Value, "tag": ru.Tag})
	}
	body := map[string]any{"meta": map[string]any{"sent": now, "summary": map[string]int{
		"created": len(data), "not_created": len(errs), "valid": len(data), "invalid": len(errs)}}}
	if data != nil {
		body["data"] = data
	}
	if errs != nil {
		body["errors"] = errs
	}
	writeJSON(w, http.StatusCreated, body)
}

// matches is the fake's query language: every bare word of the query
// (operators and parentheses aside) must be in the text; "from:u" and
// "@u" and "to:u" match by author, mention or reply (any of those when
// they are ORed in parentheses, as earshot's replies query does).
func (f *Fake) matches(query string, p Post) bool {
	var words []string
	var anyOf []bool
	for tok := range strings.FieldsSeq(strings.NewReplacer("(", " ", ")", " ").Replace(query)) {
		switch {
		case tok == "OR" || strings.HasPrefix(tok, "-") || strings.HasPrefix(tok, "lang:") || strings.HasPrefix(tok, "is:"):
		case strings.HasPrefix(tok, "from:"):
			anyOf = append(anyOf, strings.EqualFold(f.users[p.AuthorID].Username, tok[5:]))
		case strings.HasPrefix(tok, "to:"):
			anyOf = append(anyOf, strings.EqualFold(f.users[p.InReplyToUserID].Username, tok[3:]))
		case strings.HasPrefix(tok, "@"):
			anyOf = append(anyOf, strings.Contains(strings.ToLower(p.Text), strings.ToLower(tok)))
		default:
			words = append(words, strings.ToLower(strings.Trim(tok, `"`)))
		}
	}
	if strings.Contains(query, "is:reply") && p.ReplyTo == "" {
		return false
	}
	if len(anyOf) > 0 && !slices.Contains(anyOf, true) {
		return false
	}
	for _, w := range words {
		if !strings.Contains(strings.ToLower(p.Text), w) {
			return false
		}
	}
	return p.Retweet == "" || !strings.Contains(query, "-is:retweet")
}

// search is GET /2/tweets/search/recent.
func (f *Fake) search(w http.ResponseWriter, r *http.Request) {
	if !f.appAuth(w, r) {
		return
	}
	q := r.URL.Query()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.searchReqs = append(f.searchReqs, r.URL.RawQuery)
	reset := time.Now().Add(15 * time.Minute)
	setLimits := func() {
		w.Header().Set("x-rate-limit-limit", strconv.Itoa(f.searchLimit))
		w.Header().Set("x-rate-limit-remaining", strconv.Itoa(max(0, f.searchLeft)))
		w.Header().Set("x-rate-limit-reset", strconv.FormatInt(reset.Unix(), 10))
	}
	if f.search429 > 0 || f.searchLeft <= 0 {
		if f.search429 > 0 {
			f.search429--
		}
		reset = time.Now().Add(3 * time.Second)
		f.searchLeft = 0
		setLimits()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}`))
		return
	}
	f.searchLeft--
	setLimits()
	n, err := strconv.Atoi(q.Get("max_results"))
	if q.Get("max_results") == "" {
		n, err = 10, nil
	}
	query := q.Get("query")
	if err != nil || n < 10 || n > 100 || query == "" || len([]rune(query)) > 512 {
		problem(w, http.StatusBadRequest, "https://api.x.com/2/problems/invalid-request", "Invalid Request", "One or more parameters to your request was invalid.", "")
		return
	}
	since := q.Get("since_id")
	var found []Post
	for _, p := range f.posts {
		if f.deleted[p.ID] || (since != "" && !idLess(since, p.ID)) || !f.matches(query, p) {
			continue
		}
		found = append(found, p)
	}
	slices.SortFunc(found, func(a, b Post) int {
		if idLess(a.ID, b.ID) {
			return 1
		}
		return -1
	})
	off := 0
	if t := q.Get("next_token"); t != "" {
		if off, err = strconv.Atoi(strings.TrimPrefix(t, "page")); err != nil || !strings.HasPrefix(t, "page") || off > len(found) {
			problem(w, http.StatusBadRequest, "https://api.x.com/2/problems/invalid-request", "Invalid Request", "The `next_token` query parameter value is not valid", "")
			return
		}
	}
	page := found[off:min(len(found), off+n)]
	meta := map[string]any{"result_count": len(page)}
	body := map[string]any{"meta": meta}
	if len(page) > 0 {
		var data []map[string]any
		for _, p := range page {
			data = append(data, f.postJSON(p))
		}
		body["data"] = data
		meta["newest_id"], meta["oldest_id"] = page[0].ID, page[len(page)-1].ID
		if in := f.includes(page); in != nil {
			body["includes"] = in
		}
	}
	if off+n < len(found) {
		meta["next_token"] = fmt.Sprintf("page%d", off+n)
	}
	writeJSON(w, http.StatusOK, body)
}

// create is POST /2/tweets, as the user.
func (f *Fake) create(w http.ResponseWriter, r *http.Request) {
	a := r.Header.Get("Authorization")
	f.mu.Lock()
	f.auths = append(f.auths, a)
	f.mu.Unlock()
	oauth1 := strings.HasPrefix(a, "OAuth ") && strings.Contains(a, `oauth_consumer_key="`+ConsumerKey+`"`) &&
		strings.Contains(a, `oauth_token="`+AccessToken+`"`) && strings.Contains(a, "oauth_signature=")
	if a != "Bearer "+UserToken && !oauth1 {
		if a == "Bearer "+AppToken {
			problem(w, http.StatusForbidden, "https://api.x.com/2/problems/unsupported-authentication", "Unsupported Authentication",
				"Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].", "")
			return
		}
		problem(w, http.StatusUnauthorized, "about:blank", "Unauthorized", "Unauthorized", "")
		return
	}
	var req struct {
		Text  string `json:"text"`
		Reply *struct {
			InReplyTo string `json:"in_reply_to_tweet_id"`
		} `json:"reply"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Text == "" {
		problem(w, http.StatusBadRequest, "https://api.x.com/2/problems/invalid-request", "Invalid Request", "One or more parameters to your request was invalid.", "")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	rep := Reply{Text: req.Text, Auth: a}
	if req.Reply != nil {
		rep.InReplyTo = req.Reply.InReplyTo
	}
	f.replies = append(f.replies, rep)
	switch f.refuse[rep.InReplyTo] {
	case RefuseNotSummoned:
		problem(w, http.StatusForbidden, "about:blank", "Forbidden",
			"Reply to this conversation is not allowed because you have not been mentioned or otherwise engaged by the author of the post you are replying to.", "")
		return
	case RefuseTier:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"client_id":"101010","detail":"When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project.","registration_url":"https://developer.x.com/en/docs/projects/overview","title":"Client Forbidden","required_enrollment":"Appropriate Level of API Access","reason":"client-not-enrolled","type":"https://api.x.com/2/problems/client-forbidden"}`))
		return
	case RefuseRate:
		w.Header().Set("x-rate-limit-limit", "100")
		w.Header().Set("x-rate-limit-remaining", "0")
		w.Header().Set("x-rate-limit-reset", strconv.FormatInt(time.Now().Add(7*time.Minute).Unix(), 10))
		problem(w, http.StatusTooManyRequests, "about:blank", "Too Many Requests", "Too Many Requests", "")
		return
	case RefuseDuplicate:
		problem(w, http.StatusForbidden, "about:blank", "Forbidden", "You are not allowed to create a Tweet with duplicate content.", "")
		return
	case RefuseServer:
		problem(w, http.StatusServiceUnavailable, "about:blank", "Service Unavailable", "Service Unavailable", "")
		return
	}
	if rep.InReplyTo != "" {
		if _, ok := f.posts[rep.InReplyTo]; !ok || f.deleted[rep.InReplyTo] {
			problem(w, http.StatusBadRequest, "https://api.x.com/2/problems/invalid-request", "Invalid Request",
				"Your Tweet could not be created because the Tweet you are replying to has been deleted or is not visible to you.", "")
			return
		}
	}
	p := Post{Text: req.Text, AuthorID: f.Me.ID, ReplyTo: rep.InReplyTo}
	if parent, ok := f.posts[rep.InReplyTo]; ok {
		p.InReplyToUserID = parent.AuthorID
	}
	p = f.add(p)
	hist := "edit_history_tweet_ids"
	if f.postName {
		hist = "edit_history_post_ids"
	}
	writeJSON(w, http.StatusCreated, map[string]any{"data": map[string]any{"id": p.ID, "text": escape(p.Text), hist: []string{p.ID}}})
}

// lookup is GET /2/tweets?ids=: found posts in data, missing ones as
// partial errors.
func (f *Fake) lookup(w http.ResponseWriter, r *http.Request) {
	if !f.appAuth(w, r) {
		return
	}
	ids := strings.Split(r.URL.Query().Get("ids"), ",")
	if len(ids) == 0 || len(ids) > 100 || ids[0] == "" {
		problem(w, http.StatusBadRequest, "https://api.x.com/2/problems/invalid-request", "Invalid Request", "The `ids` query parameter value is not valid", "")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var data []map[string]any
	var errs []map[string]any
	for _, id := range ids {
		p, ok := f.posts[id]
		if !ok || f.deleted[id] {
			errs = append(errs, map[string]any{"value": id, "detail": "Could not find tweet with ids: [" + id + "].",
				"title": "Not Found Error", "resource_type": "tweet", "parameter": "ids", "resource_id": id,
				"type": "https://api.x.com/2/problems/resource-not-found"})
			continue
		}
		data = append(data, f.postJSON(p))
	}
	body := map[string]any{}
	if data != nil {
		body["data"] = data
	}
	if errs != nil {
		body["errors"] = errs
	}
	writeJSON(w, http.StatusOK, body)
}
