package bot

import (
	"context"
	"time"
)

// DraftInfo is what a drafter said about one drafting of a case's replies,
// shown on the card beside the drafts.
type DraftInfo struct {
	// Origin is the model's name, or "builtin".
	Origin string `json:"origin,omitempty"`
	// Note says why the built-in drafter answered (the model timed out, the
	// hour's budget is spent) or which model drafts were dropped and why.
	Note string `json:"note,omitempty"`
	// Summary is the model's one-line reading of the conversation.
	Summary string `json:"summary,omitempty"`
	// Reading is the model's labels. They are advice shown to people: routing
	// and escalation keep to the built-in classifier's, which are
	// deterministic and tested, so a model can never silence a safety case.
	Reading *Labels `json:"reading,omitempty"`
	// Instruction is the team member's wish a regeneration followed.
	Instruction string    `json:"instruction,omitempty"`
	At          time.Time `json:"at,omitzero"`
}

// Drafts is one drafting of a case: the replies and what the drafter said.
type Drafts struct {
	Suggestions []Suggestion
	Info        DraftInfo
}

// MaxInstruction bounds a person's instruction for a regeneration.
const MaxInstruction = 500

// DraftRequest says how to draft: a regeneration asks afresh (never a
// cached answer), optionally with a person's instruction ("shorter",
// "offer a refund").
type DraftRequest struct {
	Fresh       bool
	Instruction string
}

// Drafter drafts a case's replies.
type Drafter interface {
	DraftReplies(ctx context.Context, c Case, team Team, thread []Mention, req DraftRequest) (Drafts, error)
}

// SuggesterDrafter makes a Drafter of a plain Suggester (the built-in
// drafter), which cannot follow instructions and says so.
func SuggesterDrafter(s Suggester, origin string) Drafter { return suggesterDrafter{s, origin} }

type suggesterDrafter struct {
	s      Suggester
	origin string
}

func (d suggesterDrafter) DraftReplies(ctx context.Context, c Case, team Team, thread []Mention, req DraftRequest) (Drafts, error) {
	instruction := req.Instruction
	sugg, err := d.s.Suggest(ctx, c, team, thread)
	if err != nil {
		return Drafts{}, err
	}
	info := DraftInfo{Origin: d.origin, Instruction: instruction}
	if instruction != "" {
		info.Note = "The built-in drafter cannot follow instructions; configure a model (EARSHOT_LLM_MODEL) for that."
	}
	return Drafts{Suggestions: sugg, Info: info}, nil
}

// FitDrafts keeps the drafts a person could send on the case's platform,
// ranked from 1. Drafters are not trusted to respect the platform: an
// over-long draft would fail at send time, so it never reaches the card.
func FitDrafts(c Case, drafts []Suggestion) []Suggestion {
	limit := ReplyLimit(c.Platform)
	var kept []Suggestion
	for _, d := range drafts {
		if d.Text == "" || Length(d.Text) > limit {
			continue
		}
		d.CaseID = c.ID
		d.Rank = len(kept) + 1
		kept = append(kept, d)
	}
	return kept
}
