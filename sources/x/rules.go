package x

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// RuleTagPrefix marks the stream rules earshot owns; rules with other tags
// belong to someone else sharing the app, and are never touched.
const RuleTagPrefix = "earshot:"

// Tags of earshot's rules.
const (
	TagQuery   = RuleTagPrefix + "query"
	TagReplies = RuleTagPrefix + "replies"
)

// Rule is a filtered-stream rule.
type Rule struct {
	ID    string `json:"id,omitempty"`
	Value string `json:"value"`
	Tag   string `json:"tag,omitempty"`
}

// maxRuleLength is the pay-per-use limit of one rule, in characters.
const maxRuleLength = 1024

// WantedRules are the rules earshot keeps: one per configured query, and
// one for posts that mention or answer our account (customers' answers to
// our replies) and for our own posts (replies sent by hand).
func WantedRules(queries []string, handle string) []Rule {
	var out []Rule
	seen := map[string]bool{}
	for _, q := range queries {
		q = strings.TrimSpace(q)
		if q == "" || seen[q] {
			continue
		}
		seen[q] = true
		out = append(out, Rule{Value: q, Tag: TagQuery})
	}
	if h := strings.TrimPrefix(strings.TrimSpace(handle), "@"); h != "" {
		out = append(out, Rule{Value: RepliesQuery(h), Tag: TagReplies})
	}
	return out
}

// RepliesQuery selects posts that mention handle, answer it, or are its own.
func RepliesQuery(handle string) string {
	return fmt.Sprintf("(@%s OR to:%s OR from:%s) -is:retweet", handle, handle, handle)
}

// CheckQuery checks a query's length against X's limits for a stream rule
// and a recent search (512).
func CheckQuery(q string) error {
	switch n := len([]rune(q)); {
	case strings.TrimSpace(q) == "":
		return fmt.Errorf("query is empty")
	case n > 512:
		return fmt.Errorf("query %q is %d characters; recent search takes at most 512 (a stream rule %d)", clip(q), n, maxRuleLength)
	}
	return nil
}

// Rules lists the stream's rules, every page.
func (c *Client) Rules(ctx context.Context) ([]Rule, error) {
	var all []Rule
	q := url.Values{"max_results": {"1000"}}
	for page := 0; page < 20; page++ {
		req, err := c.request(ctx, http.MethodGet, "/2/tweets/search/stream/rules", q, nil)
		if err != nil {
			return nil, err
		}
		res, _, err := c.send(req)
		if err != nil {
			return nil, err
		}
		var body struct {
			Data []Rule `json:"data"`
			Meta struct {
				NextToken string `json:"next_token"`
			} `json:"meta"`
		}
		err = json.NewDecoder(io.LimitReader(res.Body, maxBody)).Decode(&body)
		res.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("x: list stream rules: %w", err)
		}
		all = append(all, body.Data...)
		if body.Meta.NextToken == "" {
			return all, nil
		}
		q.Set("pagination_token", body.Meta.NextToken)
	}
	return all, nil
}

// changeRules posts an add or delete request and reports X's refusals.
func (c *Client) changeRules(ctx context.Context, payload any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	req, err := c.request(ctx, http.MethodPost, "/2/tweets/search/stream/rules", nil, bytes.NewReader(b))
	if err != nil {
		return err
	}
	res, _, err := c.send(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var body struct {
		Errors []Problem `json:"errors"`
		Meta   struct {
			Summary struct {
				Invalid    int `json:"invalid"`
				NotCreated int `json:"not_created"`
				NotDeleted int `json:"not_deleted"`
			} `json:"summary"`
		} `json:"meta"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, maxBody)).Decode(&body); err != nil {
		return fmt.Errorf("x: stream rules answer: %w", err)
	}
	var bad []string
	for _, p := range body.Errors {
		// A rule X holds already (under another tag) streams the posts all
		// the same.
		if strings.Contains(strings.ToLower(p.Title), "duplicate") {
			continue
		}
		s := p.String()
		if p.Value != "" {
			s = fmt.Sprintf("rule %q: %s", clip(p.Value), s)
		}
		bad = append(bad, s)
	}
	if len(bad) > 0 {
		return fmt.Errorf("x: stream rules refused: %s", strings.Join(bad, "; "))
	}
	return nil
}

// SyncRules makes earshot's rules (tag prefix "earshot:") those of want:
// stale ones are deleted, missing ones added; others' rules stay.
func (c *Client) SyncRules(ctx context.Context, want []Rule) (added, deleted int, err error) {
	have, err := c.Rules(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("x: list stream rules: %w", err)
	}
	key := func(r Rule) string { return r.Tag + "\x00" + r.Value }
	wanted := map[string]bool{}
	for _, r := range want {
		wanted[key(r)] = true
	}
	present := map[string]bool{}
	var stale []string
	for _, r := range have {
		if !strings.HasPrefix(r.Tag, RuleTagPrefix) {
			continue
		}
		if wanted[key(r)] && !present[key(r)] {
			present[key(r)] = true
			continue
		}
		stale = append(stale, r.ID)
	}
	var add []Rule
	for _, r := range want {
		if !present[key(r)] {
			present[key(r)] = true
			add = append(add, Rule{Value: r.Value, Tag: r.Tag})
		}
	}
	if len(stale) > 0 {
		if err := c.changeRules(ctx, map[string]any{"delete": map[string]any{"ids": stale}}); err != nil {
			return 0, 0, err
		}
	}
	if len(add) > 0 {
		if err := c.changeRules(ctx, map[string]any{"add": add}); err != nil {
			return 0, len(stale), err
		}
	}
	return len(add), len(stale), nil
}
