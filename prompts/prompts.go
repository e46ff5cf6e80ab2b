// Package prompts holds earshot's care guidelines as product copy: the
// embedded reply templates of the built-in drafter (no LLM needed) and the
// prompts an LLM drafter is given. Both say the same things: thank people,
// own our mistakes, say what happens next, take private details to a direct
// message, never argue or promise what nobody decided, and put people first
// when safety is at stake.
//
// It is a leaf: plain strings in, plain strings out. The bot adapts its
// Case and Labels to DraftInput and Draft to its Suggestion.
package prompts

import (
	"embed"
	"fmt"
	"text/template"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// The three approaches, one draft each, in the order Drafts returns them.
const (
	Concise  = "concise"
	Warm     = "warm"
	NextStep = "next step"
	// Answer is the built-in drafter's canned answer (an FAQ entry of the
	// rules file), which takes the concise draft's place when one matches.
	Answer = "answer"
)

func approaches() [3]string { return [3]string{Concise, Warm, NextStep} }

// intents that get drafts; spam gets none, and an unknown intent is "other".
func intents() []string {
	return []string{"complaint", "question", "bug", "safety", "churn", "praise", "lead", "other"}
}

// Brand is the voice drafts are written in.
type Brand struct {
	Name       string // "Lumio"
	Tone       string // "warm, plain, no jargon"
	SignOff    string // "– Maya, Lumio Care"; optional
	SupportURL string // help centre; optional
	Hours      string // "Mon–Fri 8:00–20:00 CET"; optional
	Phone      string // support line; optional
	// Links are pages drafts may point to, by name ("status", "returns").
	Links    map[string]string
	Do, Dont []string // voice rules for LLM drafts
}

// DraftInput is what the built-in drafter needs about one case.
type DraftInput struct {
	Brand    Brand
	Platform string // "bluesky", "x", "mastodon", "reddit", …
	// Limit is the longest draft in user-perceived characters (grapheme
	// clusters), the platform's reply limit. It must be positive.
	Limit        int
	Handle, Name string // the customer's handle (with or without "@") and display name
	// Labels from classification; Intent picks the templates.
	Intent, Sentiment, Product, Problem string
	// FollowUp: the customer wrote again after our reply.
	FollowUp bool
	// Text is the customer's latest post. The templates do not quote it
	// (only Problem, already cut short); it is here for drafters that read it.
	Text string
	// FAQ is the answer of the rules file's FAQ entry that matched the post,
	// if any: it becomes the first draft (approach "answer"), except on
	// safety cases, where the person comes first.
	FAQ string
}

// Draft is one suggested reply.
type Draft struct {
	Text     string
	Approach string // "concise", "warm" or "next step"
}

// Drafter renders drafts and prompts from the embedded templates. It is safe
// for concurrent use.
type Drafter struct {
	t *template.Template
}

// New parses the embedded templates and checks every intent has its three
// drafts and the LLM prompts are present.
func New() (*Drafter, error) {
	t, err := template.New("prompts").
		Option("missingkey=error").
		Funcs(template.FuncMap{"opt": func() string { return optMark }}).
		ParseFS(templateFS, "templates/*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("parse templates: %w", err)
	}
	var names []string
	for _, in := range intents() {
		for _, a := range approaches() {
			names = append(names, templateName(in, a))
		}
	}
	names = append(names, "faq", "system", "user", "fixed")
	for _, n := range names {
		if t.Lookup(n) == nil {
			return nil, fmt.Errorf("templates: no template %q", n)
		}
	}
	return &Drafter{t: t}, nil
}

func templateName(intent, approach string) string { return intent + "/" + approach }
