package classify

// scan is one pass over a post's tokens: it finds the lexicon terms (longest
// first), weighs them, and remembers what the labels are decided from.
type scan struct {
	lex  *lexicon
	toks []token

	pos, neg float64 // sentiment so far, kept apart so praise can be damped
	sarcasm  float64 // praise that looks sarcastic if the post turns out negative
	flags    flag    // labels of the terms found, after negation

	question bool // a "?" anywhere
	hasLink  bool
	bangs    bool // "!!" or more
	words    int  // word tokens
	hashtags int  // word tokens that are a hashtag's text
	caps     int  // words in capitals

	negUntil int  // terms starting before this word index are negated
	boostAt  int  // the term starting at this word index is intensified
	contrast bool // a "but" was seen: what follows is what the author means

	product               *entry
	problemAt, problemEnd int // token span of the first problem term, or -1
}

const (
	negationWindow   = 3    // words a negator reaches: "not very good at all"
	negatedPositive  = 0.75 // "not good" is bad, a little less than "bad"
	negatedNegative  = 0.5  // "not bad" is only mildly good
	emphasis         = 1.5  // an intensifier or capitals on a term
	intensity        = 1.3  // "!!!" or a shouted post, on the whole score
	problemDampening = 0.5  // praise in a post that reports a problem counts half
	contrastFade     = 0.5  // what came before "but" counts half…
	contrastStress   = 1.5  // …and what follows counts more
	// negativityBias tips mixed posts ("great lamp, terrible app") to
	// negative: for a care team a missed complaint costs more than a
	// missed compliment.
	negativityBias = 1.25
	threshold      = 1.0 // |score| from which a post is not neutral
)

func (s *scan) run() {
	toks, skip := s.toks, 0
	s.boostAt = -1
	for i := range toks {
		t := &toks[i]
		var b *bucket
		if t.s != "" {
			b = s.lex.index[t.s]
		}
		// Products are looked for at every token: a product inside a longer
		// term ("cancel my subscription") still names the product.
		if b != nil && s.product == nil {
			for _, e := range b.prod {
				if e.matchAt(toks, i) {
					s.product = e
					break
				}
			}
		}
		if b != nil && i >= skip {
			for _, e := range b.lex {
				if e.matchAt(toks, i) {
					s.apply(e, i)
					skip = i + len(e.toks)
					break
				}
			}
		}
		switch t.kind {
		case tkWord:
			s.words++
			if t.caps {
				s.caps++
			}
			if i > 0 && t.glued && toks[i-1].s == "#" {
				s.hashtags++
			}
		case tkURL:
			s.hasLink = true
		case tkEmoji:
			s.negUntil, s.boostAt = 0, -1
		case tkPunct:
			switch t.s {
			case "?":
				s.question = true
			case "!":
				if i > 0 && t.glued && toks[i-1].s == "!" {
					s.bangs = true
				}
			}
			if isBreak(t.s) {
				s.negUntil, s.boostAt = 0, -1
			}
		}
	}
}

// apply weighs one matched term starting at toks[i]; s.words is the number of
// words before it.
func (s *scan) apply(e *entry, i int) {
	p := s.words
	f := e.flags
	switch {
	case f&fNegator != 0:
		s.negUntil = p + wordsIn(e) + negationWindow
		return
	case f&fIntensifier != 0:
		s.boostAt = p + wordsIn(e)
		return
	case f&fContrast != 0:
		s.pos *= contrastFade
		s.neg *= contrastFade
		s.negUntil, s.boostAt = 0, -1
		s.contrast = true
		return
	}
	negated := !e.selfNeg && p < s.negUntil
	if negated {
		// "Never crashed", "not looking for": the label is denied. Safety and
		// spam are not: "no fire yet, but sparks" still needs a person.
		f &= fSafety | fSpam | fSpamWeak | fService
	}
	if f&fQuestion != 0 && !s.toks[i].sentStart {
		f &^= fQuestion
	}
	w := e.weight
	switch {
	case e.flags&fNegOnly != 0:
		if !negated {
			w = 0
		}
	case negated && w > 0:
		w = -negatedPositive * w
	case negated:
		w = -negatedNegative * w
	}
	if w != 0 {
		for _, t := range s.toks[i : i+len(e.toks)] {
			if t.caps {
				w *= emphasis
				break
			}
		}
		if p == s.boostAt {
			w *= emphasis
		}
		if s.contrast {
			w *= contrastStress
		}
		if w > 0 {
			s.pos += w
		} else {
			s.neg += w
		}
	}
	if f&fSarcasm != 0 && w > 0 && s.sarcasticAt(i, len(e.toks)) {
		s.sarcasm += w
	}
	if s.problemAt < 0 && f&(fSafety|fBug|fProblem) != 0 {
		s.problemAt, s.problemEnd = i, i+len(e.toks)
	}
	s.flags |= f
}

// sarcasticAt reports whether praise at toks[i:i+n] reads like the opener
// of "Great, the app crashed again": a lone word that opens a clause and is
// followed by punctuation. Phrases ("love how") qualify wherever they stand.
// Either way it only counts if the post turns out negative.
func (s *scan) sarcasticAt(i, n int) bool {
	if n > 1 {
		return true
	}
	if i+1 >= len(s.toks) || s.toks[i+1].kind != tkPunct || !isBreak(s.toks[i+1].s) {
		return false
	}
	for k := i - 1; k >= 0; k-- {
		t := &s.toks[k]
		switch {
		case t.kind == tkHandle || t.kind == tkURL:
			continue
		case t.kind == tkEmoji, t.kind == tkPunct && isBreak(t.s):
			return true
		case t.kind == tkWord:
			switch t.s {
			case "oh", "just", "wow", "yeah", "so", "how", "really":
				return true
			}
		}
		return false
	}
	return true
}

func (s *scan) sentiment() string {
	pos, neg := s.pos, s.neg*negativityBias
	problem := s.flags&problemFlags != 0
	if s.sarcasm > 0 && (neg < 0 || problem) {
		pos = max(0, pos-s.sarcasm)
		neg -= s.sarcasm
	}
	if problem {
		pos *= problemDampening
	}
	score := pos + neg
	if s.bangs || s.caps >= 3 && 2*s.caps >= s.words {
		score *= intensity
	}
	switch {
	case score >= threshold:
		return Positive
	case score <= -threshold:
		return Negative
	}
	return Neutral
}

func wordsIn(e *entry) int {
	n := 0
	for _, t := range e.toks {
		if startsWord(t) {
			n++
		}
	}
	return n
}

// isBreak reports punctuation that ends a clause: negation and emphasis stop
// there, and so does a problem phrase.
func isBreak(s string) bool {
	switch s {
	case ".", ",", "!", "?", ";", ":", "…", "(", ")", "[", "]", "\"", "“", "”", "—", "–", "'", "‘", "’", "¿", "¡":
		return true
	}
	return false
}
