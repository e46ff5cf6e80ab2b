package bluesky

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func resolveKnown(_ context.Context, h string) (string, error) {
	if h == "alice.bsky.social" || h == "lumio.example" {
		return "did:plc:" + strings.ReplaceAll(h, ".", ""), nil
	}
	return "", errors.New("unknown handle")
}

func TestBuildFacets(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string // text covered, per facet in order
	}{
		{"hi @alice.bsky.social!", []string{"@alice.bsky.social"}},
		{"see https://lumio.example/help.", []string{"https://lumio.example/help"}},
		{"(https://lumio.example/a?b=c)", []string{"https://lumio.example/a?b=c"}},
		{"émoji 🙂 then @lumio.example and https://x.example/é", []string{"@lumio.example", "https://x.example/é"}},
		{"mail me@alice.bsky.social or @unknown.example", nil},
		{"https://x.example/@alice.bsky.social", []string{"https://x.example/@alice.bsky.social"}},
		{"https:// alone", nil},
	} {
		t.Run(tc.text, func(t *testing.T) {
			var got []string
			for _, f := range buildFacets(t.Context(), tc.text, resolveKnown) {
				got = append(got, tc.text[f.Index.ByteStart:f.Index.ByteEnd])
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("facets cover %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzBuildFacets(f *testing.F) {
	for _, s := range []string{
		"@acme.com your app ate my invoice https://acme.com/x #acmefail",
		"Thanks @alice.bsky.social! 🙂 Fix: https://lumio.example/help/l2.",
		"(@lumio.example) https://a.example/(x)",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		fs := buildFacets(context.Background(), text, resolveKnown)
		end := 0
		for _, fc := range fs {
			s, e := fc.Index.ByteStart, fc.Index.ByteEnd
			if s < end || s >= e || e > len(text) {
				t.Fatalf("facet [%d,%d) in %d bytes after %d", s, e, len(text), end)
			}
			end = e
			ft := fc.Features[0]
			switch ft.Type {
			case featureLink:
				if text[s:e] != ft.URI {
					t.Fatalf("link facet covers %q, uri %q", text[s:e], ft.URI)
				}
			case featureMention:
				if text[s] != '@' || ft.Did == "" {
					t.Fatalf("mention facet covers %q", text[s:e])
				}
			default:
				t.Fatalf("feature %q", ft.Type)
			}
		}
	})
}
